#!/usr/bin/env python3
"""An example's replay test: builds examples/NAME.weir, runs it with --replay
examples/NAME.jsonl (from the examples folder) and compares its standard output with
examples/NAME.expected. Usage: replay_example.py WEIR EXAMPLES_DIR NAME WORKDIR"""
import difflib
import os
import subprocess
import sys

weir, examples, name, workdir = sys.argv[1:5]
os.makedirs(workdir, exist_ok=True)
exe = os.path.join(workdir, name)
b = subprocess.run([weir, "build", name + ".weir", "-o", exe], cwd=examples, capture_output=True, text=True)
if b.returncode != 0:
    print(f"build of {name}.weir failed:\n{b.stdout}{b.stderr}")
    sys.exit(1)
env = dict(os.environ, WEIR_LEAK_CHECK="1")
r = subprocess.run([exe, "--replay", name + ".jsonl"], cwd=examples, capture_output=True, text=True,
                   timeout=60, env=env)
expected = open(os.path.join(examples, name + ".expected"), encoding="utf-8").read()
if r.returncode != 0 or r.stdout != expected:
    print(f"{name}: exit status {r.returncode}")
    sys.stdout.writelines(difflib.unified_diff(expected.splitlines(True), r.stdout.splitlines(True),
                                               "expected", "actual"))
    print("stderr:\n" + r.stderr)
    sys.exit(1)
print(f"ok {name}")
