"""The runtime's slow paths and the frames of compiled code (codegen/objects.cpp, rt.h):
  - generated code calls weir_alloc, weir_free_obj, weir_free_cell, weir_dup_shared,
    weir_drop_shared and (in landing pads) weir_unwind_drop and weir_unwind_free_cell only from
    `weir.pm.*` wrappers of LLVM's preserve_most convention, so a
    caller keeps its values in registers across them instead of saving callee-saved registers
    in every frame; WEIR_PRESERVE_MOST=0 calls them directly;
  - the inline allocation carves from the thread's bump region (`weir_bump`), so the wrapped
    weir_alloc is reached once per stretch of a chunk, not once per object of a growing heap;
  - what that is for: a non-tail recursion 300,000 deep (the cfold shape: a case on the results
    of two recursive calls, building after them) runs in a 12 MiB stack (32-byte frames) and
    overflows it with direct calls (64-byte frames), and prints the same in both;
(A constructor of over 256 bytes rebuilt through a reuse token, which the same change fixed, is
tests/programs/constructor_big_reuse.weir, a golden test with its leak run.)

Usage: slow_calls_test.py WEIR SOURCE_DIR WORK_DIR
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks  # noqa: E402

weir, root, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
check = Checks("slow_calls")

DEEP = """module Main where

data Expr = Val Int | Add Expr Expr

chain :: Int -> Expr -> Expr
chain 0 acc = acc
chain n acc = chain (n - 1) (Add (Val (n `mod` 3)) acc)

fold :: Expr -> Expr
fold (Add a b) = case (fold a, fold b) of
  (Val x, Val y) -> Val (x + y)
  (Val x, Add (Val y) e) -> Add (Val (x + y)) e
  (l, r) -> Add l r
fold e = e

value :: Expr -> Int
value (Val v) = v
value (Add a b) = value a + value b

main :: IO ()
main = print (value (fold (chain 300000 (Val 1))))
"""
# The slow paths deep.weir reaches (weir_unwind_drop: the stack check is an invoke whose pad drops the
# parameters the frame owns).
SLOW = ["weir_alloc", "weir_free_obj", "weir_free_cell", "weir_dup_shared", "weir_drop_shared", "weir_unwind_drop"]

src = os.path.join(work, "deep.weir")
with open(src, "w") as f:
    f.write(DEEP)


def env_with(pm):
    env = dict(os.environ)
    env.pop("WEIR_PRESERVE_MOST", None)
    if not pm:
        env["WEIR_PRESERVE_MOST"] = "0"
    return env


def check_only_wrappers(fns, names, what):
    """Each runtime function in names is called, and only by its own wrapper (an absent call
    would pass a check of "no caller but the wrapper" without testing anything)."""
    for name in names:
        callers = sorted(n for n, body in fns.items() if re.search(r"call [^\n]*@" + name + r"\(", body))
        check(f"{what}: {name} is called, only from its wrapper", callers == ["weir.pm." + name],
              f"called from {callers}")


def functions(ll):
    """name -> body of every function defined in an LLVM IR text."""
    out = {}
    for m in re.finditer(r"^define [^@]*@\"?([^\"(]+)\"?\(.*?^}", ll, re.S | re.M):
        out[m.group(1)] = m.group(0)
    return out


for pm in (True, False):
    label = "with preserve_most" if pm else "with WEIR_PRESERVE_MOST=0"
    ll_path = os.path.join(work, f"deep_{int(pm)}.ll")
    p = subprocess.run([weir, "build", "-O2", src, "--emit=llvm", "-o", ll_path], capture_output=True,
                       text=True, env=env_with(pm), timeout=300)
    if not check(f"weir build --emit=llvm {label}", p.returncode == 0, p.stderr):
        continue
    ll = open(ll_path).read()
    fns = functions(ll)
    wrappers = {n for n in fns if n.startswith("weir.pm.")}
    if pm:
        check("the wrappers are preserve_most functions",
              wrappers and all(re.search(r"^define internal preserve_mostcc", fns[w], re.M) for w in wrappers),
              f"{sorted(wrappers)}")
        check_only_wrappers(fns, SLOW, "deep.weir")
        calls = re.findall(r"call (\w+) void @weir\.pm\.", ll)
        check("calls of the wrappers use preserve_mostcc", calls and set(calls) == {"preserve_mostcc"},
              f"{set(calls)}")
        check("allocation carves from the bump region inline", "@weir_bump" in fns.get("Main.fold", ""),
              "Main.fold does not read @weir_bump")
    else:
        check("WEIR_PRESERVE_MOST=0: no wrappers", not wrappers, f"{sorted(wrappers)}")

    exe = os.path.join(work, f"deep_{int(pm)}")
    p = subprocess.run([weir, "build", "-O2", src, "-o", exe], capture_output=True, text=True,
                       env=env_with(pm), timeout=300)
    if not check(f"weir build {label}", p.returncode == 0, p.stderr):
        continue
    r = subprocess.run([exe], capture_output=True, text=True, timeout=60, env=dict(os.environ, WEIR_STACK_SIZE="64M",
                                                                                  WEIR_LEAK_CHECK="1"))
    check(f"{label}: the program prints its value (64 MiB stack, leak check)", r.returncode == 0
          and r.stdout == "300001\n", f"exit {r.returncode}: {r.stdout[-200:]!r} {r.stderr[-500:]}")
    r = subprocess.run([exe], capture_output=True, text=True, timeout=60, env=dict(os.environ, WEIR_STACK_SIZE="12M"))
    if pm:
        check("preserve_most: 300,000 frames fit a 12 MiB stack", r.returncode == 0 and r.stdout == "300001\n",
              f"exit {r.returncode}: {r.stderr[-500:]}")
    else:
        check("direct calls: the same overflows a 12 MiB stack (the frames the wrappers save)",
              r.returncode != 0 and "stack overflow" in r.stderr, f"exit {r.returncode}: {r.stdout!r}")

# Landing pads: a golden program that catches run-time errors (drops on the unwinding paths) and
# prints what it prints without the wrappers.
shapes = os.path.join(root, "tests", "programs", "catch_unwind_shapes.weir")
ll_path = os.path.join(work, "shapes.ll")
p = subprocess.run([weir, "build", "-O2", shapes, "--emit=llvm", "-o", ll_path], capture_output=True, text=True,
                   env=env_with(True), timeout=300)
if check("weir build --emit=llvm catch_unwind_shapes.weir", p.returncode == 0, p.stderr):
    fns = functions(open(ll_path).read())
    pads = [n for n, body in fns.items() if "landingpad" in body and n.startswith("Main.")]
    check("catch_unwind_shapes has landing pads", pads, "none in Main")
    check_only_wrappers(fns, ["weir_unwind_drop", "weir_unwind_free_cell"], "catch_unwind_shapes")
outs = []
for pm in (True, False):
    exe = os.path.join(work, f"shapes_{int(pm)}")
    p = subprocess.run([weir, "build", "-O2", shapes, "-o", exe], capture_output=True, text=True, env=env_with(pm),
                       timeout=300)
    if check(f"weir build catch_unwind_shapes.weir (preserve_most {'on' if pm else 'off'})", p.returncode == 0, p.stderr):
        r = subprocess.run([exe], capture_output=True, text=True, timeout=60, env=dict(os.environ, WEIR_LEAK_CHECK="1"))
        check(f"catch_unwind_shapes runs with the leak check (preserve_most {'on' if pm else 'off'})",
              r.returncode == 0, f"exit {r.returncode}: {r.stderr[-500:]}")
        outs.append(r.stdout)
check("catch_unwind_shapes prints the same with and without the wrappers", len(outs) == 2 and outs[0] == outs[1])

check.finish()
