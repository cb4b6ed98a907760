// What the client checks before anything is sent, and how failures are classified.
// Every function returns an empty string when all is well, or a sentence naming the field,
// the value and the rule ("will topic 'w/#': a topic name must not contain '+' or '#'").
// A failure is permanent when retrying the same thing cannot succeed (a refused CONNECT, an
// invalid argument, a protocol violation of ours): the client reports it and stops.
// Transient ones (server busy, shutting down, keep-alive or acknowledgement timeouts, network
// errors) are retried with backoff. docs/runtime-mqtt.md, "Errors", has the full table.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include "weir/mqtt/packets.hpp"

namespace weir::mqtt {

struct SessionConfig;

// ---- validation (sans-I/O, no allocation unless there is a problem) -----------------------
std::string topic_name_problem(std::string_view topic);
std::string topic_filter_problem(std::string_view filter);
std::string subscription_problem(const Subscription& s, Version v);
// CONNECT fields: client identifier, will, user name, password, keep-alive, properties.
std::string connect_problem(const SessionConfig& c);
// Topic, QoS, properties and size (size problems start with "message of"). `max_packet` is the largest packet allowed (the server's
// Maximum Packet Size when `server_limit`, else the protocol's limit).
std::string publish_problem(const Publish& p, Version v, std::uint32_t max_packet,
                            bool server_limit);
// The same size rule for a payload that is not built yet (a file, `-s 300000000`).
std::string payload_size_problem(std::uint64_t payload_size, std::string_view topic,
                                 std::uint32_t max_packet, bool server_limit);

// ---- classification ---------------------------------------------------------------------
// A refused CONNACK (5.0 reason code or 3.1.1 return code): may a retry succeed?
bool connack_refusal_permanent(std::uint8_t code, Version v) noexcept;
// "Not authorized (MQTT 3.1.1 return code 5)", "Bad User Name or Password (reason code 0x86)".
std::string connack_refusal_text(std::uint8_t code, Version v);
// A DISCONNECT from the server: may reconnecting help?
bool disconnect_reason_permanent(std::uint8_t reason) noexcept;

}  // namespace weir::mqtt
