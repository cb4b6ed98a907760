// Error handling of the session and client library: validation before sending, permanent
// versus transient classification, one failing operation does not fail the connection,
// acknowledgement and partial-packet timeouts, deferred acknowledgements, the backoff.
#include <catch2/catch.hpp>
#include "helpers.hpp"
#include "session_harness.hpp"
#include "weir/mqtt/client.hpp"
#include "weir/mqtt/reason.hpp"
#include "weir/mqtt/validate.hpp"

using namespace weir::mqtt;
using namespace mqtt_test;
using namespace std::chrono_literals;

namespace {
bool contains(const std::string& s, const std::string& part) { return s.find(part) != s.npos; }
}  // namespace

// ---- validation ---------------------------------------------------------------------------

TEST_CASE("validate: topic filters name the rule they break") {
  CHECK(topic_filter_problem("a/+/#").empty());
  CHECK(topic_filter_problem("$share/g/a/#").empty());
  CHECK(contains(topic_filter_problem("a/#/b"), "'#' must be a whole level and the last one"));
  CHECK(contains(topic_filter_problem("a/b#"), "'#' must be a whole level"));
  CHECK(contains(topic_filter_problem("a/b+"), "'+' must be a whole level"));
  CHECK(contains(topic_filter_problem(""), "must not be empty"));
  CHECK(contains(topic_filter_problem("$share/g"), "$share/<group>/<filter>"));
  CHECK(contains(topic_filter_problem("$share/g+/a"), "$share/<group>/<filter>"));
  CHECK(contains(topic_filter_problem(std::string("a\0b", 3)), "UTF-8"));
  CHECK(contains(topic_filter_problem(std::string(70000, 'a')), "70000 bytes"));
}

TEST_CASE("validate: topic names, subscriptions") {
  CHECK(topic_name_problem("a/b").empty());
  CHECK(contains(topic_name_problem("a/#"), "must not contain '+' or '#'"));
  CHECK(contains(topic_name_problem(""), "must not be empty"));
  Subscription s{"a/b", 3};
  CHECK(contains(subscription_problem(s, Version::v5), "QoS 3"));
  s.qos = 1;
  s.retain_handling = 3;
  CHECK(contains(subscription_problem(s, Version::v5), "retain handling 3"));
  s.retain_handling = 0;
  s.filter = "$share/g/x";
  s.no_local = true;
  CHECK(contains(subscription_problem(s, Version::v5), "No Local"));
}

TEST_CASE("validate: CONNECT fields are checked before connecting") {
  SessionConfig c;
  CHECK(connect_problem(c).empty());
  c.client_id = std::string(70000, 'a');
  CHECK(contains(connect_problem(c), "client identifier is 70000 bytes long"));
  c.client_id = "ok";
  c.will = Will{"w/#", "x", 0, false, {}};
  CHECK(contains(connect_problem(c), "will: topic name 'w/#'"));
  c.will = Will{"w", "x", 3, false, {}};
  CHECK(contains(connect_problem(c), "will QoS 3"));
  c.will = Will{"w", "x", 1, false, {}};
  c.will->props.add(PropId::topic_alias, 1);  // not a Will property
  CHECK(contains(connect_problem(c), "Topic Alias"));
  c.will.reset();
  c.version = Version::v311;
  c.client_id = "";
  c.clean_start = false;
  CHECK(contains(connect_problem(c), "clean session"));
}

TEST_CASE("validate: client options (URL, host, port, CONNECT)") {
  ClientOptions o;
  CHECK(apply_url(o, "mqtts://broker.example:9000").empty());
  CHECK(o.host == "broker.example");
  CHECK(o.port == 9000);
  CHECK(o.tls.enabled);
  CHECK(apply_url(o, "mqtt://10.0.0.5").empty());
  CHECK(o.port == 1883);
  CHECK_FALSE(o.tls.enabled);
  CHECK(apply_url(o, "mqtts://[::1]").empty());
  CHECK(o.host == "::1");
  CHECK(o.port == 8883);
  CHECK(contains(apply_url(o, "http://x"), "mqtt:// or mqtts://"));
  CHECK(contains(apply_url(o, "mqtt://x:70000"), "1 to 65535"));
  CHECK(contains(apply_url(o, "mqtt://:1883"), "no host"));
  o = ClientOptions{};
  CHECK(options_problem(o).empty());
  o.session.will = Will{"a/+", "", 0, false, {}};
  CHECK(contains(options_problem(o), "will"));
  o.session.will.reset();
  o.tls.ca_file = "/nonexistent/ca.pem";
  CHECK(contains(options_problem(o), "cannot be read"));
}

TEST_CASE("validate: publish size against the protocol and the server") {
  Publish p = msg("t", "x", 1);
  CHECK(publish_problem(p, Version::v5, max_packet_size_limit, false).empty());
  CHECK(contains(payload_size_problem(300'000'000, "t", max_packet_size_limit, false),
                 "at most 268435455 bytes"));
  p.payload.assign(2000, 'x');
  CHECK(contains(publish_problem(p, Version::v5, 1000, true), "the server's Maximum Packet Size of 1000"));
  p.payload = "x";
  p.props.add(PropId::session_expiry_interval, 5);  // not a PUBLISH property
  CHECK(contains(publish_problem(p, Version::v5, max_packet_size_limit, false), "Session Expiry"));
}

// ---- the session: what fails and how ----------------------------------------------------------

TEST_CASE("errors: an invalid subscription is refused locally and never sent") {
  Harness h(SessionConfig{});
  h.connect();
  for (const char* f : {"a/#/b", "", "a/b+"}) {
    auto r = h.s.subscribe({{f, 1}});
    CHECK_FALSE(r.ok());
    CHECK(r.packet_id == 0);
  }
  Subscription rh{"a", 1};
  rh.retain_handling = 3;
  CHECK(contains(h.s.subscribe({rh}).error, "retain handling 3"));
  CHECK(contains(h.s.unsubscribe({"a/#/b"}).error, "'#'"));
  CHECK(h.sent().empty());
  CHECK(h.events().empty());
  CHECK(h.s.state() == SessionState::connected);
  CHECK(h.s.subscribe({{"a/#", 1}}).ok());  // the connection is fine
  CHECK(only<Subscribe>(h.sent()).size() == 1);
}

TEST_CASE("errors: invalid publishes say why; the connection stays") {
  Harness h(SessionConfig{});
  h.connect();
  auto r = h.s.publish(msg("a/+", "x", 1));
  CHECK(r.status == Accept::invalid);
  CHECK(contains(r.why, "must not contain"));
  r = h.s.publish(msg("t", "x", 3));
  CHECK(r.status == Accept::invalid);
  CHECK(contains(r.why, "QoS 3"));
  CHECK(h.sent().empty());
  CHECK(h.s.state() == SessionState::connected);
}

TEST_CASE("errors: a queued message too large for the new server fails alone") {
  Harness h(SessionConfig{});
  // Accepted while disconnected (no server limit known yet).
  auto big = h.s.publish(msg("t", std::string(5000, 'x'), 1));
  auto small = h.s.publish(msg("t", "ok", 1));
  REQUIRE(big.status == Accept::ok);
  REQUIRE(small.status == Accept::ok);
  Properties props;
  props.add(PropId::maximum_packet_size, 1000);
  h.connect(false, props);
  auto done = only_ev<PublishDoneEvent>(h.events());
  REQUIRE(done.size() == 1);
  CHECK(done[0].token == big.token);
  CHECK(done[0].reason == rc::packet_too_large);
  CHECK(contains(done[0].why, "Maximum Packet Size of 1000"));
  auto pubs = only<Publish>(h.sent());
  REQUIRE(pubs.size() == 1);  // the small one still goes out
  CHECK(pubs[0].payload == "ok");
  CHECK(h.s.state() == SessionState::connected);
  // Refused at publish() now that the limit is known.
  auto r = h.s.publish(msg("t", std::string(2000, 'x'), 0));
  CHECK(r.status == Accept::too_large);
  CHECK(contains(r.why, "Maximum Packet Size of 1000"));
}

TEST_CASE("errors: refused CONNACKs are classified") {
  struct Row { Version v; std::uint8_t code; bool permanent; const char* text; };
  const Row rows[] = {
    {Version::v5, rc::bad_user_name_or_password, true, "Bad User Name or Password (reason code 0x86)"},
    {Version::v5, rc::not_authorized, true, "Not authorized"},
    {Version::v5, rc::banned, true, "Banned"},
    {Version::v5, rc::unsupported_protocol_version, true, "Unsupported Protocol Version"},
    {Version::v5, rc::client_identifier_not_valid, true, "Client Identifier not valid"},
    {Version::v5, rc::server_busy, false, "Server busy"},
    {Version::v5, rc::server_unavailable, false, "Server unavailable"},
    {Version::v5, rc::connection_rate_exceeded, false, "Connection rate exceeded"},
    {Version::v311, rc::v3_not_authorized, true, "Not authorized (MQTT 3.1.1 return code 5)"},
    {Version::v311, rc::v3_bad_user_name_or_password, true, "Bad user name or password"},
    {Version::v311, rc::v3_identifier_rejected, true, "Identifier rejected"},
    {Version::v311, rc::v3_server_unavailable, false, "Server unavailable"},
  };
  for (auto& row : rows) {
    SessionConfig c;
    c.version = row.v;
    c.client_id = "x";
    Harness h(c);
    h.s.connection_opened(h.now);
    h.sent();
    h.server(Connack{false, row.code, {}});
    auto closed = only_ev<ClosedEvent>(h.events());
    REQUIRE(closed.size() == 1);
    INFO(closed[0].why);
    CHECK(closed[0].permanent == row.permanent);
    CHECK(contains(closed[0].why, row.text));
  }
}

TEST_CASE("errors: server DISCONNECT reasons are classified") {
  CHECK(disconnect_reason_permanent(rc::not_authorized));
  CHECK(disconnect_reason_permanent(rc::session_taken_over));
  CHECK(disconnect_reason_permanent(rc::protocol_error));
  CHECK_FALSE(disconnect_reason_permanent(rc::server_shutting_down));
  CHECK_FALSE(disconnect_reason_permanent(rc::server_busy));
  CHECK_FALSE(disconnect_reason_permanent(rc::keep_alive_timeout));
  Harness h(SessionConfig{});
  h.connect();
  h.server(Disconnect{rc::server_shutting_down, {}});
  auto closed = only_ev<ClosedEvent>(h.events());
  REQUIRE(closed.size() == 1);
  CHECK_FALSE(closed[0].permanent);
  CHECK(contains(closed[0].why, "Server shutting down"));
}

TEST_CASE("errors: a malformed packet after CONNACK is transient and names the problem") {
  Harness h(SessionConfig{});
  h.connect();
  auto bad = bytes({0x36, 0x03, 0x00, 0x01, 0x61});  // PUBLISH with QoS 3
  h.s.receive(bad, h.now);
  auto closed = only_ev<ClosedEvent>(h.events());
  REQUIRE(closed.size() == 1);
  CHECK_FALSE(closed[0].permanent);
  CHECK(contains(closed[0].why, "malformed packet from the server"));
}

TEST_CASE("errors: a 3.1.1-only server answering a 5.0 CONNECT") {
  Harness h(SessionConfig{});
  h.s.connection_opened(h.now);
  h.sent();
  auto v3 = bytes({0x20, 0x02, 0x00, 0x01});  // 3.1.1 CONNACK, unacceptable protocol version
  CHECK(h.s.receive(v3, h.now) == v3.size());
  auto closed = only_ev<ClosedEvent>(h.events());
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].permanent);
  CHECK(closed[0].reason == rc::unsupported_protocol_version);
  CHECK(contains(closed[0].why, "does not support MQTT 5.0"));
  // The fallback: the next CONNECT is 3.1.1.
  h.s.connection_lost();
  h.s.set_version(Version::v311);
  h.v = Version::v311;
  h.s.connection_opened(h.now);
  auto con = only<Connect>(h.sent());
  REQUIRE(con.size() == 1);
  CHECK(con[0].version == Version::v311);
}

// ---- timeouts -------------------------------------------------------------------------------

TEST_CASE("timeouts: a missing PUBACK closes the connection (transient), then resends") {
  SessionConfig c;
  c.ack_timeout = 2s;
  c.keep_alive = 0;
  c.session_expiry = 60;
  Harness h(c);
  h.connect();
  h.s.publish(msg("t", "a", 1));
  auto first = only<Publish>(h.sent());
  REQUIRE(first.size() == 1);
  REQUIRE(h.s.next_deadline());
  CHECK(*h.s.next_deadline() == h.now + 2s);
  h.s.tick(h.now + 1s);
  CHECK(h.events().empty());
  h.s.tick(h.now + 2s);
  auto closed = only_ev<ClosedEvent>(h.events());
  REQUIRE(closed.size() == 1);
  CHECK_FALSE(closed[0].permanent);
  CHECK(contains(closed[0].why, "no PUBACK for PUBLISH 1 within 2000 ms"));
  h.s.connection_lost();
  h.s.connection_opened(h.now);
  h.sent();
  h.server(Connack{true, 0, {}});
  auto again = only<Publish>(h.sent());
  REQUIRE(again.size() == 1);
  CHECK(again[0].dup);
}

TEST_CASE("timeouts: a missing SUBACK; acknowledged requests stop the clock") {
  SessionConfig c;
  c.ack_timeout = 2s;
  c.keep_alive = 0;
  Harness h(c);
  h.connect();
  auto id = h.s.subscribe({{"a", 1}}).packet_id;
  h.sent();
  h.server(Suback{id, {}, {1}});
  h.events();
  CHECK_FALSE(h.s.next_deadline());  // nothing awaited
  h.s.subscribe({{"b", 1}});
  h.sent();
  h.s.tick(h.now + 3s);
  auto closed = only_ev<ClosedEvent>(h.events());
  REQUIRE(closed.size() == 1);
  CHECK(contains(closed[0].why, "no SUBACK for SUBSCRIBE"));
}

TEST_CASE("timeouts: a packet that never finishes arriving") {
  SessionConfig c;
  c.packet_timeout = 1s;
  c.keep_alive = 0;
  Harness h(c);
  h.connect();
  auto b = enc(msg("t", std::string(100, 'p'), 0));
  CHECK(h.s.receive(std::span(b).first(10), h.now) == 0);
  REQUIRE(h.s.next_deadline());
  CHECK(*h.s.next_deadline() == h.now + 1s);
  // More bytes of the same packet do not restart the clock.
  CHECK(h.s.receive(std::span(b).first(50), h.now + 500ms) == 0);
  h.s.tick(h.now + 1s);
  auto closed = only_ev<ClosedEvent>(h.events());
  REQUIRE(closed.size() == 1);
  CHECK_FALSE(closed[0].permanent);
  INFO(closed[0].why);
  CHECK(contains(closed[0].why, "did not finish arriving within 1000 ms (50 of 106 bytes)"));
}

TEST_CASE("timeouts: a complete packet clears the partial-packet clock") {
  SessionConfig c;
  c.packet_timeout = 1s;
  c.keep_alive = 0;
  Harness h(c);
  h.connect();
  auto b = enc(msg("t", "x", 0));
  CHECK(h.s.receive(std::span(b).first(3), h.now) == 0);
  CHECK(h.s.receive(b, h.now) == b.size());
  CHECK_FALSE(h.s.next_deadline());
  h.s.tick(h.now + 5s);
  CHECK(only_ev<ClosedEvent>(h.events()).empty());
}

// ---- deferred acknowledgements ----------------------------------------------------------------

namespace {
Publish incoming(std::uint16_t id, std::uint8_t qos, std::string payload = "m") {
  Publish p = msg("in/t", std::move(payload), qos);
  p.packet_id = id;
  return p;
}
SessionConfig manual(std::uint16_t receive_max = 10) {
  SessionConfig c;
  c.manual_acks = true;
  c.receive_maximum = receive_max;
  c.session_expiry = 60;
  return c;
}
}  // namespace

TEST_CASE("deferred acks: QoS 1 PUBACK only after ack(), in arrival order") {
  Harness h(manual());
  h.connect();
  h.server(incoming(5, 1, "a"));
  h.server(incoming(6, 1, "b"));
  auto ms = only_ev<MessageEvent>(h.events());
  REQUIRE(ms.size() == 2);
  CHECK(ms[0].ack_id != 0);
  CHECK(ms[0].ack_id != ms[1].ack_id);
  CHECK(only<Puback>(h.sent()).empty());  // nothing acknowledged yet
  CHECK(h.s.unacked_incoming() == 2);
  CHECK(h.s.ack(ms[1].ack_id));            // the second one first: held back
  CHECK(only<Puback>(h.sent()).empty());
  CHECK(h.s.ack(ms[0].ack_id));
  auto acks = only<Puback>(h.sent());
  REQUIRE(acks.size() == 2);
  CHECK(acks[0].packet_id == 5);
  CHECK(acks[1].packet_id == 6);
  CHECK_FALSE(h.s.ack(ms[0].ack_id));      // twice: unknown now
  CHECK(h.s.unacked_incoming() == 0);
}

TEST_CASE("deferred acks: QoS 2 PUBREC after ack(); a duplicate is not delivered again") {
  Harness h(manual());
  h.connect();
  h.server(incoming(9, 2));
  auto ms = only_ev<MessageEvent>(h.events());
  REQUIRE(ms.size() == 1);
  auto dup = incoming(9, 2);
  dup.dup = true;
  h.server(dup);                          // the server resends before our PUBREC
  CHECK(only_ev<MessageEvent>(h.events()).empty());
  CHECK(only<Pubrec>(h.sent()).empty());  // still waiting for the application
  CHECK(h.s.incoming_busy());
  CHECK(h.s.ack(ms[0].ack_id));
  auto rec = only<Pubrec>(h.sent());
  REQUIRE(rec.size() == 1);
  CHECK(rec[0].packet_id == 9);
  h.server(dup);                          // after PUBREC: acknowledged again, not delivered
  CHECK(only_ev<MessageEvent>(h.events()).empty());
  CHECK(only<Pubrec>(h.sent()).size() == 1);
  h.server(Pubrel{{9, 0, {}}});
  CHECK(only<Pubcomp>(h.sent()).size() == 1);
  CHECK_FALSE(h.s.incoming_busy());
}

TEST_CASE("deferred acks: an ack for an earlier connection is refused; the message comes again") {
  Harness h(manual());
  h.connect();
  h.server(incoming(3, 1, "x"));
  h.server(incoming(4, 2, "y"));
  auto ms = only_ev<MessageEvent>(h.events());
  REQUIRE(ms.size() == 2);
  h.s.connection_lost();
  h.s.connection_opened(h.now);
  h.sent();
  h.server(Connack{true, 0, {}});
  h.events();
  CHECK_FALSE(h.s.ack(ms[0].ack_id));  // stale: nothing is sent
  CHECK_FALSE(h.s.ack(ms[1].ack_id));
  CHECK(h.sent().empty());
  // The server redelivers both; the QoS 2 one is delivered again (it was never PUBRECed).
  auto r1 = incoming(3, 1, "x");
  r1.dup = true;
  auto r2 = incoming(4, 2, "y");
  r2.dup = true;
  h.server(r1);
  h.server(r2);
  auto again = only_ev<MessageEvent>(h.events());
  REQUIRE(again.size() == 2);
  CHECK(h.s.ack(again[0].ack_id));
  CHECK(h.s.ack(again[1].ack_id));
  auto out = h.sent();
  CHECK(only<Puback>(out).size() == 1);
  CHECK(only<Pubrec>(out).size() == 1);
}

TEST_CASE("deferred acks: unacknowledged messages count against our Receive Maximum") {
  Harness h(manual(2));
  h.connect();
  h.server(incoming(1, 1));
  h.server(incoming(2, 1));
  CHECK(only_ev<ClosedEvent>(h.events()).empty());
  h.server(incoming(3, 1));  // a third while two await ack(): the server broke the limit
  auto closed = only_ev<ClosedEvent>(h.events());
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].reason == rc::receive_maximum_exceeded);
}

TEST_CASE("deferred acks: tolerate_receive_maximum counts a server over our window and goes on") {
  SessionConfig c = manual(2);
  c.tolerate_receive_maximum = true;   // what the rule layer runs with (Mosquitto 2.0.11)
  Harness h(c);
  h.connect();
  h.server(incoming(1, 1));
  h.server(incoming(2, 1));
  h.server(incoming(3, 1));   // over the window: counted, delivered, not a protocol error
  auto ev = h.events();
  CHECK(only_ev<ClosedEvent>(ev).empty());
  auto ms = only_ev<MessageEvent>(ev);
  REQUIRE(ms.size() == 3);
  CHECK(h.s.stats().over_receive_maximum == 1);
  // Acknowledged in any order, the PUBACKs still leave in arrival order and the window reopens.
  CHECK(h.s.ack(ms[2].ack_id));
  CHECK(only<Puback>(h.sent()).empty());
  CHECK(h.s.ack(ms[0].ack_id));
  CHECK(h.s.ack(ms[1].ack_id));
  auto acks = only<Puback>(h.sent());
  REQUIRE(acks.size() == 3);
  CHECK(acks[0].packet_id == 1);
  CHECK(acks[2].packet_id == 3);
  h.server(incoming(4, 1));
  h.server(incoming(5, 1));
  CHECK(h.s.stats().over_receive_maximum == 1);   // two in a window of two: within it again
}

TEST_CASE("deferred acks: a held front, ids reused behind it, acks in any order: PUBACKs in arrival order") {
  // ack() finds a packet id through an index, not a scan; ids come back while older entries
  // (acked, behind the held front) still carry the same id.
  Harness h(manual(65535));
  h.connect();
  h.server(incoming(1, 1, "front"));
  auto front = only_ev<MessageEvent>(h.events());
  REQUIRE(front.size() == 1);
  std::vector<std::uint16_t> arrived{1};
  std::uint32_t rng = 12345;
  for (int round = 0; round < 3; round++) {
    std::vector<std::uint64_t> ids;
    for (std::uint16_t id = 2; id < 300; id++) {   // the same ids each round
      h.server(incoming(id, 1));
      auto ms = only_ev<MessageEvent>(h.events());
      REQUIRE(ms.size() == 1);
      ids.push_back(ms[0].ack_id);
      arrived.push_back(id);
    }
    for (std::size_t i = ids.size(); i > 1; i--) {   // a shuffled order
      rng = rng * 1103515245u + 12345u;
      std::swap(ids[i - 1], ids[(rng >> 8) % i]);
    }
    for (auto a : ids) CHECK(h.s.ack(a));
    for (auto a : ids) CHECK_FALSE(h.s.ack(a));   // twice: refused
  }
  CHECK(only<Puback>(h.sent()).empty());   // all held behind the front
  CHECK(h.s.unacked_incoming() == arrived.size());
  CHECK(h.s.ack(front[0].ack_id));
  auto acks = only<Puback>(h.sent());
  REQUIRE(acks.size() == arrived.size());
  for (std::size_t i = 0; i < acks.size(); i++) CHECK(acks[i].packet_id == arrived[i]);
  CHECK(h.s.unacked_incoming() == 0);
}

TEST_CASE("session: announce_receive_maximum sends 65535 that would otherwise be left out") {
  SessionConfig c;
  c.announce_receive_maximum = true;
  Harness h(c);
  h.s.connection_opened(h.now);
  auto con = only<Connect>(h.sent());
  REQUIRE(con.size() == 1);
  CHECK(con[0].props.num(PropId::receive_maximum) == 65535u);
  Harness plain{SessionConfig{}};
  plain.s.connection_opened(plain.now);
  auto con2 = only<Connect>(plain.sent());
  REQUIRE(con2.size() == 1);
  CHECK(!con2[0].props.num(PropId::receive_maximum));
}

TEST_CASE("deferred acks: a failing reason code, abandoning, draining") {
  Harness h(manual());
  h.connect();
  h.server(incoming(1, 1));
  h.server(incoming(2, 1));
  h.server(incoming(3, 2));
  auto ms = only_ev<MessageEvent>(h.events());
  REQUIRE(ms.size() == 3);
  CHECK(h.s.ack(ms[1].ack_id, rc::implementation_specific_error));
  h.s.abandon_unacked();  // 1 and 3 are never acknowledged; 2 (behind 1) is released
  auto acks = only<Puback>(h.sent());
  REQUIRE(acks.size() == 1);
  CHECK(acks[0].packet_id == 2);
  CHECK(acks[0].reason == rc::implementation_specific_error);
  CHECK_FALSE(h.s.incoming_busy());
  h.s.drain();
  h.server(incoming(4, 1));  // shutting down: neither delivered nor acknowledged
  CHECK(only_ev<MessageEvent>(h.events()).empty());
  CHECK(h.sent().empty());
}

TEST_CASE("deferred acks off: acknowledged right away, ack_id 0") {
  Harness h(SessionConfig{});
  h.connect();
  h.server(incoming(1, 1));
  auto ms = only_ev<MessageEvent>(h.events());
  REQUIRE(ms.size() == 1);
  CHECK(ms[0].ack_id == 0);
  CHECK(only<Puback>(h.sent()).size() == 1);
}

// ---- backoff ----------------------------------------------------------------------------------

TEST_CASE("backoff: exponential with jitter in [d/2, d], capped") {
  Backoff b(100ms, 1000ms, 10s, 42);
  const long expect[] = {100, 200, 400, 800, 1000, 1000};
  for (long d : expect) {
    auto got = b.next().count();
    CHECK(got >= d / 2);
    CHECK(got <= d);
  }
}

TEST_CASE("backoff: resets only after a connection stayed healthy") {
  Backoff b(100ms, 10000ms, 5s, 7);
  TimePoint t{};
  for (int i = 0; i < 4; ++i) b.next();
  CHECK(b.attempt() == 4);
  // Connected, then dropped at once (a broker that accepts and closes): no reset.
  b.connected(t);
  b.disconnected(t + 100ms);
  CHECK(b.attempt() == 4);
  auto d = b.next().count();
  CHECK(d >= 800);  // 100 * 2^4 / 2
  // Connected for longer than healthy_after: back to the start.
  b.connected(t + 1s);
  b.disconnected(t + 7s);
  CHECK(b.attempt() == 0);
  CHECK(b.next().count() <= 100);
}
