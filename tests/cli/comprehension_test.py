"""List comprehensions lowered to loops (compiler/core/lower/comprehension.cpp) seen from the
command line:
  - `weir build --emit=core-rc` of a nested comprehension over an Int range and a list: no
    `concatMap`, `listFoldr`, `listFoldl`, `enumFromTo` or `intRange` left in the program, and
    both loops have a trmc worker (core/trmc.hpp: they tail-call each other, so they get their
    workers together);
  - allocations, counted by valgrind ("total heap usage: N allocs": under valgrind the runtime
    makes every object a malloc block of its own) for two sizes: `[x | x <- [1 .. n], odd x]`
    allocates exactly one cell per result (no range list, no singleton lists: main's concatMap
    made 450 blocks for 150 results), and `[(x, y) | x <- [1 .. n], y <- [x, x + 1], even y]`
    four blocks per x: the user's two-element list, one tuple and one cell (main: eight).

Usage: comprehension_test.py WEIR WORK_DIR
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks, heap_allocations  # noqa: E402

weir, work = sys.argv[1:3]
os.makedirs(work, exist_ok=True)
check = Checks("comprehension")

NESTED = """pairs :: Int -> [Int] -> [(Int, Int)]
pairs n ys = [(x, y) | x <- [1 .. n], y <- ys, x < y]

main :: IO ()
main = print (length (pairs 20 [5, 10, 15]))
"""
src = os.path.join(work, "nested.weir")
with open(src, "w") as f:
    f.write(NESTED)
out = os.path.join(work, "nested.core")
p = subprocess.run([weir, "build", "--emit=core-rc", src, "-o", out], capture_output=True, text=True)
if check("weir build --emit=core-rc", p.returncode == 0, p.stderr):
    with open(out) as f:
        core = f.read()
    for name in ("concatMap", "listFoldr", "listFoldl", "enumFromTo", "intRange"):
        check(f"no {name} in the program", f"@Prelude.{name}" not in core, core)
    # (`pairs` may be inlined into main: its loops are then main's)
    blocks = {m.group(1): b for b in core.split("\n\n") for m in [re.match(r"fun (Main\.\S*?)\(", b)] if m}
    workers = sorted(n for n in blocks if n.endswith("$trmc"))
    check("both loops of the comprehension have a trmc worker", len(workers) == 2, core)
    if len(workers) == 2:
        outer, inner = sorted(workers, key=lambda n: n.count("$rec"))
        # at the end of the inner list, the inner loop's worker goes on in the outer loop's
        # worker with its destination: a tail call, not a fill of a new frame's result
        check("the inner loop's worker continues in the outer loop's worker",
              f"(@{outer})(" in blocks[inner] and "%TrmcFill" not in blocks[inner].split("#1(")[0], blocks[inner])

def allocations(label, program, n):
    r = heap_allocations(check, weir, f"{label} {n}", program.replace("{n}", str(n)),
                         os.path.join(work, f"{label}{n}.weir"), os.path.join(work, f"{label}{n}"), dict(os.environ))
    return None if r is None else r[1]


ODDS = "main :: IO ()\nmain = print (length [x | x <- [1 .. {n}], odd x])\n"
PAIRS = "main :: IO ()\nmain = print (length [(x, y) | x <- [1 .. {n}], y <- [x, x + 1], even y])\n"
a, b = allocations("odds", ODDS, 300), allocations("odds", ODDS, 600)
if None not in (a, b):
    check("one cell per result of a range with a guard", b - a == 150, f"{a} blocks for 300, {b} for 600")
c, d = allocations("pairs", PAIRS, 300), allocations("pairs", PAIRS, 600)
if None not in (c, d):
    check("four blocks per step of two generators", d - c <= 4 * 300 + 1, f"{c} blocks for 300, {d} for 600")
check.finish()
