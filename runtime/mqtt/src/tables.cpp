// Tables: packet names, error names, reason codes, property descriptions.
#include <array>
#include <cstdio>
#include "weir/mqtt/error.hpp"
#include "weir/mqtt/properties.hpp"
#include "weir/mqtt/reason.hpp"
#include "weir/mqtt/topic.hpp"

namespace weir::mqtt {

const char* packet_type_name(PacketType t) noexcept {
  static constexpr const char* names[] = {"(none)", "CONNECT", "CONNACK", "PUBLISH", "PUBACK",
    "PUBREC", "PUBREL", "PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ",
    "PINGRESP", "DISCONNECT", "AUTH"};
  auto i = static_cast<unsigned>(t);
  return i < 16 ? names[i] : "(invalid)";
}

const char* errc_name(Errc e) noexcept {
  switch (e) {
    case Errc::ok: return "ok";
    case Errc::malformed_varint: return "malformed variable byte integer";
    case Errc::packet_too_large: return "packet too large";
    case Errc::reserved_packet_type: return "reserved packet type";
    case Errc::bad_fixed_header_flags: return "bad fixed header flags";
    case Errc::truncated: return "truncated field";
    case Errc::trailing_bytes: return "trailing bytes";
    case Errc::invalid_utf8: return "invalid UTF-8";
    case Errc::bad_protocol_name: return "bad protocol name";
    case Errc::unsupported_protocol_version: return "unsupported protocol version";
    case Errc::bad_connect_flags: return "bad connect flags";
    case Errc::invalid_qos: return "invalid QoS";
    case Errc::zero_packet_id: return "packet identifier 0";
    case Errc::unknown_property: return "unknown property";
    case Errc::property_not_allowed: return "property not allowed in this packet";
    case Errc::duplicate_property: return "duplicate property";
    case Errc::bad_property_value: return "bad property value";
    case Errc::bad_reason_code: return "reason code not allowed";
    case Errc::invalid_topic_name: return "invalid topic name";
    case Errc::invalid_topic_filter: return "invalid topic filter";
    case Errc::empty_list: return "empty list";
    case Errc::bad_subscription_options: return "bad subscription options";
    case Errc::string_too_long: return "string too long";
    case Errc::protocol_error: return "protocol error";
  }
  return "?";
}

std::uint8_t Error::reason_code() const noexcept {
  switch (code) {
    case Errc::ok: return rc::success;
    case Errc::packet_too_large: return rc::packet_too_large;
    case Errc::invalid_topic_name: return rc::topic_name_invalid;
    case Errc::invalid_topic_filter: return rc::topic_filter_invalid;
    case Errc::unsupported_protocol_version: return rc::unsupported_protocol_version;
    case Errc::protocol_error:
    case Errc::property_not_allowed:
    case Errc::duplicate_property:
    case Errc::bad_property_value:
    case Errc::reserved_packet_type: return rc::protocol_error;
    default: return rc::malformed_packet;
  }
}

std::string Error::message() const {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s: %s in %s at byte %zu", packet_type_name(packet),
                errc_name(code), *field ? field : "fixed header", offset);
  return buf;
}

namespace {
constexpr std::uint16_t bit(PacketType t) { return std::uint16_t(1u << unsigned(t)); }
using T = PacketType;
constexpr std::uint16_t W = will_bit;
constexpr std::uint16_t PUB = bit(T::publish), CON = bit(T::connect), CAK = bit(T::connack),
  DIS = bit(T::disconnect), AUT = bit(T::auth), SUB = bit(T::subscribe);
constexpr std::uint16_t ACKS = bit(T::puback) | bit(T::pubrec) | bit(T::pubrel) | bit(T::pubcomp);
constexpr std::uint16_t REASON_STRING = CAK | ACKS | bit(T::suback) | bit(T::unsuback) | DIS | AUT;
constexpr std::uint16_t USER = CON | CAK | PUB | W | ACKS | SUB | bit(T::suback) |
  bit(T::unsubscribe) | bit(T::unsuback) | DIS | AUT;

constexpr std::array<PropInfo, 0x2B> make_props() {
  std::array<PropInfo, 0x2B> a{};
  for (auto& p : a) p = {nullptr, PropType::byte, 0, false};
  a[0x01] = {"Payload Format Indicator", PropType::byte, PUB | W, false};
  a[0x02] = {"Message Expiry Interval", PropType::u32, PUB | W, false};
  a[0x03] = {"Content Type", PropType::utf8, PUB | W, false};
  a[0x08] = {"Response Topic", PropType::utf8, PUB | W, false};
  a[0x09] = {"Correlation Data", PropType::binary, PUB | W, false};
  a[0x0B] = {"Subscription Identifier", PropType::varint, PUB | SUB, true};
  a[0x11] = {"Session Expiry Interval", PropType::u32, CON | CAK | DIS, false};
  a[0x12] = {"Assigned Client Identifier", PropType::utf8, CAK, false};
  a[0x13] = {"Server Keep Alive", PropType::u16, CAK, false};
  a[0x15] = {"Authentication Method", PropType::utf8, CON | CAK | AUT, false};
  a[0x16] = {"Authentication Data", PropType::binary, CON | CAK | AUT, false};
  a[0x17] = {"Request Problem Information", PropType::byte, CON, false};
  a[0x18] = {"Will Delay Interval", PropType::u32, W, false};
  a[0x19] = {"Request Response Information", PropType::byte, CON, false};
  a[0x1A] = {"Response Information", PropType::utf8, CAK, false};
  a[0x1C] = {"Server Reference", PropType::utf8, CAK | DIS, false};
  a[0x1F] = {"Reason String", PropType::utf8, REASON_STRING, false};
  a[0x21] = {"Receive Maximum", PropType::u16, CON | CAK, false};
  a[0x22] = {"Topic Alias Maximum", PropType::u16, CON | CAK, false};
  a[0x23] = {"Topic Alias", PropType::u16, PUB, false};
  a[0x24] = {"Maximum QoS", PropType::byte, CAK, false};
  a[0x25] = {"Retain Available", PropType::byte, CAK, false};
  a[0x26] = {"User Property", PropType::utf8_pair, USER, true};
  a[0x27] = {"Maximum Packet Size", PropType::u32, CON | CAK, false};
  a[0x28] = {"Wildcard Subscription Available", PropType::byte, CAK, false};
  a[0x29] = {"Subscription Identifier Available", PropType::byte, CAK, false};
  a[0x2A] = {"Shared Subscription Available", PropType::byte, CAK, false};
  return a;
}
constexpr auto prop_table = make_props();
constexpr PropInfo unknown_prop{nullptr, PropType::byte, 0, false};
}  // namespace

const PropInfo& prop_info(std::uint32_t id) noexcept {
  return id < prop_table.size() ? prop_table[id] : unknown_prop;
}

bool property_value_valid(const Property& p) noexcept {
  switch (p.id) {
    case PropId::payload_format_indicator:
    case PropId::request_problem_information:
    case PropId::request_response_information:
    case PropId::maximum_qos:
    case PropId::retain_available:
    case PropId::wildcard_subscription_available:
    case PropId::subscription_identifier_available:
    case PropId::shared_subscription_available: return p.num <= 1;
    case PropId::receive_maximum:
    case PropId::maximum_packet_size:
    case PropId::topic_alias:
    case PropId::subscription_identifier: return p.num != 0;
    case PropId::response_topic: return is_valid_topic_name(p.str);
    default: return true;
  }
}

const char* reason_name(std::uint8_t c, PacketType in) noexcept {
  switch (c) {
    case 0x00:
      return in == T::disconnect ? "Normal disconnection"
           : in == T::suback     ? "Granted QoS 0" : "Success";
    case 0x01: return "Granted QoS 1";
    case 0x02: return "Granted QoS 2";
    case 0x04: return "Disconnect with Will Message";
    case 0x10: return "No matching subscribers";
    case 0x11: return "No subscription existed";
    case 0x18: return "Continue authentication";
    case 0x19: return "Re-authenticate";
    case 0x80: return "Unspecified error";
    case 0x81: return "Malformed Packet";
    case 0x82: return "Protocol Error";
    case 0x83: return "Implementation specific error";
    case 0x84: return "Unsupported Protocol Version";
    case 0x85: return "Client Identifier not valid";
    case 0x86: return "Bad User Name or Password";
    case 0x87: return "Not authorized";
    case 0x88: return "Server unavailable";
    case 0x89: return "Server busy";
    case 0x8A: return "Banned";
    case 0x8B: return "Server shutting down";
    case 0x8C: return "Bad authentication method";
    case 0x8D: return "Keep Alive timeout";
    case 0x8E: return "Session taken over";
    case 0x8F: return "Topic Filter invalid";
    case 0x90: return "Topic Name invalid";
    case 0x91: return "Packet Identifier in use";
    case 0x92: return "Packet Identifier not found";
    case 0x93: return "Receive Maximum exceeded";
    case 0x94: return "Topic Alias invalid";
    case 0x95: return "Packet too large";
    case 0x96: return "Message rate too high";
    case 0x97: return "Quota exceeded";
    case 0x98: return "Administrative action";
    case 0x99: return "Payload format invalid";
    case 0x9A: return "Retain not supported";
    case 0x9B: return "QoS not supported";
    case 0x9C: return "Use another server";
    case 0x9D: return "Server moved";
    case 0x9E: return "Shared Subscriptions not supported";
    case 0x9F: return "Connection rate exceeded";
    case 0xA0: return "Maximum connect time";
    case 0xA1: return "Subscription Identifiers not supported";
    case 0xA2: return "Wildcard Subscriptions not supported";
    default: return "(undefined reason code)";
  }
}

bool reason_allowed(PacketType in, std::uint8_t c, Version v) noexcept {
  auto one_of = [c](std::initializer_list<int> l) {
    for (int x : l) if (x == c) return true;
    return false;
  };
  if (v == Version::v311) {
    switch (in) {
      case T::connack: return c <= 5;
      case T::suback: return c <= 2 || c == 0x80;
      default: return c == 0;
    }
  }
  switch (in) {
    case T::connack:
      return one_of({0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C,
                     0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F});
    case T::puback:
    case T::pubrec:
      return one_of({0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99});
    case T::pubrel:
    case T::pubcomp: return c == 0x00 || c == 0x92;
    case T::suback:
      return one_of({0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2});
    case T::unsuback: return one_of({0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91});
    case T::disconnect:
      return one_of({0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x90,
                     0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F,
                     0xA0, 0xA1, 0xA2});
    case T::auth: return c == 0x00 || c == 0x18 || c == 0x19;
    default: return c == 0;
  }
}

}  // namespace weir::mqtt
