#!/usr/bin/env python3
"""Golden-test runner for Weir programs (Python 3, standard library only).

Each tests/programs/*.weir file states what it expects in `--` comment lines
at the top of the file (the header ends at the first line that is neither a
comment nor blank). See README.md beside this file for the format:

    -- expect-stdout:                    the lines that follow, as `-- | text`
    -- | text                            (`-- |` alone is an empty line)
    -- expect-exit: 1                    exit status (default 0)
    -- expect-stderr-contains: text      substring of standard error (repeatable)
    -- expect-runtime-error: 12:5 msg    exit 1 and stderr holds `FILE:12:5: runtime error: msg`
    -- expect-error: E0201 at 7:12       compile error code and position (repeatable;
                                         `... in Lib/A.weir` for an error in another file)
    -- args: a b c                       arguments for the compiled program
    -- opt: 0                            optimisation level for `weir build` (default 2)
    -- timeout: 20                       seconds the program may run (default 10)
    -- stack: 8M                         WEIR_STACK_SIZE and WEIR_WORKER_STACK_SIZE of the run
                                         (default: the runtime's 1 GiB and 256 MiB),
                                         to test that a loop runs in constant stack
    -- leak-check: skip <why>            no `leak/` test for this program

Usage:
    run_golden.py --weir WEIR --workdir DIR [--valgrind [--reuse-golden-build]] FILE.weir...
    run_golden.py ... --target aarch64-linux-gnu [--build-arg=--static] --runner qemu-aarch64 FILE.weir...
(the second builds for another CPU and runs the programs under an emulator; tests/cross)
Exit status 0 when every file passes, 1 otherwise.
"""

import argparse
import difflib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

DEFAULT_OPT = 2
DEFAULT_TIMEOUT = 10.0
BUILD_TIMEOUT = 120.0
# Cross builds (--target, --build-arg, --runner): extra `weir build` arguments and the command
# that runs the program (an emulator), with how much slower it runs.
CROSS = {"build": [], "runner": [], "slowdown": 1.0}
# --reuse-golden-build: a leak test runs the executable its golden test just built (below).
REUSE = {"golden": False}
VALGRIND_SLOWDOWN = 20.0  # the run timeout is multiplied by this under valgrind
VALGRIND_STACK = "32M"    # WEIR_STACK_SIZE under valgrind


class Spec:
    def __init__(self):
        self.stdout = None           # list of expected lines, or None
        self.exit = None             # expected exit status, or None (0 when stdout is given)
        self.stderr_contains = []
        self.runtime_error = None    # (line, col, message)
        self.errors = []             # list of (code, line, col, file or None)
        self.args = []
        self.opt = DEFAULT_OPT
        self.timeout = DEFAULT_TIMEOUT
        self.stack = None            # WEIR_STACK_SIZE for the run, or None
        self.leak_skip = None
        self.no_leak_check = False
        self.problems = []           # malformed header lines

    @property
    def is_compile_error(self):
        return bool(self.errors)

    @property
    def expected_exit(self):
        if self.exit is not None:
            return self.exit
        if self.runtime_error is not None:
            return 1
        return 0


DIRECTIVE = re.compile(r"^--\s*([a-z-]+):\s?(.*)$")
ERROR_SPEC = re.compile(r"^(E\d{4})\s+at\s+(\d+):(\d+)(?:\s+in\s+(\S+))?\s*$")
RUNTIME_SPEC = re.compile(r"^(\d+):(\d+)\s+(.*)$")


def parse_spec(text):
    spec = Spec()
    in_stdout = False
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r")
        stripped = line.strip()
        if stripped == "":
            in_stdout = False
            continue
        if not line.startswith("--"):
            break  # the header ends at the first line of code
        if in_stdout and (line == "-- |" or line.startswith("-- | ")):
            spec.stdout.append(line[5:])
            continue
        in_stdout = False
        m = DIRECTIVE.match(line)
        if not m:
            continue  # an ordinary comment
        key, value = m.group(1), m.group(2).strip()
        if key == "expect-stdout":
            spec.stdout = []
            in_stdout = True
        elif key == "expect-exit":
            spec.exit = int(value)
        elif key == "expect-stderr-contains":
            spec.stderr_contains.append(value)
        elif key == "expect-runtime-error":
            r = RUNTIME_SPEC.match(value)
            if not r:
                spec.problems.append(f"line {lineno}: expect-runtime-error wants `LINE:COL message`")
            else:
                spec.runtime_error = (int(r.group(1)), int(r.group(2)), r.group(3))
        elif key == "expect-error":
            e = ERROR_SPEC.match(value)
            if not e:
                spec.problems.append(f"line {lineno}: expect-error wants `E0000 at LINE:COL [in FILE]`")
            else:
                spec.errors.append((e.group(1), int(e.group(2)), int(e.group(3)), e.group(4)))
        elif key == "args":
            spec.args = shlex.split(value)
        elif key == "opt":
            spec.opt = int(value)
        elif key == "timeout":
            spec.timeout = float(value)
        elif key == "stack":
            spec.stack = value
        elif key == "leak-check":
            if value.startswith("skip"):
                spec.leak_skip = value[4:].strip() or "skipped"
            elif value.startswith("none"):
                spec.leak_skip = value[4:].strip() or "none"
                spec.no_leak_check = True
            else:
                spec.problems.append(f"line {lineno}: `leak-check:` takes `skip (why)` or `none (why)`")
        elif key.startswith("expect") or key in ("arg", "opts", "leak", "leak-checks"):
            spec.problems.append(f"line {lineno}: unknown directive `{key}:`")
        # other keys are ordinary comments (e.g. `-- note: ...`)
    if spec.errors and (spec.stdout is not None or spec.runtime_error):
        spec.problems.append("a file expects either compile errors or a run, not both")
    if not spec.errors and spec.stdout is None and spec.runtime_error is None \
            and spec.exit is None and not spec.stderr_contains:
        spec.problems.append("no expectation: add `-- expect-stdout:` or `-- expect-error:`")
    return spec


def run(cmd, cwd, timeout, stdin=subprocess.DEVNULL, env=None):
    """Runs cmd; returns (status, stdout, stderr, seconds, timed_out). A killed
    process has a negative status (-signal)."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, stdin=stdin, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True, env=env)
    try:
        out, err = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        timed_out = True
    return proc.returncode, out, err, time.monotonic() - start, timed_out


def text(b):
    return b.decode("utf-8", errors="replace")


def describe_status(status, timed_out, timeout):
    if timed_out:
        return f"timed out after {timeout:g} s"
    if status < 0:
        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = f"signal {-status}"
        return f"killed by {name}"
    return f"exit status {status}"


def diff(expected, actual, what):
    exp = [l + "\n" for l in expected]
    act = actual.splitlines(keepends=True)
    out = "".join(difflib.unified_diff(exp, act, f"expected {what}", f"actual {what}", n=3))
    if actual and not actual.endswith("\n"):
        out += "\n\\ actual output has no newline at the end\n"
    return out


def indent(s, limit=4000):
    if len(s) > limit:
        s = s[:limit] + f"\n... ({len(s) - limit} more characters)"
    return "".join("    " + l + "\n" for l in s.splitlines())


def check_errors(weir, path, spec, workdir):
    """Compile-error file: `weir check --error-format=json` must report exactly the
    expected codes at the expected positions; the text format must agree."""
    failures = []
    cwd, name = os.path.split(os.path.abspath(path))
    status, out, err, secs, to = run([weir, "check", "--error-format=json", name], cwd, BUILD_TIMEOUT)
    if to or status != 1:
        failures.append(f"`weir check --error-format=json` gave {describe_status(status, to, BUILD_TIMEOUT)}, expected exit status 1")
        failures.append("stderr:\n" + indent(text(err)))
        return failures
    got = []
    bad_lines = []
    for l in text(err).splitlines() + text(out).splitlines():
        l = l.strip()
        if not l:
            continue
        try:
            d = json.loads(l)
        except ValueError:
            bad_lines.append(l)
            continue
        if d.get("severity", "error") != "error":
            continue
        got.append(d)
    if bad_lines:
        failures.append("lines that are not JSON in --error-format=json output:\n" + indent("\n".join(bad_lines)))

    def norm_file(f):
        return os.path.normpath(f) if f else f

    expected = [(c, l, col, norm_file(f) if f else name) for (c, l, col, f) in spec.errors]
    actual = [(d.get("code"), d.get("line"), d.get("column"), norm_file(d.get("file", ""))) for d in got]
    remaining = list(actual)
    missing = []
    for e in expected:
        match = None
        for a in remaining:
            if a[0] == e[0] and a[1] == e[1] and a[2] == e[2] and (
                    a[3] == e[3] or (a[3] or "").endswith("/" + e[3])):
                match = a
                break
        if match is None:
            missing.append(e)
        else:
            remaining.remove(match)
    if missing or remaining:
        lines = ["diagnostics differ:"]
        for e in missing:
            lines.append(f"  missing:    {e[0]} at {e[1]}:{e[2]} in {e[3]}")
        for a in remaining:
            lines.append(f"  unexpected: {a[0]} at {a[1]}:{a[2]} in {a[3]}")
        lines.append("  all reported:")
        for d in got:
            lines.append(f"    {d.get('code')} at {d.get('line')}:{d.get('column')} in {d.get('file')}: {d.get('message')}")
        failures.append("\n".join(lines))
    # The human-readable rendering must also fail cleanly and name every expected code.
    status, out, err, secs, to = run([weir, "check", "--color=never", name], cwd, BUILD_TIMEOUT)
    rendered = text(err) + text(out)
    if to or status != 1:
        failures.append(f"`weir check` (text) gave {describe_status(status, to, BUILD_TIMEOUT)}, expected exit status 1")
    for want in spec.stderr_contains:
        if want not in rendered:
            failures.append(f"`weir check` (text) does not contain {want!r}:\n" + indent(rendered))
    for (c, l, col, f) in spec.errors:
        if f"error[{c}]" not in rendered:
            failures.append(f"`weir check` (text) does not mention error[{c}]:\n" + indent(rendered))
            break
    return failures


def toolchain_files(weir):
    """What every executable is built from besides its source: the compiler, the standard library
    (the repository's stdlib/) and the runtime libraries of the compiler's build folder."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    build = os.path.dirname(os.path.dirname(os.path.abspath(weir)))
    files = [weir]
    for top, pattern in ((os.path.join(root, "stdlib"), ".weir"), (os.path.join(build, "runtime"), ".a")):
        for d, _, names in os.walk(top):
            files += [os.path.join(d, f) for f in names if f.endswith(pattern)]
    return files


def golden_build(weir, path, workdir):
    """The executable the golden test of the same program left in `workdir`, if it is newer than
    the compiler, the standard library, the runtime and every program of the source folder (its
    local imports), else None."""
    folder, name = os.path.split(os.path.abspath(path))
    exe = os.path.join(os.path.abspath(workdir), os.path.splitext(name)[0])
    try:
        built = os.path.getmtime(exe)
        inputs = toolchain_files(weir) + [os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".weir")]
        return exe if all(os.path.getmtime(i) < built for i in inputs) else None
    except OSError:
        return None


def check_run(weir, path, spec, workdir, valgrind):
    failures = []
    cwd, name = os.path.split(os.path.abspath(path))
    stem = os.path.splitext(name)[0]
    os.makedirs(workdir, exist_ok=True)
    exe = os.path.join(os.path.abspath(workdir), stem + (".vg" if valgrind else ""))
    reuse = valgrind and REUSE["golden"] and not CROSS["build"] and golden_build(weir, path, workdir)
    if reuse:
        exe = reuse  # the same `weir build` command, run by golden/NAME just before (a CTest fixture)
    else:
        if os.path.exists(exe):
            os.remove(exe)
        cmd = [weir, "build", f"-O{spec.opt}", name, "-o", exe] + CROSS["build"]
        status, out, err, secs, to = run(cmd, cwd, BUILD_TIMEOUT)
        if to or status != 0 or not os.path.exists(exe):
            failures.append(f"`{' '.join(cmd[1:])}` failed: {describe_status(status, to, BUILD_TIMEOUT)}")
            failures.append("compiler output:\n" + indent(text(err) + text(out)))
            return failures
    run_cmd = CROSS["runner"] + [exe] + spec.args
    timeout = spec.timeout * CROSS["slowdown"]
    if valgrind:
        if shutil.which("valgrind") is None:
            return failures + ["valgrind is not installed, so this leak test cannot run (scripts/setup installs it)"]
        run_cmd = ["valgrind", "-q", "--leak-check=full", "--errors-for-leak-kinds=definite",
                   "--error-exitcode=99", "--show-leak-kinds=definite"] + run_cmd
        timeout = spec.timeout * VALGRIND_SLOWDOWN
    env = dict(os.environ)
    if spec.stack:  # the program thread's and those that run actors' turns (workers, I/O thread)
        env["WEIR_STACK_SIZE"] = spec.stack
        env["WEIR_WORKER_STACK_SIZE"] = spec.stack
    if valgrind:
        # The runtime reserves a 1 GiB stack for the program thread (256 MiB for a worker);
        # memcheck pays for every reserved page, so a smaller stack keeps a run under valgrind
        # around a second.
        env.setdefault("WEIR_STACK_SIZE", VALGRIND_STACK)
        env.setdefault("WEIR_WORKER_STACK_SIZE", VALGRIND_STACK)
    elif not spec.no_leak_check:
        # Every run is also a leak check: the runtime counts the objects alive at exit (with the
        # real allocator, at no cost) and exits with 99 when one is neither freed nor immortal.
        # `-- leak-check: none (why)` turns off this one too.
        env["WEIR_LEAK_CHECK"] = "1"
    status, out, err, secs, to = run(run_cmd, cwd, timeout, env=env)
    sout, serr = text(out), text(err)
    if to or status < 0:
        failures.append(f"the program {describe_status(status, to, timeout)}")
    elif valgrind and status == 99:
        failures.append("valgrind reports memory errors or definite leaks (exit 99)")
    elif status == 99 and "weir: leak check:" in serr:
        failures.append("the leak checker found objects alive at exit (WEIR_LEAK_CHECK=1)")
        env["WEIR_LEAK_CHECK"] = "2"
        _, _, err2, _, _ = run(run_cmd, cwd, timeout, env=env)
        failures.append("the same run with WEIR_LEAK_CHECK=2 lists them:\n" + indent(text(err2)))
    elif status != spec.expected_exit:
        failures.append(f"the program ended with {describe_status(status, to, timeout)}, expected exit status {spec.expected_exit}")
    if spec.stdout is not None:
        exp = "".join(l + "\n" for l in spec.stdout)
        if sout != exp:
            failures.append("standard output differs:\n" + indent(diff(spec.stdout, sout, "stdout"), 8000))
    for s in spec.stderr_contains:
        if s not in serr:
            failures.append(f"standard error does not contain {s!r}")
    if spec.runtime_error is not None:
        l, c, msg = spec.runtime_error
        pat = re.compile(r"(^|[/\s])" + re.escape(f"{name}:{l}:{c}: runtime error: ") + r"(.*)$", re.M)
        m = pat.search(serr)
        if not m:
            failures.append(f"standard error does not report `{name}:{l}:{c}: runtime error: {msg}`")
        elif msg not in m.group(2):
            failures.append(f"runtime error message is {m.group(2)!r}, expected it to contain {msg!r}")
    if failures and (serr.strip()):
        failures.append("stderr:\n" + indent(serr))
    return failures


def run_one(weir, path, workdir, valgrind):
    try:
        with open(path, encoding="utf-8") as f:
            src = f.read()
    except (OSError, UnicodeDecodeError) as e:
        return [f"cannot read the test: {e}"]
    spec = parse_spec(src)
    if spec.problems:
        return ["malformed expectations: " + "; ".join(spec.problems)]
    if valgrind:
        if spec.is_compile_error:
            return ["--valgrind applies to programs that run, not to compile errors"]
        if spec.leak_skip:
            print(f"SKIP {path} under valgrind: {spec.leak_skip}")
            return None
    if spec.is_compile_error:
        return check_errors(weir, path, spec, workdir)
    return check_run(weir, path, spec, workdir, valgrind)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weir", required=True, help="path of the weir compiler")
    ap.add_argument("--workdir", required=True, help="where executables are written")
    ap.add_argument("--valgrind", action="store_true",
                    help="run the compiled program under valgrind and fail on definite leaks or memory errors")
    ap.add_argument("--list-leak-tests", action="store_true",
                    help="print the files (among FILES) that qualify for a leak test, and exit")
    ap.add_argument("--target", help="build for this target triple (weir build --target)")
    ap.add_argument("--build-arg", action="append", default=[], help="one more `weir build` argument")
    ap.add_argument("--runner", help="run the programs through this command, e.g. qemu-aarch64 (split on spaces)")
    ap.add_argument("--reuse-golden-build", action="store_true",
                    help="with --valgrind: run the executable the plain run left in WORKDIR when it is newer than "
                         "the compiler and the sources, instead of building the program again")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    REUSE["golden"] = a.reuse_golden_build
    weir = os.path.abspath(a.weir)
    if a.target:
        CROSS["build"] += ["--target", a.target]
    CROSS["build"] += a.build_arg
    if a.runner:
        CROSS["runner"] = shlex.split(a.runner)
        CROSS["slowdown"] = 5.0
    if a.list_leak_tests:
        for p in a.files:
            with open(p, encoding="utf-8", errors="replace") as f:
                s = parse_spec(f.read())
            if s.stdout is not None and s.expected_exit == 0 and not s.leak_skip and not s.problems:
                print(p)
        return 0
    if a.valgrind and shutil.which("valgrind") is None:
        print("valgrind is not installed", file=sys.stderr)
        return 1
    bad = 0
    for p in a.files:
        start = time.monotonic()
        failures = run_one(weir, p, a.workdir, a.valgrind)
        secs = time.monotonic() - start
        if failures is None:
            continue
        if failures:
            bad += 1
            print(f"FAIL {p} ({secs:.2f} s)")
            for f in failures:
                print("  " + f.replace("\n", "\n  "))
        else:
            print(f"ok   {p} ({secs:.2f} s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
