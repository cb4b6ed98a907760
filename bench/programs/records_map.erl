%% records_map: the rule-engine shape. 1,000,000 sensor readings (one record each, pseudo-random
%% device among 10,000) are folded into per-device statistics (a record) kept in a map keyed by
%% device; then the number of devices, the total, the highest peak and the busiest device are
%% printed (the last as {Count,Device}). Same program: records_map.weir, records_map.hs.
-module(records_map).
-export([main/0]).
-define(SIZE, 1000000).

-record(reading, {device, value}).
-record(stats, {count, total, peak}).

next(X) -> (X * 1103515245 + 12345) rem 2147483648.

reading(S) -> #reading{device = S rem 10000, value = (S div 10000) rem 1000}.

record(M, #reading{device = D, value = V}) ->
    maps:update_with(D,
                     fun(#stats{count = C, total = T, peak = P}) ->
                             #stats{count = C + 1, total = T + V, peak = max(P, V)}
                     end,
                     #stats{count = 1, total = V, peak = V}, M).

collect(0, _, M) -> M;
collect(N, S, M) -> collect(N - 1, next(S), record(M, reading(S))).

main() ->
    M = collect(?SIZE, 42, #{}),
    io:format("~w~n", [maps:size(M)]),
    io:format("~w~n", [maps:fold(fun(_, #stats{total = T}, Acc) -> Acc + T end, 0, M)]),
    io:format("~w~n", [maps:fold(fun(_, #stats{peak = P}, Acc) -> max(Acc, P) end, 0, M)]),
    {C, K} = maps:fold(fun(K, #stats{count = C}, Best) -> max(Best, {C, K}) end, {0, 0}, M),
    io:format("(~w,~w)~n", [C, K]).
