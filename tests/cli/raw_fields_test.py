"""Raw constructor fields (core::ConLayout, docs/architecture.md "Value representation") seen
from the command line:
  - `weir build --emit=core-rc` of tests/programs/raw_fields.weir lists the layouts: each field
    declared Int, Float, Char or Bool raw, at most 15 raw words (the rest boxed), Data.Map's
    size field raw; none for a newtype or for the types the C runtime builds (Mqtt, Rule,
    Actor, Test, Time); none at all with WEIR_RAW_FIELDS=0 (so the checks can fail);
  - a key stored in a tree node is no boxed use: `insert`'s key parameter is raw;
  - allocations (valgrind's count): a list of big Ints in a constructor with a raw Int field
    allocates one object per element, two (the cell and the Int's box) without raw fields;
  - records (tests/programs/records_raw_fields.weir): a shape's fields raw where every record
    built holds one kind, the ones a generalised local function builds only with the pass
    `record-fields` (WEIR_RECORD_FIELDS=0: not), a shape built at two types not at all.

Usage: raw_fields_test.py WEIR SOURCE_DIR WORK_DIR
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks, heap_allocations, switched_env  # noqa: E402

weir, root, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
check = Checks("raw_fields")


def env(on):
    return switched_env("WEIR_RAW_FIELDS", on)


def core(on):
    src = os.path.join(root, "tests", "programs", "raw_fields.weir")
    out = os.path.join(work, f"raw_fields{int(on)}.core")
    p = subprocess.run([weir, "build", "--emit=core-rc", src, "-o", out], capture_output=True, text=True, env=env(on))
    if not check(f"weir build --emit=core-rc (raw fields {'on' if on else 'off'})", p.returncode == 0, p.stderr):
        return ""
    with open(out) as f:
        return f.read()


on, off = core(True), core(False)
layouts = dict(re.findall(r"^layout (\S+)\((.*)\)$", on, re.M))
check("without raw fields no constructor has a layout", "\nlayout " not in off, off[-2000:])
expected = {
    "Main.P": "Int, Float, Char, Bool, Boxed",
    "Main.ICons": "Int, Boxed",
    "Main.Node": "Boxed, Int, Boxed",
    "Main.Pt": "Int, Int",
    "Main.Big": ", ".join(["Int"] * 15 + ["Boxed"] * 2),
    "Data.Map.Bin": "Int, Boxed, Boxed, Boxed, Boxed",
}
for con, reps in expected.items():
    check(f"layout of {con}", layouts.get(con) == reps, f"got {layouts.get(con)!r}")
for con in layouts:
    check(f"{con}: no layout for a type the C runtime builds",
          not con.startswith(("Mqtt.", "Rule.", "Actor.", "Test.", "Time.")), con)
check("no layout for Main.Tree's Leaf or a nullary constructor", "Main.Leaf" not in layouts and "Main.INil" not in layouts)


def signature(text, name):
    m = re.search(r"^fun " + re.escape(name) + r"\((.*)\).*=$", text, re.M)
    return m.group(1) if m else None


check("insert's key is raw: storing it in a node is no boxed use",
      re.match(r"v\d+: Int, v\d+$", signature(on, "Main.insert") or ""), signature(on, "Main.insert"))
check("without raw fields insert's key is boxed",
      re.match(r"v\d+, v\d+$", signature(off, "Main.insert") or ""), signature(off, "Main.insert"))

LIST = """data IList = INil | ICons Int IList

build :: Int -> IList -> IList
build 0 acc = acc
build n acc = build (n - 1) (ICons (n * 1000003) acc)

total :: Int -> IList -> Int
total acc INil = acc
total acc (ICons x xs) = total (acc + x) xs

main :: IO ()
main = print (total 0 (build {n} INil))
"""


def allocations(n, on):
    r = heap_allocations(check, weir, f"a list of {n} big Ints (raw fields {'on' if on else 'off'})",
                         LIST.replace("{n}", str(n)), os.path.join(work, f"list{n}{int(on)}.weir"),
                         os.path.join(work, f"list{n}{int(on)}"), env(on))
    if r is None:
        return None
    check(f"the list of {n} sums right", r[0].strip() == str(1000003 * n * (n + 1) // 2), r[0])
    return r[1]


if shutil.which("valgrind") is None:
    check.fail("valgrind is not installed (scripts/setup installs it)")
else:
    a = {(n, o): allocations(n, o) for n in (300, 600) for o in (True, False)}
    if None not in a.values():
        per_on = (a[600, True] - a[300, True]) / 300
        per_off = (a[600, False] - a[300, False]) / 300
        check("with raw fields one object per element", per_on < 1.1, f"{per_on} per element")
        check("without them two (the cell and the Int's box)", per_off >= 1.9, f"{per_off} per element")


def record_layouts(variable, on):
    src = os.path.join(root, "tests", "programs", "records_raw_fields.weir")
    out = os.path.join(work, f"records_{variable}{int(on)}.core")
    p = subprocess.run([weir, "build", "--emit=core-rc", src, "-o", out], capture_output=True, text=True,
                       env=switched_env(variable, on))
    if not check(f"weir build --emit=core-rc records_raw_fields.weir ({variable}={int(on)})", p.returncode == 0, p.stderr):
        return []
    with open(out) as f:
        text = f.read()
    if variable == "WEIR_RECORD_FIELDS" and on:
        check("--emit=core names the record shape a field read is of", re.search(r"\)\.\d+ of \{record\}#\d+", text),
              "no `(r).N of {record}#M` in the Core")
    return re.findall(r"^layout \{record\}#\d+\((.*)\)$", text, re.M)


rec_on = record_layouts("WEIR_RECORD_FIELDS", True)
rec_off = record_layouts("WEIR_RECORD_FIELDS", False)
check("a record of Int, Float, Char and Bool fields: all raw (Reading)", "Int, Bool, Char, Float" in rec_on, rec_on)
check("18 Int fields: 15 raw words, the rest boxed (Wide)", ", ".join(["Int"] * 15 + ["Boxed"] * 3) in rec_on, rec_on)
check("Stats, built by a generalised local function: every field raw with record-fields",
      "Int, Int, Int" in rec_on and "Int, Boxed, Boxed" not in rec_on, rec_on)
check("Stats without record-fields: only the field whose literals are all typed Int",
      "Int, Boxed, Boxed" in rec_off and "Int, Int, Int" not in rec_off, rec_off)
check("no record layout with WEIR_RAW_FIELDS=0", record_layouts("WEIR_RAW_FIELDS", False) == [])
check.finish()
