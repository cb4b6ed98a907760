#!/usr/bin/env python3
"""Formatting never changes what a program means. For every golden program (tests/programs,
examples, stdlib) that parses:
  1. messy copy A (trailing spaces, doubled blank lines): `weir fmt` must give back the file
     exactly (the tree is kept formatted by fmt/check);
  2. messy copy B (every indented line moved 2 columns right, runs of spaces after `=`, `->`
     and `,`), kept only when its AST (`--emit=ast`, no positions) equals the original's:
     `weir fmt` must be idempotent on it and keep the AST;
  3. for a sample (every STEP-th program): the formatted B type-checks (`weir check`) like the
     original, and when the program has an expected output, run_golden.py passes on it.
Usage: fmt_golden.py WEIR SOURCE_DIR WORKDIR [STEP]"""
import os
import re
import shutil
import subprocess
import sys

weir, src, work = (os.path.abspath(a) for a in sys.argv[1:4])
step = int(sys.argv[4]) if len(sys.argv) > 4 else 20
shutil.rmtree(work, ignore_errors=True)
failures, checked = [], {"exact": 0, "messy": 0, "check": 0, "run": 0}


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=300, **kw)


def ast(path):
    r = run([weir, "build", "--emit=ast", os.path.basename(path)], cwd=os.path.dirname(path))
    return r.stdout if r.returncode == 0 else None


def messy_a(text):
    out = []
    for line in text.split("\n"):
        out.append(line + ("   " if line.strip() else ""))
        if not line.strip():
            out.append("")
    return "\n".join(out)


def code_part(line):
    # the part of a line before a comment or string starts (perturbations touch only that)
    m = re.search(r'--|"|\'|{-', line)
    return (line[:m.start()], line[m.start():]) if m else (line, "")


def messy_b(text):
    out = []
    for line in text.split("\n"):
        if line.startswith(" "):
            line = "  " + line
        code, rest = code_part(line)
        code = re.sub(r"(\S) (=|->|,) ", r"\1 \2   ", code) if not code.lstrip().startswith(("|", ",")) else code
        out.append(code + rest)
    return "\n".join(out)


programs = []
for folder in ("tests/programs", "examples", "stdlib"):
    for root, _, files in os.walk(os.path.join(src, folder)):
        for f in sorted(files):
            if f.endswith(".weir"):
                programs.append(os.path.join(root, f))
programs.sort()

messy = []
for i, prog in enumerate(programs):
    text = open(prog, encoding="utf-8").read()
    if "weir-fmt: skip" in text:
        continue
    rel = os.path.relpath(prog, src)
    d = os.path.join(work, os.path.dirname(rel))
    os.makedirs(d, exist_ok=True)
    # sibling modules (Lib.weir, folders) so imports resolve, and data files a program reads
    # (a rule's --replay input, rules_windows.jsonl)
    for sib in os.listdir(os.path.dirname(prog)):
        p = os.path.join(os.path.dirname(prog), sib)
        if os.path.exists(os.path.join(d, sib)) or sib.startswith("."):
            continue
        if os.path.isdir(p):
            shutil.copytree(p, os.path.join(d, sib))
        elif not sib.endswith((".out", ".err")):
            shutil.copy(p, os.path.join(d, sib))
    name = os.path.basename(prog)[:-5]
    a = os.path.join(work, "messy_a", rel)
    os.makedirs(os.path.dirname(a), exist_ok=True)
    with open(a, "w", encoding="utf-8") as f:
        f.write(messy_a(text))
    messy.append((rel, a, text))
    sample = i % step == 0
    if not sample:
        continue
    b = os.path.join(d, name + ".weir")  # same name: run_golden and error messages see the original name
    with open(b, "w", encoding="utf-8") as f:
        f.write(messy_b(text))
    orig_ast = ast(prog)
    if not sample or orig_ast is None or ast(b) != orig_ast:
        continue  # the perturbation itself changed the program (alignment it broke): nothing to test
    r = run([weir, "fmt", b])
    once = open(b, encoding="utf-8").read()
    r2 = run([weir, "fmt", "--check", b])
    if r.returncode != 0 or r2.returncode != 0:
        failures.append(f"{rel}: fmt of copy B failed or is not idempotent: {r.stderr[:300]}{r2.stdout[:200]}")
        continue
    if ast(b) != orig_ast:
        failures.append(f"{rel}: formatting copy B changed its AST")
        continue
    checked["messy"] += 1
    if "expect-error" in text or "expect-runtime-error" in text:
        continue  # positions in the expectations move with copy B's indentation
    c0 = run([weir, "check", os.path.basename(prog)], cwd=os.path.dirname(prog)).returncode
    c1 = run([weir, "check", os.path.basename(b)], cwd=d).returncode
    if c0 != c1:
        failures.append(f"{rel}: weir check gives {c1} on the formatted copy, {c0} on the original")
    checked["check"] += 1
    if "expect-stdout:" in text and rel.startswith("tests/programs"):
        g = run([sys.executable, os.path.join(src, "tests/programs/run_golden.py"), "--weir", weir,
                 "--workdir", os.path.join(work, "bin"), b])
        if g.returncode != 0:
            failures.append(f"{rel}: the formatted copy fails its golden test:\n{g.stdout[-800:]}{g.stderr[-800:]}")
        checked["run"] += 1

r = run([weir, "fmt", os.path.join(work, "messy_a")])
if r.returncode != 0:
    failures.append(f"weir fmt on the messy copies A failed: {r.stderr[:1000]}")
for rel, a, text in messy:
    if open(a, encoding="utf-8").read() != text:
        failures.append(f"{rel}: fmt of the messy copy A is not the original")
    else:
        checked["exact"] += 1

print(f"programs: {len(programs)}; formatted back exactly: {checked['exact']}; messy copies formatted with the "
      f"same AST: {checked['messy']}; type-checked: {checked['check']}; run against their expected output: {checked['run']}")
for f in failures:
    print("FAIL", f)
if checked["exact"] < 100 or checked["messy"] < 5 or checked["run"] < 3:
    print("FAIL: too few programs were checked")
    sys.exit(1)
sys.exit(1 if failures else 0)
