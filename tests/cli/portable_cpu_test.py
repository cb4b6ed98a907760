#!/usr/bin/env python3
"""An executable built without --cpu must run on every CPU of its architecture (issue: SIGILL on
older CPUs and under valgrind when the build host's AVX-512 leaked into the code).

Checks, on an x86-64 build host: the assembly of a float-heavy program at the default setting
and the runtime library contain no AVX/AVX2/AVX-512 instruction or register; the same program
with --cpu=x86-64-v4 does (so the check itself can fail); an unknown --cpu is error E0903; a
cross build for aarch64 at the default setting succeeds.

usage: portable_cpu_test.py WEIR RUNTIME_LIB WORKDIR
"""
import os
import platform
import re
import subprocess
import sys

weir, runtime_lib, workdir = sys.argv[1:4]
os.makedirs(workdir, exist_ok=True)
failures = []

PROGRAM = """module Main where

norm :: [Float] -> Float
norm xs = sqrt (sum (map (\\x -> x * x) xs))

scale :: Float -> [Float] -> [Float]
scale k = map (\\x -> k * x + 0.5)

main :: IO ()
main = do
  let xs = map toFloat [1 .. 1000]
  print (norm xs)
  print (sum (scale 2.5 xs) / 3.0)
  print (abs (-2.5), floor 3.7, sqrt 2.0)
"""
# A VEX/EVEX-encoded instruction (vaddsd, vmovaps, vfmadd...) or a 256/512-bit register: AVX and later.
AVX = re.compile(r"%[yz]mm\d|%k[0-7]\b|^\s+v[a-z0-9]+\s", re.M)


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def weir_build(*args):
    return subprocess.run([weir, "build", *args], capture_output=True, text=True, timeout=120)


src = os.path.join(workdir, "floaty.weir")
with open(src, "w") as f:
    f.write(PROGRAM)

if platform.machine() in ("x86_64", "AMD64"):
    asm = os.path.join(workdir, "floaty.s")
    r = weir_build(src, "--emit=asm", "-o", asm)
    check(r.returncode == 0, "default build of a float program emits assembly")
    text = open(asm).read() if r.returncode == 0 else ""
    hits = AVX.findall(text)
    check(r.returncode == 0 and not hits, f"default assembly has no AVX instruction (found {len(hits)}: {hits[:3]})")

    asm4 = os.path.join(workdir, "floaty-v4.s")
    r = weir_build(src, "--emit=asm", "--cpu=x86-64-v4", "-o", asm4)
    check(r.returncode == 0 and AVX.search(open(asm4).read()) is not None,
          "--cpu=x86-64-v4 does use AVX (so the check above can fail)")

    dis = subprocess.run(["objdump", "-d", "--no-show-raw-insn", runtime_lib], capture_output=True, text=True)
    check(dis.returncode == 0, "objdump reads the runtime library")
    hits = re.findall(r"%[yz]mm\d|\tv[a-z0-9]+ ", dis.stdout)
    check(dis.returncode == 0 and not hits, f"the runtime library has no AVX instruction (found {len(hits)}: {hits[:3]})")

    exe = os.path.join(workdir, "floaty")
    r = weir_build(src, "-o", exe)
    run = subprocess.run([exe], capture_output=True, text=True, timeout=30) if r.returncode == 0 else None
    check(run is not None and run.returncode == 0 and run.stdout.startswith("18271.111"),
          "the default executable runs and prints the expected norm")
else:
    print("skip x86-64 checks: host is " + platform.machine())

r = weir_build(src, "--cpu=pentium-9000", "-o", os.path.join(workdir, "never"))
check(r.returncode == 1 and "error[E0903]" in r.stderr and "--cpu=native" in r.stderr,
      "an unknown --cpu is error E0903 with a hint")

r = weir_build(src, "--emit=asm", "--target", "aarch64-linux-gnu", "-o", os.path.join(workdir, "floaty-arm.s"))
check(r.returncode == 0, "a default cross build for aarch64 emits assembly")

print(f"{8 - len(failures) if platform.machine() == 'x86_64' else 2 - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
