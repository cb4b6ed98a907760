#!/usr/bin/env python3
"""The linker command cache (compiler/codegen/link_cache.hpp, docs/cli.md).

Checks, with XDG_CACHE_HOME in a fresh directory: the first build stores one entry whose
linker is an absolute path and whose arguments hold the object and executable placeholders;
a later build runs the cached linker (an entry pointing at a wrapper script shows it was
called) and the program runs; an entry naming a linker that does not exist is replaced and
the build still succeeds; other options (--strip) get their own entry; WEIR_LINK_CACHE=0
stores nothing.

usage: link_cache_test.py WEIR WORKDIR
"""
import glob
import os
import shutil
import subprocess
import sys

weir, workdir = sys.argv[1:3]
shutil.rmtree(workdir, ignore_errors=True)
os.makedirs(workdir)
cache = os.path.join(workdir, "cache")
env = dict(os.environ, XDG_CACHE_HOME=cache)
env.pop("WEIR_LINK_CACHE", None)
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


src = os.path.join(workdir, "hello.weir")
with open(src, "w") as f:
    f.write('module Main where\n\nmain :: IO ()\nmain = putStrLn "linked"\n')
exe = os.path.join(workdir, "hello")


def build(*extra, environ=env):
    if os.path.exists(exe):
        os.remove(exe)
    r = subprocess.run([weir, "build", src, "-o", exe, *extra], capture_output=True, text=True, env=environ,
                       timeout=120)
    ran = subprocess.run([exe], capture_output=True, text=True).stdout if r.returncode == 0 else ""
    return r.returncode == 0 and ran == "linked\n", r.stderr


def entries():
    return sorted(glob.glob(os.path.join(cache, "weir", "link", "*.args")))


def read(path):
    with open(path, "rb") as f:
        return f.read().split(b"\0")[:-1]


def write(path, args):
    with open(path, "wb") as f:
        f.write(b"".join(a + b"\0" for a in args))


ok, err = build()
check(ok, "first build links and runs " + err)
es = entries()
check(len(es) == 1, f"one cache entry after the first build ({len(es)})")
if es:
    args = read(es[0])
    check(args[0].startswith(b"/") and b"<weir:object>" in args and b"<weir:executable>" in args,
          "the entry is an absolute linker path with the two placeholders")

    # A wrapper in place of the linker: it records that it ran, then links.
    marker = os.path.join(workdir, "wrapper-ran")
    wrapper = os.path.join(workdir, "ld-wrapper")
    with open(wrapper, "w") as f:
        f.write(f'#!/bin/sh\ntouch "{marker}"\nexec "{args[0].decode()}" "$@"\n')
    os.chmod(wrapper, 0o755)
    write(es[0], [wrapper.encode()] + args[1:])
    ok, err = build()
    check(ok and os.path.exists(marker), "a later build runs the cached linker command " + err)

    # A stale entry (its linker is gone): replaced, and the build succeeds.
    write(es[0], [b"/nonexistent/ld.lld"] + args[1:])
    ok, err = build()
    check(ok, "a build with a stale entry still succeeds " + err)
    check(read(es[0])[0] == args[0], "the stale entry is replaced by clang's command")

ok, err = build("--strip")
check(ok and len(entries()) == 2, f"other link options get their own entry ({len(entries())}) " + err)

off = dict(env, XDG_CACHE_HOME=os.path.join(workdir, "cache-off"), WEIR_LINK_CACHE="0")
ok, err = build(environ=off)
check(ok and not os.path.exists(os.path.join(workdir, "cache-off")), "WEIR_LINK_CACHE=0 stores nothing " + err)

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("all link cache checks passed")
