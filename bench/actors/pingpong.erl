%% Ping-pong peer of pingpong.weir: two processes bounce a counter N times.
%% erl -noshell -pa DIR -run pingpong main N   prints "pingpong <messages> <ns>".
-module(pingpong).
-export([main/1]).

main([NS]) ->
    N = list_to_integer(NS),
    Pong = spawn(fun pong/0),
    T0 = erlang:monotonic_time(nanosecond),
    Self = self(),
    Ping = spawn(fun() -> Pong ! {self(), 1}, ping(Pong, N, T0, Self) end),
    receive {done, K, Ns} -> io:format("pingpong ~p ~p~n", [K, Ns]) end,
    exit(Ping, kill), exit(Pong, kill),
    halt(0).

pong() ->
    receive {From, K} -> From ! {self(), K + 1}, pong() end.

ping(Pong, N, T0, Main) ->
    receive
        {_, K} when K >= N ->
            Main ! {done, K, erlang:monotonic_time(nanosecond) - T0};
        {_, K} ->
            Pong ! {self(), K + 1}, ping(Pong, N, T0, Main)
    end.
