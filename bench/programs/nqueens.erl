%% nqueens 12: counts the solutions. The same program as nqueens.weir (a list comprehension);
%% the SIZE macro is the one line bench/generated/run rewrites for --quick.
-module(nqueens).
-export([main/0]).
-define(SIZE, 12).

safe(_, _, []) -> true;
safe(Q, D, [X | Xs]) -> Q =/= X andalso Q =/= X + D andalso Q =/= X - D andalso safe(Q, D + 1, Xs).

queens(_, 0) -> [[]];
queens(N, K) -> [[Q | Qs] || Qs <- queens(N, K - 1), Q <- lists:seq(1, N), safe(Q, 1, Qs)].

main() ->
    io:format("~w~n", [length(queens(?SIZE, ?SIZE))]).
