#!/usr/bin/env python3
"""The standard library's promise (issue 3): every exported function has a doc comment and
is exercised by a golden program. For every stdlib/**/*.weir module this finds the exported
top-level functions and values (the export list, or every top-level name when a module has
none) and checks that
  - the lines right above its type signature are a comment block containing `-- |`
    (one block may document several adjacent signatures), and
  - its name occurs in the code (not a comment, not inside a string literal) of at least one
    tests/programs/**/*.weir file (self_test() checks that filter on every run).
Names starting with `prim` (primitive bindings) are internal and exempt.
Usage: check_docs.py ROOT"""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
stdlib = os.path.join(root, "stdlib")
programs = os.path.join(root, "tests", "programs")

SIG = re.compile(r"^(?:foreign import \w+ \"[^\"]*\" )?(\(?[^\s:()]+\)?|\([^)]+\))\s*::")

SYMBOL = set("!#$%&*+./<=>?@\\^|-~:")


def code_only(text):
    """The text without comments and without the contents of string literals: a name mentioned
    only in a comment (`-- lefts`) or in a string (`"lefts"`) is not a use."""
    text = re.sub(r"\{-.*?-\}", " ", text, flags=re.S)  # block comments (nesting is rare in tests)
    out = []
    for line in text.split("\n"):
        kept, i, in_str = [], 0, False
        while i < len(line):
            c = line[i]
            if in_str:
                if c == "\\":
                    i += 2
                    continue
                if c == '"':
                    in_str = False
                    kept.append(c)
                i += 1
                continue
            if c == '"':
                in_str = True
                kept.append(c)
                i += 1
                continue
            m = re.match(r"'(?:\\.[^']*|[^'\\])'", line[i:])
            if m and (i == 0 or not (line[i - 1].isalnum() or line[i - 1] in "_'")):  # a Char literal, not x'
                kept.append("' '")
                i += len(m.group(0))
                continue
            if line.startswith("--", i):
                j = i
                while j < len(line) and line[j] == "-":
                    j += 1
                before = line[i - 1] if i > 0 else " "
                after = line[j] if j < len(line) else " "
                if before not in SYMBOL and after not in SYMBOL:  # `-->` is an operator
                    break
                kept.append(line[i:j])
                i = j
                continue
            kept.append(c)
            i += 1
        out.append("".join(kept))
    return "\n".join(out)


def self_test():
    """code_only must drop comments and strings and keep code (so the check can fail)."""
    cases = [
        ('x = lefts ys -- rights', ["lefts"], ["rights"]),
        ('main = putStrLn "or and lefts"', ["putStrLn"], ["lefts", "or"]),
        ("c = '\"' : rights xs", ["rights"], []),
        ('s = "a \\" b" ++ partitionEithers zs', ["partitionEithers"], []),
        ("{- lefts -} y = x --> z", ["-->"], ["lefts"]),
        ("f x' = x' ++ \"mapM\"", ["x'"], ["mapM"]),
    ]
    for text, present, absent in cases:
        code = code_only(text)
        for w in present:
            assert w in code, f"code_only({text!r}) = {code!r} lost {w!r}"
        for w in absent:
            assert not re.search(rf"(?<![\w']){re.escape(w)}(?![\w'])", code), f"code_only({text!r}) = {code!r} kept {w!r}"


self_test()


corpus = []
for d, _, files in os.walk(programs):
    for f in files:
        if f.endswith(".weir"):
            corpus.append(code_only(open(os.path.join(d, f), encoding="utf-8").read()))
corpus = "\n".join(corpus)


def exports(text):
    m = re.search(r"^module\s+[\w.]+\s*(\((.*?)\))?\s*where", text, re.S | re.M)
    if not m or m.group(1) is None:
        return None
    names = set()
    for item in re.split(r",", m.group(2)):
        item = re.sub(r"--[^\n]*", "", item).strip()
        if not item or item[0].isupper() or item.startswith("module "):
            continue
        names.add(item.strip("()").strip() if item.startswith("(") else item.split()[0])
    return names


missing_doc, missing_test, checked = [], [], 0
for d, _, files in os.walk(stdlib):
    for f in sorted(files):
        if not f.endswith(".weir"):
            continue
        path = os.path.join(d, f)
        rel = os.path.relpath(path, root)
        lines = open(path, encoding="utf-8").read().split("\n")
        exp = exports("\n".join(lines))
        seen = set()
        for i, line in enumerate(lines):
            m = SIG.match(line)
            if not m:
                continue
            name = m.group(1).strip("()")
            if name in seen or name.startswith("prim") or (exp is not None and name not in exp):
                continue
            seen.add(name)
            checked += 1
            # Walk up over adjacent signatures (a documented group) and then the comment block.
            j = i - 1
            while j >= 0 and SIG.match(lines[j]):
                j -= 1
            block = []
            while j >= 0 and lines[j].startswith("--"):
                block.append(lines[j])
                j -= 1
            if not any(b.startswith("-- |") for b in block):
                missing_doc.append(f"{rel}:{i + 1}: `{name}` has no `-- |` doc comment")
            word = re.escape(name)
            if not re.search(rf"(?<![\w']){word}(?![\w'])", corpus):
                missing_test.append(f"{rel}:{i + 1}: `{name}` is not used by any tests/programs/*.weir")

for m in missing_doc + missing_test:
    print(m)
print(f"stdlib docs: {checked} exported names, {len(missing_doc)} without a doc comment, "
      f"{len(missing_test)} without a test")
sys.exit(1 if missing_doc or missing_test else 0)
