#!/usr/bin/env python3
"""The Core pass pipeline (compiler/core/pipeline.hpp) from the command line:
  - `weir build --list-passes` lists the passes in order;
  - `--verify-core` says how often the verifier ran (1 + the passes run);
  - `--emit=core` is `--emit=core --after=order-globals`, `--emit=core-rc` is `--after=reuse`;
    `--after=specialise` shows the Core before pruning (more functions), `--after=borrow` borrowed
    parameters without dup/drop, `--after=rc` with them;
  - `--pass-off=simplify` gives the Core `WEIR_SIMPLIFY=0` gives, and differs from the default;
  - `--emit=core-rc` shows the reuse decisions (drop-reuse, a constructor in a token's cell,
    free-reuse) of a tree insert, `--pass-off=reuse` and `--after=unbox` none;
  - a pass name that is no pass, a pass that cannot be switched off, `--after` without
    `--emit=core`: error E0907 listing the names, exit status 1;
  - the Core verifier after every pass (`--verify-core`) on 40 golden programs (every 8th of those
    that print an expected output), and one built and run with WEIR_VERIFY_CORE=1.

Usage: passes_test.py WEIR SOURCE_DIR WORK_DIR
"""
import concurrent.futures
import glob
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks  # noqa: E402

weir, root, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
check = Checks("passes")
NAMES = ["specialise", "prune", "call-sites", "io-arity", "simplify", "trmc", "order-globals",
         "lift-letrec", "trmc-lifted", "peel", "record-fields", "borrow", "rc", "unbox", "reuse"]


def weir_build(*args, env=None):
    return subprocess.run([weir, "build", *args], capture_output=True, text=True, env=env, timeout=120)


def core(src, *args, env=None):
    p = weir_build(src, *args, env=env)
    check(f"weir build {src} {' '.join(args)}", p.returncode == 0, p.stderr)
    return p.stdout


p = weir_build("--list-passes")
listed = [line.split()[0] for line in p.stdout.splitlines()[:len(NAMES)]]
check("--list-passes lists the passes in order", p.returncode == 0 and listed == NAMES, p.stdout + p.stderr)

src = os.path.join(root, "tests", "programs", "simplify_maybe.weir")
default, default_rc = core(src, "--emit=core"), core(src, "--emit=core-rc")
check("--emit=core is --after=order-globals", default == core(src, "--emit=core", "--after=order-globals"))
check("--emit=core-rc is --emit=core --after=reuse", default_rc == core(src, "--emit=core", "--after=reuse"))
check("--emit=core-rc --after=order-globals is --emit=core",
      default == core(src, "--emit=core-rc", "--after=order-globals"))
early = core(src, "--emit=core", "--after=specialise")
check("after specialise, before prune: more functions", early.count("\nfun ") > default.count("\nfun ") + 10,
      f"{early.count(chr(10) + 'fun ')} vs {default.count(chr(10) + 'fun ')}")
borrow, rc = core(src, "--emit=core", "--after=borrow"), core(src, "--emit=core", "--after=rc")
check("after borrow: borrowed parameters, no dup or drop", "^v" in borrow and "drop v" not in borrow, borrow[:2000])
check("after rc: dup and drop", "drop v" in rc, rc[:2000])

tree = os.path.join(root, "tests", "programs", "reuse_tokens.weir")
reuse = core(tree, "--emit=core-rc")
ins = reuse[reuse.find("fun Main.insert"):]
ins = ins[:ins.find("\n\n")]
check("--emit=core-rc: insert's matched node is a drop-reuse, rebuilt in its cell on the paths",
      " reuse v" in ins and "Main.Node#1@v" in ins, ins)
check("--emit=core-rc: trim frees the cell on the path that builds nothing", "free-reuse v" in reuse, reuse[:3000])
scale = reuse[reuse.find("fun Main.scale("):]
scale = scale[:scale.find("\n\n")]
check("--emit=core-rc: scale (a recursive call before the rebuild) holds no cell (frame-limited)",
      scale.startswith("fun Main.scale(") and " reuse v" not in scale, scale)
check("--emit=core-rc: halve's node is built in a held cell around the division that fails",
      any("Node#1@v" in line and "%IntDiv(" in line for line in reuse.splitlines()), reuse[:3000])
for args, env, what in ((["--pass-off=reuse"], None, "--pass-off=reuse"), ([], dict(os.environ, WEIR_REUSE="0"), "WEIR_REUSE=0"),
                        (["--after=unbox"], None, "--after=unbox")):
    text = core(tree, "--emit=core-rc", *args, env=env)
    check(f"{what}: no reuse tokens", " reuse v" not in text and "@v" not in text and "free-reuse" not in text)

env_off = dict(os.environ, WEIR_SIMPLIFY="0")
off = core(src, "--emit=core", "--pass-off=simplify")
check("--pass-off=simplify is WEIR_SIMPLIFY=0", off == core(src, "--emit=core", env=env_off))
check("--pass-off=simplify changes the Core (the check above can fail)", off != default)
both = core(src, "--emit=core-rc", "--pass-off=trmc", "--pass-off=trmc-lifted", "--pass-off=unbox")
check("--pass-off repeats", both == core(src, "--emit=core-rc", env=dict(os.environ, WEIR_TRMC="0", WEIR_UNBOX="0")))

for args, what in [(["--emit=core", "--after=simplifier"], "`--after=simplifier` names no Core pass"),
                   (["--pass-off=inline"], "`--pass-off=inline` names no Core pass"),
                   (["--pass-off=rc"], "the Core pass `rc` cannot be switched off"),
                   (["--emit=llvm", "--after=simplify"], "use it with `--emit=core`")]:
    p = weir_build(src, *args, "-o", os.path.join(work, "out"))
    check(f"{' '.join(args)}: error E0907 that lists the passes",
          p.returncode == 1 and p.stderr.startswith("error[E0907]: ") and what in p.stderr
          and ", ".join(NAMES) in p.stderr, p.stderr)
p = subprocess.run([weir, "run", src, "--pass-off=nothing"], capture_output=True, text=True, timeout=60)
check("weir run --pass-off=NAME checks the name too", p.returncode == 1 and "error[E0907]" in p.stderr, p.stderr)

# The verifier after every pass, on a sample of the golden programs.
goldens = sorted(f for f in glob.glob(os.path.join(root, "tests", "programs", "*.weir"))
                 if "\n-- expect-stdout:" in "\n" + open(f, encoding="utf-8").read(2000))
sample = goldens[::8][:40]
check("40 golden programs in the sample", len(sample) == 40, str(len(sample)))


def verified(f):
    p = weir_build(f, "--emit=core-rc", "--verify-core", "-o", os.devnull)
    return f, p


with concurrent.futures.ThreadPoolExecutor(2) as pool:
    for f, p in pool.map(verified, sample):
        check(f"--verify-core: {os.path.basename(f)}", p.returncode == 0, p.stderr)

hello = os.path.join(root, "tests", "programs", "hello.weir")
exe = os.path.join(work, "hello")
p = weir_build(hello, "-o", exe, env=dict(os.environ, WEIR_VERIFY_CORE="1"))
r = subprocess.run([exe], capture_output=True, text=True, timeout=30) if p.returncode == 0 else None
check("WEIR_VERIFY_CORE=1 weir build: verified, built and run", r is not None and r.stdout == "Hello, world!\n",
      p.stderr)
# --verify-core says how often the verifier ran: the lowered Core and after each of the passes
# (so a flag the driver forgot to pass on would show as a missing line, not as a silent pass).
p = weir_build(hello, "--verify-core", "-o", exe)
check("--verify-core reports the verifier's runs",
      p.returncode == 0 and f"passed {len(NAMES) + 1} times" in p.stderr, p.stderr)
p = weir_build(hello, "--verify-core", "--emit=core", "--after=simplify", "-o", os.devnull)
check("--verify-core with --after=simplify: the verifier ran up to simplify only",
      p.returncode == 0 and "passed 6 times" in p.stderr, p.stderr)
check.finish()
