"""The frame the command-line test scripts share: `check(what, cond, detail)` records a check,
`check.fail(text)` a failure found otherwise, and `check.finish()` prints one line per failure,
the closing `N passed, N failed` and exits with status 1 when anything failed.

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from checks import Checks
    check = Checks("cli")            # echo=True also prints `ok`/`FAIL` as each check runs
"""
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
