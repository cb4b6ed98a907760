// The session state machine, driven by hand like a transport would, against a scripted server.
#include <catch2/catch.hpp>
#include "helpers.hpp"
#include "session_harness.hpp"
#include "weir/mqtt/reason.hpp"
#include "weir/mqtt/session.hpp"

using namespace weir::mqtt;
using namespace mqtt_test;
using namespace std::chrono_literals;


TEST_CASE("session: CONNECT carries the configuration") {
  SessionConfig c;
  c.client_id = "dev1";
  c.session_expiry = 3600;
  c.receive_maximum = 10;
  c.max_packet_size = 4096;
  c.keep_alive = 30;
  c.username = "u";
  c.password = "p";
  c.will = Will{"dead/dev1", "bye", 1, true, {}};
  Harness h(c);
  h.s.connection_opened(h.now);
  auto out = h.sent();
  REQUIRE(out.size() == 1);
  auto& con = std::get<Connect>(out[0]);
  CHECK(con.client_id == "dev1");
  CHECK(con.clean_start);
  CHECK(con.keep_alive == 30);
  CHECK(con.props.num(PropId::session_expiry_interval) == 3600u);
  CHECK(con.props.num(PropId::receive_maximum) == 10u);
  CHECK(con.props.num(PropId::maximum_packet_size) == 4096u);
  CHECK(con.will->topic == "dead/dev1");
  CHECK(con.username == "u");
  // A packet before CONNACK is a protocol error.
  h.server(Pingresp{});
  auto ev = h.events();
  REQUIRE(only_ev<ClosedEvent>(ev).size() == 1);
  CHECK(only_ev<ClosedEvent>(ev)[0].reason == rc::protocol_error);
}

TEST_CASE("session: refused CONNACK closes with the reason") {
  Harness h(SessionConfig{});
  h.s.connection_opened(h.now);
  h.sent();
  h.server(Connack{false, rc::not_authorized, {}});
  auto closed = only_ev<ClosedEvent>(h.events());
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].reason == rc::not_authorized);
  CHECK(closed[0].by_server);
}

TEST_CASE("session: QoS 1 and QoS 2 outgoing flows") {
  Harness h(SessionConfig{});
  h.connect();
  auto r1 = h.s.publish(msg("a/b", "one", 1));
  auto r2 = h.s.publish(msg("a/b", "two", 2));
  auto r0 = h.s.publish(msg("a/b", "zero", 0));
  REQUIRE(r1.status == Accept::ok);
  REQUIRE(r2.status == Accept::ok);
  REQUIRE(r0.status == Accept::ok);
  auto pubs = only<Publish>(h.sent());
  REQUIRE(pubs.size() == 3);
  CHECK(pubs[0].packet_id == 1);
  CHECK(pubs[1].packet_id == 2);
  CHECK(pubs[2].packet_id == 0);
  CHECK(h.s.inflight() == 2);
  h.server(Puback{{1, 0, {}}});
  auto done = only_ev<PublishDoneEvent>(h.events());
  REQUIRE(done.size() == 1);
  CHECK(done[0].token == r1.token);
  h.server(Pubrec{{2, 0, {}}});
  auto rel = only<Pubrel>(h.sent());
  REQUIRE(rel.size() == 1);
  CHECK(rel[0].packet_id == 2);
  CHECK(only_ev<PublishDoneEvent>(h.events()).empty());
  h.server(Pubcomp{{2, 0, {}}});
  done = only_ev<PublishDoneEvent>(h.events());
  REQUIRE(done.size() == 1);
  CHECK(done[0].token == r2.token);
  CHECK(h.s.inflight() == 0);
  // A failing PUBREC ends the QoS 2 flow without PUBREL.
  auto r3 = h.s.publish(msg("a/b", "three", 2));
  auto id3 = only<Publish>(h.sent()).at(0).packet_id;
  h.server(Pubrec{{id3, rc::quota_exceeded, {}}});
  CHECK(only<Pubrel>(h.sent()).empty());
  done = only_ev<PublishDoneEvent>(h.events());
  REQUIRE(done.size() == 1);
  CHECK(done[0].token == r3.token);
  CHECK(done[0].reason == rc::quota_exceeded);
}

TEST_CASE("session: QoS 1 and QoS 2 incoming flows, duplicates delivered once") {
  Harness h(SessionConfig{});
  h.connect();
  Publish p = msg("x", "q1", 1);
  p.packet_id = 7;
  h.server(p);
  auto ev = only_ev<MessageEvent>(h.events());
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].msg.payload == "q1");
  auto acks = only<Puback>(h.sent());
  REQUIRE(acks.size() == 1);
  CHECK(acks[0].packet_id == 7);

  Publish q = msg("x", "q2", 2);
  q.packet_id = 9;
  h.server(q);
  CHECK(only_ev<MessageEvent>(h.events()).size() == 1);
  CHECK(only<Pubrec>(h.sent()).size() == 1);
  q.dup = true;
  h.server(q);  // resent by the server before our PUBREC arrived
  CHECK(only_ev<MessageEvent>(h.events()).empty());
  CHECK(only<Pubrec>(h.sent()).size() == 1);
  h.server(Pubrel{{9, 0, {}}});
  auto comp = only<Pubcomp>(h.sent());
  REQUIRE(comp.size() == 1);
  CHECK(comp[0].reason == 0);
  h.server(Pubrel{{9, 0, {}}});  // unknown now
  comp = only<Pubcomp>(h.sent());
  REQUIRE(comp.size() == 1);
  CHECK(comp[0].reason == rc::packet_identifier_not_found);
}

TEST_CASE("session: the server's Receive Maximum bounds the in-flight window") {
  Harness h(SessionConfig{});
  Properties props;
  props.add(PropId::receive_maximum, 2);
  h.connect(false, props);
  for (int i = 0; i < 5; ++i) REQUIRE(h.s.publish(msg("t", std::to_string(i), 1)).status == Accept::ok);
  auto pubs = only<Publish>(h.sent());
  REQUIRE(pubs.size() == 2);
  CHECK(h.s.inflight() == 2);
  CHECK(h.s.queued() == 3);
  h.server(Puback{{pubs[0].packet_id, 0, {}}});
  pubs = only<Publish>(h.sent());
  REQUIRE(pubs.size() == 1);
  CHECK(pubs[0].payload == "2");
  CHECK(h.s.inflight() == 2);
}

TEST_CASE("session: our Receive Maximum is enforced on incoming QoS 2") {
  SessionConfig c;
  c.receive_maximum = 1;
  Harness h(c);
  h.connect();
  Publish q = msg("x", "a", 2);
  q.packet_id = 1;
  h.server(q);
  q.packet_id = 2;
  h.server(q);
  auto closed = only_ev<ClosedEvent>(h.events());
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].reason == rc::receive_maximum_exceeded);
  auto d = only<Disconnect>(h.sent());
  REQUIRE(d.size() == 1);
  CHECK(d[0].reason == rc::receive_maximum_exceeded);
}

TEST_CASE("session: reconnect with a session present resends with DUP and the same ids") {
  SessionConfig c;
  c.clean_start = true;
  c.session_expiry = 600;
  Harness h(c);
  h.connect();
  h.s.publish(msg("t", "a", 1));
  h.s.publish(msg("t", "b", 2));
  h.s.publish(msg("t", "c", 2));
  auto first = only<Publish>(h.sent());
  REQUIRE(first.size() == 3);
  h.server(Pubrec{{first[2].packet_id, 0, {}}});  // "c" is at the PUBREL stage
  h.sent();
  h.s.connection_lost();
  // Published while offline: queued, sent after the resends.
  REQUIRE(h.s.publish(msg("t", "d", 1)).status == Accept::ok);
  h.s.connection_opened(h.now);
  auto con = only<Connect>(h.sent());
  REQUIRE(con.size() == 1);
  CHECK_FALSE(con[0].clean_start);  // persistent session: resume it
  h.server(Connack{true, 0, {}});
  auto out = h.sent();
  auto pubs = only<Publish>(out);
  REQUIRE(pubs.size() == 3);
  CHECK(pubs[0].payload == "a");
  CHECK(pubs[0].dup);
  CHECK(pubs[0].packet_id == first[0].packet_id);
  CHECK(pubs[1].payload == "b");
  CHECK(pubs[1].dup);
  CHECK(pubs[2].payload == "d");
  CHECK_FALSE(pubs[2].dup);
  auto rel = only<Pubrel>(out);
  REQUIRE(rel.size() == 1);
  CHECK(rel[0].packet_id == first[2].packet_id);
  CHECK(h.s.stats().resent == 3);
}

TEST_CASE("session: reconnect without a session requeues in-flight messages as new ones") {
  SessionConfig c;
  c.session_expiry = 600;
  Harness h(c);
  h.connect();
  auto ra = h.s.publish(msg("t", "a", 1));
  h.s.publish(msg("t", "b", 1));
  h.sent();
  h.s.connection_lost();
  h.s.connection_opened(h.now);
  h.sent();
  h.server(Connack{false, 0, {}});
  auto pubs = only<Publish>(h.sent());
  REQUIRE(pubs.size() == 2);
  CHECK(pubs[0].payload == "a");
  CHECK_FALSE(pubs[0].dup);
  CHECK(pubs[1].payload == "b");
  CHECK(h.s.stats().requeued == 2);
  h.server(Puback{{pubs[0].packet_id, 0, {}}});
  auto done = only_ev<PublishDoneEvent>(h.events());
  REQUIRE(done.size() == 1);
  CHECK(done[0].token == ra.token);
}

TEST_CASE("session: clean start versus persistent sessions across reconnects") {
  SECTION("5.0, Session Expiry 0: every connection starts clean") {
    SessionConfig c;
    c.clean_start = true;
    Harness h(c);
    h.connect();
    h.s.connection_lost();
    h.s.connection_opened(h.now);
    CHECK(only<Connect>(h.sent()).at(0).clean_start);
  }
  SECTION("5.0, resume an existing session from the first connection") {
    SessionConfig c;
    c.clean_start = false;
    c.session_expiry = 0xFFFFFFFF;
    Harness h(c);
    h.s.connection_opened(h.now);
    auto con = only<Connect>(h.sent()).at(0);
    CHECK_FALSE(con.clean_start);
    CHECK(con.props.num(PropId::session_expiry_interval) == 0xFFFFFFFFu);
  }
  SECTION("3.1.1: clean session flag as configured on every connection") {
    SessionConfig c;
    c.version = Version::v311;
    c.clean_start = false;
    c.client_id = "x";
    Harness h(c);
    h.connect();
    h.s.connection_lost();
    h.s.connection_opened(h.now);
    CHECK_FALSE(only<Connect>(h.sent()).at(0).clean_start);
  }
}

TEST_CASE("session: keep-alive sends PINGREQ and detects a dead connection") {
  SessionConfig c;
  c.keep_alive = 10;
  Harness h(c);
  h.connect();
  CHECK(h.s.next_deadline() == h.now + 10s);
  h.s.tick(h.now + 5s);
  CHECK(h.sent().empty());
  h.s.tick(h.now + 10s);
  CHECK(only<Pingreq>(h.sent()).size() == 1);
  h.now += 12s;
  h.server(Pingresp{});
  h.s.tick(h.now + 15s);
  CHECK(only<Pingreq>(h.sent()).size() == 1);
  h.s.tick(h.now + 26s);  // no PINGRESP within keep-alive
  auto closed = only_ev<ClosedEvent>(h.events());
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].reason == rc::keep_alive_timeout);
}

TEST_CASE("session: Server Keep Alive overrides ours") {
  SessionConfig c;
  c.keep_alive = 60;
  Harness h(c);
  Properties p;
  p.add(PropId::server_keep_alive, 5);
  h.connect(false, p);
  CHECK(h.s.keep_alive() == 5);
}

TEST_CASE("session: incoming topic aliases") {
  SessionConfig c;
  c.topic_alias_maximum = 4;
  Harness h(c);
  h.connect();
  Publish p = msg("long/topic/name", "1", 0);
  p.props.add(PropId::topic_alias, 3);
  h.server(p);
  Publish q = msg("", "2", 0);
  q.props.add(PropId::topic_alias, 3);
  h.server(q);
  auto ms = only_ev<MessageEvent>(h.events());
  REQUIRE(ms.size() == 2);
  CHECK(ms[1].msg.topic == "long/topic/name");
  Publish bad = msg("x", "3", 0);
  bad.props.add(PropId::topic_alias, 5);
  h.server(bad);
  auto closed = only_ev<ClosedEvent>(h.events());
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].reason == rc::topic_alias_invalid);
}

TEST_CASE("session: outgoing topic aliases, reset on reconnect") {
  SessionConfig c;
  c.session_expiry = 60;
  Harness h(c);
  Properties props;
  props.add(PropId::topic_alias_maximum, 1);
  h.connect(false, props);
  h.s.publish(msg("sensors/a", "1", 0));
  h.s.publish(msg("sensors/a", "2", 1));
  h.s.publish(msg("sensors/b", "3", 0));  // no alias left: full topic
  auto pubs = only<Publish>(h.sent());
  REQUIRE(pubs.size() == 3);
  CHECK(pubs[0].topic == "sensors/a");
  CHECK(pubs[0].props.num(PropId::topic_alias) == 1u);
  CHECK(pubs[1].topic.empty());
  CHECK(pubs[1].props.num(PropId::topic_alias) == 1u);
  CHECK(pubs[2].topic == "sensors/b");
  CHECK_FALSE(pubs[2].props.find(PropId::topic_alias));
  h.s.connection_lost();
  h.s.connection_opened(h.now);
  h.sent();
  h.server(Connack{true, 0, props});
  pubs = only<Publish>(h.sent());
  REQUIRE(pubs.size() == 1);  // the QoS 1 resend carries the full topic again
  CHECK(pubs[0].topic == "sensors/a");
  CHECK(pubs[0].dup);
}

TEST_CASE("session: bounded queue, queue_full then ReadyEvent") {
  SessionConfig c;
  c.max_queued = 4;
  Harness h(c);
  for (int i = 0; i < 4; ++i) CHECK(h.s.publish(msg("t", "x", 1)).status == Accept::ok);
  CHECK(h.s.publish(msg("t", "x", 1)).status == Accept::queue_full);
  CHECK(h.s.publish(msg("t", "x", 0)).status == Accept::queue_full);
  CHECK_FALSE(h.s.can_publish());
  h.connect();
  auto ev = h.events();
  CHECK(only_ev<ReadyEvent>(ev).size() == 1);
  CHECK(only<Publish>(h.sent()).size() == 4);
  CHECK(h.s.publish(msg("a/+", "x", 0)).status == Accept::invalid);
}

TEST_CASE("session: the server's Maximum Packet Size and Maximum QoS") {
  Harness h(SessionConfig{});
  Properties props;
  props.add(PropId::maximum_packet_size, 100).add(PropId::maximum_qos, 1);
  h.connect(false, props);
  CHECK(h.s.publish(msg("t", std::string(200, 'x'), 0)).status == Accept::too_large);
  CHECK(h.s.publish(msg("t", "x", 2)).status == Accept::ok);
  CHECK(only<Publish>(h.sent()).at(0).qos == 1);
}

TEST_CASE("session: malformed input from the server closes with DISCONNECT 0x81") {
  Harness h(SessionConfig{});
  h.connect();
  auto bad = bytes({0x40, 0x02, 0x00, 0x00});  // PUBACK with packet id 0
  CHECK(h.s.receive(bad, h.now) == bad.size());
  auto d = only<Disconnect>(h.sent());
  REQUIRE(d.size() == 1);
  CHECK(d[0].reason == rc::malformed_packet);
  CHECK(only_ev<ClosedEvent>(h.events()).size() == 1);
  CHECK(h.s.state() == SessionState::closing);
}

TEST_CASE("session: partial packets wait for more bytes") {
  Harness h(SessionConfig{});
  h.connect();
  Publish p = msg("t", "payload", 0);
  auto b = enc(p);
  CHECK(h.s.receive(std::span(b).first(3), h.now) == 0);
  CHECK(h.s.receive(b, h.now) == b.size());
  CHECK(only_ev<MessageEvent>(h.events()).size() == 1);
}

TEST_CASE("session: packet identifiers wrap around and skip those in use") {
  Harness h(SessionConfig{});
  h.connect();
  h.s.publish(msg("t", "held", 1));  // id 1 stays in flight
  auto first = only<Publish>(h.sent()).at(0);
  CHECK(first.packet_id == 1);
  for (int i = 0; i < 65534; ++i) {
    h.s.publish(msg("t", "x", 1));
    auto p = only<Publish>(h.sent()).at(0);
    h.server(Puback{{p.packet_id, 0, {}}});
    h.events();
  }
  h.s.publish(msg("t", "x", 1));
  CHECK(only<Publish>(h.sent()).at(0).packet_id == 2);  // 65535 then wrapped, 1 skipped
}

TEST_CASE("session: SUBSCRIBE/UNSUBSCRIBE and resending them after a reconnect") {
  Harness h(SessionConfig{});
  h.connect();
  auto id = h.s.subscribe({{"a/#", 1}}).packet_id;
  auto subs = only<Subscribe>(h.sent());
  REQUIRE(subs.size() == 1);
  CHECK(subs[0].packet_id == id);
  h.s.connection_lost();
  h.s.connection_opened(h.now);
  h.sent();
  h.server(Connack{false, 0, {}});
  subs = only<Subscribe>(h.sent());
  REQUIRE(subs.size() == 1);
  h.server(Suback{id, {}, {1}});
  auto ev = only_ev<SubackEvent>(h.events());
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].reasons == std::vector<std::uint8_t>{1});
  auto uid = h.s.unsubscribe({"a/#"}).packet_id;
  CHECK(only<Unsubscribe>(h.sent()).size() == 1);
  h.server(Unsuback{uid, {}, {0}});
  CHECK(only_ev<UnsubackEvent>(h.events()).size() == 1);
}

TEST_CASE("session: MQTT 3.1.1 end to end") {
  SessionConfig c;
  c.version = Version::v311;
  c.client_id = "old";
  Harness h(c);
  h.connect();
  h.s.publish(msg("t", "a", 2));
  auto p = only<Publish>(h.sent()).at(0);
  h.server(Pubrec{{p.packet_id, 0, {}}});
  h.sent();
  h.server(Pubcomp{{p.packet_id, 0, {}}});
  CHECK(only_ev<PublishDoneEvent>(h.events()).size() == 1);
  h.server(Disconnect{});
  auto closed = only_ev<ClosedEvent>(h.events());
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].by_server);
}

TEST_CASE("session: MQTT 3.1.1 assumes a window of 20 (no Receive Maximum in 3.1.1)") {
  SessionConfig c;
  c.version = Version::v311;
  c.client_id = "w";
  Harness h(c);
  h.connect();
  for (int i = 0; i < 25; ++i) h.s.publish(msg("t", "x", 2));
  CHECK(only<Publish>(h.sent()).size() == 20);
  CHECK(h.s.queued() == 5);
}

TEST_CASE("session: QoS 0 publishes lost with the connection are counted") {
  Harness h(SessionConfig{});
  h.connect();
  h.s.publish(msg("t", "a", 0));
  h.s.publish(msg("t", "b", 0));
  h.s.publish(msg("t", "c", 1));
  h.s.connection_lost();  // nothing was written
  CHECK(h.s.stats().dropped_qos0 == 2);
  h.s.connection_opened(h.now);
  h.sent();
  h.server(Connack{true, 0, {}});
  auto pubs = only<Publish>(h.sent());
  REQUIRE(pubs.size() == 1);  // only the QoS 1 message comes back
  CHECK(pubs[0].payload == "c");
  CHECK(pubs[0].dup);
}
