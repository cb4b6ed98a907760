#!/usr/bin/env python3
"""`weir explain CODE` for every error code (issue 13): each text has a wrong example and its
fix, and -- so that the texts cannot rot -- each wrong example really produces its code with
`weir check` and each fix checks cleanly, except for the few codes listed in NOT_CHECKED.

A text has a line starting with `Example` followed by an indented block (the wrong code) and a
line starting with `Fix` followed by an indented block (the right code). A block that does not
start with `module` is checked inside `module Main where`, with `main = pure ()` added when it
defines no `main`. `Example (in the file A/B.weir):` checks the block in that file.
Usage: explain_test.py WEIR SOURCE_ROOT WORKDIR"""
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys

weir, root, work = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]

# Codes whose example cannot be checked by `weir check` on one file, and why.
NOT_CHECKED = {
    "E0009": "the example needs a tab character, which the text shows as <TAB>",
    "E0024": "the example needs a thousand levels of nesting",
    "E0101": "reserved, no error uses it",
    "E0107": "an import cycle needs two files",
    "E0112": "the module name of an imported file is checked: it needs a second, importing file",
    "E0299": "no construct is unsupported on purpose; the example is generic",
    "E0900": "about the command line (a file that cannot be read)",
    "E0901": "about `weir build` and `weir run`",
    "E0902": "about linking",
    "E0903": "about `--cpu`",
    "E0904": "about the runtime library's installation",
    "E0905": "about `--target`",
    "E0906": "about `-o` (a folder that does not exist)",
    "E0907": "about `--pass-off` and `--after` (Core pass names)",
    "E0910": "about a project's weir.toml (TOML, not Weir)",
    "E0911": "about a project's weir.toml (TOML, not Weir)",
    "E0912": "about a project's weir.toml (TOML, not Weir)",
    "E0913": "about `weir new`",
    "E0914": "about `weir build` outside a project",
    "E0920": "about `weir test`",
    "E0950": "a formatter bug: no program is known to cause it",
}
WARNINGS = {"E0271"}  # reported as warnings: the program still checks

codes = []
for stage in ["syntax", "names", "types", "driver", "format"]:
    text = open(os.path.join(root, "compiler", stage, "codes.cpp"), encoding="utf-8").read()
    codes += re.findall(r'\{\s*"(E\d{4})"', text)

shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
failures = []


def block_after(lines, start):
    """The first indented block (4 spaces) after line `start`, dedented."""
    i = start + 1
    while i < len(lines) and not lines[i].startswith("    ") and not lines[i].startswith("Fix"):
        i += 1  # blank lines and the rest of the sentence
    out = []
    while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
        out.append(lines[i][4:])
        i += 1
    while out and not out[-1].strip():
        out.pop()
    return out


def program(block):
    if block and block[0].startswith("module "):
        return "\n".join(block) + "\n"
    src = "module Main where\n\n" + "\n".join(block) + "\n"
    if not any(re.match(r"main\s*(::|=)", l) for l in block):
        src += "\nmain :: IO ()\nmain = pure ()\n"
    return src


def check(code, kind, block, path):
    folder = os.path.join(work, code, kind)
    full = os.path.join(folder, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", encoding="utf-8") as f:
        f.write(program(block))
    r = subprocess.run([weir, "check", path], cwd=folder, capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout + r.stderr


def verify(code, wrong, right, path):
    """The problems with one code's example and fix (an empty list when both behave)."""
    problems = []
    rc, out = check(code, "wrong", wrong, path)
    tag = ("warning" if code in WARNINGS else "error") + f"[{code}]"
    if tag not in out:
        problems.append(f"{code}: the wrong example does not report {tag}:\n" + "\n".join(wrong) + "\n--- weir check:\n" + out)
    rc, out = check(code, "fix", right, path)
    if rc != 0 or f"[{code}]" in out:
        problems.append(f"{code}: the fix does not check cleanly:\n" + "\n".join(right) + "\n--- weir check:\n" + out)
    return problems


jobs = []
for code in codes:
    r = subprocess.run([weir, "explain", code], capture_output=True, text=True, timeout=30)
    if r.returncode != 0 or code not in r.stdout:
        failures.append(f"{code}: `weir explain {code}` failed: {r.stderr.strip()}")
        continue
    lines = r.stdout.split("\n")
    ex = next((i for i, l in enumerate(lines) if l.startswith("Example")), None)
    fx = next((i for i, l in enumerate(lines) if l.startswith("Fix") and ex is not None and i > ex), None)
    wrong = block_after(lines, ex) if ex is not None else []
    right = block_after(lines, fx) if fx is not None else []
    if not wrong or not right:
        failures.append(f"{code}: the explanation needs an `Example` with an indented wrong program and a `Fix` "
                        f"with the indented right one")
        continue
    if code in NOT_CHECKED:
        continue
    m = re.search(r"\(in the file ([\w/.]+)\)", lines[ex])
    jobs.append((code, wrong, right, m.group(1) if m else "example.weir"))

with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:  # CI has 2 cores
    for problems in pool.map(lambda j: verify(*j), jobs):
        failures += problems
checked = len(jobs)

for f in failures:
    print(f + "\n")
print(f"explain: {len(codes)} codes, {checked} examples and fixes checked, "
      f"{len(NOT_CHECKED)} not checkable, {len(failures)} problems")
sys.exit(1 if failures or len(codes) < 100 else 0)
