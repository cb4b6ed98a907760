#!/usr/bin/env python3
"""`weir fmt` on the command line: in place, --check, standard input, folders, parse errors
(reported, file untouched, exit 1), the `weir-fmt: skip` pragma, explain E0950.
Usage: fmt_cli.py WEIR WORKDIR"""
import os
import re
import shutil
import subprocess
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks  # noqa: E402

weir, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
shutil.rmtree(work, ignore_errors=True)
os.makedirs(os.path.join(work, "src", "sub"))
check = Checks("fmt")


def run(args, stdin=None):
    return subprocess.run([weir] + args, capture_output=True, text=True, cwd=work, input=stdin, timeout=60)


def write(rel, text):
    with open(os.path.join(work, rel), "w") as f:
        f.write(text)
    return os.path.join(work, rel)


def read(rel):
    return open(os.path.join(work, rel)).read()


messy = "module Main where\nimport Data.List (sort)\nmain :: IO ()\nmain   = print (sort [3,2,1])   \n\n\n\n"
clean = "module Main where\n\nimport Data.List (sort)\n\nmain :: IO ()\nmain = print (sort [3, 2, 1])\n"
write("src/a.weir", messy)
write("src/sub/b.weir", messy)
write("src/sub/notes.txt", "not weir  \n")
write("bad.weir", "module Main where\nmain = print (1 +\n")
write("skip.weir", "-- weir-fmt: skip (kept as written)\nmain   =   print 1\n")

r = run(["fmt", "--check", "src"])
check("--check exit", r.returncode == 1, r)
check("--check lists both files", "src/a.weir" in r.stdout and "src/sub/b.weir" in r.stdout, r.stdout)
check("--check writes nothing", read("src/a.weir") == messy)

r = run(["fmt", "src"])
check("fmt folder exit", r.returncode == 0, r.stderr)
check("fmt in place", read("src/a.weir") == clean, repr(read("src/a.weir")))
check("fmt recursive", read("src/sub/b.weir") == clean)
check("fmt leaves other files", read("src/sub/notes.txt") == "not weir  \n")
r = run(["fmt", "--check", "src"])
check("--check after fmt", r.returncode == 0 and r.stdout == "", r)

r = run(["fmt", "-"], stdin=messy)
check("stdin -", r.returncode == 0 and r.stdout == clean, r)
r = run(["fmt", "--stdin"], stdin=messy)
check("--stdin", r.returncode == 0 and r.stdout == clean, r)
r = run(["fmt", "--stdin", "--check"], stdin=clean)
check("--stdin --check clean", r.returncode == 0 and r.stdout == "", r)

r = run(["fmt", "bad.weir"])
check("parse error exit 1", r.returncode == 1, r)
check("parse error reported", "error[E00" in r.stderr and "bad.weir:" in r.stderr, r.stderr)
check("parse error file untouched", read("bad.weir") == "module Main where\nmain = print (1 +\n")
r = run(["fmt", "missing.weir"])
check("missing file", r.returncode == 1 and "E0900" in r.stderr, r)

r = run(["fmt", "--check", "skip.weir"])
check("skip pragma", r.returncode == 0 and read("skip.weir").startswith("-- weir-fmt: skip"), r)

r = run(["explain", "E0950"])
check("explain E0950", r.returncode == 0 and "weir fmt" in r.stdout, r)

# docs/cli.md's indentation example is the formatter's own output
docs = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "cli.md"), encoding="utf-8").read()
m = re.search(r"four after a guard's `\|`.*?```\n(.*?)  ```", docs, re.S)
example = "\n".join(l[2:] for l in m.group(1).splitlines()) + "\n" if m else ""
r = run(["fmt", "-"], stdin=example)
check("docs/cli.md example is formatted", m and r.returncode == 0 and r.stdout == example, repr(example) + r.stdout + r.stderr)

check.finish()
