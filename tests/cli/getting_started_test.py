#!/usr/bin/env python3
"""Runs every command of docs/getting-started.md, in order, in a fresh home folder, and compares
what they print with the outputs the page shows.

The page marks its fenced shell blocks (every ```sh block must carry one of these marks):
  <!-- run -->              run it (cwd and exported variables carry over to the next block)
  <!-- run: checkout -->    run it in the source checkout (the install step: make install)
  <!-- run: broker ... -->  run it with a Mosquitto the test starts; its port replaces 1883
  <!-- run: aarch64 -->     run it when the cross toolchain is there, else SKIP with the reason
  <!-- run: weir-test -->   run it when weir has the `test` command, else SKIP with the reason
  <!-- not run: REASON -->  not run; the reason is printed
and `<!-- output -->` before a ```text block: the previous block's exact standard output.
Usage: getting_started_test.py SOURCE_DIR BUILD_DIR"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks  # noqa: E402

source, build = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
page = os.path.join(source, "docs", "getting-started.md")
check = Checks("getting-started", echo=True)


def parse(text):
    """[(mark, code, expected_output_or_None, line)]: the marked blocks in page order."""
    blocks, mark, pending_output, lines = [], None, False, text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.fullmatch(r"<!-- (run(?::[^>]*)?|not run:[^>]*|output) -->", line.strip())
        if m:
            mark = m.group(1)
            i += 1
            continue
        fence = re.fullmatch(r"```(\w*)", line.strip())
        if fence:
            j = i + 1
            while j < len(lines) and lines[j].strip() != "```":
                j += 1
            body = "\n".join(lines[i + 1:j]) + "\n"
            if mark == "output":
                if blocks and blocks[-1][2] is None:
                    blocks[-1] = (blocks[-1][0], blocks[-1][1], body, blocks[-1][3])
                else:
                    check.fail(f"line {i + 1}: an output block that follows no run block")
            elif fence.group(1) == "sh":
                if mark is None:
                    check.fail(f"line {i + 1}: a ```sh block with no <!-- run --> or <!-- not run: ... --> mark")
                else:
                    blocks.append((mark, body, None, i + 1))
            mark = None
            i = j + 1
            continue
        if line.strip():
            mark = None if not line.startswith("<!--") else mark
        i += 1
    return blocks


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cross_missing(weir_help):
    """Why the ARM step cannot run here, or None."""
    if "--static" not in weir_help:
        return "this weir has no `build --static` yet (issue 14 item 5, the cross-compilation branch)"
    for tool in ("qemu-aarch64",):
        if not shutil.which(tool):
            return f"{tool} is not installed (Debian qemu-user)"
    if not os.path.isdir("/usr/aarch64-linux-gnu"):
        return "no aarch64 cross toolchain (Debian gcc-aarch64-linux-gnu)"
    return None


top = tempfile.mkdtemp(prefix="weir-getting-started-")
broker = None
try:
    home = os.path.join(top, "home")
    os.makedirs(home)
    env_file, cwd_file = os.path.join(top, "env.sh"), os.path.join(top, "cwd")
    # No WEIR_* pointing back into the checkout; no make jobserver of an outer `make test`.
    base_env = {k: v for k, v in os.environ.items()
                if not k.startswith("WEIR_") and k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    base_env.update(HOME=home, BUILD=build)
    with open(env_file, "w") as f:
        f.write("")
    with open(cwd_file, "w") as f:
        f.write(home)

    blocks = parse(open(page).read())
    check("the page has runnable blocks", sum(1 for b in blocks if b[0].startswith("run")) >= 5, str(len(blocks)))
    for mark, code, expected, line in blocks:
        name = f"line {line}: " + code.strip().split("\n")[0]
        if mark.startswith("not run"):
            print("not run", name, "--", mark[len("not run:"):].strip())
            continue
        if mark.startswith("run: broker"):
            port = free_port()
            broker = subprocess.Popen(["mosquitto", "-p", str(port)], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
            for _ in range(50):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            code = code.replace("1883", str(port))
        if mark == "run: aarch64":
            h = subprocess.run(["bash", "-c", f". {env_file}; weir build --help"], capture_output=True, text=True,
                               env=base_env)
            why = cross_missing(h.stdout)
            if why:
                print("SKIP", name, "--", why)
                continue
        if mark == "run: weir-test":
            h = subprocess.run(["bash", "-c", f". {env_file}; weir --help"], capture_output=True, text=True,
                               env=base_env)
            if "\n  test " not in h.stdout:
                print("SKIP", name, "-- this weir has no `test` command yet (issue 14 item 2, branch wtest)")
                continue
        cwd = source if mark == "run: checkout" else open(cwd_file).read().strip()
        script = (f". {env_file}\ncd {cwd}\nset -euo pipefail\n{code}\n"
                  f"export -p > {env_file}\npwd > {cwd_file}\n")
        try:
            r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=base_env, timeout=600)
            ok, out, err = r.returncode == 0, r.stdout, r.stderr
        except subprocess.TimeoutExpired as e:
            ok, out, err = False, str(e.stdout), "timed out"
        check(name, ok, f"status {r.returncode if ok is False and err != 'timed out' else ''}\n{out}\n{err}")
        if ok and expected is not None:
            check(name + " (output)", out == expected, f"expected:\n{expected}got:\n{out}\nstderr:\n{err}")
        if broker:
            broker.terminate()
            broker.wait()
            broker = None
        if not ok:
            break  # later steps stand on this one
finally:
    if broker:
        broker.kill()
    shutil.rmtree(top, ignore_errors=True)

check.finish()
