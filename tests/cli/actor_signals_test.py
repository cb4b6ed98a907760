#!/usr/bin/env python3
"""SIGINT and SIGTERM stop a compiled program cleanly (issue 9, program lifetime): with actors
running, the scheduler stops after the current messages and the program exits 128 + signal with
its output flushed; a program still busy after WEIR_SHUTDOWN_SECONDS is ended at once with a
message; a program without actors ends at once, output flushed.

usage: actor_signals_test.py WEIR WORKDIR
"""
import os
import signal
import subprocess
import sys
import time

weir, workdir = sys.argv[1:3]
os.makedirs(workdir, exist_ok=True)
failures = []

TICKER = """module Main where

import Actor
import Time

data Tick = Tick

ticker :: (Pid Tick, Int) -> Tick -> IO (Next (Pid Tick, Int))
ticker (me, n) Tick = do
  putStrLn ("tick " ++ show n)
  _ <- sendAfter (millis 20) me Tick
  pure (Continue (me, n + 1))

main :: IO ()
main = do
  _ <- spawnSelf (\\me -> do
         me ! Tick
         pure (me, 0)) ticker
  putStrLn "started"
"""

BUSY_MAIN = """module Main where

import Actor

spin :: Int -> Int
-- never negative, so it never ends; `n + 1` would let LLVM compute the loop's exit value on raw Ints
spin n = if n < 0 then n else spin ((n * 7 + 3) `mod` 1000003)

main :: IO ()
main = do
  _ <- spawn () (\\s () -> pure (Continue s))
  putStrLn "spinning"
  print (spin 0)
"""

NO_ACTORS = """module Main where

spin :: Int -> Int
-- never negative, so it never ends; `n + 1` would let LLVM compute the loop's exit value on raw Ints
spin n = if n < 0 then n else spin ((n * 7 + 3) `mod` 1000003)

main :: IO ()
main = do
  putStrLn "spinning"
  print (spin 0)
"""


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def build(name, src):
    path = os.path.join(workdir, name + ".weir")
    with open(path, "w") as f:
        f.write(src)
    exe = os.path.join(workdir, name)
    r = subprocess.run([weir, "build", path, "-o", exe], capture_output=True, text=True)
    if r.returncode != 0:
        print(r.stderr)
        sys.exit(1)
    return exe


def run_and_signal(exe, sig, wait_for, env=None):
    """Starts exe, waits until its stdout has `wait_for`, sends sig; returns (status, out, err, secs)."""
    out_path = os.path.join(workdir, os.path.basename(exe) + ".out")
    with open(out_path, "w") as out:
        p = subprocess.Popen([exe], stdout=out, stderr=subprocess.PIPE, text=True,
                             env=dict(os.environ, **(env or {})))
        deadline = time.time() + 10
        while time.time() < deadline:
            time.sleep(0.05)
            with open(out_path) as f:
                if wait_for in f.read():
                    break
        t0 = time.time()
        p.send_signal(sig)
        try:
            _, err = p.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            _, err = p.communicate()
            return None, "", err, 99
        secs = time.time() - t0
    with open(out_path) as f:
        return p.returncode, f.read(), err, secs


ticker = build("ticker", TICKER)
status, out, err, secs = run_and_signal(ticker, signal.SIGTERM, "tick 2")
check(status == 143, f"SIGTERM with actors running: exit status 143 (got {status})")
check(secs < 2, f"... within 2 s (took {secs:.2f} s)")
# "started" (main) and "tick 0" (the actor, on a worker) race: either may come first.
lines = out.split("\n")
check(sorted(lines[:4]) == ["started", "tick 0", "tick 1", "tick 2"] and out.endswith("\n"),
      "... with every line printed so far, whole")
status, out, err, secs = run_and_signal(ticker, signal.SIGINT, "tick 1")
check(status == 130, f"SIGINT with actors running: exit status 130 (got {status})")

busy = build("busy_main", BUSY_MAIN)
status, out, err, secs = run_and_signal(busy, signal.SIGTERM, "spinning", {"WEIR_SHUTDOWN_SECONDS": "1"})
check(status == 143, f"main still computing: ended after the deadline, status 143 (got {status})")
check(0.8 < secs < 4, f"... after about WEIR_SHUTDOWN_SECONDS=1 (took {secs:.2f} s)")
check("did not end within 1 s" in err, "... and says why")

plain = build("no_actors", NO_ACTORS)
status, out, err, secs = run_and_signal(plain, signal.SIGINT, "spinning")
check(status == 130 and out == "spinning\n", f"no actors: SIGINT ends it at once with output flushed (status {status})")
check(secs < 1, f"... at once (took {secs:.2f} s)")

print(f"{9 - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
