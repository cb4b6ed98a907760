#!/usr/bin/env python3
"""--static and --strip for this machine: a static executable has no loader and runs with an
empty environment; --strip drops the symbol table; a static rule program (OpenSSL, libstdc++,
simdjson inside) replays examples/fleet_alerts. Usage: static_test.py WEIR WORKDIR"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from elf import elf_info  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks  # noqa: E402

weir, work = sys.argv[1:3]
examples = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples")
os.makedirs(work, exist_ok=True)
check = Checks("static", echo=True)


def build(src, out, *args):
    return subprocess.run([weir, "build", src, "-o", os.path.join(work, out), *args], capture_output=True,
                          text=True, timeout=180)


src = os.path.join(work, "json.weir")
with open(src, "w") as f:
    # decode: simdjson (C++) is linked in; encode: the runtime's own writer.
    f.write('import Json\n\nmain :: IO ()\nmain = case (decode "[1, 2, 3]" :: Either String [Int]) of\n'
            '  Right xs -> putStrLn (encode (map (* 2) xs))\n  Left e -> putStrLn e\n')

r = build(src, "json-static", "--static")
check("--static builds", r.returncode == 0, r.stderr)
if r.returncode == 0:
    exe = os.path.join(work, "json-static")
    i = elf_info(exe)
    check("--static: no loader, symbols kept", not i["dynamic"] and not i["stripped"], str(i))
    r = subprocess.run([exe], capture_output=True, text=True, env={}, timeout=30)
    check("--static: runs", r.returncode == 0 and r.stdout == "[2,4,6]\n", r.stdout + r.stderr)

r = build(src, "json-strip", "-s")
check("-s builds", r.returncode == 0, r.stderr)
if r.returncode == 0:
    i = elf_info(os.path.join(work, "json-strip"))
    check("-s: dynamic, stripped, no debug information", i["dynamic"] and i["stripped"] and not i["debug"], str(i))

r = build(os.path.join(examples, "fleet_alerts.weir"), "fleet_alerts", "--static", "--strip")
check("fleet_alerts --static --strip builds", r.returncode == 0, r.stderr)
if r.returncode == 0:
    exe = os.path.join(work, "fleet_alerts")
    i = elf_info(exe)
    check(f"fleet_alerts: static, stripped, {i['size']} bytes (docs/performance.md)",
          not i["dynamic"] and i["stripped"], str(i))
    r = subprocess.run([exe, "--replay", "fleet_alerts.jsonl"], cwd=examples, capture_output=True, text=True,
                       timeout=60, env={"WEIR_LEAK_CHECK": "1"})
    check("fleet_alerts static --replay", r.returncode == 0
          and r.stdout == open(os.path.join(examples, "fleet_alerts.expected")).read(), r.stdout + r.stderr)

# --no-tls: the runtime without OpenSSL. Smaller, replays the same, and refuses TLS at start-up
# (mqtts://, --tls-ca, --tls-cert, WEIR_TLS_CA) with the reason, status 2, before connecting.
r = build(os.path.join(examples, "fleet_alerts.weir"), "fleet_alerts_notls", "--static", "--strip", "--no-tls")
check("fleet_alerts --static --strip --no-tls builds", r.returncode == 0, r.stderr)
if r.returncode == 0:
    exe = os.path.join(work, "fleet_alerts_notls")
    size, with_tls = os.path.getsize(exe), os.path.getsize(os.path.join(work, "fleet_alerts"))
    check(f"--no-tls: {size} bytes, OpenSSL left out (with TLS {with_tls})", size < with_tls - 2_000_000,
          f"{size} vs {with_tls}")
    with open(exe, "rb") as f:
        check("--no-tls: no OpenSSL inside", b"OpenSSL" not in f.read(), "the string OpenSSL is in the binary")
    r = subprocess.run([exe, "--replay", "fleet_alerts.jsonl"], cwd=examples, capture_output=True, text=True,
                       timeout=60, env={"WEIR_LEAK_CHECK": "1"})
    check("--no-tls --replay", r.returncode == 0
          and r.stdout == open(os.path.join(examples, "fleet_alerts.expected")).read(), r.stdout + r.stderr)
    for args, env in [(["--broker", "mqtts://127.0.0.1:1"], {}), (["--tls-ca", exe], {}),
                      (["--tls-cert", exe], {}), ([], {"WEIR_TLS_CA": exe})]:
        r = subprocess.run([exe, *args], capture_output=True, text=True, timeout=30, env=env)
        check(f"--no-tls refuses {args or env}", r.returncode == 2 and "not in this program" in r.stderr
              and "weir build --no-tls" in r.stderr and "retrying" not in r.stderr, f"status {r.returncode}: {r.stderr}")
# A dynamic --no-tls program does not load libssl.
r = build(os.path.join(examples, "fleet_alerts.weir"), "fleet_alerts_dyn_notls", "--no-tls")
check("dynamic --no-tls builds", r.returncode == 0, r.stderr)
if r.returncode == 0:
    with open(os.path.join(work, "fleet_alerts_dyn_notls"), "rb") as f:
        data = f.read()
    check("dynamic --no-tls: no libssl or libcrypto needed", b"libssl.so" not in data and b"libcrypto.so" not in data,
          "libssl/libcrypto named in the executable")

# A runtime folder without the no-TLS runtime: a setup error (E0904, status 1) naming the file.
rt_dir = os.path.join(work, "rt-without-notls")
os.makedirs(rt_dir, exist_ok=True)
version = subprocess.run([weir, "--version"], capture_output=True, text=True).stdout
runtime = next((l.split(":", 1)[1].strip() for l in version.splitlines() if l.startswith("runtime:")), "")
if os.path.isfile(runtime):
    shutil.copy(runtime, os.path.join(rt_dir, "libweir_rt.a"))
    r = subprocess.run([weir, "build", src, "-o", os.path.join(work, "x"), "--no-tls"], capture_output=True, text=True,
                       timeout=180, env=dict(os.environ, WEIR_RUNTIME=os.path.join(rt_dir, "libweir_rt.a")))
    check("--no-tls without libweir_rt_notls.a: E0904, status 1", r.returncode == 1 and "E0904" in r.stderr
          and "libweir_rt_notls.a" in r.stderr and "internal" not in r.stderr, r.stderr)
else:
    check("weir --version names the runtime", False, version)

check.finish()
