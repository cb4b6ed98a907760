#!/usr/bin/env python3
"""End-to-end tests of MQTT 5 properties in rules and of the keyed-state metrics, against a real
Mosquitto started on a free 127.0.0.1 port (the helpers are e2e_rules.py's; the program is
programs/props.weir):

  props       a request with content type, expiry, response topic, correlation data, UTF-8
              flag and user properties: the rule sees them all and answers on the response
              topic with its own, which a subscriber receives; the answer as the subscriber
              recorded it (-F %j) replays with its properties (--replay);
  state_bytes weir_rule_state_bytes of a keyed rule grows with its keys (scraped over HTTP) and
              with each key's state, and the shutdown summary shows it;
  late        event-time readings out of order: the ones after their window fired are counted
              in weir_rule_late_total and in the summary.

    e2e_props.py --weir build/compiler/weir --tool build/runtime/mqtt/weir-mqtt \
                 --workdir build/tests/e2e/rules/bin --case props
"""
import argparse
import json
import os
import re
import signal
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import e2e_rules  # noqa: E402
from e2e_rules import (Env, FAST, check, expect, free_port, metric, program_command,  # noqa: E402
                       run_cases, scrape, wait_for, wait_ready)


def start(env, b):
    mport = free_port()
    rule = env.spawn([*program_command("props"), "--broker", f"mqtt://127.0.0.1:{b.port}",
                      "--metrics-port", mport], "props rule")
    wait_ready(rule, mport, timeout=30)
    return rule, mport


def publish_lines(env, b, topic, lines):
    """Publishes each line as one QoS 1 message on topic, in order."""
    r = env.run([e2e_rules.TOOL, "pub", "-h", "127.0.0.1", "-p", b.port, *FAST, "-t", topic, "-q", 1,
                 "-l", "--quiet"], input="\n".join(lines) + "\n")
    expect(r, 0, what=f"publisher on {topic}")


def settled(rule, mport, name, n):
    """Waits until the rule `name` has handled n messages and nothing is in flight; the metrics."""
    def done():
        check(rule.proc.poll() is None, f"the rule exited ({rule.proc.returncode}):\n" + "\n".join(rule.err[-20:]))
        body = scrape(mport)[1]
        return metric(body, "weir_rule_passed_total", name) >= n and metric(body, "weir_rule_in_flight") == 0
    wait_for(done, 30, f"{n} messages handled by `{name}`")
    return scrape(mport)[1]


def summary(rule):
    rule.kill(signal.SIGTERM)
    rc = rule.wait(15)
    err = "\n".join(rule.err + rule.out())
    check(rc == 143, f"status {rc} after SIGTERM:\n{err}")
    return err


def case_props(env):
    b = env.broker()
    rule, mport = start(env, b)
    col = env.sub(b, "-t", "resp/#", "-q", 1, "-C", 1, "--timeout", 20, "-F", "%j")
    col.wait_line("ready")
    r = env.run([e2e_rules.TOOL, "pub", "-h", "127.0.0.1", "-p", b.port, *FAST, "-t", "req/a", "-q", 1,
                 "-m", "hello", "--content-type", "text/plain", "--message-expiry", 300,
                 "--response-topic", "resp/a", "--correlation-data", "c-42", "--payload-utf8",
                 "--user-property", "k=v", "--user-property", "k=w", "--quiet"])
    expect(r, 0, what="publisher")
    check(col.wait(25) == 0, f"collector: status {col.proc.returncode}: {col.err}")
    got = json.loads(col.messages()[0])
    # What the rule saw: the broker forwards the expiry less the seconds the message waited.
    m = re.fullmatch(r'\(Just "text/plain",Just (\d+),\[\("k","v"\),\("k","w"\)\],Just \(Just "c-42"\),True\)',
                     got["payload"])
    check(m is not None and 295 <= int(m.group(1)) <= 300, f"the rule saw: {got['payload']!r}")
    p = got.get("properties", {})
    check(got["topic"] == "resp/a", f"answered on {got['topic']}")
    check(p.get("content_type") == "text/plain", f"content type received: {p}")
    check(115 <= p.get("message_expiry_interval", 0) <= 120, f"message expiry received: {p}")
    check(p.get("correlation_data") == "c-42", f"correlation data received: {p}")
    check(p.get("payload_format_indicator") == 1, f"payload format received: {p}")
    check(p.get("user_properties") == [["answered-by", "weir"]], f"user properties received: {p}")
    # The answer as weir-mqtt recorded it (-F %j) replays as it is: the rule sees its properties.
    rec = os.path.join(env.dir, "recorded.jsonl")
    with open(rec, "w") as f:
        f.write(json.dumps(dict(got, topic="req/recorded")) + "\n")
    r = env.run([*program_command("props"), "--replay", rec])
    want = (f'props/noreply (Just "text/plain",Just {p["message_expiry_interval"]},[("answered-by","weir")],'
            f'Just (Just "c-42"),True)\n')
    check(r.returncode == 0 and r.stdout == want, f"replay of the recording: {r.stdout!r}\n{r.stderr}")
    # No properties: the rule's record says so.
    col2 = env.sub(b, "-t", "props/noreply", "-q", 1, "-C", 1, "--timeout", 20, name="collector 2")
    col2.wait_line("ready")
    expect(env.run([e2e_rules.TOOL, "pub", "-h", "127.0.0.1", "-p", b.port, *FAST, "-t", "req/b", "-q", 1,
                    "-m", "x", "--quiet"]), 0, what="publisher 2")
    check(col2.wait(25) == 0, f"collector 2: {col2.err}")
    check(col2.messages() == ["(Nothing,Nothing,[],Nothing,False)"], f"no properties: {col2.messages()}")
    summary(rule)


def case_state_bytes(env):
    b = env.broker()
    rule, mport = start(env, b)
    name = "keyed keys/+"
    check(metric(scrape(mport)[1], "weir_rule_state_bytes", name) == 0, "no state before any key")

    def send(ids, ts):
        publish_lines(env, b, "keys/x", [json.dumps({"id": i, "ts": ts}) for i in ids])
    send(range(100), 5000)
    body = settled(rule, mport, name, 100)
    keys1, b1 = metric(body, "weir_rule_keys", name), metric(body, "weir_rule_state_bytes", name)
    send(range(100, 300), 5000)
    body = settled(rule, mport, name, 300)
    keys2, b2 = metric(body, "weir_rule_keys", name), metric(body, "weir_rule_state_bytes", name)
    check((keys1, keys2) == (100, 300), f"keys {keys1}, {keys2}")
    check(b1 > 0 and abs(b2 / b1 - 3) < 0.2, f"state bytes with 100 keys {b1}, with 300 keys {b2}: not linear")
    send(range(100), 6000)   # a second reading for the first 100 keys: their states grow
    body = settled(rule, mport, name, 400)
    b3 = metric(body, "weir_rule_state_bytes", name)
    check(b3 > b2, f"state bytes after the states grew: {b3}, before {b2}")
    check(metric(body, "weir_rule_state_bytes", "on req/+") == 0, "a stateless rule has no state bytes")
    err = summary(rule)
    row = re.search(r"^keyed keys/\+\s+300\s+0\s+(\d+)\s*$", err, re.M)
    check(row is not None and int(row.group(1)) == b3, f"summary row of `{name}` (bytes {b3}):\n{err}")
    print(f"state_bytes: {b1:.0f} B for 100 keys, {b2:.0f} B for 300, {b3:.0f} B after 100 grew "
          f"({b2 / 300:.0f} B per key)")


def case_late(env):
    b = env.broker()
    rule, mport = start(env, b)
    name = "windowed late/+"
    col = env.sub(b, "-t", "late/out", "-q", 1, "-C", 1, "--timeout", 20)
    col.wait_line("ready")
    # Lateness 1 s, tumbling 10 s: 25000 moves the watermark to 24000 and fires [0, 10000);
    # 3000 and 8000 come after it fired (late); 12000 is in [10000, 20000), which has fired too.
    ts = [0, 25000, 3000, 8000, 12000, 24500, 26000]
    publish_lines(env, b, "late/a", [json.dumps({"id": i, "ts": t}) for i, t in enumerate(ts)])
    body = settled(rule, mport, name, len(ts))
    check(metric(body, "weir_rule_late_total", name) == 3, "late readings: "
          + str(metric(body, "weir_rule_late_total", name)))
    check(metric(body, "weir_rule_late_total", "keyed keys/+") == 0, "no late readings for the keyed rule")
    check(col.wait(25) == 0 and col.messages() == ["a [0]"], f"the window that fired: {col.messages()}")
    err = summary(rule)
    check(re.search(r"^windowed late/\+\s+1\s+3\s+\d+\s*$", err, re.M) is not None, f"summary row of `{name}`:\n{err}")


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weir")
    ap.add_argument("--tool")
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "weir-rules-e2e-bin"))
    ap.add_argument("--case", action="append")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args()
    e2e_rules.WEIR, e2e_rules.TOOL = os.path.abspath(a.weir), os.path.abspath(a.tool)
    e2e_rules.WORKDIR = os.path.abspath(a.workdir)
    return run_cases(CASES, a.case or list(CASES), Env, a.keep)


if __name__ == "__main__":
    sys.exit(main())
