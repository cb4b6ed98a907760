#!/usr/bin/env python3
"""Differential and leak testing of the Weir compiler with generated programs (Python 3, stdlib).

For each seed, gen.py writes one well-typed, terminating program; it is built with
`weir build -O0` and `weir build -O2`, both executables run, and the run must show:
  - both builds compile (a type error is normally a generator bug, a compiler crash or an
    internal error (exit 2) a compiler bug),
  - identical stdout and exit status, no run-time error, no crash, no timeout,
  - no leak: with --checker env (the default once the runtime has it) the programs run with
    WEIR_LEAK_CHECK=1 and must not print `leak check:` / exit 99; with --checker valgrind a
    sample (--valgrind-every K) runs under valgrind --leak-check=full (definite leaks and memory
    errors fail).
A failing program is saved (default tests/fuzz/progen/failures/, or --save DIR) and reduced by
delta debugging (deleting main's print lines, declarations, guards, clauses and `where` lines,
and replacing parenthesised subexpressions by small literals) while the same kind of failure
persists; the reduced program is saved next to it as *.reduced.weir.

Usage:
    run.py --count 300 [--seed 1] [--jobs 2]      # CI mode
    run.py --hours 2 --keep-going                  # long mode
    run.py --seed 1234 --count 1                   # one program
Exit status: 0 when every program passed, 1 otherwise. Last line: `N passed, N failed`.
"""

import argparse
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402

DEFAULT_WEIR = os.environ.get("WEIR", "/work/main/build/compiler/weir")
RUN_TIMEOUT = 10.0
COMPILE_TIMEOUT = 60.0
CORE_LIMIT = 10000   # lines of Core in one function (typical generated functions: 100-7000)
VALGRIND_TIMEOUT = 120.0
GENERIC_TARGET = "x86_64-pc-linux-gnu"   # valgrind does not know every host instruction (AVX-512)


def run_proc(cmd, cwd, timeout, env=None):
    """(status, stdout, stderr, timed_out); status < 0 is a signal."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True, env=env)
    try:
        out, err = proc.communicate(timeout=timeout)
        return proc.returncode, out, err, False
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        return proc.returncode, out, err, True


def runtime_has_leak_check(weir, workdir):
    """Does the runtime linked into programs know WEIR_LEAK_CHECK? Build a tiny program and look
    for the string in the executable."""
    os.makedirs(workdir, exist_ok=True)
    src = os.path.join(workdir, "probe.weir")
    exe = os.path.join(workdir, "probe")
    with open(src, "w") as f:
        f.write("module Main where\n\nmain :: IO ()\nmain = print 1\n")
    st, _out, _err, _to = run_proc([weir, "build", "-O0", src, "-o", exe], workdir, COMPILE_TIMEOUT)
    if st != 0:
        return False
    with open(exe, "rb") as f:
        return b"WEIR_LEAK_CHECK" in f.read()


class Checker:
    def __init__(self, weir, checker, valgrind_every, nice, memcheck_every=0):
        self.memcheck_every = memcheck_every
        self.weir = weir
        self.checker = checker
        self.valgrind_every = valgrind_every
        self.nice = ["nice", "-n", "10"] if nice else []

    def build(self, src, exe, opt, cwd, target=None):
        cmd = self.nice + [self.weir, "build", f"-O{opt}", "--color=never", src, "-o", exe]
        if target:
            cmd += ["--target", target]
        st, out, err, to = self.run_compiler(cmd, cwd)
        if to:
            return "compile-timeout", "took more than %gs" % COMPILE_TIMEOUT
        if st < 0 or st not in (0, 1):
            return "compiler-crash", f"exit status {st}\n" + err.decode(errors="replace")[-3000:]
        if st == 1:
            text = err.decode(errors="replace")
            if "internal" in text.lower():
                return "compiler-crash", text[-3000:]
            if "error[E09" in text or "link" in text.lower() and "error[E0" not in text:
                return "compiler-crash", text[-3000:]
            return "compile-error", first_errors(text)[:3000]
        return None, ""

    def run_compiler(self, cmd, cwd):
        """The compiler or its runtime library may be being rebuilt: a missing or half-written
        binary, or a runtime library without its symbols, is waited for (up to 10 minutes), not
        reported."""
        for attempt in range(40):
            st, out, err, to = run_proc(cmd, cwd, COMPILE_TIMEOUT)
            text = err.decode(errors="replace")
            unavailable = (st in (126, 127) or not os.access(self.weir, os.X_OK)
                           or "Permission denied" in text or "Text file busy" in text
                           or ("undefined symbol: weir_" in text and "error[E" not in text)
                           or "libweir_rt" in text)
            if not unavailable:
                break
            if attempt == 0:
                print("progen: the compiler is not usable right now (being rebuilt?); waiting", flush=True)
            time.sleep(15)
        return st, out, err, to

    def core_size(self, src, workdir, name):
        core = os.path.join(workdir, name + ".core")
        cmd = self.nice + [self.weir, "build", "-O0", "--emit", "core", "--color=never", src, "-o", core]
        st, out, err, to = self.run_compiler(cmd, workdir)
        if to:
            return "compile-timeout", "--emit core took more than %gs" % COMPILE_TIMEOUT
        if st != 0:
            return None, ""   # the build reports it
        sizes = {}
        cur = None
        with open(core, errors="replace") as f:
            for line in f:
                if line.startswith(("fun ", "global ")):
                    cur = line.split("(")[0].split()[1]
                    sizes[cur] = 0
                elif cur:
                    sizes[cur] += 1
        if sizes:
            fn, n = max(sizes.items(), key=lambda kv: kv[1])
            if n > CORE_LIMIT:
                return "code-blowup", f"{fn} is {n} lines of Core at -O0 (limit {CORE_LIMIT})"
        return None, ""

    def run(self, exe, cwd, leak_env):
        env = dict(os.environ)
        env["WEIR_STACK_SIZE"] = "64M"
        if leak_env:
            env["WEIR_LEAK_CHECK"] = "1"
        return run_proc(self.nice + [exe], cwd, RUN_TIMEOUT, env)

    def valgrind(self, exe, cwd):
        env = dict(os.environ)
        env["WEIR_STACK_SIZE"] = "32M"
        cmd = self.nice + ["valgrind", "-q", "--leak-check=full", "--errors-for-leak-kinds=definite",
                           "--error-exitcode=99", exe]
        return run_proc(cmd, cwd, VALGRIND_TIMEOUT, env)

    def check(self, src_text, workdir, name, index=0, only=None):
        """Build and run one program. Returns (kind or None, details). `only` restricts the work
        to what a failure kind needs (used by the reducer)."""
        os.makedirs(workdir, exist_ok=True)
        src = os.path.join(workdir, name + ".weir")
        with open(src, "w") as f:
            f.write(src_text)
        if only is None or only == "code-blowup":
            # the match compiler copying code (fall-through continuations): a huge function in
            # Core makes the LLVM build take minutes; catch it cheaply before building
            kind, msg = self.core_size(src, workdir, name)
            if kind or only == "code-blowup":
                return kind, msg
        exes = {}
        opts = (0, 2)
        if only and only.endswith("O0"):
            opts = (0,)
        elif only and only.endswith("O2"):
            opts = (2,)
        for opt in opts:
            exe = os.path.join(workdir, f"{name}.O{opt}")
            kind, msg = self.build(src, exe, opt, workdir)
            if kind:
                return kind + f"-O{opt}", msg
            exes[opt] = exe
        leak_env = self.checker == "env"
        results = {}
        for opt, exe in exes.items():
            st, out, err, to = self.run(exe, workdir, leak_env)
            errs = err.decode(errors="replace")
            results[opt] = (st, out, errs, to)
            if to:
                continue
            if st < 0:
                return f"crash-O{opt}", f"killed by signal {-st}\n{errs[-2000:]}"
            if "leak check:" in errs or (leak_env and st == 99):
                return f"leak-O{opt}", errs[-3000:]
            if b"SELF-CHECK FAILED" in out:
                return f"self-check-O{opt}", out.decode(errors="replace")[-2000:]
            if "runtime error" in errs or st != 0:
                return f"runtime-error-O{opt}", f"exit status {st}\n{errs[-2000:]}"
        if len(results) == 2:
            (s0, o0, e0, t0), (s2, o2, e2, t2) = results[0], results[2]
            if t0 and t2:
                return "timeout", f"both builds ran longer than {RUN_TIMEOUT:g}s"
            if t0 != t2:
                return "timeout-mismatch", f"-O0 timed out: {t0}, -O2 timed out: {t2}"
            if s0 != s2:
                return "mismatch-exit", f"-O0 exit {s0}, -O2 exit {s2}"
            if o0 != o2:
                return "mismatch", diff_text(o0.decode(errors="replace"), o2.decode(errors="replace"))
        else:
            (s, o, e, t), = results.values()
            if t:
                return "timeout", f"ran longer than {RUN_TIMEOUT:g}s"
        sample = self.valgrind_every if self.checker == "valgrind" else self.memcheck_every
        if only in ("valgrind-O0", "valgrind-O2") or (only is None and sample and index % sample == 0):
            for opt in ((0, 2) if only is None else (int(only[-1]),)):
                exe = os.path.join(workdir, f"{name}.vg.O{opt}")
                kind, msg = self.build(src, exe, opt, workdir, target=GENERIC_TARGET)
                if kind:
                    return kind + f"-O{opt}-generic", msg
                st, out, err, to = self.valgrind(exe, workdir)
                errs = err.decode(errors="replace")
                if to:
                    return f"valgrind-timeout-O{opt}", ""
                if st == 99 or "definitely lost" in errs or "Invalid " in errs:
                    return f"valgrind-O{opt}", errs[-4000:]
        return None, ""


def signature(kind, msg):
    """What a reduced program must keep: the kind, and for compile errors the first error code."""
    if kind and kind.startswith(("compile-error", "compiler-crash")):
        m = re.search(r"error\[(E\d+)\]", msg)
        return kind + (" " + m.group(1) if m else "")
    return kind


def first_errors(text):
    """The error diagnostics of a compiler's output, without the warnings."""
    keep, on = [], False
    for line in text.splitlines():
        if line.startswith("error"):
            on = True
        elif line.startswith("warning"):
            on = False
        if on:
            keep.append(line)
    return "\n".join(keep) if keep else text


def diff_text(a, b):
    al, bl = a.splitlines(), b.splitlines()
    out = []
    for i in range(max(len(al), len(bl))):
        x = al[i] if i < len(al) else "<missing>"
        y = bl[i] if i < len(bl) else "<missing>"
        if x != y:
            out.append(f"line {i + 1}:\n  -O0: {x[:300]}\n  -O2: {y[:300]}")
        if len(out) >= 5:
            break
    return "\n".join(out)


# ------------------------------------------------------------------------------ reducer
def blocks_of(text):
    """Top-level blocks: runs of lines separated by blank lines."""
    return text.split("\n\n")


def paren_groups(line):
    """Spans (i, j) of balanced (...) groups in a line, outside string literals."""
    spans, stack, instr = [], [], False
    for i, ch in enumerate(line):
        if ch == '"' and (i == 0 or line[i - 1] != "\\"):
            instr = not instr
        if instr:
            continue
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            spans.append((stack.pop(), i + 1))
    return spans


REPLACEMENTS = ["0", "True", "False", '""', "[]", "Nothing", "0.0", "<<>>", "Leaf", "(0, 0)"]


def reduce_program(text, still_fails, budget_s=240.0, log=None):
    """Greedy delta debugging; still_fails(text) -> bool."""
    deadline = time.monotonic() + budget_s
    tries = [0]

    def ok(cand):
        if time.monotonic() > deadline:
            return False
        tries[0] += 1
        return still_fails(cand)

    changed = True
    while changed and time.monotonic() < deadline:
        changed = False
        # 1. blocks (declarations, functions)
        bl = blocks_of(text)
        i = 0
        while i < len(bl):
            if "module Main" in bl[i] or bl[i].lstrip().startswith(("import", "main ::")) or "\nmain = do" in bl[i] or bl[i].startswith("main"):
                i += 1
                continue
            cand = "\n\n".join(bl[:i] + bl[i + 1:])
            if ok(cand):
                bl = bl[:i] + bl[i + 1:]
                text = cand
                changed = True
            else:
                i += 1
        # 2. single lines: print lines, guards, clauses, where bindings (not signatures)
        lines = text.split("\n")
        i = 0
        while i < len(lines):
            ln = lines[i]
            removable = (ln.startswith("  print") or ln.startswith("  let ") or ln.startswith("  | ")
                         or ln.startswith("    ") or (re.match(r"^[a-z]\w* .*=", ln) and "::" not in ln
                                                          and not ln.startswith(("main", "module"))))
            if removable:
                cand_lines = lines[:i] + lines[i + 1:]
                if ln.startswith("  print") and not any(l.startswith("  print") for l in cand_lines):
                    cand_lines = cand_lines[:i] + ["  pure ()"] + cand_lines[i:]
                cand = "\n".join(cand_lines)
                if ok(cand):
                    lines = cand_lines
                    text = cand
                    changed = True
                    continue
            i += 1
        # 3. subexpressions -> small literals, largest groups first
        lines = text.split("\n")
        for li in range(len(lines)):
            if time.monotonic() > deadline:
                break
            progress = True
            while progress and time.monotonic() < deadline:
                progress = False
                spans = sorted(paren_groups(lines[li]), key=lambda s: s[0] - s[1])
                for (a, b) in spans:
                    if b - a <= 4:
                        continue
                    for rep in REPLACEMENTS:
                        cand_line = lines[li][:a] + rep + lines[li][b:]
                        cand = "\n".join(lines[:li] + [cand_line] + lines[li + 1:])
                        if ok(cand):
                            lines[li] = cand_line
                            text = cand
                            progress = changed = True
                            break
                    if progress:
                        break
    if log:
        log(f"    reducer: {tries[0]} tries")
    return text


# ------------------------------------------------------------------------------ main loop
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weir", default=DEFAULT_WEIR)
    ap.add_argument("--count", type=int, default=None, help="number of programs (default 300)")
    ap.add_argument("--hours", type=float, default=None, help="run for this long instead of --count")
    ap.add_argument("--seed", type=int, default=1, help="first seed; seeds are consecutive")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--save", default=os.path.join(HERE, "failures"), help="where failing programs go")
    ap.add_argument("--workdir", default=None, help="scratch folder (default: <save>/../work)")
    ap.add_argument("--keep-going", action="store_true", help="do not stop at the first failure")
    ap.add_argument("--checker", choices=["auto", "env", "valgrind", "none"], default="auto",
                    help="leak checker: WEIR_LEAK_CHECK=1 (env), valgrind on a sample, or none; "
                         "auto = env if the runtime has it, else valgrind")
    ap.add_argument("--valgrind-every", type=int, default=10, help="with valgrind: every K-th program")
    ap.add_argument("--memcheck-every", type=int, default=0,
                    help="also run every K-th program under valgrind (use-after-free, invalid reads "
                         "that a leak count cannot see), whatever the leak checker")
    ap.add_argument("--no-reduce", action="store_true")
    ap.add_argument("--reduce-budget", type=float, default=240.0, help="seconds per reduction")
    ap.add_argument("--ignore", default="", help="comma-separated failure kinds that do not fail the run "
                    "(they are still reported)")
    ap.add_argument("--no-nice", action="store_true")
    ap.add_argument("--size", choices=["small", "normal"], default="normal",
                    help="program size (small: 2-4 functions; what CTest runs)")
    a = ap.parse_args()

    weir = os.path.abspath(a.weir)
    if not os.path.exists(weir):
        print(f"progen: no compiler at {weir}", file=sys.stderr)
        return 2
    save = os.path.abspath(a.save)
    workdir = os.path.abspath(a.workdir or os.path.join(os.path.dirname(save), "work"))
    os.makedirs(workdir, exist_ok=True)
    checker = a.checker
    if checker == "auto":
        checker = "env" if runtime_has_leak_check(weir, workdir) else "valgrind"
    if checker == "valgrind" and not shutil.which("valgrind"):
        print("progen: valgrind not found; leak checking off", flush=True)
        checker = "none"
    save = os.path.abspath(a.save)
    workdir = os.path.abspath(a.workdir or os.path.join(os.path.dirname(save), "work"))
    os.makedirs(workdir, exist_ok=True)
    ignore = set(k for k in a.ignore.split(",") if k)
    count = a.count if a.count is not None else (None if a.hours else 300)
    deadline = time.monotonic() + a.hours * 3600 if a.hours else None
    ck = Checker(weir, checker, a.valgrind_every, not a.no_nice, a.memcheck_every)
    print(f"progen: compiler {weir}, leak checker {checker}, seeds from {a.seed}, "
          f"{'%d programs' % count if count else '%.2f hours' % a.hours}, {a.size} size, {a.jobs} jobs", flush=True)

    lock = threading.Lock()
    stats = {"passed": 0, "failed": 0, "kinds": {}, "seeds": []}
    failures = []
    stop = threading.Event()
    start = time.monotonic()

    def log(msg):
        with lock:
            print(msg, flush=True)

    def one(seed, index):
        text = gen.generate(seed, a.size)
        wd = os.path.join(workdir, f"w{threading.get_ident()}")
        kind, msg = ck.check(text, wd, "prog", index)
        return seed, text, kind, msg

    def handle(seed, text, kind, msg):
        if kind is None:
            with lock:
                stats["passed"] += 1
            return
        with lock:
            stats["failed"] += 1
            stats["kinds"][kind] = stats["kinds"].get(kind, 0) + 1
        os.makedirs(save, exist_ok=True)
        path = os.path.join(save, f"seed{seed}_{kind}.weir")
        with open(path, "w") as f:
            f.write(text)
        with open(path[:-5] + ".txt", "w") as f:
            f.write(f"seed {seed}: {kind}\n{msg}\n")
        log(f"FAIL seed {seed}: {kind}; saved as {path}\n    " + msg.strip().replace("\n", "\n    ")[:1500])
        failures.append((seed, kind, path))
        if not a.no_reduce and kind not in ("timeout", "code-blowup", "compile-timeout"):
            only = kind if kind.endswith(("O0", "O2")) and not kind.startswith(("compile-error",)) else None
            if kind.startswith(("compile-error", "compiler-crash")):
                only = None
            rdir = os.path.join(workdir, f"r{threading.get_ident()}")

            want = signature(kind, msg)

            def still(cand):
                k, m = ck.check(cand, rdir, "red", 0, only=only if (only and not kind.startswith(("compile", "compiler"))) else None)
                return k == kind and signature(k, m) == want

            red = reduce_program(text, still, a.reduce_budget, log)
            rpath = path[:-5] + ".reduced.weir"
            with open(rpath, "w") as f:
                f.write(red)
            log(f"    reduced ({len(text.splitlines())} -> {len(red.splitlines())} lines): {rpath}")
        if not a.keep_going and kind not in ignore:
            stop.set()

    def seeds():
        s = a.seed
        i = 0
        while not stop.is_set():
            if count is not None and i >= count:
                return
            if deadline is not None and time.monotonic() > deadline:
                return
            yield s, i
            s += 1
            i += 1

    done = 0
    last = None
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        pending = set()
        it = seeds()
        exhausted = False
        while True:
            while not exhausted and len(pending) < a.jobs:
                try:
                    s, i = next(it)
                except StopIteration:
                    exhausted = True
                    break
                pending.add(pool.submit(one, s, i))
                last = s
            if not pending:
                break
            fin, pending = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for fut in fin:
                seed, text, kind, msg = fut.result()
                handle(seed, text, kind, msg)
                done += 1
                if done % 25 == 0:
                    kinds = ", ".join(f"{k} {n}" for k, n in sorted(stats["kinds"].items())) or "none"
                    log(f"  {done} programs, {time.monotonic() - start:.0f} s, failures: {kinds}")
            if stop.is_set():
                exhausted = True
    secs = time.monotonic() - start
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(stats["kinds"].items())) or "none"
    print(f"progen: seeds {a.seed}..{last}, {done} programs in {secs:.0f} s; failures by kind: {kinds}")
    for seed, kind, path in failures:
        print(f"  seed {seed}: {kind}: {path}")
    print(f"{stats['passed']} passed, {stats['failed']} failed")
    hard = [f for f in failures if f[1] not in ignore]
    return 1 if hard else 0


if __name__ == "__main__":
    sys.exit(main())
