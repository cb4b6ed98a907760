#!/usr/bin/env python3
"""`weir test` (issue 14): discovery of tests/**/*Test.weir and *_test.weir with no argument,
one line per failure at the failed assertion's (or crash's, or property's) position, a closing
`N passed, N failed`, exit status 1 on any failure and 0 otherwise, `--filter`, `--seed`,
properties shrunk to a minimal counterexample, a module that does not compile or a test program
that dies counted as a failure while the others still run, and E0920 when there is nothing to run.

usage: weir_test_test.py WEIR WORKDIR
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks  # noqa: E402

weir, workdir = sys.argv[1:3]
weir = os.path.abspath(weir)
workdir = os.path.abspath(workdir)
shutil.rmtree(workdir, ignore_errors=True)
check = Checks("weir test")

FILES = {
    "src/Calc.weir": """module Calc where

add :: Int -> Int -> Int
add a b = a + b
""",
    "tests/Helper.weir": """module Helper where

-- imported by a test module, not one itself
twice :: Int -> Int
twice x = x * 2
""",
    "tests/CalcTest.weir": """module CalcTest where

import Test
import Calc
import Helper

tests :: [Test]
tests =
  [ test "adds" $ \\_ -> assertEqual 3 (add 1 2)
  , test "adds wrong" $ \\_ -> assertEqual 4 (add 1 2)
  , describe "helper"
      [ test "twice" $ \\_ -> twice 2 `shouldBe` 4
      , test "crash" $ \\_ -> assertEqual 1 (10 `div` (twice 0))
      ]
  , property "short lists" $ \\(xs :: [Int]) -> length xs <= 3
  ]
""",
    "tests/Unit/ListTest.weir": """module Unit.ListTest where

import Test

tests :: [Test]
tests =
  [ test "head" $ \\_ -> assertEqual 1 (head [1, 2])
  , test "adds to a list" $ \\_ -> assertEqual [1, 2] ([1] ++ [2])
  ]
""",
    "tests/Unit/Parse_test.weir": """module Unit.Parse_test where

import Test
import qualified Data.String as S

tests :: [Test]
tests =
  [ test "readInt" $ \\_ -> assertEqual (Just 42) (S.readInt "42")
  , test "readInt fails" $ \\_ -> do
      _ <- assertJust (S.readInt "x")
      pure ()
  ]
""",
}

BROKEN = {
    "tests/BrokenTest.weir": """module BrokenTest where

import Test

tests :: [Test]
tests = [ test "bad" $ \\_ -> assertEqual 1 "one" ]
""",
    "tests/DiesTest.weir": """module DiesTest where

import Test

tests :: [Test]
tests = [ test (error "no name") $ \\_ -> pure () ]
""",
}


def write(root, files):
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)


def run(args, cwd):
    p = subprocess.run([weir, "test"] + args, cwd=cwd, capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


project = os.path.join(workdir, "project")
write(project, FILES)

# 1. No argument: every test module under tests/, in path order; Helper.weir is not one.
rc, out, err = run([], project)
expected = [
    "tests/CalcTest.weir:10:31: FAIL adds wrong: expected 4, got 3",
    "tests/CalcTest.weir:13:49: FAIL helper/crash: runtime error: divide by zero",
    "tests/CalcTest.weir:15:5: FAIL short lists: falsified after 5 inputs, shrunk 4 times (seed 42): [0,0,0,0]",
    "tests/Unit/Parse_test.weir:10:12: FAIL readInt fails: expected Just a value, got Nothing",
    "5 passed, 4 failed",
]
check("all: exit status", rc == 1, f"got {rc}; stderr: {err}")
check("all: output", out.splitlines() == expected, f"got:\n{out}")

# 2. --filter: only the tests whose full name contains the text.
rc, out, err = run(["--filter", "helper/"], project)
check("filter: output", out.splitlines() == [expected[1], "1 passed, 1 failed"], f"got:\n{out}")
check("filter: exit status", rc == 1, f"got {rc}")
rc, out, err = run(["--filter", "adds to"], project)
check("filter passing: output", out.splitlines() == ["1 passed, 0 failed"], f"got:\n{out}")
check("filter passing: exit status", rc == 0, f"got {rc}")

# 3. Files named on the command line; all passing: status 0.
rc, out, err = run(["tests/Unit/ListTest.weir"], project)
check("file: output", out.splitlines() == ["2 passed, 0 failed"], f"got:\n{out}")
check("file: exit status", rc == 0, f"got {rc}; stderr: {err}")

# 4. --seed: printed with the failure, reproducible, and shrinking reaches the minimal
#    counterexample (4 elements, all 0) whatever the seed.
outs = []
for seed in ["7", "7", "123456789"]:
    rc, out, err = run(["--seed", seed, "--filter", "short lists", "tests/CalcTest.weir"], project)
    outs.append(out)
    check(f"seed {seed}: exit status", rc == 1, f"got {rc}")
    check(f"seed {seed}: shrunk", re.search(r"^tests/CalcTest\.weir:15:5: FAIL short lists: falsified after \d+ inputs?, "
                                            rf"shrunk \d+ times? \(seed {seed}\): \[0,0,0,0\]$", out, re.M), f"got:\n{out}")
    # --filter takes one value: the path after it is a path, so only CalcTest.weir runs.
    check(f"seed {seed}: one file", out.splitlines()[1:] == ["0 passed, 1 failed"], f"got:\n{out}")
check("seed: reproducible", outs[0] == outs[1], f"{outs[0]!r} vs {outs[1]!r}")

# 5. A module that does not compile and a test program that dies count as failures; the
#    other modules still run.
broken = os.path.join(workdir, "broken")
write(broken, {**FILES, **BROKEN})
rc, out, err = run([], broken)
lines = out.splitlines()
check("broken: exit status", rc == 1, f"got {rc}")
check("broken: compile error shown", "error[E0201]" in err and "BrokenTest.weir:6" in err, f"stderr:\n{err}")
check("broken: compile failure line", "tests/BrokenTest.weir: FAIL the test module does not compile" in lines, f"got:\n{out}")
check("broken: dead program line",
      "tests/DiesTest.weir: FAIL the test program ended with status 1 before it finished its tests" in lines, f"got:\n{out}")
check("broken: runtime error shown", "runtime error: no name" in err, f"stderr:\n{err}")
check("broken: the rest ran", lines[-1:] == ["5 passed, 6 failed"], f"got:\n{out}")

# 6. --timeout stops a test program that hangs; that counts as a failure.
hang = os.path.join(workdir, "hang")
write(hang, {"tests/HangTest.weir": """module HangTest where

import Test

spin :: Int -> Int
-- never negative, so it never ends; `n + 1` would let LLVM compute the loop's exit value on raw Ints
spin n = if n < 0 then n else spin ((n * 7 + 3) `mod` 1000003)

tests :: [Test]
tests = [ test "hangs" $ \\_ -> assertEqual 0 (spin 0) ]
"""})
rc, out, err = run(["--timeout", "2"], hang)
check("timeout: status", rc == 1, f"got {rc}")
check("timeout: output", out.splitlines() == [
    "tests/HangTest.weir: FAIL the test program was stopped after 2 s (--timeout) before it finished its tests",
    "0 passed, 1 failed"], f"got:\n{out}")

# 7. Nothing to run: E0920, status 1.
empty = os.path.join(workdir, "empty")
os.makedirs(empty, exist_ok=True)
rc, out, err = run([], empty)
check("no tests folder: status", rc == 1, f"got {rc}")
check("no tests folder: message", "error[E0920]" in err, f"stderr:\n{err}")
os.makedirs(os.path.join(empty, "tests"), exist_ok=True)
rc, out, err = run([], empty)
check("empty tests folder", rc == 1 and "no test modules found" in err, f"{rc} {err}")

check.finish()
