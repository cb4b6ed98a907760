#!/usr/bin/env python3
"""Robustness test for `weir check` (Python 3, standard library only).

Feeds many random and mutated inputs to `weir check` and fails if any run
  - is killed by a signal (a crash: SIGSEGV, SIGABRT, ...),
  - exits with status 2 (an internal compiler error) or any status other than 0 or 1,
  - takes longer than --timeout seconds,
  - prints, with --error-format=json, a line on stderr that is not a JSON object,
  - or, for an input that checks cleanly and is built too (deep nesting, huge literals and long
    lines always, every --build-every-th other one), when `weir build -O2` crashes, reports an
    internal error or takes longer than --timeout (a back-end blow-up, issue 11 item 8).

Inputs are generated deterministically from a fixed seed: mutations of the golden programs
(byte flips, token deletions/duplications/swaps/insertions, truncations, splices, indentation
changes, invalid UTF-8), random bytes, random token soup, deep nesting, huge literals and
long lines. Failing inputs are saved in the work directory and printed (abbreviated).

Usage:
    robustness.py --weir WEIR --workdir DIR [--seeds DIR] [--count N] [--jobs 2] [--seed S]
The count defaults to $WEIR_FUZZ_COUNT or 10000; the seed to $WEIR_FUZZ_SEED or 20261125;
the timeout to $WEIR_FUZZ_TIMEOUT or 10 s; the deepest nesting to $WEIR_FUZZ_MAX_DEPTH or 3000.
"""

import argparse
import concurrent.futures
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time

TOKEN_RE = re.compile(
    rb"""\s+|--[^\n]*|\{-|-\}|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|"""
    rb"""[A-Za-z_][A-Za-z0-9_']*(?:\.[A-Za-z_][A-Za-z0-9_']*)*|"""
    rb"""0[xob][0-9A-Fa-f_]+|[0-9][0-9_]*(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|"""
    rb"""[!#$%&*+./<=>?@\\^|~:-]+|[()\[\]{},;`]|."""
)

VOCAB = [
    b"module", b"where", b"import", b"qualified", b"as", b"hiding", b"data", b"type", b"newtype",
    b"class", b"instance", b"deriving", b"foreign", b"let", b"in", b"case", b"of", b"if", b"then",
    b"else", b"do", b"infix", b"infixl", b"infixr", b"forall", b"=", b"::", b"->", b"<-", b"=>",
    b"|", b"\\", b"@", b"~", b"..", b":", b"(", b")", b"[", b"]", b"{", b"}", b",", b";", b"`",
    b"+", b"-", b"*", b"/", b"++", b"<>", b"==", b"/=", b"<", b">", b"&&", b"||", b"$", b".",
    b">>=", b"<$>", b"x", b"xs", b"f", b"main", b"Main", b"Int", b"Float", b"String", b"Bool",
    b"Maybe", b"Just", b"Nothing", b"True", b"False", b"print", b"putStrLn", b"show", b"map",
    b"0", b"1", b"42", b"1.5", b"1e10", b"'a'", b"'\\n'", b"\"s\"", b"\"${x}\"", b"?hole", b"_",
    b"\n", b"\n  ", b"\n    ", b"\t", b" ", b"{-", b"-}", b"--", b"b\"\\x01\"", b"<<", b">>",
    b"()", b"[]", b"(,)", b"0x", b"1_000", b"\"\\u{", b"'", b"\"",
]

INVALID_UTF8 = [b"\xff", b"\xfe", b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80",
                b"\xe2\x82", b"\xf0\x9f\x98", b"\xc3", b"\x00", b"\x1b[31m", b"\r", b"\x0c"]

HEADER = b"module Main where\n\nmain :: IO ()\nmain = "


def tokens(data):
    return TOKEN_RE.findall(data)


class Generator:
    def __init__(self, rng, seeds, max_depth):
        self.rng = rng
        self.seeds = seeds
        self.max_depth = max_depth

    def seed(self):
        return self.rng.choice(self.seeds)

    # --- mutations of golden programs -----------------------------------------------------
    def byte_flips(self):
        d = bytearray(self.seed())
        for _ in range(self.rng.randint(1, 8)):
            if d:
                i = self.rng.randrange(len(d))
                d[i] = self.rng.choice([self.rng.randrange(256), d[i] ^ (1 << self.rng.randrange(8)),
                                        self.rng.choice(b"()[]{}\"'`\\-=|:;,.\n \t")])
        return bytes(d)

    def token_delete(self):
        t = tokens(self.seed())
        for _ in range(self.rng.randint(1, 4)):
            if t:
                del t[self.rng.randrange(len(t))]
        return b"".join(t)

    def token_duplicate(self):
        t = tokens(self.seed())
        for _ in range(self.rng.randint(1, 3)):
            if t:
                i = self.rng.randrange(len(t))
                t.insert(i, t[i])
        return b"".join(t)

    def token_swap(self):
        t = tokens(self.seed())
        for _ in range(self.rng.randint(1, 3)):
            if len(t) > 1:
                i, j = self.rng.randrange(len(t)), self.rng.randrange(len(t))
                t[i], t[j] = t[j], t[i]
        return b"".join(t)

    def token_insert(self):
        t = tokens(self.seed())
        for _ in range(self.rng.randint(1, 4)):
            t.insert(self.rng.randint(0, len(t)), self.rng.choice(VOCAB))
        return b"".join(t)

    def token_replace(self):
        t = tokens(self.seed())
        nonspace = [i for i, x in enumerate(t) if not x.isspace()]
        for _ in range(self.rng.randint(1, 3)):
            if nonspace:
                t[self.rng.choice(nonspace)] = self.rng.choice(VOCAB)
        return b"".join(t)

    def truncate(self):
        d = self.seed()
        return d[: self.rng.randint(0, len(d))]

    def splice(self):
        a, b = self.seed(), self.seed()
        return a[: self.rng.randint(0, len(a))] + b[self.rng.randint(0, len(b)):]

    def indentation(self):
        lines = self.seed().split(b"\n")
        for _ in range(self.rng.randint(1, 3)):
            i = self.rng.randrange(len(lines))
            stripped = lines[i].lstrip(b" ")
            lines[i] = self.rng.choice([b"", b" ", b"  ", b"   ", b"\t", b"        "]) + stripped
        return b"\n".join(lines)

    def invalid_utf8(self):
        d = bytearray(self.seed())
        for _ in range(self.rng.randint(1, 3)):
            i = self.rng.randint(0, len(d))
            d[i:i] = self.rng.choice(INVALID_UTF8)
        return bytes(d)

    def line_shuffle(self):
        lines = self.seed().split(b"\n")
        i, j = self.rng.randrange(len(lines)), self.rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        if self.rng.random() < 0.5:
            del lines[self.rng.randrange(len(lines))]
        return b"\n".join(lines)

    # --- inputs from scratch --------------------------------------------------------------
    def random_bytes(self):
        n = self.rng.choice([0, 1, 2, 10, 100, 1000, 5000])
        return bytes(self.rng.randrange(256) for _ in range(n))

    def random_ascii(self):
        n = self.rng.choice([1, 10, 100, 1000])
        alphabet = b"abcxyzXYZ019 \n\t()[]{}=:-><|\\'\"`.,;_+*/$@~!?#%^&"
        return bytes(self.rng.choice(alphabet) for _ in range(n))

    def token_soup(self):
        n = self.rng.choice([5, 20, 100, 400])
        prefix = HEADER if self.rng.random() < 0.5 else b""
        return prefix + b" ".join(self.rng.choice(VOCAB) for _ in range(n))

    def deep_nesting(self):
        n = self.rng.choice([d for d in (100, 300, 1000, 3000, 10000, 50000) if d <= self.max_depth]
                            or [self.max_depth])
        kind = self.rng.randrange(12)
        if kind == 0:
            body = b"(" * n + b"1" + b")" * n
        elif kind == 1:
            body = b"[" * n + b"1" + b"]" * n
        elif kind == 2:
            body = b"(" * n + b"1"  # unclosed
        elif kind == 3:
            body = b"".join(b"let x%d = 1 in " % i for i in range(min(n, 5000))) + b"print 1"
        elif kind == 4:
            body = b"\\x -> " * n + b"x"
        elif kind == 5:
            body = b"if True then " * n + b"1" + b" else 2" * n
        elif kind == 6:
            body = b"1" + b" + 1" * n
        elif kind == 7:
            body = b"-" * n + b"1"
        elif kind == 8:
            return HEADER + b"print 1\n" + b"{-" * n + b"-}" * (n - self.rng.randint(0, 1))
        elif kind == 9:
            lines = [b"do"] + [b" " * (2 * i + 2) + b"do" for i in range(min(n, 2000))]
            body = b"\n".join(lines) + b"\n" + b" " * (2 * min(n, 2000) + 4) + b"print 1"
        elif kind == 10:
            body = b"Just (" * n + b"1" + b")" * n
        else:
            body = b"case 1 of { 1 -> " * min(n, 5000) + b"1" + b" }" * min(n, 5000)
        return HEADER + body + b"\n"

    def huge_literal(self):
        n = self.rng.choice([20, 100, 1000, 100000])
        kind = self.rng.randrange(8)
        if kind == 0:
            lit = b"9" * n
        elif kind == 1:
            lit = b"1." + b"5" * n + b"e" + b"9" * min(n, 30)
        elif kind == 2:
            lit = b"\"" + b"a" * n + b"\""
        elif kind == 3:
            lit = b"0x" + b"F" * n
        elif kind == 4:
            lit = b"1e-" + b"9" * min(n, 1000)
        elif kind == 5:
            lit = b"x" * n  # a long identifier
        elif kind == 6:
            lit = b"'\\u{" + b"F" * min(n, 100) + b"}'"
        else:
            lit = b"\"" + b"\\u{2603}" * (n // 8 + 1) + b"${show 1}" * 10 + b"\""
        return HEADER + b"print (" + lit + b")\n"

    def long_line(self):
        n = self.rng.choice([1000, 100000])
        return HEADER + b"print 1" + b" " * n + b"+ 1\n"

    def generate(self, i):
        choices = [
            (self.byte_flips, 14), (self.token_delete, 12), (self.token_duplicate, 8),
            (self.token_swap, 8), (self.token_insert, 10), (self.token_replace, 10),
            (self.truncate, 8), (self.splice, 5), (self.indentation, 6), (self.invalid_utf8, 5),
            (self.line_shuffle, 4), (self.random_bytes, 2), (self.random_ascii, 2),
            (self.token_soup, 3), (self.deep_nesting, 0.8), (self.huge_literal, 1.2),
            (self.long_line, 0.5),
        ]
        fns = [c[0] for c in choices]
        weights = [c[1] for c in choices]
        fn = self.rng.choices(fns, weights)[0]
        return fn.__name__, fn()


def describe(status, timed_out, timeout):
    if timed_out:
        return f"took more than {timeout:g} s"
    if status < 0:
        try:
            return f"killed by {signal.Signals(-status).name}"
        except ValueError:
            return f"killed by signal {-status}"
    return f"exit status {status}"


_local = threading.local()
_dir_lock = threading.Lock()
_dir_count = [0]


def worker_dir(workdir):
    """One directory per worker thread (with the seed modules), so inputs never clash."""
    tdir = getattr(_local, "dir", None)
    if tdir is None:
        with _dir_lock:
            _dir_count[0] += 1
            tdir = os.path.join(workdir, f"worker{_dir_count[0]}")
        os.makedirs(tdir, exist_ok=True)
        for sub in ("Lib", "Cycle"):
            src = os.path.join(workdir, "seeds", sub)
            if os.path.isdir(src):
                shutil.copytree(src, os.path.join(tdir, sub), dirs_exist_ok=True)
        _local.dir = tdir
    return tdir


# Kinds whose inputs stress the back end when they type-check (deep expressions, huge literals):
# each one that checks cleanly is also built with -O2; of the others, every BUILD_EVERY-th.
ALWAYS_BUILD = {"deep_nesting", "huge_literal", "long_line"}


def run_limited(cmd, cwd, timeout):
    """(status, timed_out, stdout, stderr) of cmd, killed (with its children) after timeout."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        return proc.returncode, False, out, err
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        return proc.returncode, True, out, err


def build_one(weir, tdir, timeout):
    """A problem building (not only checking) input.weir at -O2, or None: a back-end blow-up
    (issue 11 item 8: LLVM taking minutes on deep expressions) or crash must not come back."""
    status, timed_out, _out, err = run_limited([weir, "build", "-O2", "input.weir", "-o", "input.bin"],
                                               tdir, timeout)
    if timed_out or status < 0 or status not in (0, 1):
        return "weir build -O2: " + describe(status, timed_out, timeout), err
    return None, err


def check_one(weir, workdir, index, kind, data, timeout, json_mode, build=False):
    tdir = worker_dir(workdir)
    path = os.path.join(tdir, "input.weir")
    with open(path, "wb") as f:
        f.write(data)
    cmd = [weir, "check"] + (["--error-format=json"] if json_mode else ["--color=never"]) + ["input.weir"]
    start = time.monotonic()
    status, timed_out, out, err = run_limited(cmd, tdir, timeout)
    secs = time.monotonic() - start
    problem = None
    if timed_out or status < 0 or status not in (0, 1):
        problem = describe(status, timed_out, timeout)
    elif json_mode and status == 1:
        for line in err.decode("utf-8", errors="replace").splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict) or "code" not in obj:
                    problem = f"JSON diagnostic without a code: {line[:200]}"
                    break
            except ValueError:
                problem = f"stderr line is not JSON: {line[:200]}"
                break
        if problem is None and not err.strip():
            problem = "exit status 1 without any diagnostic"
    built = False
    if problem is None and status == 0 and (build or kind in ALWAYS_BUILD):
        problem, err = build_one(weir, tdir, timeout)
        built = True
    return index, kind, problem, secs, err, built


def abbreviate(data, limit=600):
    s = data.decode("utf-8", errors="backslashreplace")
    if len(s) > limit:
        s = s[: limit // 2] + f"\n... ({len(s) - limit} characters left out) ...\n" + s[-limit // 2:]
    return s


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weir", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--seeds", default=os.path.join(here, "..", "programs"),
                    help="folder of .weir files to mutate (default: tests/programs)")
    ap.add_argument("--count", type=int, default=int(os.environ.get("WEIR_FUZZ_COUNT", "10000")))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("WEIR_FUZZ_SEED", "20261125")))
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("WEIR_FUZZ_JOBS", "2")))
    ap.add_argument("--timeout", type=float, default=float(os.environ.get("WEIR_FUZZ_TIMEOUT", "10")),
                    help="seconds one `weir check` may take")
    # Deeper nesting (10,000 and 50,000 levels) takes seconds to minutes today: bug 8
    # in tests/programs/KNOWN_BUGS.md. Raise the default to 50000 when they are fixed.
    ap.add_argument("--max-depth", type=int, default=int(os.environ.get("WEIR_FUZZ_MAX_DEPTH", "3000")),
                    help="deepest nesting generated")
    ap.add_argument("--build-every", type=int, default=int(os.environ.get("WEIR_FUZZ_BUILD_EVERY", "100")),
                    help="also build (-O2) every N-th input that checks cleanly (deep and huge ones always)")
    a = ap.parse_args()

    weir = os.path.abspath(a.weir)
    workdir = os.path.abspath(a.workdir)
    os.makedirs(workdir, exist_ok=True)
    faildir = os.path.join(workdir, "failures")
    if os.path.isdir(faildir):
        shutil.rmtree(faildir)
    for d in os.listdir(workdir):
        if d.startswith("worker"):
            shutil.rmtree(os.path.join(workdir, d), ignore_errors=True)
    # the seed corpus, and the module folders it imports, copied next to every input
    seeddir = os.path.join(workdir, "seeds")
    shutil.rmtree(seeddir, ignore_errors=True)
    os.makedirs(seeddir)
    seeds = []
    src = os.path.abspath(a.seeds)
    for root, _dirs, files in os.walk(src):
        if os.path.basename(root) == "pending":
            continue
        for f in sorted(files):
            if f.endswith(".weir"):
                p = os.path.join(root, f)
                with open(p, "rb") as fh:
                    seeds.append(fh.read())
    for sub in ("Lib", "Cycle"):
        if os.path.isdir(os.path.join(src, sub)):
            shutil.copytree(os.path.join(src, sub), os.path.join(seeddir, sub))
    if not seeds:
        seeds = [HEADER + b'putStrLn "hello"\n']
    seeds.sort()

    rng = random.Random(a.seed)
    gen = Generator(rng, seeds, a.max_depth)
    print(f"robustness: {a.count} inputs, seed {a.seed}, {a.jobs} workers, {len(seeds)} seed files, "
          f"timeout {a.timeout:g} s, nesting up to {a.max_depth}", flush=True)

    def inputs():
        for i in range(a.count):
            kind, data = gen.generate(i)
            yield i, kind, data

    start = time.monotonic()
    failures = []
    kinds = {}
    slowest = (0.0, None)
    done = 0
    built = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        pending = set()
        it = inputs()
        datas = {}
        exhausted = False
        while True:
            while not exhausted and len(pending) < a.jobs * 4:
                try:
                    i, kind, data = next(it)
                except StopIteration:
                    exhausted = True
                    break
                datas[i] = data
                pending.add(pool.submit(check_one, weir, workdir, i, kind, data,
                                        a.timeout, i % 5 != 0, a.build_every > 0 and i % a.build_every == 0))
            if not pending:
                break
            finished, pending = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for fut in finished:
                i, kind, problem, secs, err, was_built = fut.result()
                data = datas.pop(i)
                done += 1
                built += was_built
                n_k, t_k = kinds.get(kind, (0, 0.0))
                kinds[kind] = (n_k + 1, t_k + secs)
                if secs > slowest[0]:
                    slowest = (secs, f"#{i} ({kind}, {len(data)} bytes)")
                if problem:
                    os.makedirs(faildir, exist_ok=True)
                    fp = os.path.join(faildir, f"input{i:05d}_{kind}.weir")
                    with open(fp, "wb") as fh:
                        fh.write(data)
                    failures.append((i, kind, problem, fp, data, err))
                    print(f"FAIL #{i} ({kind}): {problem}; saved as {fp}", flush=True)
                if done % 1000 == 0:
                    print(f"  {done} inputs, {time.monotonic() - start:.0f} s, {len(failures)} failures", flush=True)
    secs = time.monotonic() - start
    print(f"robustness: {done} inputs in {secs:.1f} s ({1000 * secs / max(done, 1):.1f} ms each), "
          f"slowest check {slowest[0]:.2f} s {slowest[1]}; {built} that checked cleanly also built with -O2")
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"  CPU time of the checks: {cpu.ru_utime + cpu.ru_stime:.1f} s "
          f"({1000 * (cpu.ru_utime + cpu.ru_stime) / max(done, 1):.1f} ms each)")
    print("  by generator (inputs, seconds): " +
          ", ".join(f"{k} {n} {t:.0f}s" for k, (n, t) in sorted(kinds.items())))
    if failures:
        print(f"robustness: {len(failures)} failing inputs (saved in {faildir}):")
        for i, kind, problem, fp, data, err in failures[:20]:
            print(f"--- #{i} ({kind}): {problem}: {fp}")
            print(abbreviate(data))
            e = err.decode("utf-8", errors="replace").strip()
            if e:
                print("  stderr: " + abbreviate(e.encode(), 400).replace("\n", "\n  "))
        return 1
    print("robustness: no crash, no internal error, no timeout")
    return 0


if __name__ == "__main__":
    sys.exit(main())
