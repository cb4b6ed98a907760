"""The system-allocator mode (rt.h: every object a malloc block, for valgrind and the leak
checker's list mode), where each thread's free-list heads are WEIR_FREE_LIST_SYSTEM and the
inline free of compiled code must hand every cell to the runtime instead of pushing it:
  - golden programs that free many cells in compiled code -- a tree walk, lists, Data.Map, and
    actors on worker threads (whose heaps are attached at their start) -- run with
    WEIR_LEAK_CHECK=2 (list mode, which implies the system mode) and with WEIR_SYSTEM_ALLOC=1
    plus WEIR_LEAK_CHECK=1, print what they print with the real allocator and exit 0. A cell
    pushed onto a free list in list mode stays in the tracking list, so the check at exit would
    count it alive (exit 99).

Usage: system_alloc_test.py WEIR SOURCE_DIR WORK_DIR
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks  # noqa: E402

weir, root, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
check = Checks("system_alloc")

PROGRAMS = ["peel_base_cases", "raw_fields", "actor_counter", "actor_ring"]
MODES = [("WEIR_LEAK_CHECK=2", {"WEIR_LEAK_CHECK": "2"}),
         ("WEIR_SYSTEM_ALLOC=1 WEIR_LEAK_CHECK=1", {"WEIR_SYSTEM_ALLOC": "1", "WEIR_LEAK_CHECK": "1"})]

for name in PROGRAMS:
    src = os.path.join(root, "tests", "programs", name + ".weir")
    exe = os.path.join(work, name)
    p = subprocess.run([weir, "build", "-O2", src, "-o", exe], capture_output=True, text=True, timeout=300)
    if not check(f"weir build {name}", p.returncode == 0, p.stderr):
        continue
    cwd = os.path.join(root, "tests", "programs")
    plain = subprocess.run([exe], capture_output=True, text=True, cwd=cwd, timeout=120)
    for label, extra in MODES:
        env = dict(os.environ, **extra)
        r = subprocess.run([exe], capture_output=True, text=True, cwd=cwd, env=env, timeout=120)
        check(f"{name} with {label} exits 0", r.returncode == 0, f"exit {r.returncode}\n{r.stderr[-2000:]}")
        check(f"{name} with {label} prints what it prints with the real allocator", r.stdout == plain.stdout,
              f"{r.stdout[-1000:]!r} against {plain.stdout[-1000:]!r}")

check.finish()
