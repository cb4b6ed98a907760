%% Ring peer of ring.weir: spawn N processes (timed), pass a token once around; each process
%% forwards it once and ends. Prints "spawned <actors> <ns>" and "lap <hops> <ns>".
-module(ring).
-export([main/1]).

main([NS]) ->
    N = list_to_integer(NS),
    Main = self(),
    T0 = erlang:monotonic_time(nanosecond),
    Last = spawn(fun() -> tail(Main) end),
    First = build(N - 1, Last),
    T1 = erlang:monotonic_time(nanosecond),
    io:format("spawned ~p ~p~n", [N, T1 - T0]),
    T2 = erlang:monotonic_time(nanosecond),
    First ! {token, 1, T2},
    receive {lap, Hops, Ns} -> io:format("lap ~p ~p~n", [Hops, Ns]) end,
    halt(0).

build(0, Next) -> Next;
build(K, Next) -> build(K - 1, spawn(fun() -> relay(Next) end)).

relay(Next) -> receive {token, H, T} -> Next ! {token, H + 1, T} end.

tail(Main) ->
    receive {token, H, T} -> Main ! {lap, H, erlang:monotonic_time(nanosecond) - T} end.
