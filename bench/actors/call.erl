%% call peer of call.weir: a client process does N gen_server:call round trips (timeout 5 s)
%% to a server and sums the answers. Prints "call <answered> <ns>".
-module(call).
-behaviour(gen_server).
-export([main/1, init/1, handle_call/3, handle_cast/2]).

main([NS]) ->
    N = list_to_integer(NS),
    {ok, Server} = gen_server:start(?MODULE, 0, []),
    Main = self(),
    spawn(fun() ->
        T0 = erlang:monotonic_time(nanosecond),
        Total = loop(Server, N, 0),
        Main ! {done, Total, erlang:monotonic_time(nanosecond) - T0}
    end),
    receive {done, T, Ns} -> io:format("call ~p ~p~n", [T, Ns]) end,
    halt(0).

loop(_, 0, Acc) -> Acc;
loop(S, K, Acc) -> loop(S, K - 1, Acc + gen_server:call(S, get, 5000)).

init(N) -> {ok, N}.
handle_call(get, _From, N) -> {reply, 1, N + 1}.
handle_cast(_, N) -> {noreply, N}.
