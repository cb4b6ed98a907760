#!/usr/bin/env python3
"""docs/cli.md covers every command and flag: each subcommand `weir --help` lists appears as
`weir NAME` in the page, and each option of `weir NAME --help` (and of `weir` itself) appears in it.
Usage: cli_docs_test.py WEIR SOURCE_DIR"""
import os
import re
import subprocess
import sys

weir, source = sys.argv[1], sys.argv[2]
page = open(os.path.join(source, "docs", "cli.md")).read()
missing = []
checked = 0


def helptext(args):
    return subprocess.run([weir] + args + ["--help"], capture_output=True, text=True, timeout=30).stdout


def options(text):
    """The option names of a CLI11 help text (section Options:), e.g. ['-o', '--emit']."""
    out, section = [], None
    for line in text.splitlines():
        if re.match(r"^\S.*:$", line):
            section = line[:-1]
            continue
        m = re.match(r"^  (-\S+)", line)
        if section == "Options" and m:
            out += [o for o in m.group(1).split(",") if o not in ("-h", "--help")]
    return out


top = helptext([])
subs = []
in_subs = False
for line in top.splitlines():
    if line.startswith("Subcommands:"):
        in_subs = True
        continue
    m = re.match(r"^  (\w[\w-]*)\s", line)
    if in_subs and m:
        subs.append(m.group(1))
if len(subs) < 5:
    missing.append(f"could not read the subcommands from weir --help: {top}")
for opt in options(top):
    checked += 1
    if opt not in page:
        missing.append(f"weir {opt}")
for sub in subs:
    checked += 1
    if f"weir {sub}" not in page:
        missing.append(f"the command `weir {sub}`")
    for opt in options(helptext([sub])):
        checked += 1
        if not re.search(re.escape(opt) + r"(?![\w-])", page):
            missing.append(f"`weir {sub} {opt}`")

for m in missing:
    print("FAIL docs/cli.md does not mention", m)
print(f"{checked - len(missing)} passed, {len(missing)} failed")
sys.exit(1 if missing else 0)
