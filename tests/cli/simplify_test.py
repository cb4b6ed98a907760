"""The simplifier (compiler/core/simplify.hpp) seen from the command line:
  - `weir build --emit=core` of tests/programs/simplify_maybe.weir: the small wrappers returning
    Maybe are inlined and no Maybe is built in the program's own code (with WEIR_SIMPLIFY=0
    they are still there, so the check can fail);
  - allocations: a loop whose every step calls a chain of wrappers that build a Maybe and match
    it allocates nothing per step. Counted by valgrind ("total heap usage: N allocs": under
    valgrind the runtime makes every object a malloc block of its own) for two loop lengths:
    the same count with the simplifier, at least two objects more per step without it.

Usage: simplify_test.py WEIR SOURCE_DIR WORK_DIR
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks, check_steps_allocate_nothing, heap_allocations, main_core_blocks, switched_env  # noqa: E402

weir, root, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
check = Checks("simplify")


def env(simplify):
    return switched_env("WEIR_SIMPLIFY", simplify)


def main_core(simplify):
    """The Core of the program's own functions and of main (not the Prelude's)."""
    src = os.path.join(root, "tests", "programs", "simplify_maybe.weir")
    blocks = main_core_blocks(check, weir, src, os.path.join(work, "simplify_maybe.core"), env(simplify))
    return "\n\n".join(blocks or [])


on, off = main_core(True), main_core(False)
check("without the simplifier the wrappers build a Maybe (the check below can fail)",
      "Prelude.Just#1" in off and "@Main.half" in off, off)
for name in ("@Main.half", "@Main.safeDiv", "@Main.orZero", "@Main.lookupSmall", "@Main.pairSum"):
    check(f"{name} is inlined", name not in on, on)
for con in ("Prelude.Just#", "Prelude.Nothing#", "(,)#"):
    check(f"no {con} is built", con not in on, on)

LOOP = """safeDiv :: Int -> Int -> Maybe Int
safeDiv a b = if b == 0 then Nothing else Just (a `div` b)

orZero :: Maybe Int -> Int
orZero m = case m of
  Just x -> x
  Nothing -> 0

half :: Int -> Int
half n = orZero (safeDiv n 2)

loop :: Int -> Int -> Int
loop acc i = if i == 0 then acc else loop (acc + half i - half (i - 1)) (i - 1)

main :: IO ()
main = print (loop 0 {n})
"""


def allocations(n, simplify):
    """Heap blocks allocated by the whole run (Ints up to 1023 are immortal: none for them)."""
    r = heap_allocations(check, weir, f"loop {n}", LOOP.replace("{n}", str(n)), os.path.join(work, f"loop{n}.weir"),
                         os.path.join(work, f"loop{n}-{int(simplify)}"), env(simplify))
    if r is None:
        return None
    check(f"loop {n} prints {n // 2}", r[0].strip() == str(n // 2), r[0])
    return r[1]


check_steps_allocate_nothing(check, allocations, "the simplifier")
check.finish()
