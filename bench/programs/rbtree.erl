%% rbtree: Okasaki's red-black tree (the Lean 4 / Koka benchmark shape): 4,200,000 inserts of
%% integer keys with a boolean value (is the key divisible by 10), then a fold that counts the
%% true values. A node is {Color, Left, Key, Value, Right}, the empty tree the atom leaf.
%% Same program: rbtree.weir, rbtree.hs.
-module(rbtree).
-export([main/0]).
-define(SIZE, 4200000).

fold(_, leaf, Acc) -> Acc;
fold(F, {_, L, K, V, R}, Acc) -> fold(F, R, F(K, V, fold(F, L, Acc))).

balance1({_, _, Kv, Vv, T}, {_, {red, L, Kx, Vx, R1}, Ky, Vy, R2}) -> {red, {black, L, Kx, Vx, R1}, Ky, Vy, {black, R2, Kv, Vv, T}};
balance1({_, _, Kv, Vv, T}, {_, L1, Ky, Vy, {red, L2, Kx, Vx, R}}) -> {red, {black, L1, Ky, Vy, L2}, Kx, Vx, {black, R, Kv, Vv, T}};
balance1({_, _, Kv, Vv, T}, {_, L, Ky, Vy, R}) -> {black, {red, L, Ky, Vy, R}, Kv, Vv, T};
balance1(_, _) -> leaf.

balance2({_, T, Kv, Vv, _}, {_, {red, L, Kx1, Vx1, R1}, Ky, Vy, R2}) -> {red, {black, T, Kv, Vv, L}, Kx1, Vx1, {black, R1, Ky, Vy, R2}};
balance2({_, T, Kv, Vv, _}, {_, L1, Ky, Vy, {red, L2, Kx2, Vx2, R2}}) -> {red, {black, T, Kv, Vv, L1}, Ky, Vy, {black, L2, Kx2, Vx2, R2}};
balance2({_, T, Kv, Vv, _}, {_, L, Ky, Vy, R}) -> {black, T, Kv, Vv, {red, L, Ky, Vy, R}};
balance2(_, _) -> leaf.

is_red({red, _, _, _, _}) -> true;
is_red(_) -> false.

ins(leaf, Kx, Vx) -> {red, leaf, Kx, Vx, leaf};
ins({red, A, Ky, Vy, B}, Kx, Vx) ->
    if Kx < Ky -> {red, ins(A, Kx, Vx), Ky, Vy, B};
       Ky < Kx -> {red, A, Ky, Vy, ins(B, Kx, Vx)};
       true -> {red, A, Kx, Vx, B}
    end;
ins({black, A, Ky, Vy, B}, Kx, Vx) ->
    if Kx < Ky ->
           case is_red(A) of
               true -> balance1({black, leaf, Ky, Vy, B}, ins(A, Kx, Vx));
               false -> {black, ins(A, Kx, Vx), Ky, Vy, B}
           end;
       Ky < Kx ->
           case is_red(B) of
               true -> balance2({black, A, Ky, Vy, leaf}, ins(B, Kx, Vx));
               false -> {black, A, Ky, Vy, ins(B, Kx, Vx)}
           end;
       true -> {black, A, Kx, Vx, B}
    end.

set_black({_, L, K, V, R}) -> {black, L, K, V, R};
set_black(E) -> E.

insert(T, K, V) ->
    case is_red(T) of
        true -> set_black(ins(T, K, V));
        false -> ins(T, K, V)
    end.

mk_map(0, M) -> M;
mk_map(N, M) -> N1 = N - 1, mk_map(N1, insert(M, N1, N1 rem 10 =:= 0)).

main() ->
    M = mk_map(?SIZE, leaf),
    io:format("~w~n", [fold(fun(_, V, R) -> case V of true -> R + 1; false -> R end end, M, 0)]).
