%% Fan-in peer of fanin.weir: 4 processes each send N/4 messages to one sink, which counts.
%% Prints "fanin <received> <ns> <sum>".
-module(fanin).
-export([main/1]).

main([NS]) ->
    N = list_to_integer(NS),
    Main = self(),
    T0 = erlang:monotonic_time(nanosecond),
    Sink = spawn(fun() -> sink(N, 0, 0, T0, Main) end),
    [spawn(fun() -> send(Sink, N div 4) end) || _ <- lists:seq(1, 4)],
    receive {done, C, Ns, S} -> io:format("fanin ~p ~p ~p~n", [C, Ns, S]) end,
    halt(0).

send(_, 0) -> ok;
send(Sink, K) -> Sink ! {item, 1}, send(Sink, K - 1).

sink(N, C, S, T0, Main) when C =:= N ->
    Main ! {done, C, erlang:monotonic_time(nanosecond) - T0, S};
sink(N, C, S, T0, Main) ->
    receive {item, K} -> sink(N, C + 1, S + K, T0, Main) end.
