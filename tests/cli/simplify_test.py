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
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks  # noqa: E402

weir, root, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
check = Checks("simplify")


def env(simplify):
    e = dict(os.environ)
    e["WEIR_SIMPLIFY"] = "1" if simplify else "0"
    return e


def main_core(simplify):
    """The Core of the program's own functions and of main (not the Prelude's)."""
    src = os.path.join(root, "tests", "programs", "simplify_maybe.weir")
    out = os.path.join(work, "simplify_maybe.core")
    p = subprocess.run([weir, "build", "--emit=core", src, "-o", out], capture_output=True, text=True, env=env(simplify))
    if not check("weir build --emit=core", p.returncode == 0, p.stderr):
        return ""
    with open(out) as f:
        blocks = f.read().split("\n\n")
    return "\n\n".join(b for b in blocks if b.startswith(("fun Main.", "global Main.")))


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
    src = os.path.join(work, f"loop{n}.weir")
    exe = os.path.join(work, f"loop{n}-{int(simplify)}")
    with open(src, "w") as f:
        f.write(LOOP.replace("{n}", str(n)))
    b = subprocess.run([weir, "build", "-O2", src, "-o", exe], capture_output=True, text=True, env=env(simplify))
    if not check(f"build loop {n}", b.returncode == 0, b.stderr):
        return None
    e = dict(os.environ)
    e["WEIR_STACK_SIZE"] = "32M"
    r = subprocess.run(["valgrind", exe], capture_output=True, text=True, env=e)
    check(f"loop {n} prints {n // 2}", r.stdout.strip() == str(n // 2), r.stdout + r.stderr)
    m = re.search(r"total heap usage: ([\d,]+) allocs", r.stderr)
    if not check(f"valgrind reports the allocations of loop {n}", m, r.stderr):
        return None
    return int(m.group(1).replace(",", ""))


if shutil.which("valgrind") is None:
    check.fail("valgrind is not installed (scripts/setup installs it)")
else:
    a, b = allocations(300, True), allocations(600, True)
    c, d = allocations(300, False), allocations(600, False)
    if None not in (a, b, c, d):
        check("without the simplifier each step allocates (the check below can fail)", d - c >= 2 * 300,
              f"{c} allocations for 300 steps, {d} for 600")
        check("with the simplifier a step allocates nothing", a == b, f"{a} allocations for 300 steps, {b} for 600")
check.finish()
