%% binarytrees (the Computer Language Benchmarks Game, depth 21, sequential): allocates and
%% walks a stretch tree, one long-lived tree and many short-lived trees of each depth. A node is
%% {Left, Right}, the empty tree the atom nil. Same program: binarytrees.weir, binarytrees.hs.
-module(binarytrees).
-export([main/0]).
-define(SIZE, 21).
-define(MIN_DEPTH, 4).

make(D) -> make(D, D).

make(_, 0) -> {nil, nil};
make(N, D) -> {make(N - 1, D - 1), make(N + 1, D - 1)}.

check(T) -> check(T, 0).

check(nil, Acc) -> Acc;
check({L, R}, Acc) -> check(L, check(R, Acc + 1)).

sum_trees(_, 0, Acc) -> Acc;
sum_trees(D, I, Acc) -> sum_trees(D, I - 1, Acc + check(make(D))).

report(What, Depth, C) -> io:format("~s of depth ~w\t check: ~w~n", [What, Depth, C]).

main() ->
    MaxDepth = max(?MIN_DEPTH + 2, ?SIZE),
    Stretch = MaxDepth + 1,
    report("stretch tree", Stretch, check(make(Stretch))),
    Long = make(MaxDepth),
    lists:foreach(fun(D) ->
                          N = 1 bsl (MaxDepth - D + ?MIN_DEPTH),
                          report(integer_to_list(N) ++ "\t trees", D, sum_trees(D, N, 0))
                  end, lists:seq(?MIN_DEPTH, MaxDepth, 2)),
    report("long lived tree", MaxDepth, check(Long)).
