%% cfold: constant folding (the Lean 4 / Koka benchmark shape). Builds an expression tree of
%% depth 20 (2^20 leaves), reassociates it into right-leaning chains, folds the constants and
%% evaluates it before and after; both values are printed. Same program: cfold.weir, cfold.hs.
-module(cfold).
-export([main/0]).
-define(SIZE, 20).

mk_expr(0, V) -> case V of 0 -> {var, 1}; _ -> {val, V} end;
mk_expr(N, V) -> {add, mk_expr(N - 1, V + 1), mk_expr(N - 1, max(V - 1, 0))}.

append_add({add, E1, E2}, E3) -> {add, E1, append_add(E2, E3)};
append_add(E1, E2) -> {add, E1, E2}.

append_mul({mul, E1, E2}, E3) -> {mul, E1, append_mul(E2, E3)};
append_mul(E1, E2) -> {mul, E1, E2}.

reassoc({add, E1, E2}) -> append_add(reassoc(E1), reassoc(E2));
reassoc({mul, E1, E2}) -> append_mul(reassoc(E1), reassoc(E2));
reassoc(E) -> E.

const_folding({add, E1, E2}) ->
    case {const_folding(E1), const_folding(E2)} of
        {{val, A}, {val, B}} -> {val, A + B};
        {{val, A}, {add, E, {val, B}}} -> {add, {val, A + B}, E};
        {{val, A}, {add, {val, B}, E}} -> {add, {val, A + B}, E};
        {E1f, E2f} -> {add, E1f, E2f}
    end;
const_folding({mul, E1, E2}) ->
    case {const_folding(E1), const_folding(E2)} of
        {{val, A}, {val, B}} -> {val, A * B};
        {{val, A}, {mul, E, {val, B}}} -> {mul, {val, A * B}, E};
        {{val, A}, {mul, {val, B}, E}} -> {mul, {val, A * B}, E};
        {E1f, E2f} -> {mul, E1f, E2f}
    end;
const_folding(E) -> E.

eval({var, _}) -> 0;
eval({val, V}) -> V;
eval({add, L, R}) -> eval(L) + eval(R);
eval({mul, L, R}) -> eval(L) * eval(R).

main() ->
    E = mk_expr(?SIZE, 1),
    io:format("~w~n~w~n", [eval(E), eval(const_folding(reassoc(E)))]).
