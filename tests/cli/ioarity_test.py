"""IO arity expansion (compiler/core/ioarity.hpp) seen from the command line:
  - `weir build --emit=core` of bench/actors/pingpong.weir: the handlers `ping` and `pong` and
    `main` take the world as their last parameter (`~v`) and no primBindIO, primPureIO or
    lambda is left in the program's own code (with WEIR_IO_ARITY=0 they are still there, so
    the check can fail);
  - allocations: a loop whose every step is a `do` block (a `when` that does not fire, then the
    recursive call) allocates nothing per step. Counted by valgrind ("total heap usage: N
    allocs": under valgrind every object is a malloc block of its own) for two loop lengths:
    the same count with the expansion, at least two objects more per step without it (the
    action closures).

Usage: ioarity_test.py WEIR SOURCE_DIR WORK_DIR
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks, check_steps_allocate_nothing, heap_allocations, main_core_blocks, switched_env  # noqa: E402

weir, root, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
check = Checks("ioarity")


def env(on):
    return switched_env("WEIR_IO_ARITY", on)


def main_core(on):
    """The Core of the program's own functions (not the library's), one block each by name."""
    src = os.path.join(root, "bench", "actors", "pingpong.weir")
    blocks = main_core_blocks(check, weir, src, os.path.join(work, f"pingpong{int(on)}.core"), env(on))
    return {b.split("(")[0].split(" =")[0].split()[-1]: b for b in blocks or []}


on, off = main_core(True), main_core(False)
offText = "\n\n".join(off.values())
check("without the expansion the handlers build actions (the checks below can fail)",
      "@Prelude.primBindIO" in offText and "global Main.main" in offText, offText)
for name in ("Main.ping", "Main.pong", "Main.main"):
    b = on.get(name, "")
    check(f"{name} is a function taking the world", b.startswith("fun ") and re.search(r", ~v\d+\) =|\(~v\d+\) =", b), b)
    for gone in ("@Prelude.primBindIO", "@Prelude.primPureIO", "\\("):
        check(f"{name} has no {gone}", gone not in b, b)

LOOP = """loop :: Int -> IO ()
loop 0 = pure ()
loop n = do
  when (n < 0) (putStrLn "negative")
  loop (n - 1)

main :: IO ()
main = do
  loop {n}
  putStrLn "done"
"""


def allocations(n, on):
    """Heap blocks allocated by the whole run (Ints up to 1023 are immortal: none for them)."""
    r = heap_allocations(check, weir, f"loop {n}", LOOP.replace("{n}", str(n)), os.path.join(work, f"loop{n}.weir"),
                         os.path.join(work, f"loop{n}-{int(on)}"), env(on))
    if r is None:
        return None
    check(f"loop {n} prints done", r[0] == "done\n", r[0])
    return r[1]


check_steps_allocate_nothing(check, allocations, "the expansion")
check.finish()
