"""The frame the command-line test scripts share: `check(what, cond, detail)` records a check,
`check.fail(text)` a failure found otherwise, and `check.finish()` prints one line per failure,
the closing `N passed, N failed` and exits with status 1 when anything failed.

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from checks import Checks
    check = Checks("cli")            # echo=True also prints `ok`/`FAIL` as each check runs

and what the optimisation checks (tests/cli/simplify_test.py, ioarity_test.py, sharing_test.py)
share: `switched_env` (the environment with a pass's switch on or off), `main_core_blocks`
(the program's own functions in `weir build --emit=core`), `heap_allocations` (how many heap
blocks a program allocates, counted by valgrind) and `check_steps_allocate_nothing`.
"""
import os
import re
import shutil
import subprocess
import sys


class Checks:
    def __init__(self, name="", echo=False):
        self.name = name
        self.echo = echo
        self.passed = 0
        self.failures = []

    def __call__(self, what, cond, detail=""):
        if cond:
            self.passed += 1
        else:
            self.failures.append(f"{what}: {detail}" if detail else what)
        if self.echo:
            print(("ok   " if cond else "FAIL ") + what, flush=True)
        return cond

    def fail(self, text):
        self.failures.append(text)

    def finish(self):
        for f in self.failures:
            print("FAIL", f.replace("\n", "\n  "))
        prefix = f"{self.name}: " if self.name else ""
        print(f"{prefix}{self.passed} passed, {len(self.failures)} failed")
        sys.exit(1 if self.failures else 0)


def switched_env(variable, on):
    """os.environ with a compiler pass's switch (WEIR_SIMPLIFY, WEIR_IO_ARITY, ...) on or off."""
    env = dict(os.environ)
    env[variable] = "1" if on else "0"
    return env


def main_core_blocks(check, weir, src, out, env):
    """`weir build --emit=core` of src: the blocks of the program's own code (`fun Main.` and
    `global Main.`, not the library's), or None when the build failed (a failed check)."""
    p = subprocess.run([weir, "build", "--emit=core", src, "-o", out], capture_output=True, text=True, env=env)
    if not check("weir build --emit=core", p.returncode == 0, p.stderr):
        return None
    with open(out) as f:
        return [b for b in f.read().split("\n\n") if b.startswith(("fun Main.", "global Main."))]


def heap_allocations(check, weir, label, text, src, exe, env):
    """Writes text to src, builds it at -O2 and runs it under valgrind (where the runtime makes
    every object a malloc block of its own): (its standard output, the number of heap blocks
    allocated by the whole run), or None when a step failed (a failed check)."""
    with open(src, "w") as f:
        f.write(text)
    b = subprocess.run([weir, "build", "-O2", src, "-o", exe], capture_output=True, text=True, env=env)
    if not check(f"build {label}", b.returncode == 0, b.stderr):
        return None
    run_env = dict(env)
    run_env["WEIR_STACK_SIZE"] = "32M"
    r = subprocess.run(["valgrind", exe], capture_output=True, text=True, env=run_env)
    check(f"{label} runs under valgrind", r.returncode == 0, r.stdout + r.stderr)
    m = re.search(r"total heap usage: ([\d,]+) allocs", r.stderr)
    if not check(f"valgrind reports the allocations of {label}", m, r.stderr):
        return None
    return r.stdout, int(m.group(1).replace(",", ""))


def check_steps_allocate_nothing(check, allocations, what):
    """allocations(steps, on) counts the heap blocks of a loop of `steps` steps with the pass on or
    off: with it, 300 and 600 steps allocate the same; without it, at least two blocks a step
    (so the first check can fail)."""
    if shutil.which("valgrind") is None:
        check.fail("valgrind is not installed (scripts/setup installs it)")
        return
    a, b = allocations(300, True), allocations(600, True)
    c, d = allocations(300, False), allocations(600, False)
    if None in (a, b, c, d):
        return
    check(f"without {what} each step allocates (the check below can fail)", d - c >= 2 * 300,
          f"{c} allocations for 300 steps, {d} for 600")
    check(f"with {what} a step allocates nothing", a == b, f"{a} allocations for 300 steps, {b} for 600")
