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


def expect(r, status, *texts, what=""):
    """A finished process (subprocess.run result): its exit status and its message are checked
    separately, so a wrong status never passes because the message happens to match."""
    out = (r.stderr or "") + (r.stdout or "")
    check(r.returncode == status,
          f"{what}: exit status {r.returncode}, expected {status}; output:\n{out}")
    for t in texts:
        check(t in out, f"{what}: expected '{t}' in the output:\n{out}")


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

    def __init__(self, workdir, extra="", persistence=False, name="broker", debug=False):
        self.dir = workdir
        self.debug = debug
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
                 "log_type warning", "log_type notice", "log_type information"]
        if self.debug:
            lines.append("log_type all")
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
                        seen = self.connections()
                        with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                            if self.proc.poll() is None:
                                # Connection counts start after this probe is in the log.
                                wait_for(lambda: self.connections() > seen, 2, "the probe in the log")
                                return self
                    except OSError:
                        pass
                time.sleep(0.01)
            self.stop()
            if same_port:  # the port may still be in TIME_WAIT use; retry on the same one
                time.sleep(0.1)
        raise Fail("mosquitto did not start; log:\n" + open(self.log).read())

    def connections(self):
        """TCP connections the broker accepted so far (Mosquitto logs each one: "New connection
        from", or "Client connection from ... failed" when a TLS handshake fails before that,
        which depends on timing, e.g. when the client sends no certificate)."""
        with open(self.log) as f:
            return sum("New connection from" in l or ("Client connection from" in l and "failed" in l)
                       for l in f)

    def log_lines(self):
        with open(self.log) as f:
            return f.read().splitlines()

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
    """One case's world: a folder, the brokers, processes and fake servers it started (all
    stopped by close). tests/e2e/rules/e2e_rules.py extends it."""

    def __init__(self, prefix="weir-mqtt-e2e-"):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        # Mosquitto started as root drops to the "mosquitto" user: it must read the
        # generated files and write its persistence file here.
        os.chmod(self.dir, 0o777)
        self.procs = []
        self.brokers = []
        self.fakes = []

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

    def fake(self, handler):
        f = FakeServer(handler)
        self.fakes.append(f)
        return f

    def close(self, keep):
        for f in self.fakes:
            f.close()
        for p in self.procs:
            p.kill()
        for b in self.brokers:
            b.stop(signal.SIGKILL)
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)


def conn(b):
    return ["-h", "127.0.0.1", "-p", b.port] + FAST


class FakeServer:
    """A scripted MQTT server on a free 127.0.0.1 port for what Mosquitto will not do (send
    garbage, never acknowledge, speak only 3.1.1). Counts the connections it accepted;
    handler(server, sock) runs for each in its own thread, with socket timeouts."""

    def __init__(self, handler):
        self.handler = handler
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.seen = []  # what handlers record
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.done.is_set():
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            with self.lock:
                self.connections += 1
            threading.Thread(target=self._run, args=(c,), daemon=True).start()

    def _run(self, c):
        c.settimeout(5)
        try:
            self.handler(self, c)
        except OSError:
            pass
        finally:
            c.close()

    def record(self, x):
        with self.lock:
            self.seen.append(x)

    def close(self):
        self.done.set()
        self.thread.join(2)
        self.sock.close()


def read_packet(c):
    """One MQTT packet from a socket: (first byte, body), or None at EOF."""
    def exact(n):
        b = b""
        while len(b) < n:
            chunk = c.recv(n - len(b))
            if not chunk:
                return None
            b += chunk
        return b
    h = exact(1)
    if h is None:
        return None
    n, mult = 0, 1
    for _ in range(4):
        d = exact(1)
        if d is None:
            return None
        n += (d[0] & 0x7F) * mult
        mult *= 128
        if d[0] < 0x80:
            break
    body = exact(n) if n else b""
    return (h[0], body) if body is not None else None


def connect_level(body):
    """The protocol level of a CONNECT body (4 = 3.1.1, 5 = 5.0)."""
    return body[6]


CONNACK_V5_OK = bytes([0x20, 0x03, 0x00, 0x00, 0x00])
CONNACK_V3_OK = bytes([0x20, 0x02, 0x00, 0x00])


def connack_ok(body):
    return CONNACK_V5_OK if connect_level(body) == 5 else CONNACK_V3_OK


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
    # Permanent: reported with the cause, never retried (no --no-reconnect here), one
    # connection each.
    causes = {"unknown CA": "self-signed certificate in certificate chain",
              "name mismatch": "not valid for 'wrong.example'",
              "no client certificate": "TLS with 127.0.0.1"}
    for what, args in bad.items():
        before = b.connections()
        t0 = time.monotonic()
        r = env.run([TOOL, "pub", *conn(b), *args, "-t", "secure/t", "-m", "x"], timeout=20)
        expect(r, 1, causes[what], what=what)
        wait_for(lambda: b.connections() > before, 5, "the broker to log the connection")
        time.sleep(0.3)  # a retry (backoff 50 ms) would show up by now
        check(b.connections() - before == 1,
              f"{what}: {b.connections() - before} connections, expected 1 (no retry)")
        check(time.monotonic() - t0 < 10, f"{what}: took {time.monotonic() - t0:.1f} s")


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
    # A wrong password is permanent: exit 1 with the broker's reason, one connection, no
    # retry even though reconnecting is on (no --no-reconnect).
    for version, text in (([], "connection refused: Not authorized (reason code 0x87)"),
                          (["--v311"], "connection refused: Not authorized (MQTT 3.1.1 return code 5)")):
        before = b.connections()
        r = env.run([TOOL, "pub", *conn(b), *version, "-u", "alice", "-P", "wrong", "-t", "auth/t",
                     "-m", "x"], timeout=20)
        expect(r, 1, text, what="wrong password " + str(version))
        time.sleep(0.3)  # a retry (backoff 50 ms) would show up by now
        check(b.connections() - before == 1,
              f"wrong password {version}: {b.connections() - before} connections, expected 1")


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



# ---- errors: permanent ones stop, transient ones back off, nothing is silent ----------------

def case_invalid_arguments(env):
    """Everything invalid in a command line is refused before connecting: exit 64, a message
    naming the option or field, and the broker saw no connection at all."""
    b = env.broker()
    base = b.connections()  # the readiness probe of Broker.start
    long_id = "a" * 70000
    rows = [
        (["sub", "-t", "a/#/b"], "topic filter 'a/#/b': '#' must be a whole level and the last one"),
        (["sub", "-t", ""], "topic filter must not be empty"),
        (["sub", "-t", "a/b+"], "topic filter 'a/b+': '+' must be a whole level"),
        (["sub", "-t", "a", "--retain-handling", "3"], "--retain-handling: Value 3 not in range 0 to 2"),
        (["sub", "-t", "$share/g"], "$share/<group>/<filter>"),
        (["sub", "-t", "a", "-q", "3"], "--qos: Value 3 not in range 0 to 2"),
        (["pub", "-t", "x", "-m", "y", "--will-topic", "w/#"],
         "will: topic name 'w/#': a topic name must not contain '+' or '#'"),
        (["pub", "-t", "x", "-m", "y", "--will-topic", "w", "--will-qos", "3"],
         "--will-qos: Value 3 not in range 0 to 2"),
        (["pub", "-t", "x", "-m", "y", "-i", long_id],
         "client identifier is 70000 bytes long; MQTT strings hold at most 65535 bytes"),
        (["pub", "-t", "a/+", "-m", "y"], "topic name 'a/+': a topic name must not contain"),
        (["pub", "-t", "x", "-s", "300000000"],
         "message of 300000011 bytes: an MQTT packet holds at most 268435455 bytes"),
        (["pub", "--v311", "-t", "x", "-s", "300000000"], "an MQTT packet holds at most 268435455 bytes"),
        (["pub", "-t", "x", "-m", "y", "--message-expiry", "-1"], "--message-expiry"),
        (["pub", "-t", "x", "-m", "y", "--user-property", "novalue"], "expected KEY=VALUE"),
    ]
    for argv, text in rows:
        r = env.run([TOOL, argv[0], *conn(b), *argv[1:]])
        expect(r, 64, text, what=" ".join(a[:30] for a in argv))
    # Numeric options, named in the message (these replace the host/port given by conn()).
    for argv, text in ((["-p", "abc"], "--port: Value abc"), (["-p", "70000"], "--port: Value 70000 not in range 1 to 65535"),
                       (["-k", "70000"], "--keepalive: Value 70000 not in range 0 to 65535"),
                       (["--inflight", "0"], "--inflight: Value 0 not in range 1 to 65535")):
        r = env.run([TOOL, "pub", "-t", "x", "-m", "y", *argv])
        expect(r, 64, text, what=" ".join(argv))
    time.sleep(0.2)
    check(b.connections() == base, f"the broker saw {b.connections() - base} connections, expected none")


def case_unknown_host(env):
    """DNS "no such host" is permanent: exit 1 with the cause at once, also without
    --no-reconnect (it used to hang silently), and nothing is printed as published."""
    for extra in ([], ["--no-reconnect"]):
        t0 = time.monotonic()
        r = env.run([TOOL, "pub", "-h", "no-such-host.invalid", *FAST, "-t", "t", "-m", "x", *extra],
                    timeout=20)
        expect(r, 1, "resolve no-such-host.invalid: Host not found", what=f"unknown host {extra}")
        check("published" not in r.stderr, "nothing was published: " + r.stderr)
        check(time.monotonic() - t0 < 5, f"took {time.monotonic() - t0:.1f} s")


def case_refused_messages(env):
    """The broker refuses a publish (ACL, PUBACK 0x87) or a subscription (SUBACK 0x87):
    exit 1 with the reason; one connection each (a refused message is not a reason to
    reconnect)."""
    d = env.dir
    acl = os.path.join(d, "acl")
    with open(acl, "w") as f:
        f.write("topic readwrite open/#\n")
    os.chmod(acl, 0o644)
    b = env.broker(extra=f"acl_file {acl}", debug=True)
    before = b.connections()
    r = env.run([TOOL, "pub", *conn(b), "-t", "closed/t", "-q", 1, "-n", 3, "-m", "x{n}"])
    expect(r, 1, "message refused: Not authorized (0x87)", "3 of 3 messages were not delivered",
           what="publish refused")
    check(b.connections() - before == 1, f"{b.connections() - before} connections, expected 1")
    r = env.run([TOOL, "pub", *conn(b), "-t", "open/t", "-q", 1, "-m", "fine", "--quiet"])
    expect(r, 0, what="an allowed topic")
    # Mosquitto 2.0 grants SUBSCRIBEs its ACL denies (it filters deliveries instead), so a
    # scripted server refuses the subscription.
    f = env.fake(refuse_subscription)
    r = env.run([TOOL, "sub", "-h", "127.0.0.1", "-p", f.port, *FAST, "-t", "closed/#", "-q", 1,
                 "-C", 1], timeout=20)
    expect(r, 1, "subscription to 'closed/#' refused: Not authorized (0x87)", what="subscribe refused")
    check(f.connections == 1, f"{f.connections} connections, expected 1")


def refuse_subscription(server, c):
    p = read_packet(c)
    if p is None:
        return
    c.sendall(connack_ok(p[1]))
    q = read_packet(c)
    if q is None or q[0] >> 4 != 8:
        return
    c.sendall(bytes([0x90, 0x04, q[1][0], q[1][1], 0x00, 0x87]))  # SUBACK 0x87
    read_packet(c)


def case_max_packet_size(env):
    """The server announces Maximum Packet Size 1000: a larger message fails alone, before it
    is sent (exit 1, the limit named), the smaller ones are delivered on the same connection."""
    b = env.broker(extra="max_packet_size 1000")
    sub = env.tool("sub", *conn(b), "-t", "mps/t", "-q", 1, "--ready", "--quiet", name="sub")
    sub.wait_line("ready")
    before = b.connections()
    r = env.run([TOOL, "pub", *conn(b), "-t", "mps/t", "-q", 1, "-s", 2000, "--quiet"])
    expect(r, 1, "message of 2", "exceeds the server's Maximum Packet Size of 1000 bytes",
           what="a 2000-byte message")
    check(b.connections() - before == 1, f"{b.connections() - before} connections")
    check(not any("ping" in l.lower() or "disconnected due to" in l.lower() for l in b.log_lines()
                  if "exceeded" in l.lower()), "the broker never saw an oversized packet")
    r = env.run([TOOL, "pub", *conn(b), "-t", "mps/t", "-q", 1, "-m", "small", "--quiet"])
    expect(r, 0, what="a small message")
    wait_for(lambda: "small" in sub.messages(), 10, "the small message")
    check(sub.messages() == ["small"], str(sub.messages()))


def malformed_after_connack(server, c):
    p = read_packet(c)
    if p is None:
        return
    c.sendall(connack_ok(p[1]))
    c.sendall(bytes([0x36, 0x03, 0x00, 0x01, 0x61]))  # PUBLISH with QoS 3: malformed
    read_packet(c)  # our DISCONNECT, or EOF


def case_malformed_after_connack(env):
    """A server that accepts and then sends a malformed packet: transient, but the backoff
    does not reset on CONNACK (only after a healthy period), so the attempts thin out
    exponentially instead of ~13 per second forever."""
    f = env.fake(malformed_after_connack)
    p = env.tool("sub", "-h", "127.0.0.1", "-p", f.port, "--backoff-min", 50, "--backoff-max", 5000,
                 "--healthy-after", 5000, "-t", "x", name="sub")
    time.sleep(3.0)  # the point of the test: count attempts over a fixed window
    check(p.proc.poll() is None, "transient: the client keeps trying: " + "\n".join(p.err))
    p.kill()
    n = f.connections
    # 50, 100, 200, 400, 800, 1600 ms (each jittered to [d/2, d]) fit at most ~9 attempts in
    # 3 s; the old behaviour (backoff reset by each CONNACK) made about 40-60.
    check(2 <= n <= 9, f"{n} connections in 3 s")
    errs = [l for l in p.err if l.startswith("disconnected:")]
    check(errs and all("malformed packet from the server" in l for l in errs), "\n".join(p.err))
    delays = [int(l.rsplit("retrying in ", 1)[1].split()[0]) for l in errs]
    check(delays[-1] >= 400 if len(delays) >= 5 else True, f"delays grow: {delays}")


def refuse_unavailable(server, c):
    p = read_packet(c)
    if p is not None:
        c.sendall(bytes([0x20, 0x03, 0x00, 0x88, 0x00]))  # CONNACK 0x88 Server unavailable


def case_transient_refusal(env):
    """CONNACK 0x88 (Server unavailable) is transient: retried with growing delays, the cause
    printed each time, the process keeps running."""
    f = env.fake(refuse_unavailable)
    p = env.tool("pub", "-h", "127.0.0.1", "-p", f.port, "--backoff-min", 50, "--backoff-max", 5000,
                 "-t", "x", "-m", "y", name="pub")
    time.sleep(2.0)
    check(p.proc.poll() is None, "transient: still trying: " + "\n".join(p.err))
    p.kill()
    check(2 <= f.connections <= 8, f"{f.connections} connections in 2 s")
    check(any("connection refused: Server unavailable (reason code 0x88)" in l for l in p.err),
          "\n".join(p.err))


def swallow_publishes(server, c):
    p = read_packet(c)
    if p is None:
        return
    with server.lock:
        resumed = server.connections > 1
    # From the second connection on, "session present": the client must resend with DUP.
    c.sendall(bytes([0x20, 0x03, 0x01, 0x00, 0x00]) if resumed else connack_ok(p[1]))
    while True:
        q = read_packet(c)
        if q is None:
            return
        if q[0] >> 4 == 3:
            server.record(q[0])  # the first byte: DUP flag 0x08


def case_ack_timeout(env):
    """A server that never sends PUBACK: the acknowledgement timeout closes the connection;
    with --no-reconnect pub exits 1 with the cause, otherwise it reconnects and resends
    with DUP set."""
    f = env.fake(swallow_publishes)
    t0 = time.monotonic()
    r = env.run([TOOL, "pub", "-h", "127.0.0.1", "-p", f.port, "-t", "t", "-q", 1, "-m", "x",
                 "--ack-timeout", 500, "--no-reconnect"], timeout=20)
    expect(r, 1, "no PUBACK for PUBLISH 1 within 500 ms", what="ack timeout")
    check(time.monotonic() - t0 < 4, f"took {time.monotonic() - t0:.1f} s")
    check(f.connections == 1, f"{f.connections} connections")
    f2 = env.fake(swallow_publishes)
    p = env.tool("pub", "-h", "127.0.0.1", "-p", f2.port, "-i", "acker", "-c", "-t", "t", "-q", 1,
                 "-m", "x", "--ack-timeout", 300, "--backoff-min", 50, name="pub")
    wait_for(lambda: f2.connections >= 3, 10, "reconnects after ack timeouts")
    p.kill()
    with f2.lock:
        firsts = list(f2.seen)
    check(len(firsts) >= 2 and not firsts[0] & 0x08 and all(x & 0x08 for x in firsts[1:]),
          f"resent with DUP: {[hex(x) for x in firsts]}")


def partial_publish(server, c):
    p = read_packet(c)
    if p is None:
        return
    c.sendall(connack_ok(p[1]))
    read_packet(c)  # SUBSCRIBE
    c.sendall(bytes([0x30, 0x20, 0x00, 0x01]))  # a PUBLISH of 34 bytes, 4 sent, then silence
    time.sleep(3)


def case_packet_timeout(env):
    """A packet that starts and never finishes: closed after --packet-timeout, with the
    byte counts in the message."""
    f = env.fake(partial_publish)
    t0 = time.monotonic()
    r = env.run([TOOL, "sub", "-h", "127.0.0.1", "-p", f.port, "-t", "t", "--packet-timeout", 400,
                 "--ack-timeout", 0, "--no-reconnect"], timeout=20)
    expect(r, 1, "a packet from the server did not finish arriving within 400 ms (4 of 34 bytes)",
           what="packet timeout")
    check(time.monotonic() - t0 < 2.5, f"took {time.monotonic() - t0:.1f} s")


def only_v311(server, c):
    p = read_packet(c)
    if p is None:
        return
    level = connect_level(p[1])
    server.record(("level", level))
    if level != 4:
        c.sendall(bytes([0x20, 0x02, 0x00, 0x01]))  # 3.1.1: unacceptable protocol version
        return
    c.sendall(CONNACK_V3_OK)
    while True:
        q = read_packet(c)
        if q is None or q[0] >> 4 == 14:
            return
        if q[0] >> 4 == 3:
            server.record(("publish", q[1][-5:]))


def case_v311_fallback(env):
    """A 3.1.1-only server: a 5.0 client is told the real cause (exit 1, one connection);
    with --v311-fallback it connects again with 3.1.1 and delivers."""
    f = env.fake(only_v311)
    r = env.run([TOOL, "pub", "-h", "127.0.0.1", "-p", f.port, *FAST, "-t", "t", "-m", "hello"])
    expect(r, 1, "the server does not support MQTT 5.0", what="5.0 against 3.1.1")
    check(f.connections == 1, f"{f.connections} connections")
    f2 = env.fake(only_v311)
    r = env.run([TOOL, "pub", "-h", "127.0.0.1", "-p", f2.port, *FAST, "-t", "t", "-m", "hello",
                 "--v311-fallback"])
    expect(r, 0, "trying again with MQTT 3.1.1", what="fallback")
    time.sleep(0.1)
    with f2.lock:
        seen = list(f2.seen)
    check(seen[:2] == [("level", 5), ("level", 4)] and ("publish", b"hello") in seen, str(seen))


def case_sub_count_qos2(env):
    """sub -C N at QoS 2 finishes every PUBREL/PUBCOMP it started before DISCONNECT (the broker
    logs as many PUBCOMPs received as PUBRELs sent, and a clean disconnect); with a persistent
    session the messages after the Nth are not acknowledged, so the next run gets them."""
    b = env.broker(debug=True)
    sub = env.tool("sub", *conn(b), "-i", "q2sub", "-t", "q2/t", "-q", 2, "-C", 5, "--ready",
                   "--quiet", name="sub")
    sub.wait_line("ready")
    r = env.run([TOOL, "pub", *conn(b), "-t", "q2/t", "-q", 2, "-n", 20, "-m", "m{n}", "--quiet"])
    expect(r, 0, what="publisher")
    check(sub.wait() == 0, "sub failed: " + "\n".join(sub.err))
    check(sub.messages() == [f"m{i}" for i in range(5)], str(sub.messages()))
    log = b.log_lines()
    rel = sum("Sending PUBREL to q2sub" in l for l in log)
    comp = sum("Received PUBCOMP from q2sub" in l for l in log)
    check(rel >= 5 and comp == rel, f"PUBREL sent {rel}, PUBCOMP received {comp}")
    check(any("Client q2sub disconnected." in l for l in log), "a clean DISCONNECT")
    check(not any("q2sub" in l and ("Socket error" in l or "closed its connection" in l) for l in log),
          "no broken connection: " + "\n".join(l for l in log if "q2sub" in l)[-2000:])
    # At-least-once across runs: QoS 1, persistent session, 12 messages read 5 + 7.
    first = env.tool("sub", *conn(b), "-i", "alo", "-c", "-t", "alo/t", "-q", 1, "-C", 5, "--ready",
                     "--quiet", name="first")
    first.wait_line("ready")
    r = env.run([TOOL, "pub", *conn(b), "-t", "alo/t", "-q", 1, "-n", 12, "-m", "a{n}", "--quiet"])
    expect(r, 0, what="publisher")
    check(first.wait() == 0, "first run failed")
    second = env.tool("sub", *conn(b), "-i", "alo", "-c", "-t", "alo/t", "-q", 1, "-C", 7,
                      "--timeout", 10, "--quiet", name="second")
    check(second.wait() == 0, "second run failed: " + "\n".join(second.err))
    got = first.messages() + second.messages()
    check(first.messages() == [f"a{i}" for i in range(5)], str(first.messages()))
    check(sorted(set(got), key=lambda x: int(x[1:])) == [f"a{i}" for i in range(12)],
          f"every message once the two runs are combined: {got}")


def case_cli_parity(env):
    """mosquitto_pub/sub parity: -f, -l (all lines delivered before exit), MQTT 5 properties
    on publish and in -F output (also JSON), -v."""
    import json
    b = env.broker()
    d = env.dir
    payload = os.path.join(d, "payload.bin")
    with open(payload, "wb") as f:
        f.write(b"from a file\x00with a zero byte")
    sub = env.tool("sub", *conn(b), "-t", "cli/file", "-F", "%l", "-C", 1, "--ready", "--quiet",
                   name="file sub")
    sub.wait_line("ready")
    r = env.run([TOOL, "pub", *conn(b), "-t", "cli/file", "-q", 1, "-f", payload, "--quiet"])
    expect(r, 0, what="-f")
    check(sub.wait() == 0, "file sub failed")
    check(sub.messages() == [str(os.path.getsize(payload))], str(sub.messages()))

    n = 3000
    sub = env.tool("sub", *conn(b), "-t", "cli/lines", "-q", 1, "-C", n, "--count-only", "--ready",
                   "--quiet", "--timeout", 30, name="lines sub")
    sub.wait_line("ready")
    p = subprocess.Popen([TOOL, "pub", *[str(x) for x in conn(b)], "-t", "cli/lines", "-q", "1",
                          "-l", "--quiet"], stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    p.stdin.write("".join(f"line {i}\n" for i in range(n)))
    time.sleep(0.3)  # input kept open for a while, as a producer would
    p.stdin.close()
    try:
        rc = p.wait(30)
    except subprocess.TimeoutExpired:
        p.kill()
        raise Fail("pub -l did not exit")
    check(rc == 0, "pub -l exit status %d: %s" % (rc, p.stderr.read()))
    check(sub.wait() == 0, "lines sub failed: " + "\n".join(sub.err))
    check(sub.messages() == [str(n)], f"pub -l delivered every line: {sub.messages()}")

    fmt = "%t|%p|%q|%r|%C|%E|%R|%D|%P|%F"
    sub = env.tool("sub", *conn(b), "-t", "cli/props", "-q", 1, "-F", fmt, "-C", 1, "--ready",
                   "--quiet", name="props sub")
    jsub = env.tool("sub", *conn(b), "-t", "cli/props", "-q", 1, "-F", "%j", "-C", 1, "--ready",
                    "--quiet", name="json sub")
    vsub = env.tool("sub", *conn(b), "-t", "cli/#", "-q", 1, "-v", "-C", 1, "--ready", "--quiet",
                    name="-v sub")
    for s_ in (sub, jsub, vsub):
        s_.wait_line("ready")
    r = env.run([TOOL, "pub", *conn(b), "-t", "cli/props", "-q", 1, "-m", "hello", "--user-property",
                 "k1=v1", "--user-property", "k2=v=2", "--content-type", "text/plain",
                 "--message-expiry", 120, "--response-topic", "cli/reply", "--correlation-data",
                 "c-42", "--payload-utf8", "--quiet"])
    expect(r, 0, what="publish with properties")
    for s_ in (sub, jsub, vsub):
        check(s_.wait() == 0, s_.name + " failed")
    line = sub.messages()[0].split("|")
    check(line[:5] == ["cli/props", "hello", "1", "0", "text/plain"] and line[5] in ("120", "119")
          and line[6:] == ["cli/reply", "c-42", "k1:v1 k2:v=2", "1"], str(line))
    j = json.loads(jsub.messages()[0])
    props = j.get("properties", {})
    check(j["topic"] == "cli/props" and j["payload"] == "hello" and j["qos"] == 1 and
          props.get("content_type") == "text/plain" and props.get("response_topic") == "cli/reply"
          and props.get("correlation_data") == "c-42" and
          props.get("user_properties") == [["k1", "v1"], ["k2", "v=2"]], str(j))
    check(vsub.messages() == ["cli/props hello"], str(vsub.messages()))

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
    return run_cases(CASES, a.case or list(CASES), Env, a.keep)


def run_cases(cases, names, make_env, keep):
    """Runs the named cases, each in a fresh environment (its brokers and processes stopped
    after, also on failure); on failure prints the brokers' logs and the processes' stderr.
    Shared with tests/e2e/rules/e2e_rules.py. Returns the exit status."""
    failed = 0
    for name in names:
        env = make_env()
        t0 = time.monotonic()
        try:
            cases[name](env)
            print(f"PASS {name} ({time.monotonic() - t0:.2f} s)")
        except Exception as e:  # noqa: BLE001 - report everything as a test failure
            failed += 1
            print(f"FAIL {name} ({time.monotonic() - t0:.2f} s): {e}")
            for b in env.brokers:
                if os.path.exists(b.log):
                    print(f"--- {b.name} log ---\n" + open(b.log).read()[-3000:])
            for p in env.procs:
                print(f"--- {p.name} stderr ---\n" + "\n".join(p.err[-20:]))
        finally:
            env.close(keep)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
