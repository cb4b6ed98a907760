%% deriv: symbolic derivative of x^x, taken 10 times over (the Lean 4 / Koka benchmark shape),
%% with smart constructors that simplify as they build; prints the size of each derivative.
%% An expression is {val, N}, {var, Name}, {add, F, G}, {mul, F, G}, {pow, F, G} or {ln, F}.
%% Same program: deriv.weir, deriv.hs.
-module(deriv).
-export([main/0]).
-define(SIZE, 10).

pown(_, 0) -> 1;
pown(A, 1) -> A;
pown(A, N) ->
    B = pown(A, N div 2),
    B * B * (case N rem 2 of 0 -> 1; _ -> A end).

add({val, N}, {val, M}) -> {val, N + M};
add({val, 0}, F) -> F;
add(F, {val, 0}) -> F;
add(F, {val, N}) -> add({val, N}, F);
add({val, N}, {add, {val, M}, F}) -> add({val, N + M}, F);
add(F, {add, {val, N}, G}) -> add({val, N}, add(F, G));
add({add, F, G}, H) -> add(F, add(G, H));
add(F, G) -> {add, F, G}.

mul({val, N}, {val, M}) -> {val, N * M};
mul({val, 0}, _) -> {val, 0};
mul(_, {val, 0}) -> {val, 0};
mul({val, 1}, F) -> F;
mul(F, {val, 1}) -> F;
mul(F, {val, N}) -> mul({val, N}, F);
mul({val, N}, {mul, {val, M}, F}) -> mul({val, N * M}, F);
mul(F, {mul, {val, N}, G}) -> mul({val, N}, mul(F, G));
mul({mul, F, G}, H) -> mul(F, mul(G, H));
mul(F, G) -> {mul, F, G}.

pow({val, M}, {val, N}) -> {val, pown(M, N)};
pow(_, {val, 0}) -> {val, 1};
pow(F, {val, 1}) -> F;
pow({val, 0}, _) -> {val, 0};
pow(F, G) -> {pow, F, G}.

ln({val, 1}) -> {val, 0};
ln(F) -> {ln, F}.

d(_, {val, _}) -> {val, 0};
d(X, {var, Y}) -> case X =:= Y of true -> {val, 1}; false -> {val, 0} end;
d(X, {add, F, G}) -> add(d(X, F), d(X, G));
d(X, {mul, F, G}) -> add(mul(F, d(X, G)), mul(G, d(X, F)));
d(X, {pow, F, G}) -> mul(pow(F, G), add(mul(mul(G, d(X, F)), pow(F, {val, -1})), mul(ln(F), d(X, G))));
d(X, {ln, F}) -> mul(d(X, F), pow(F, {val, -1})).

count({val, _}) -> 1;
count({var, _}) -> 1;
count({add, F, G}) -> count(F) + count(G);
count({mul, F, G}) -> count(F) + count(G);
count({pow, F, G}) -> count(F) + count(G);
count({ln, F}) -> count(F).

nest(?SIZE, _) -> ok;
nest(I, F) ->
    F1 = d(<<"x">>, F),
    io:format("~w count: ~w~n", [I + 1, count(F1)]),
    nest(I + 1, F1).

main() ->
    nest(0, pow({var, <<"x">>}, {var, <<"x">>})).
