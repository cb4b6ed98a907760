#!/usr/bin/env python3
"""An installed weir works anywhere, with no source checkout: `cmake --install --strip` into a
temporary prefix, move the prefix elsewhere (weir must find its stdlib and runtime relative to
its own executable, not through paths compiled in), then, from a folder outside the source and
build trees and with no WEIR_* variable set: `weir new demo`, `weir build`, the binary over the
sample with --replay, `weir check`, `weir run`; `weir build --static` and, when the aarch64
runtime is built and qemu-aarch64 is installed, `--target aarch64-linux-gnu --static --no-tls`
run under qemu (the static libraries they link are installed too). Also checks the layout
(bin/weir, lib/weir/libweir_rt.a, share/weir/stdlib) and that `weir --version` names the moved
prefix.
Usage: install_test.py BUILD_DIR"""
import os
import shutil
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks  # noqa: E402

build = os.path.abspath(sys.argv[1])
check = Checks("install")


top = tempfile.mkdtemp(prefix="weir-install-")
try:
    first = os.path.join(top, "first")
    r = subprocess.run(["cmake", "--install", build, "--prefix", first, "--strip"], capture_output=True, text=True)
    check("cmake --install", r.returncode == 0, r.stdout + r.stderr)
    prefix = os.path.join(top, "opt", "weir")
    os.makedirs(os.path.dirname(prefix))
    shutil.move(first, prefix)  # relocated: no path compiled into weir points here
    for rel in ["bin/weir", "lib/weir/libweir_rt.a", "share/weir/stdlib/Prelude.weir", "share/weir/stdlib/Rule.weir"]:
        check("layout " + rel, os.path.isfile(os.path.join(prefix, rel)), "missing")

    env = {k: v for k, v in os.environ.items() if not k.startswith("WEIR_")}
    env["PATH"] = os.path.join(prefix, "bin") + os.pathsep + env.get("PATH", "")
    home = os.path.join(top, "home")
    os.makedirs(home)

    def run(args, cwd, timeout=120):
        return subprocess.run(args, capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)

    r = run(["weir", "--version"], home)
    check("version names the installed stdlib and runtime",
          r.returncode == 0 and f"stdlib:  {prefix}/share/weir/stdlib" in r.stdout
          and f"runtime: {prefix}/lib/weir/libweir_rt.a" in r.stdout, r.stdout + r.stderr)

    r = run(["weir", "new", "demo"], home)
    check("weir new", r.returncode == 0 and "Created project `demo`" in r.stdout, r.stdout + r.stderr)
    demo = os.path.join(home, "demo")
    r = run(["weir", "build"], demo)
    exe = os.path.join(demo, "build", "demo")
    check("weir build", r.returncode == 0 and os.access(exe, os.X_OK), r.stdout + r.stderr)
    expected = ('alerts/too-hot {"celsius":34.0,"room":"attic","sensor":"a1"}\n'
                'alerts/too-hot {"celsius":30.5,"room":"kitchen","sensor":"k1"}\n')
    if os.access(exe, os.X_OK):
        r = run([exe, "--replay", "data/sample.jsonl"], demo, timeout=30)
        check("the binary over the sample", r.returncode == 0 and r.stdout == expected, r.stdout + r.stderr)
    # Static and cross builds from the installed weir: libsimdjson.a, the runtime without TLS and
    # the aarch64 runtime come from PREFIX/lib/weir, not from the build tree.
    if os.path.isfile(os.path.join(build, "runtime", "libsimdjson.a")):
        for rel in ["lib/weir/libsimdjson.a", "lib/weir/libweir_rt_notls.a"]:
            check("layout " + rel, os.path.isfile(os.path.join(prefix, rel)), "missing")
        r = run(["weir", "build", "--static", "-s", "-o", "build/demo-static"], demo)
        check("weir build --static", r.returncode == 0, r.stdout + r.stderr)
        if r.returncode == 0:
            r = run([os.path.join(demo, "build", "demo-static"), "--replay", "data/sample.jsonl"], demo, timeout=30)
            check("the static binary over the sample", r.returncode == 0 and r.stdout == expected, r.stdout + r.stderr)
    qemu = shutil.which("qemu-aarch64")
    if qemu and os.path.isfile(os.path.join(prefix, "lib/weir/aarch64-linux-gnu/libweir_rt.a")):
        r = run(["weir", "build", "--target", "aarch64-linux-gnu", "--static", "-s", "--no-tls",
                 "-o", "build/demo-arm64"], demo)
        check("weir build --target aarch64-linux-gnu --static --no-tls", r.returncode == 0, r.stdout + r.stderr)
        if r.returncode == 0:
            r = run([qemu, os.path.join(demo, "build", "demo-arm64"), "--replay", "data/sample.jsonl"], demo,
                    timeout=60)
            check("the aarch64 binary under qemu", r.returncode == 0 and r.stdout == expected, r.stdout + r.stderr)
    else:
        print("SKIP the aarch64 build from the installed weir: no aarch64 runtime or no qemu-aarch64")
    r = run(["weir", "check"], os.path.join(demo, "src"))
    check("weir check (from src/)", r.returncode == 0 and r.stderr == "", r.stdout + r.stderr)
    r = run(["weir", "run", "--", "--replay", "data/sample.jsonl"], demo)
    check("weir run -- --replay", r.returncode == 0 and r.stdout == expected, r.stdout + r.stderr)
    # One file outside any project, with an import from the stdlib.
    with open(os.path.join(home, "hello.weir"), "w") as f:
        f.write('module Main where\n\nimport Data.Map as Map\n\nmain :: IO ()\n'
                'main = print (Map.size (Map.fromList [(1, "a"), (2, "b")]))\n')
    r = run(["weir", "run", "hello.weir"], home)
    check("weir run FILE", r.returncode == 0 and r.stdout == "2\n", r.stdout + r.stderr)
finally:
    shutil.rmtree(top, ignore_errors=True)

check.finish()
