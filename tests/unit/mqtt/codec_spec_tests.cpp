// Codec against byte-exact examples from the MQTT 3.1.1 and 5.0 specifications.
#include <catch2/catch.hpp>
#include "helpers.hpp"
#include "weir/mqtt/reason.hpp"
#include "weir/mqtt/wire.hpp"

using namespace weir::mqtt;
using namespace mqtt_test;

namespace {
// Checks that `b` decodes completely to `p` and that `p` encodes back to exactly `b`.
void round_trip_exact(const Bytes& b, const Packet& p, Version v) {
  auto d = dec(b, v);
  INFO("bytes: " << hex(b) << " error: " << d.error.message());
  REQUIRE(d.status == DecodeStatus::ok);
  CHECK(d.consumed == b.size());
  CHECK(d.packet == p);
  CHECK(hex(enc(p, v)) == hex(b));
  CHECK(encoded_size(p, {v}) == b.size());
}
}  // namespace

TEST_CASE("variable byte integers: the table of §1.5.5 (5.0) / §2.2.3 (3.1.1)") {
  struct Row { std::uint32_t v; Bytes b; };
  std::vector<Row> rows = {
    {0, bytes({0x00})}, {127, bytes({0x7F})},
    {128, bytes({0x80, 0x01})}, {16383, bytes({0xFF, 0x7F})},
    {16384, bytes({0x80, 0x80, 0x01})}, {2097151, bytes({0xFF, 0xFF, 0x7F})},
    {2097152, bytes({0x80, 0x80, 0x80, 0x01})}, {268435455, bytes({0xFF, 0xFF, 0xFF, 0x7F})},
  };
  for (auto& r : rows) {
    std::uint8_t buf[4];
    std::size_t n = encode_varint(r.v, buf);
    CHECK(Bytes(buf, buf + n) == r.b);
    CHECK(varint_size(r.v) == r.b.size());
    std::uint32_t v = 0;
    std::size_t used = 0;
    REQUIRE(decode_varint(r.b.data(), r.b.size(), &v, &used) == VarintStatus::ok);
    CHECK(v == r.v);
    CHECK(used == r.b.size());
    CHECK(decode_varint(r.b.data(), r.b.size() - 1, &v, &used) == VarintStatus::need_more);
  }
  auto five = bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x7F});
  std::uint32_t v;
  std::size_t used;
  CHECK(decode_varint(five.data(), five.size(), &v, &used) == VarintStatus::malformed);
  auto overlong = bytes({0x80, 0x00});
  CHECK(decode_varint(overlong.data(), overlong.size(), &v, &used) == VarintStatus::malformed);
}

TEST_CASE("UTF-8: the example of Figure 1.3 (3.1.1) and the MUST rules") {
  // "A" followed by U+2A6D4, encoded 0x00 0x05 0x41 0xF0 0xAA 0x9B 0x94 as a string field.
  std::string s = "A\xF0\xAA\x9B\x94";
  CHECK(s.size() == 5);
  CHECK(is_valid_utf8(s));
  Publish p;
  p.topic = s;
  auto b = enc(p, Version::v311);
  CHECK(hex(b) == hex(bytes({0x30, 0x07, 0x00, 0x05, 0x41, 0xF0, 0xAA, 0x9B, 0x94})));
  CHECK(utf8_invalid_at(std::string("a\0b", 3)) == 1);            // U+0000
  CHECK(utf8_invalid_at("\xED\xA0\x80") == 0);                      // surrogate U+D800
  CHECK(utf8_invalid_at("ab\xC0\xAF") == 2);                        // overlong '/'
  CHECK(utf8_invalid_at("\xF4\x90\x80\x80") == 0);                  // > U+10FFFF
  CHECK(utf8_invalid_at("abc\xE2\x82") == 3);                       // truncated sequence
  CHECK(utf8_invalid_at("0123456789\x80") == 10);                   // stray continuation
  CHECK(is_valid_utf8("\xEF\xBB\xBF caf\xC3\xA9 \xE2\x82\xAC"));     // BOM, é, €
}

TEST_CASE("CONNECT 3.1.1: variable header of Figure 3.6 (flags 0xCE, keep alive 10)") {
  // Protocol name "MQTT", level 4, flags 11001110 (user, password, will QoS 1, will, clean), 10 s.
  Bytes vh = bytes({0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0xCE, 0x00, 0x0A});
  Bytes payload = bytes({0x00, 0x02, 'i', 'd', 0x00, 0x01, 'w', 0x00, 0x01, 'x',
                         0x00, 0x01, 'u', 0x00, 0x01, 'p'});
  Bytes b = bytes({0x10, int(vh.size() + payload.size())}) + vh + payload;
  Connect c;
  c.version = Version::v311;
  c.client_id = "id";
  c.clean_start = true;
  c.keep_alive = 10;
  c.will = Will{"w", "x", 1, false, {}};
  c.username = "u";
  c.password = "p";
  round_trip_exact(b, c, Version::v311);
}

TEST_CASE("CONNECT 5.0: variable header of Figure 3-7 (Session Expiry Interval 10)") {
  Bytes vh = bytes({0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0xCE, 0x00, 0x0A,
                    0x05, 0x11, 0x00, 0x00, 0x00, 0x0A});
  // Payload: client id, will properties (Will Delay Interval 5), will topic/payload, user, pw.
  Bytes payload = bytes({0x00, 0x02, 'i', 'd', 0x05, 0x18, 0x00, 0x00, 0x00, 0x05,
                         0x00, 0x01, 'w', 0x00, 0x01, 'x', 0x00, 0x01, 'u', 0x00, 0x01, 'p'});
  Bytes b = bytes({0x10, int(vh.size() + payload.size())}) + vh + payload;
  Connect c;
  c.version = Version::v5;
  c.client_id = "id";
  c.keep_alive = 10;
  c.props.add(PropId::session_expiry_interval, 10);
  c.will = Will{"w", "x", 1, false, {}};
  c.will->props.add(PropId::will_delay_interval, 5);
  c.username = "u";
  c.password = "p";
  round_trip_exact(b, c, Version::v5);
  // The decoder takes the version from the packet, whatever the option says.
  CHECK(dec(b, Version::v311).status == DecodeStatus::ok);
}

TEST_CASE("CONNACK 3.1.1 and 5.0") {
  round_trip_exact(bytes({0x20, 0x02, 0x00, 0x00}), Connack{false, 0, {}}, Version::v311);
  round_trip_exact(bytes({0x20, 0x02, 0x01, 0x00}), Connack{true, 0, {}}, Version::v311);
  round_trip_exact(bytes({0x20, 0x02, 0x00, 0x05}), Connack{false, rc::v3_not_authorized, {}},
                   Version::v311);
  Connack c;
  c.props.add(PropId::receive_maximum, 20).add(PropId::topic_alias_maximum, 10)
         .add(PropId::assigned_client_identifier, "auto-1");
  round_trip_exact(bytes({0x20, 0x12, 0x00, 0x00, 0x0F, 0x21, 0x00, 0x14, 0x22, 0x00, 0x0A,
                          0x12, 0x00, 0x06, 'a', 'u', 't', 'o', '-', '1'}), c, Version::v5);
  round_trip_exact(bytes({0x20, 0x03, 0x00, 0x87, 0x00}), Connack{false, rc::not_authorized, {}},
                   Version::v5);
}

TEST_CASE("PUBLISH: Figure 3.11 (3.1.1) topic a/b, packet identifier 10") {
  Publish p;
  p.topic = "a/b";
  p.qos = 1;
  p.packet_id = 10;
  p.payload = "hi";
  round_trip_exact(bytes({0x32, 0x09, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x0A, 'h', 'i'}), p,
                   Version::v311);
  // 5.0 adds the property length; with a Topic Alias and a Message Expiry Interval:
  p.props.add(PropId::topic_alias, 1).add(PropId::message_expiry_interval, 60);
  p.retain = true;
  p.dup = true;
  p.qos = 2;
  round_trip_exact(bytes({0x3D, 0x12, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x0A, 0x08, 0x23, 0x00,
                          0x01, 0x02, 0x00, 0x00, 0x00, 0x3C, 'h', 'i'}), p, Version::v5);
  // Topic alias only, empty topic name (5.0 §3.3.2.3.4).
  Publish q;
  q.props.add(PropId::topic_alias, 1);
  q.payload = "x";
  round_trip_exact(bytes({0x30, 0x07, 0x00, 0x00, 0x03, 0x23, 0x00, 0x01, 'x'}), q, Version::v5);
  // QoS 0: no packet identifier.
  Publish z;
  z.topic = "t";
  round_trip_exact(bytes({0x30, 0x03, 0x00, 0x01, 't'}), z, Version::v311);
}

TEST_CASE("PUBACK/PUBREC/PUBREL/PUBCOMP: 3.1.1 and the short forms of 5.0 §3.4.2.1") {
  round_trip_exact(bytes({0x40, 0x02, 0x00, 0x0A}), Puback{{10, 0, {}}}, Version::v311);
  round_trip_exact(bytes({0x50, 0x02, 0x00, 0x0A}), Pubrec{{10, 0, {}}}, Version::v311);
  round_trip_exact(bytes({0x62, 0x02, 0x00, 0x0A}), Pubrel{{10, 0, {}}}, Version::v311);
  round_trip_exact(bytes({0x70, 0x02, 0x00, 0x0A}), Pubcomp{{10, 0, {}}}, Version::v311);
  round_trip_exact(bytes({0x40, 0x02, 0x00, 0x0A}), Puback{{10, 0, {}}}, Version::v5);
  round_trip_exact(bytes({0x40, 0x03, 0x00, 0x0A, 0x10}),
                   Puback{{10, rc::no_matching_subscribers, {}}}, Version::v5);
  round_trip_exact(bytes({0x62, 0x03, 0x00, 0x0A, 0x92}),
                   Pubrel{{10, rc::packet_identifier_not_found, {}}}, Version::v5);
  Pubrec r{{10, rc::quota_exceeded, {}}};
  r.props.add(PropId::reason_string, "full");
  round_trip_exact(bytes({0x50, 0x0B, 0x00, 0x0A, 0x97, 0x07, 0x1F, 0x00, 0x04, 'f', 'u', 'l',
                          'l'}), r, Version::v5);
  // Reason code and property length may be omitted independently.
  auto d = dec(bytes({0x40, 0x04, 0x00, 0x0A, 0x00, 0x00}), Version::v5);
  REQUIRE(d.status == DecodeStatus::ok);
  CHECK(std::get<Puback>(d.packet) == Puback{{10, 0, {}}});
}

TEST_CASE("SUBSCRIBE: Figure 3.22 (3.1.1) a/b QoS 1, c/d QoS 2, and 5.0 subscription options") {
  Subscribe s;
  s.packet_id = 10;
  s.subs = {{"a/b", 1}, {"c/d", 2}};
  round_trip_exact(bytes({0x82, 0x0E, 0x00, 0x0A, 0x00, 0x03, 'a', '/', 'b', 0x01,
                          0x00, 0x03, 'c', '/', 'd', 0x02}), s, Version::v311);
  Subscribe s5;
  s5.packet_id = 10;
  s5.props.add(PropId::subscription_identifier, 200);
  s5.subs = {{"a/+", 1, true, true, 2}};
  round_trip_exact(bytes({0x82, 0x0C, 0x00, 0x0A, 0x03, 0x0B, 0xC8, 0x01,
                          0x00, 0x03, 'a', '/', '+', 0x2D}), s5, Version::v5);
}

TEST_CASE("SUBACK: Figure 3.26 (3.1.1) return codes 0, 2, 0x80, and 5.0 reason codes") {
  round_trip_exact(bytes({0x90, 0x05, 0x00, 0x0A, 0x00, 0x02, 0x80}),
                   Suback{10, {}, {0x00, 0x02, 0x80}}, Version::v311);
  round_trip_exact(bytes({0x90, 0x06, 0x00, 0x0A, 0x00, 0x01, 0x9E, 0xA2}),
                   Suback{10, {}, {0x01, 0x9E, 0xA2}}, Version::v5);
}

TEST_CASE("UNSUBSCRIBE/UNSUBACK: Figure 3.30 (3.1.1) a/b, c/d") {
  round_trip_exact(bytes({0xA2, 0x0C, 0x00, 0x0A, 0x00, 0x03, 'a', '/', 'b',
                          0x00, 0x03, 'c', '/', 'd'}), Unsubscribe{10, {}, {"a/b", "c/d"}},
                   Version::v311);
  round_trip_exact(bytes({0xB0, 0x02, 0x00, 0x0A}), Unsuback{10, {}, {}}, Version::v311);
  round_trip_exact(bytes({0xB0, 0x05, 0x00, 0x0A, 0x00, 0x00, 0x11}),
                   Unsuback{10, {}, {0x00, 0x11}}, Version::v5);
}

TEST_CASE("PINGREQ, PINGRESP, DISCONNECT, AUTH") {
  round_trip_exact(bytes({0xC0, 0x00}), Pingreq{}, Version::v311);
  round_trip_exact(bytes({0xD0, 0x00}), Pingresp{}, Version::v311);
  round_trip_exact(bytes({0xE0, 0x00}), Disconnect{}, Version::v311);
  round_trip_exact(bytes({0xE0, 0x00}), Disconnect{}, Version::v5);
  round_trip_exact(bytes({0xE0, 0x01, 0x04}), Disconnect{rc::disconnect_with_will, {}}, Version::v5);
  Disconnect d{rc::session_taken_over, {}};
  d.props.add(PropId::session_expiry_interval, 0);
  round_trip_exact(bytes({0xE0, 0x07, 0x8E, 0x05, 0x11, 0x00, 0x00, 0x00, 0x00}), d, Version::v5);
  round_trip_exact(bytes({0xF0, 0x00}), Auth{}, Version::v5);
  Auth a{rc::continue_authentication, {}};
  a.props.add(PropId::authentication_method, "SCRAM").add(PropId::authentication_data, std::string("\x01\x00", 2));
  round_trip_exact(bytes({0xF0, 0x0F, 0x18, 0x0D, 0x15, 0x00, 0x05, 'S', 'C', 'R', 'A', 'M',
                          0x16, 0x00, 0x02, 0x01, 0x00}), a, Version::v5);
}

TEST_CASE("every property round-trips in a packet that allows it") {
  // One packet per property with a representative value.
  for (std::uint32_t id = 0; id < 0x30; ++id) {
    const PropInfo& info = prop_info(id);
    if (!info.name) continue;
    Property p;
    p.id = PropId(id);
    switch (info.type) {
      case PropType::byte: p.num = 1; break;
      case PropType::u16: p.num = 0x1234; break;
      case PropType::u32: p.num = 0x12345678; break;
      case PropType::varint: p.num = 300000; break;
      case PropType::utf8: p.str = "text/x"; break;
      case PropType::binary: p.str = std::string("\x00\xFF", 2); break;
      case PropType::utf8_pair: p.str = "k"; p.str2 = "v"; break;
    }
    Packet pk;
    auto allowed = [&](PacketType t) { return info.where & (1u << unsigned(t)); };
    if (allowed(PacketType::publish)) { Publish x; x.topic = "t"; x.props.items = {p}; pk = x; }
    else if (allowed(PacketType::connect)) { Connect x; x.props.items = {p}; pk = x; }
    else if (allowed(PacketType::connack)) { Connack x; x.props.items = {p}; pk = x; }
    else if (info.where & will_bit) { Connect x; x.will = Will{"w", "p", 0, false, {}}; x.will->props.items = {p}; pk = x; }
    else FAIL("no packet for property " << info.name);
    INFO(info.name);
    auto b = enc(pk);
    auto d = dec(b);
    REQUIRE(d.status == DecodeStatus::ok);
    CHECK(d.packet == pk);
  }
}

TEST_CASE("reason codes: names and the packets that may carry them") {
  CHECK(std::string(reason_name(0x00, PacketType::disconnect)) == "Normal disconnection");
  CHECK(std::string(reason_name(0x00, PacketType::suback)) == "Granted QoS 0");
  CHECK(std::string(reason_name(0x97)) == "Quota exceeded");
  CHECK(std::string(reason_name(0xA2)) == "Wildcard Subscriptions not supported");
  int defined = 0;
  for (int c = 0; c < 256; ++c)
    if (std::string(reason_name(std::uint8_t(c))) != "(undefined reason code)") ++defined;
  CHECK(defined == 43);  // every reason code of the 5.0 table (0x00 counted once)
  CHECK(reason_allowed(PacketType::connack, 0x86, Version::v5));
  CHECK_FALSE(reason_allowed(PacketType::connack, 0x8E, Version::v5));
  CHECK(reason_allowed(PacketType::disconnect, 0x8E, Version::v5));
  CHECK(reason_allowed(PacketType::connack, 5, Version::v311));
  CHECK_FALSE(reason_allowed(PacketType::connack, 6, Version::v311));
  CHECK(reason_allowed(PacketType::auth, 0x19, Version::v5));
  CHECK_FALSE(reason_allowed(PacketType::pubrel, 0x10, Version::v5));
}

TEST_CASE("decoding a stream: need_more until the packet is complete, then one at a time") {
  Bytes stream = bytes({0xC0, 0x00, 0x30, 0x04, 0x00, 0x01, 't', 0x00, 0xD0, 0x00});
  for (std::size_t n = 0; n < 2; ++n)
    CHECK(dec(Bytes(stream.begin(), stream.begin() + n)).status == DecodeStatus::need_more);
  auto part = dec(Bytes(stream.begin() + 2, stream.begin() + 5));
  CHECK(part.status == DecodeStatus::need_more);
  CHECK(part.needed == 6);
  std::size_t pos = 0;
  std::vector<PacketType> types;
  while (pos < stream.size()) {
    auto d = decode(std::span(stream).subspan(pos));
    INFO(d.error.message());
    REQUIRE(d.status == DecodeStatus::ok);
    types.push_back(type_of(d.packet));
    pos += d.consumed;
  }
  CHECK(types == std::vector{PacketType::pingreq, PacketType::publish, PacketType::pingresp});
}
