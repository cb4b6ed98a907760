"""Memory kept only as long as needed and not copied (issue 11), counted exactly: the heap blocks
a program allocates under valgrind ("total heap usage: N allocs"; under valgrind the runtime
makes every object a malloc block of its own), for two sizes, so the count per element is known.

  - The entry point as a function of the world (IO arity expansion, compiler/core/ioarity.hpp,
    which turns `main` from a CAF into `fun main(w)`): a list bound by a `let` in `main` is an ordinary
    owned value, rebuilt in place by `map` at its last use (one new Int per element). The same
    list as a top-level value (a CAF: immortal by design) is copied (a cell and an Int per
    element): that variant is the contrast, and what the `let` in main cost before.
  - A matched value rebuilt from its own fields is shared (compiler/core/simplify.hpp):
    `norm (P a b) = P a b` over a list of references to one shared `P` allocates one cell per
    element fewer than the same program building `P b a` (a new cell each).

Usage: sharing_test.py WEIR WORK_DIR
"""
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks, heap_allocations, switched_env  # noqa: E402

weir, work = sys.argv[1:3]
os.makedirs(work, exist_ok=True)
check = Checks("sharing")

# Ints from 2000 up: above the immortal small Ints, so each is a heap object.
MAIN_LET = """module Main where

size :: Int
size = {n}

main :: IO ()
main = do
  let xs = [2000 .. 2000 + size - 1]
  print (sum xs)
  print (sum (map (\\x -> x + 1) xs))
"""

CAF = """module Main where

size :: Int
size = {n}

xs :: [Int]
xs = [2000 .. 2000 + size - 1]

main :: IO ()
main = do
  print (sum xs)
  print (sum (map (\\x -> x + 1) xs))
"""

REBUILD = """module Main where

size :: Int
size = {n}

data E = P Int Int | Neg E

norm :: E -> E
norm (Neg (Neg e)) = norm e
norm (P a b) = P a b
norm (Neg e) = Neg (norm e)

value :: E -> Int
value (P a b) = a + b
value (Neg e) = 0 - value e

main :: IO ()
main = do
  let v = P 5000 6000
  print (sum (map value (map norm (replicate size v))))
"""

# The contrast: the same program building a different pair (the fields swapped): a new cell.
SWAPPED = REBUILD.replace("norm (P a b) = P a b", "norm (P a b) = P b a")


def allocations(name, text, n, simplify=True):
    env = switched_env("WEIR_SIMPLIFY", simplify)
    r = heap_allocations(check, weir, f"{name} {n}", text.replace("{n}", str(n)), os.path.join(work, f"{name}{n}.weir"),
                         os.path.join(work, f"{name}{n}-{int(simplify)}"), env)
    return None if r is None else r[1]


def per_element(name, text, simplify=True):
    a, b = allocations(name, text, 300, simplify), allocations(name, text, 600, simplify)
    return None if None in (a, b) else round((b - a) / 300)  # (printing a longer sum may add one)


if shutil.which("valgrind") is None:
    check.fail("valgrind is not installed (scripts/setup installs it)")
else:
    let, caf = per_element("main_let", MAIN_LET), per_element("caf", CAF)
    if None not in (let, caf):
        check("a list bound in main is rebuilt in place by map at its last use (one cell fewer than a CAF's)",
              let == caf - 1, f"{let} allocations per element, {caf} for the list as a top-level value")
    shared, swapped = per_element("rebuild", REBUILD), per_element("swapped", SWAPPED)
    if None not in (shared, swapped):
        check("a pair built from the matched fields swapped is a new cell", swapped >= 1, f"{swapped} per element")
        check("a matched pair rebuilt from its own fields is the shared cell itself (one cell fewer)",
              shared == swapped - 1, f"{shared} allocations per element, {swapped} with the fields swapped")
check.finish()
