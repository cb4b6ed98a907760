// Error values of the MQTT codec and session: which packet, which field, which byte offset.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace weir::mqtt {

enum class PacketType : std::uint8_t {
  reserved = 0, connect = 1, connack, publish, puback, pubrec, pubrel, pubcomp,
  subscribe, suback, unsubscribe, unsuback, pingreq, pingresp, disconnect, auth
};
const char* packet_type_name(PacketType t) noexcept;

enum class Version : std::uint8_t { v311 = 4, v5 = 5 };

enum class Errc : std::uint8_t {
  ok = 0,
  malformed_varint,        // more than 4 bytes, or not the minimal encoding
  packet_too_large,        // exceeds the configured maximum packet size
  reserved_packet_type,    // type 0, or AUTH in MQTT 3.1.1
  bad_fixed_header_flags,  // reserved flag bits not as the spec requires
  truncated,               // a field runs past the end of the packet
  trailing_bytes,          // bytes left over after the last field
  invalid_utf8,            // ill-formed UTF-8, surrogates, or U+0000
  bad_protocol_name,       // CONNECT protocol name is not "MQTT"
  unsupported_protocol_version,
  bad_connect_flags,       // reserved bit, will flags without will, password without user (3.1.1)
  invalid_qos,             // QoS 3
  zero_packet_id,          // packet identifier 0
  unknown_property,        // property identifier not defined by MQTT 5
  property_not_allowed,    // defined, but not allowed in this packet
  duplicate_property,      // appears twice where only once is allowed
  bad_property_value,      // e.g. Receive Maximum 0, Payload Format Indicator 2
  bad_reason_code,         // reason code not allowed in this packet
  invalid_topic_name,
  invalid_topic_filter,
  empty_list,              // SUBSCRIBE/UNSUBSCRIBE/SUBACK/UNSUBACK without entries
  bad_subscription_options,
  string_too_long,         // encoder: string or binary longer than 65535 bytes
  protocol_error,          // other protocol violations (DUP with QoS 0, No Local on shared ...)
};
const char* errc_name(Errc e) noexcept;

struct Error {
  Errc code = Errc::ok;
  PacketType packet = PacketType::reserved;  // reserved when the type byte itself was not read
  const char* field = "";                    // static string naming the field
  std::size_t offset = 0;                    // byte offset from the first byte of the packet

  explicit operator bool() const noexcept { return code != Errc::ok; }
  // The MQTT 5 reason code a peer should send in DISCONNECT for this error (0x81, 0x82, 0x95 ...).
  std::uint8_t reason_code() const noexcept;
  std::string message() const;
};

}  // namespace weir::mqtt
