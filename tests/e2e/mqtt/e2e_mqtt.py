#!/usr/bin/env python3
"""End-to-end tests of the Weir MQTT client (through the weir-mqtt tool) against a real
Mosquitto that each test starts on a free 127.0.0.1 port with a generated configuration and
stops afterwards, also on failure.

    e2e_mqtt.py --tool build/runtime/mqtt/weir-mqtt --case qos_roundtrip
    e2e_mqtt.py --tool ... --list
"""
import argparse
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
TOOL = None
FAST = ["--backoff-min", "50", "--backoff-max", "500", "--connect-timeout", "3000"]


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(cond, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.01)
    raise Fail("timed out waiting for " + what)


class Broker:
    """A Mosquitto of our own. extra: more configuration lines for the listener."""

    def __init__(self, workdir, extra="", persistence=False, name="broker"):
        self.dir = workdir
        self.extra = extra
        self.persistence = persistence
        self.name = name
        self.proc = None
        self.port = None
        self.log = os.path.join(workdir, name + ".log")

    def _conf(self):
        path = os.path.join(self.dir, self.name + ".conf")
        lines = [f"listener {self.port} 127.0.0.1", "allow_anonymous true",
                 "max_queued_messages 100000", "log_dest stderr", "log_type error",
                 "log_type warning", "log_type information"]
        if self.persistence:
            lines += ["persistence true", f"persistence_location {self.dir}/",
                      "persistence_file " + self.name + ".db", "autosave_interval 0"]
        lines.append(self.extra)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def start(self, same_port=False):
        for attempt in range(5):
            if not same_port or self.port is None:
                self.port = free_port()
            conf = self._conf()
            offset = os.path.getsize(self.log) if os.path.exists(self.log) else 0
            logf = open(self.log, "a")
            self.proc = subprocess.Popen([MOSQUITTO, "-c", conf], stdout=logf, stderr=logf)
            # Up means: our process says it is running (so the port is ours, not a parallel
            # test's broker that took the same free port first) and accepts connections.
            end = time.monotonic() + 5
            while time.monotonic() < end and self.proc.poll() is None:
                with open(self.log) as f:
                    f.seek(offset)
                    running = " running" in f.read()
                if running:
                    try:
                        with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                            if self.proc.poll() is None:
                                return self
                    except OSError:
                        pass
                time.sleep(0.01)
            self.stop()
            if same_port:  # the port may still be in TIME_WAIT use; retry on the same one
                time.sleep(0.1)
        raise Fail("mosquitto did not start; log:\n" + open(self.log).read())

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class Proc:
    """A client process whose stdout lines are collected by a thread."""

    def __init__(self, argv, name):
        self.name = name
        self.argv = argv
        self.lines = []
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, errors="replace")
        self.err = []
        self.readers = [threading.Thread(target=self._pump, args=(stream, into), daemon=True)
                        for stream, into in ((self.proc.stdout, self.lines),
                                             (self.proc.stderr, self.err))]
        for t in self.readers:
            t.start()

    def _pump(self, stream, into):
        for line in stream:
            with self.lock:
                into.append(line.rstrip("\n"))

    def out(self):
        with self.lock:
            return list(self.lines)

    def wait_line(self, text, timeout=10):
        wait_for(lambda: text in self.out() or self.proc.poll() is not None, timeout,
                 f"{self.name}: '{text}'")
        check(text in self.out(), f"{self.name} exited ({self.proc.returncode}) before '{text}': "
              + "\n".join(self.err))

    def wait(self, timeout=15):
        try:
            rc = self.proc.wait(timeout)
            for t in self.readers:  # everything the process printed is collected
                t.join(5)
            return rc
        except subprocess.TimeoutExpired:
            self.kill()
            raise Fail(f"{self.name} did not finish in {timeout} s; stderr:\n" + "\n".join(self.err))

    def kill(self, sig=signal.SIGKILL):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def messages(self):
        return [l for l in self.out() if l != "ready"]


class Env:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="weir-mqtt-e2e-")
        # Mosquitto started as root drops to the "mosquitto" user: it must read the
        # generated files and write its persistence file here.
        os.chmod(self.dir, 0o777)
        self.procs = []
        self.brokers = []

    def broker(self, **kw):
        b = Broker(self.dir, **kw).start()
        self.brokers.append(b)
        return b

    def tool(self, *args, name="weir-mqtt"):
        p = Proc([TOOL] + [str(a) for a in args], name)
        self.procs.append(p)
        return p

    def run(self, argv, timeout=15, **kw):
        return subprocess.run([str(a) for a in argv], capture_output=True, text=True,
                              timeout=timeout, **kw)

    def close(self, keep):
        for p in self.procs:
            p.kill()
        for b in self.brokers:
            b.stop(signal.SIGKILL)
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)


def conn(b):
    return ["-h", "127.0.0.1", "-p", b.port] + FAST


# ---- cases ---------------------------------------------------------------------------------

def case_qos_roundtrip(env):
    """QoS 0/1/2, MQTT 5.0 and 3.1.1: our publisher to our subscriber, exact order and content."""
    b = env.broker()
    n = 300
    for version in ([], ["--v311"]):
        for qos in (0, 1, 2):
            topic = f"rt/{qos}/{len(version)}"
            sub = env.tool("sub", *conn(b), *version, "-t", topic, "-q", qos, "-C", n, "--ready",
                           "--quiet", name=f"sub q{qos}")
            sub.wait_line("ready")
            pub = env.run([TOOL, "pub", *conn(b), *version, "-t", topic, "-q", qos, "-n", n,
                           "-m", "msg-{n}", "--quiet"])
            check(pub.returncode == 0, f"pub q{qos} failed: {pub.stderr}")
            check(sub.wait() == 0, f"sub q{qos} failed: {sub.err}")
            got = sub.messages()
            check(got == [f"msg-{i}" for i in range(n)],
                  f"QoS {qos} {version}: got {len(got)} messages, first {got[:3]}")


def case_interop(env):
    """Both ways with libmosquitto's own clients: mosquitto_pub -> us, us -> mosquitto_sub."""
    b = env.broker()
    for qos in (0, 1, 2):
        sub = env.tool("sub", *conn(b), "-t", f"io/in/{qos}", "-q", qos, "-C", 3, "--ready",
                       "--quiet")
        sub.wait_line("ready")
        for i in range(3):
            r = env.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", b.port, "-t", f"io/in/{qos}",
                         "-q", qos, "-m", f"from-mosquitto-{i}"])
            check(r.returncode == 0, r.stderr)
        check(sub.wait() == 0, "sub failed")
        check(sub.messages() == [f"from-mosquitto-{i}" for i in range(3)], str(sub.messages()))

        ms = Proc(["stdbuf", "-oL", "mosquitto_sub", "-h", "127.0.0.1", "-p", str(b.port), "-t", f"io/out/{qos}",
                   "-q", str(qos), "-C", "3", "-d"], "mosquitto_sub")
        env.procs.append(ms)
        wait_for(lambda: any("SUBACK" in l for l in ms.out()), 10, "mosquitto_sub SUBACK")
        r = env.run([TOOL, "pub", *conn(b), "-t", f"io/out/{qos}", "-q", qos, "-n", 3,
                     "-m", "from-weir-{n}", "--quiet"])
        check(r.returncode == 0, r.stderr)
        ms.wait()
        payloads = [l for l in ms.out() if l.startswith("from-weir-")]
        check(payloads == [f"from-weir-{i}" for i in range(3)], str(ms.out()))


def case_retained(env):
    b = env.broker()
    r = env.run([TOOL, "pub", *conn(b), "-t", "ret/state", "-q", 1, "-r", "-m", "on", "--quiet"])
    check(r.returncode == 0, r.stderr)
    sub = env.tool("sub", *conn(b), "-t", "ret/#", "-q", 1, "-C", 1, "-v", "--quiet")
    check(sub.wait() == 0, "sub failed")
    check(sub.messages() == ["ret/state on"], str(sub.messages()))
    # Retain Handling 2: do not send retained messages at subscribe time.
    sub2 = env.tool("sub", *conn(b), "-t", "ret/#", "-q", 1, "--retain-handling", 2, "--ready",
                    "-C", 1, "--quiet")
    sub2.wait_line("ready")
    r = env.run([TOOL, "pub", *conn(b), "-t", "ret/state", "-q", 1, "-m", "live", "--quiet"])
    check(sub2.wait() == 0, "sub2 failed")
    check(sub2.messages() == ["live"], str(sub2.messages()))


def case_will(env):
    b = env.broker()
    watcher = env.tool("sub", *conn(b), "-t", "wills/#", "-q", 1, "-C", 1, "-v", "--ready",
                       "--quiet", name="watcher")
    watcher.wait_line("ready")
    dev = env.tool("sub", *conn(b), "-i", "device-7", "-t", "cmd/device-7", "--ready", "--quiet",
                   "--will-topic", "wills/device-7", "--will-payload", "offline", "--will-qos", 1,
                   name="device")
    dev.wait_line("ready")
    dev.kill(signal.SIGKILL)  # no DISCONNECT: the broker must publish the will
    check(watcher.wait() == 0, "watcher failed")
    check(watcher.messages() == ["wills/device-7 offline"], str(watcher.messages()))
    # A graceful stop (DISCONNECT 0x00) must not publish the will.
    watcher2 = env.tool("sub", *conn(b), "-t", "wills/#", "-q", 1, "--ready", "--quiet",
                        name="watcher2")
    watcher2.wait_line("ready")
    r = env.run([TOOL, "pub", *conn(b), "-t", "x", "-m", "x", "--will-topic", "wills/pub",
                 "--will-payload", "nope", "--quiet"])
    check(r.returncode == 0, r.stderr)
    r = env.run([TOOL, "pub", *conn(b), "-t", "wills/marker", "-q", 1, "-m", "marker", "--quiet"])
    wait_for(lambda: "marker" in watcher2.messages(), 10, "marker")
    check(watcher2.messages() == ["marker"], str(watcher2.messages()))


def case_shared(env):
    b = env.broker()
    n = 200
    subs = [env.tool("sub", *conn(b), "-t", "$share/workers/jobs/#", "-q", 1, "--ready",
                     "--quiet", name=f"worker{i}") for i in range(2)]
    for s in subs:
        s.wait_line("ready")
    r = env.run([TOOL, "pub", *conn(b), "-t", "jobs/a", "-q", 1, "-n", n, "-m", "job-{n}",
                 "--quiet"])
    check(r.returncode == 0, r.stderr)
    wait_for(lambda: sum(len(s.messages()) for s in subs) >= n, 10, "all jobs")
    got = [m for s in subs for m in s.messages()]
    check(sorted(got) == sorted(f"job-{i}" for i in range(n)), f"{len(got)} jobs, duplicates or gaps")
    check(all(len(s.messages()) > 0 for s in subs),
          "both members of the share get work: " + str([len(s.messages()) for s in subs]))


def case_broker_restart(env):
    """QoS 1, persistent sessions on both ends, the broker stopped and restarted mid-stream:
    every message arrives (duplicates allowed, none lost)."""
    b = env.broker(persistence=True)
    # Both clients connect with Clean Start 0 from the start: Mosquitto 2.0.11 writes only
    # those sessions to its persistence file (a session begun with Clean Start 1 and an
    # expiry interval survives a reconnect, but not a broker restart).
    n = 4000
    sub = env.tool("sub", *conn(b), "-i", "e2e-sub", "-c", "-t", "stream/#",
                   "-q", 1, "--ready", name="sub")
    sub.wait_line("ready")
    pub = env.tool("pub", *conn(b), "-i", "e2e-pub", "-c", "-t", "stream/x",
                   "-q", 1, "-n", n, "--rate", 2000, "-m", "{n}", "--inflight", 20, name="pub")
    wait_for(lambda: len(sub.messages()) >= n // 4, 10, "a quarter of the stream")
    b.stop(signal.SIGTERM)  # mid-stream; Mosquitto saves its persistence file on the way out
    stopped_at = len(sub.messages())
    b.start(same_port=True)
    check(pub.wait(30) == 0, "publisher failed: " + "\n".join(pub.err))
    wait_for(lambda: len(set(sub.messages())) >= n, 20,
             f"all {n} messages (have {len(set(sub.messages()))})")
    got = sub.messages()
    distinct = set(got)
    check(distinct == {str(i) for i in range(n)}, f"lost {n - len(distinct)} messages")
    reconnects = sum("connected (session present: 1)" in l for l in pub.err)
    check(reconnects >= 1, "the publisher resumed its session: " + "\n".join(pub.err))
    print(f"broker restarted after {stopped_at} messages; {len(got)} received, {len(distinct)} "
          f"distinct, {len(got) - len(distinct)} duplicates")


def case_broker_killed(env):
    """SIGKILL without persistence: the broker forgets every session. The publisher gets
    session present 0, requeues what was in flight and still has all messages acknowledged;
    the subscriber renews its subscription by itself and receives the rest of the stream.
    (Messages published while no subscription existed are legitimately gone, so the exact
    count is on the publisher side here; broker_restart proves end-to-end no loss.)"""
    b = env.broker()
    n = 3000
    sub = env.tool("sub", *conn(b), "-t", "killed/#", "-q", 1, "--ready", name="sub")
    sub.wait_line("ready")
    pub = env.tool("pub", *conn(b), "-i", "killed-pub", "-c", "-t", "killed/x", "-q", 1, "-n", n,
                   "--rate", 1500, "-m", "{n}", "--inflight", 20, name="pub")
    wait_for(lambda: len(sub.messages()) >= n // 5, 10, "a fifth of the stream")
    b.stop(signal.SIGKILL)
    b.start(same_port=True)
    check(pub.wait(30) == 0, "publisher failed: " + "\n".join(pub.err))
    check(any("session present: 0" in l for l in pub.err[1:]),
          "publisher reconnected without a session: " + "\n".join(pub.err))
    wait_for(lambda: str(n - 1) in sub.messages(), 10, "the end of the stream at the subscriber")
    check(sum(l.startswith("connected") for l in sub.err) >= 2, "subscriber reconnected")
    print(f"subscriber got {len(set(sub.messages()))} of {n} (the gap is the downtime)")


def gen_certs(d):
    def ssl(*args):
        r = subprocess.run(["openssl", *args], capture_output=True, text=True, cwd=d)
        check(r.returncode == 0, "openssl " + " ".join(args) + ": " + r.stderr)
    ext = os.path.join(d, "server.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    for ca in ("ca", "otherca"):
        ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            f"/CN=Weir test {ca}", "-keyout", f"{ca}.key", "-out", f"{ca}.crt")
    for who, cn in (("server", "localhost"), ("client", "weir-client")):
        ssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={cn}", "-keyout",
            f"{who}.key", "-out", f"{who}.csr")
        extra = ["-extfile", ext] if who == "server" else []
        ssl("x509", "-req", "-in", f"{who}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-out", f"{who}.crt", *extra)
    for f in os.listdir(d):
        os.chmod(os.path.join(d, f), 0o644)  # test keys, readable by the broker's user


def sni_seen(env, d, host_args):
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(f"{d}/server.crt", f"{d}/server.key")
    seen = []
    ctx.sni_callback = lambda sslobj, name, c: seen.append(name)
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    port = srv.getsockname()[1]

    def serve():
        try:
            conn_, _ = srv.accept()
            with ctx.wrap_socket(conn_, server_side=True) as t:
                t.recv(100)  # the CONNECT; then close without CONNACK
        except OSError:
            pass

    th = threading.Thread(target=serve, daemon=True)
    th.start()
    try:
        env.run([TOOL, "pub", *host_args, "-p", port, "--cafile", f"{d}/ca.crt", "--no-reconnect",
                 "--connect-timeout", 2000, "-t", "t", "-m", "x"], timeout=10)
        th.join(5)
    finally:
        srv.close()
    return seen


def case_tls(env):
    d = env.dir
    gen_certs(d)
    b = env.broker(extra=f"cafile {d}/ca.crt\ncertfile {d}/server.crt\nkeyfile {d}/server.key\n"
                         "require_certificate true\ntls_version tlsv1.2")
    tls = ["--cafile", f"{d}/ca.crt", "--cert", f"{d}/client.crt", "--key", f"{d}/client.key"]
    # Verified by IP SAN (127.0.0.1), then by name with SNI.
    for extra in ([], ["--sni", "localhost"]):
        sub = env.tool("sub", *conn(b), *tls, *extra, "-t", "secure/t", "-q", 2, "-C", 50,
                       "--ready", "--quiet")
        sub.wait_line("ready")
        r = env.run([TOOL, "pub", *conn(b), *tls, *extra, "-t", "secure/t", "-q", 2, "-n", 50,
                     "-m", "s{n}", "--quiet"])
        check(r.returncode == 0, r.stderr)
        check(sub.wait() == 0, "TLS sub failed")
        check(sub.messages() == [f"s{i}" for i in range(50)], str(sub.messages()[:3]))
    # SNI: a Python TLS server records the server name the client sends.
    check(sni_seen(env, d, ["-h", "127.0.0.1", "--sni", "localhost"]) == ["localhost"], "SNI")
    check(sni_seen(env, d, ["-h", "localhost"]) == ["localhost"], "SNI from the host name")
    check(sni_seen(env, d, ["-h", "127.0.0.1"]) == [None], "no SNI for an IP address")
    # Must fail: unknown CA, wrong name, no client certificate.
    bad = {
        "unknown CA": ["--cafile", f"{d}/otherca.crt", "--cert", f"{d}/client.crt", "--key",
                       f"{d}/client.key"],
        "name mismatch": tls + ["--sni", "wrong.example"],
        "no client certificate": ["--cafile", f"{d}/ca.crt"],
    }
    for what, args in bad.items():
        r = env.run([TOOL, "pub", *conn(b), *args, "-t", "secure/t", "-m", "x", "--no-reconnect"])
        check(r.returncode != 0, f"{what}: the connection should have failed")
        check("disconnected" in r.stderr, f"{what}: {r.stderr}")


def case_auth(env):
    d = env.dir
    pw = os.path.join(d, "passwd")
    open(pw, "w").close()
    r = env.run(["mosquitto_passwd", "-b", pw, "alice", "s3cret"])
    check(r.returncode == 0, r.stderr)
    os.chmod(pw, 0o644)
    b = env.broker(extra=f"password_file {pw}\nallow_anonymous false")
    # "allow_anonymous true" comes first in the file; Mosquitto takes the last value.
    sub = env.tool("sub", *conn(b), "-u", "alice", "-P", "s3cret", "-t", "auth/t", "-C", 1,
                   "--ready", "--quiet")
    sub.wait_line("ready")
    r = env.run([TOOL, "pub", *conn(b), "-u", "alice", "-P", "s3cret", "-t", "auth/t", "-m", "ok",
                 "--quiet"])
    check(r.returncode == 0, r.stderr)
    check(sub.wait() == 0, "sub failed")
    r = env.run([TOOL, "pub", *conn(b), "-u", "alice", "-P", "wrong", "-t", "auth/t", "-m", "x",
                 "--no-reconnect"])
    check(r.returncode != 0 and "Bad User Name or Password" in r.stderr + str(r.stdout)
          or "Not authorized" in r.stderr, "wrong password must be refused: " + r.stderr)


def case_reconnect_backoff(env):
    """No broker at first: the client retries with backoff and connects once one appears."""
    port = free_port()
    p = env.tool("sub", "-h", "127.0.0.1", "-p", port, "--backoff-min", "20", "--backoff-max",
                 "200", "-t", "late/t", "-C", 1, "--ready", name="late sub")
    time.sleep(0.3)  # let it fail a few times (this is the point of the test)
    check(p.proc.poll() is None, "the client must keep retrying")
    b = Broker(env.dir, name="late")
    b.port = port
    b.start(same_port=True)
    env.brokers.append(b)
    p.wait_line("ready", 10)
    r = env.run([TOOL, "pub", *conn(b), "-t", "late/t", "-m", "hello", "--quiet"])
    check(p.wait() == 0, "sub failed")
    check(p.messages() == ["hello"], str(p.messages()))


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0


def case_backpressure(env):
    """The broker freezes (SIGSTOP) under a QoS 0 flood and a QoS 1 stream: the publishers'
    memory stays bounded (bounded queue, publish() says queue_full) and after SIGCONT every
    QoS 1 message arrives."""
    b = env.broker()
    n0, n1, size = 60000, 3000, 2000
    sub = env.tool("sub", *conn(b), "-t", "bp/1", "-q", 1, "--ready", "--quiet", name="sub")
    sub.wait_line("ready")
    flood = env.tool("pub", *conn(b), "-t", "bp/0", "-q", 0, "-n", n0, "-s", size, "--queue",
                     500, "--quiet", name="qos0 flood")
    stream = env.tool("pub", *conn(b), "-t", "bp/1", "-q", 1, "-n", n1, "-m", "{n}", "--queue",
                      500, "--quiet", name="qos1 stream")
    wait_for(lambda: len(sub.messages()) >= 10, 10, "the stream to start")
    b.proc.send_signal(signal.SIGSTOP)
    try:
        time.sleep(0.8)  # the point of the test: the broker does not read for a while
        rss = [rss_mb(p.proc.pid) for p in (flood, stream)]
        check(flood.proc.poll() is None, "the flood cannot have finished against a frozen broker")
        check(max(rss) < 64, f"publisher memory must stay bounded: {rss} MB "
              f"(the flood alone is {n0 * size / 1e6:.0f} MB)")
    finally:
        b.proc.send_signal(signal.SIGCONT)
    check(flood.wait(60) == 0, "flood publisher failed")
    check(stream.wait(60) == 0, "stream publisher failed")
    wait_for(lambda: len(set(sub.messages())) >= n1, 20, "the whole QoS 1 stream")
    check(set(sub.messages()) == {str(i) for i in range(n1)}, "QoS 1 messages lost")
    print(f"publisher RSS while the broker was frozen: {rss[0]:.1f} / {rss[1]:.1f} MB")


def stats_of(lines):
    for l in lines:
        if l.startswith("stats:"):
            return {k: int(v) for k, v in (kv.split("=") for kv in l.split()[1:])}
    raise Fail("no stats line in " + "\n".join(lines))


def case_batching(env):
    """Many packets per system call: a QoS 0 burst of small messages is written in far fewer
    writes than messages, and read in fewer reads than messages (how many arrive per read
    depends on how the broker writes: Mosquitto sends each message on its own)."""
    b = env.broker()
    n = 20000
    sub = env.tool("sub", *conn(b), "-t", "batch/t", "-C", n, "--count-only", "--ready",
                   "--quiet", "--stats", name="sub")
    sub.wait_line("ready")
    r = env.run([TOOL, "pub", *conn(b), "-t", "batch/t", "-n", n, "-s", 50, "--quiet", "--stats"])
    check(r.returncode == 0, r.stderr)
    check(sub.wait() == 0, "sub failed")
    ps = stats_of(r.stderr.splitlines())
    ss = stats_of(sub.err)
    print(f"publisher: {n} messages in {ps['writes']} writes; subscriber: {ss['messages']} "
          f"messages in {ss['reads']} reads")
    check(ps["writes"] * 4 < n, f"publisher writes: {ps}")
    check(ss["messages"] == n and ss["reads"] < n, f"subscriber reads: {ss}")


def case_keepalive(env):
    """Keep-alive 1 s: PINGREQ keeps an idle connection up; a frozen broker (SIGSTOP) is
    detected by the missing PINGRESP, and the client reconnects once it thaws."""
    b = env.broker()
    sub = env.tool("sub", *conn(b), "-k", 1, "-t", "ka/t", "-q", 1, "--ready", name="sub")
    sub.wait_line("ready")
    time.sleep(2.5)  # idle for more than 2 keep-alive periods (this is what is tested)
    check(not any(l.startswith("disconnected") for l in sub.err), "idle connection kept: "
          + "\n".join(sub.err))
    b.proc.send_signal(signal.SIGSTOP)
    try:
        wait_for(lambda: any("keep-alive" in l for l in sub.err), 5, "keep-alive timeout")
    finally:
        b.proc.send_signal(signal.SIGCONT)
    wait_for(lambda: sum(l.startswith("connected") for l in sub.err) >= 2, 10, "reconnect")
    # The subscription was renewed (new session): a message gets through.
    def delivered():
        env.run([TOOL, "pub", *conn(b), "-t", "ka/t", "-q", 1, "-m", "after", "--quiet"])
        return "after" in sub.messages()
    wait_for(delivered, 10, "a message after the reconnect")


def case_connect_timeout(env):
    """A server that accepts TCP but never answers CONNECT: the connect timeout fires."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    port = srv.getsockname()[1]
    try:
        t0 = time.monotonic()
        r = env.run([TOOL, "pub", "-h", "127.0.0.1", "-p", port, "--connect-timeout", "300",
                     "--no-reconnect", "-t", "t", "-m", "x"], timeout=10)
        took = time.monotonic() - t0
        check(r.returncode != 0, "must fail")
        check("connect timeout" in r.stderr, r.stderr)
        check(took < 3, f"took {took:.2f} s")
    finally:
        srv.close()


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


def main():
    global TOOL
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=False)
    ap.add_argument("--case", action="append")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args()
    if a.list:
        print("\n".join(CASES))
        return 0
    TOOL = os.path.abspath(a.tool)
    failed = 0
    for name in a.case or list(CASES):
        env = Env()
        t0 = time.monotonic()
        try:
            CASES[name](env)
            print(f"PASS {name} ({time.monotonic() - t0:.2f} s)")
        except Exception as e:  # noqa: BLE001 - report everything as a test failure
            failed += 1
            print(f"FAIL {name}: {e}")
            for b in env.brokers:
                if os.path.exists(b.log):
                    print(f"--- {b.name} log ---\n" + open(b.log).read()[-3000:])
            for p in env.procs:
                print(f"--- {p.name} stderr ---\n" + "\n".join(p.err[-20:]))
        finally:
            env.close(a.keep)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
