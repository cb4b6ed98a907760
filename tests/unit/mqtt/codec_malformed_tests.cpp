// Malformed input: every error value, with its packet, field and byte offset.
#include <catch2/catch.hpp>
#include "helpers.hpp"

using namespace weir::mqtt;
using namespace mqtt_test;

namespace {
Error err_of(const Bytes& b, Version v = Version::v5, std::uint32_t max = max_packet_size_limit) {
  auto d = dec(b, v, max);
  INFO("bytes: " << hex(b));
  REQUIRE(d.status == DecodeStatus::error);
  CHECK(d.consumed == 0);
  CHECK_FALSE(d.error.message().empty());
  return d.error;
}
void expect(const Bytes& b, Errc code, PacketType t, std::string field, std::size_t offset,
            Version v = Version::v5) {
  Error e = err_of(b, v);
  INFO(e.message());
  CHECK(e.code == code);
  CHECK(e.packet == t);
  CHECK(std::string(e.field) == field);
  CHECK(e.offset == offset);
}
}  // namespace

TEST_CASE("fixed header errors") {
  expect(bytes({0x00, 0x00}), Errc::reserved_packet_type, PacketType::reserved, "packet type", 0);
  expect(bytes({0xF0, 0x00}), Errc::reserved_packet_type, PacketType::auth, "packet type", 0,
         Version::v311);
  expect(bytes({0xC1, 0x00}), Errc::bad_fixed_header_flags, PacketType::pingreq, "fixed header flags", 0);
  expect(bytes({0x60, 0x02, 0x00, 0x01}), Errc::bad_fixed_header_flags, PacketType::pubrel,
         "fixed header flags", 0);
  expect(bytes({0x80, 0x02, 0x00, 0x01}), Errc::bad_fixed_header_flags, PacketType::subscribe,
         "fixed header flags", 0);
  expect(bytes({0x36, 0x00}), Errc::invalid_qos, PacketType::publish, "fixed header flags", 0);
  expect(bytes({0x38, 0x03, 0x00, 0x01, 't'}), Errc::protocol_error, PacketType::publish,
         "fixed header flags", 0);
  expect(bytes({0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}), Errc::malformed_varint, PacketType::publish,
         "remaining length", 1);
  expect(bytes({0x30, 0x80, 0x00}), Errc::malformed_varint, PacketType::publish, "remaining length", 1);
}

TEST_CASE("maximum packet size is enforced from the fixed header, before the body arrives") {
  Bytes b = bytes({0x30, 0xE8, 0x07});  // remaining length 1000, body not here yet
  Error e = err_of(b, Version::v5, 1000);
  CHECK(e.code == Errc::packet_too_large);
  CHECK(e.reason_code() == 0x95);
  CHECK(dec(b, Version::v5, 1003).status == DecodeStatus::need_more);
  Publish p;
  p.topic = "t";
  p.payload.assign(100, 'x');
  Bytes out;
  CHECK(encode(Packet(p), out, {Version::v5, 50}).code == Errc::packet_too_large);
  CHECK(out.empty());
}

TEST_CASE("truncated fields and trailing bytes") {
  // Topic length says 5, only 1 byte there.
  expect(bytes({0x30, 0x03, 0x00, 0x05, 't'}), Errc::truncated, PacketType::publish, "topic name", 2);
  expect(bytes({0x32, 0x04, 0x00, 0x01, 't', 0x00}), Errc::truncated, PacketType::publish,
         "packet identifier", 5);
  expect(bytes({0x40, 0x03, 0x00, 0x01, 0x00}), Errc::trailing_bytes, PacketType::puback,
         "end of packet", 4, Version::v311);
  expect(bytes({0xC0, 0x01, 0x00}), Errc::trailing_bytes, PacketType::pingreq, "end of packet", 2);
  expect(bytes({0x20, 0x01, 0x00}), Errc::truncated, PacketType::connack, "return code", 3,
         Version::v311);
  // Property length larger than what is left.
  expect(bytes({0x40, 0x05, 0x00, 0x01, 0x00, 0x09, 0x1F}), Errc::truncated, PacketType::puback,
         "property length", 5);
}

TEST_CASE("UTF-8 errors point at the bad byte") {
  expect(bytes({0x30, 0x06, 0x00, 0x04, 'a', 0xC0, 0xAF, 'b'}), Errc::invalid_utf8,
         PacketType::publish, "topic name", 5);
  expect(bytes({0x30, 0x05, 0x00, 0x03, 'a', 0x00, 'b'}), Errc::invalid_utf8, PacketType::publish,
         "topic name", 5);
}

TEST_CASE("CONNECT errors") {
  auto connect = [](Bytes vh_and_payload) {
    return bytes({0x10, int(vh_and_payload.size())}) + vh_and_payload;
  };
  expect(connect(bytes({0x00, 0x04, 'M', 'Q', 'T', 'X', 0x04, 0x02, 0x00, 0x0A, 0x00, 0x00})),
         Errc::bad_protocol_name, PacketType::connect, "protocol name", 2);
  expect(connect(bytes({0x00, 0x04, 'M', 'Q', 'T', 'T', 0x03, 0x02, 0x00, 0x0A, 0x00, 0x00})),
         Errc::unsupported_protocol_version, PacketType::connect, "protocol version", 8);
  expect(connect(bytes({0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x03, 0x00, 0x0A, 0x00, 0x00})),
         Errc::bad_connect_flags, PacketType::connect, "connect flags", 9);
  expect(connect(bytes({0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x1E, 0x00, 0x0A, 0x00, 0x00})),
         Errc::invalid_qos, PacketType::connect, "connect flags", 9);
  // Will QoS without the will flag.
  expect(connect(bytes({0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x0A, 0x00, 0x0A, 0x00, 0x00})),
         Errc::bad_connect_flags, PacketType::connect, "connect flags", 9);
  // Password without user name is an error in 3.1.1 only.
  expect(connect(bytes({0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x42, 0x00, 0x0A, 0x00, 0x00,
                        0x00, 0x01, 'p'})),
         Errc::bad_connect_flags, PacketType::connect, "connect flags", 9);
  CHECK(dec(connect(bytes({0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x42, 0x00, 0x0A, 0x00, 0x00,
                           0x00, 0x00, 0x01, 'p'}))).status == DecodeStatus::ok);
  // Will topic with a wildcard.
  expect(connect(bytes({0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x06, 0x00, 0x0A, 0x00, 0x00,
                        0x00, 0x01, '#', 0x00, 0x00})),
         Errc::invalid_topic_name, PacketType::connect, "will topic", 14);
}

TEST_CASE("property errors") {
  // Unknown identifier 0x05 in PUBLISH.
  expect(bytes({0x30, 0x05, 0x00, 0x01, 't', 0x01, 0x05}), Errc::unknown_property,
         PacketType::publish, "property identifier", 6);
  // Session Expiry Interval is not allowed in PUBLISH.
  expect(bytes({0x30, 0x09, 0x00, 0x01, 't', 0x05, 0x11, 0x00, 0x00, 0x00, 0x01}),
         Errc::property_not_allowed, PacketType::publish, "Session Expiry Interval", 6);
  // Topic Alias twice.
  expect(bytes({0x30, 0x0A, 0x00, 0x01, 't', 0x06, 0x23, 0x00, 0x01, 0x23, 0x00, 0x02}),
         Errc::duplicate_property, PacketType::publish, "Topic Alias", 9);
  // User Property may repeat; Subscription Identifier may repeat in PUBLISH only.
  CHECK(dec(bytes({0x30, 0x0D, 0x00, 0x01, 't', 0x09, 0x26, 0x00, 0x00, 0x00, 0x00, 0x26, 0x00,
                   0x00, 0x00, 0x00})).status == DecodeStatus::error);  // length mismatch below
  CHECK(dec(bytes({0x30, 0x0E, 0x00, 0x01, 't', 0x0A, 0x26, 0x00, 0x00, 0x00, 0x00, 0x26, 0x00,
                   0x00, 0x00, 0x00})).status == DecodeStatus::ok);
  CHECK(dec(bytes({0x30, 0x08, 0x00, 0x01, 't', 0x04, 0x0B, 0x01, 0x0B, 0x02})).status ==
        DecodeStatus::ok);
  expect(bytes({0x82, 0x0B, 0x00, 0x01, 0x04, 0x0B, 0x01, 0x0B, 0x02, 0x00, 0x01, 't', 0x00}),
         Errc::duplicate_property, PacketType::subscribe, "Subscription Identifier", 7);
  // Values out of range.
  expect(bytes({0x30, 0x06, 0x00, 0x01, 't', 0x02, 0x01, 0x02}), Errc::bad_property_value,
         PacketType::publish, "Payload Format Indicator", 7);
  expect(bytes({0x30, 0x07, 0x00, 0x01, 't', 0x03, 0x23, 0x00, 0x00}), Errc::bad_property_value,
         PacketType::publish, "Topic Alias", 7);
  expect(bytes({0x20, 0x06, 0x00, 0x00, 0x03, 0x21, 0x00, 0x00}), Errc::bad_property_value,
         PacketType::connack, "Receive Maximum", 6);
  expect(bytes({0x30, 0x08, 0x00, 0x01, 't', 0x04, 0x08, 0x00, 0x01, '#'}), Errc::bad_property_value,
         PacketType::publish, "Response Topic", 7);
  expect(bytes({0x30, 0x06, 0x00, 0x01, 't', 0x02, 0x0B, 0x00}), Errc::bad_property_value,
         PacketType::publish, "Subscription Identifier", 7);
  // Property identifier that is not a valid varint.
  expect(bytes({0x30, 0x06, 0x00, 0x01, 't', 0x02, 0x80, 0x00}), Errc::malformed_varint,
         PacketType::publish, "property identifier", 6);
}

TEST_CASE("reason code errors") {
  expect(bytes({0x40, 0x03, 0x00, 0x01, 0x8E}), Errc::bad_reason_code, PacketType::puback,
         "reason code", 4);
  expect(bytes({0x20, 0x02, 0x00, 0x06}), Errc::bad_reason_code, PacketType::connack,
         "return code", 3, Version::v311);
  expect(bytes({0x90, 0x03, 0x00, 0x01, 0x03}), Errc::bad_reason_code, PacketType::suback,
         "reason code", 4, Version::v311);
  expect(bytes({0xE0, 0x01, 0x01}), Errc::bad_reason_code, PacketType::disconnect, "reason code", 2);
  expect(bytes({0x20, 0x02, 0x01, 0x05}), Errc::protocol_error, PacketType::connack,
         "acknowledge flags", 2, Version::v311);
  expect(bytes({0x20, 0x02, 0x02, 0x00}), Errc::bad_connect_flags, PacketType::connack,
         "acknowledge flags", 2, Version::v311);
}

TEST_CASE("packet identifiers, topics, filters, subscription options") {
  expect(bytes({0x40, 0x02, 0x00, 0x00}), Errc::zero_packet_id, PacketType::puback,
         "packet identifier", 2);
  expect(bytes({0x32, 0x05, 0x00, 0x01, 't', 0x00, 0x00}), Errc::zero_packet_id,
         PacketType::publish, "packet identifier", 5);
  expect(bytes({0x30, 0x05, 0x00, 0x03, 'a', '/', '+'}), Errc::invalid_topic_name,
         PacketType::publish, "topic name", 6, Version::v311);
  expect(bytes({0x30, 0x02, 0x00, 0x00}), Errc::invalid_topic_name, PacketType::publish,
         "topic name", 2, Version::v311);
  expect(bytes({0x30, 0x03, 0x00, 0x00, 0x00}), Errc::invalid_topic_name, PacketType::publish,
         "topic name", 2);  // empty topic without Topic Alias
  expect(bytes({0x82, 0x02, 0x00, 0x01}), Errc::empty_list, PacketType::subscribe,
         "subscriptions", 4, Version::v311);
  expect(bytes({0x82, 0x08, 0x00, 0x01, 0x00, 0x03, 'a', '#', 'b', 0x00}), Errc::invalid_topic_filter,
         PacketType::subscribe, "topic filter", 4, Version::v311);
  expect(bytes({0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 'a', 0x04}), Errc::bad_subscription_options,
         PacketType::subscribe, "subscription options", 7, Version::v311);
  expect(bytes({0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 'a', 0x03}), Errc::invalid_qos,
         PacketType::subscribe, "subscription options", 7, Version::v311);
  expect(bytes({0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 'a', 0x30}), Errc::bad_subscription_options,
         PacketType::subscribe, "subscription options", 8);
  expect(bytes({0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 'a', 0x40}), Errc::bad_subscription_options,
         PacketType::subscribe, "subscription options", 8);
  // No Local on a shared subscription (5.0 §3.8.3.1).
  Bytes shared = bytes({0x82, 0x10, 0x00, 0x01, 0x00, 0x00, 0x0A}) + std::string("$share/g/a") + bytes({0x04});
  expect(shared, Errc::protocol_error, PacketType::subscribe, "subscription options", 17);
  expect(bytes({0xA2, 0x02, 0x00, 0x01}), Errc::empty_list, PacketType::unsubscribe,
         "topic filters", 4, Version::v311);
  expect(bytes({0x90, 0x03, 0x00, 0x01, 0x00}), Errc::empty_list, PacketType::suback,
         "reason codes", 5);
}

TEST_CASE("encoder rejects what the decoder would reject") {
  auto fails = [](const Packet& p, Errc code, Version v = Version::v5) {
    Bytes out;
    Error e = encode(p, out, {v});
    INFO(e.message());
    CHECK(e.code == code);
    CHECK(out.empty());
    CHECK(encoded_size(p, {v}) == 0);
  };
  Publish p;
  p.topic = "a/#";
  fails(p, Errc::invalid_topic_name);
  p.topic = "t";
  p.qos = 1;
  fails(p, Errc::zero_packet_id);
  p.qos = 3;
  fails(p, Errc::invalid_qos);
  p.qos = 0;
  p.dup = true;
  fails(p, Errc::protocol_error);
  p.dup = false;
  p.topic.assign(70000, 'a');
  fails(p, Errc::string_too_long);
  p.topic = "t";
  p.props.add(PropId::receive_maximum, 5);
  fails(p, Errc::property_not_allowed);
  p.props = {};
  p.props.add(PropId::topic_alias, 1).add(PropId::topic_alias, 2);
  fails(p, Errc::duplicate_property);
  fails(Subscribe{1, {}, {}}, Errc::empty_list);
  fails(Subscribe{1, {}, {{"a/#/b", 0}}}, Errc::invalid_topic_filter);
  fails(Subscribe{1, {}, {{"$share/g/a", 0, true}}}, Errc::protocol_error);
  fails(Puback{{1, 0x04, {}}}, Errc::bad_reason_code);
  fails(Auth{}, Errc::reserved_packet_type, Version::v311);
  Connect c;
  c.version = Version::v311;
  c.password = "p";
  fails(c, Errc::bad_connect_flags);
  c.client_id = std::string("\xFF");
  fails(c, Errc::invalid_utf8);
}
