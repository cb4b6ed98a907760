// MQTT 5 reason codes (§2.4) and MQTT 3.1.1 return codes, with the packets that may carry each.
#pragma once
#include <cstdint>
#include "weir/mqtt/error.hpp"

namespace weir::mqtt {

namespace rc {
inline constexpr std::uint8_t success = 0x00, normal_disconnection = 0x00, granted_qos0 = 0x00,
  granted_qos1 = 0x01, granted_qos2 = 0x02, disconnect_with_will = 0x04,
  no_matching_subscribers = 0x10, no_subscription_existed = 0x11, continue_authentication = 0x18,
  re_authenticate = 0x19, unspecified_error = 0x80, malformed_packet = 0x81, protocol_error = 0x82,
  implementation_specific_error = 0x83, unsupported_protocol_version = 0x84,
  client_identifier_not_valid = 0x85, bad_user_name_or_password = 0x86, not_authorized = 0x87,
  server_unavailable = 0x88, server_busy = 0x89, banned = 0x8A, server_shutting_down = 0x8B,
  bad_authentication_method = 0x8C, keep_alive_timeout = 0x8D, session_taken_over = 0x8E,
  topic_filter_invalid = 0x8F, topic_name_invalid = 0x90, packet_identifier_in_use = 0x91,
  packet_identifier_not_found = 0x92, receive_maximum_exceeded = 0x93, topic_alias_invalid = 0x94,
  packet_too_large = 0x95, message_rate_too_high = 0x96, quota_exceeded = 0x97,
  administrative_action = 0x98, payload_format_invalid = 0x99, retain_not_supported = 0x9A,
  qos_not_supported = 0x9B, use_another_server = 0x9C, server_moved = 0x9D,
  shared_subscriptions_not_supported = 0x9E, connection_rate_exceeded = 0x9F,
  maximum_connect_time = 0xA0, subscription_identifiers_not_supported = 0xA1,
  wildcard_subscriptions_not_supported = 0xA2;
// MQTT 3.1.1 CONNACK return codes and the SUBACK failure code.
inline constexpr std::uint8_t v3_accepted = 0, v3_unacceptable_protocol_version = 1,
  v3_identifier_rejected = 2, v3_server_unavailable = 3, v3_bad_user_name_or_password = 4,
  v3_not_authorized = 5, v3_suback_failure = 0x80;
}  // namespace rc

// Name of a reason code as the spec spells it, in the context of a packet type
// (0x00 is "Success", "Normal disconnection" or "Granted QoS 0").
const char* reason_name(std::uint8_t code, PacketType in = PacketType::reserved) noexcept;
// May this reason code appear in this packet for this protocol version?
bool reason_allowed(PacketType in, std::uint8_t code, Version v) noexcept;

}  // namespace weir::mqtt
