// Validation with human messages, and the permanent/transient classification (validate.hpp).
#include "weir/mqtt/validate.hpp"
#include <cstdio>
#include "weir/mqtt/codec.hpp"
#include "weir/mqtt/reason.hpp"
#include "weir/mqtt/session.hpp"
#include "weir/mqtt/topic.hpp"
#include "weir/mqtt/wire.hpp"

namespace weir::mqtt {
namespace {

// Long values are cut in messages: a 70,000-byte client identifier is not worth printing.
std::string quoted(std::string_view s) {
  if (s.size() > 40) return "'" + std::string(s.substr(0, 37)) + "...' (" + std::to_string(s.size()) + " bytes)";
  return "'" + std::string(s) + "'";
}

std::string string_problem(std::string_view what, std::string_view s, bool utf8) {
  if (s.size() > 65535)
    return std::string(what) + " is " + std::to_string(s.size()) +
           " bytes long; MQTT strings hold at most 65535 bytes";
  if (utf8) {
    auto at = utf8_invalid_at(s);
    if (at != std::string_view::npos)
      return std::string(what) + " " + quoted(s) + ": not valid UTF-8 (or U+0000) at byte " +
             std::to_string(at);
  }
  return {};
}

std::string level_problem(std::string_view f) {
  std::size_t start = 0;
  for (;;) {
    std::size_t end = f.find('/', start);
    std::string_view level = f.substr(start, end == f.npos ? f.npos : end - start);
    if (level.find('#') != level.npos && (level.size() != 1 || end != f.npos))
      return "'#' must be a whole level and the last one";
    if (level.find('+') != level.npos && level.size() != 1) return "'+' must be a whole level";
    if (end == f.npos) return {};
    start = end + 1;
  }
}

std::string size_problem(std::uint64_t total, std::uint32_t max_packet, bool server_limit) {
  if (total > max_packet_size_limit)
    return "message of " + std::to_string(total) +
           " bytes: an MQTT packet holds at most 268435455 bytes after its fixed header";
  if (total > max_packet)
    return "message of " + std::to_string(total) + " bytes exceeds " +
           (server_limit ? "the server's Maximum Packet Size of " : "the maximum packet size of ") +
           std::to_string(max_packet) + " bytes";
  return {};
}

}  // namespace

std::string topic_name_problem(std::string_view t) {
  if (t.empty()) return "topic name must not be empty";
  if (auto p = string_problem("topic name", t, true); !p.empty()) return p;
  if (t.find_first_of("+#") != t.npos)
    return "topic name " + quoted(t) + ": a topic name must not contain '+' or '#' (those are for filters)";
  return {};
}

std::string topic_filter_problem(std::string_view f) {
  if (f.empty()) return "topic filter must not be empty";
  if (auto p = string_problem("topic filter", f, true); !p.empty()) return p;
  std::string_view plain = f;
  if (f.substr(0, 7) == "$share/") {
    auto s = split_shared(f);
    if (s.group.empty() || s.group.find_first_of("+#") != s.group.npos || s.filter.data() == nullptr ||
        s.filter.empty())
      return "topic filter " + quoted(f) +
             ": a shared subscription is $share/<group>/<filter>, the group without '+' or '#'";
    plain = s.filter;
  }
  if (auto p = level_problem(plain); !p.empty()) return "topic filter " + quoted(f) + ": " + p;
  if (!is_valid_topic_filter(f)) return "topic filter " + quoted(f) + " is not valid";
  return {};
}

std::string subscription_problem(const Subscription& s, Version v) {
  if (auto p = topic_filter_problem(s.filter); !p.empty()) return p;
  if (s.qos > 2) return "subscription QoS " + std::to_string(s.qos) + ": must be 0, 1 or 2";
  if (v == Version::v5) {
    if (s.retain_handling > 2)
      return "retain handling " + std::to_string(s.retain_handling) + ": must be 0, 1 or 2";
    if (s.no_local && !split_shared(s.filter).group.empty())
      return "topic filter " + quoted(s.filter) + ": No Local is not allowed on a shared subscription";
  }
  return {};
}

std::string connect_problem(const SessionConfig& c) {
  const bool v5 = c.version == Version::v5;
  if (auto p = string_problem("client identifier", c.client_id, true); !p.empty()) return p;
  if (!v5 && c.client_id.empty() && !c.clean_start)
    return "an empty client identifier needs a clean session in MQTT 3.1.1";
  if (c.will) {
    const Will& w = *c.will;
    if (auto p = topic_name_problem(w.topic); !p.empty()) return "will: " + p;
    if (w.qos > 2) return "will QoS " + std::to_string(w.qos) + ": must be 0, 1 or 2";
    if (w.payload.size() > 65535)
      return "will payload is " + std::to_string(w.payload.size()) + " bytes; at most 65535";
  }
  if (c.username) if (auto p = string_problem("user name", *c.username, true); !p.empty()) return p;
  if (c.password) if (auto p = string_problem("password", *c.password, false); !p.empty()) return p;
  if (!v5 && c.password && !c.username) return "MQTT 3.1.1 allows a password only with a user name";
  if (c.max_packet_size != 0 && c.max_packet_size < 16) return "maximum packet size must be at least 16 bytes";
  // Whatever is left (properties, their values and placement) the encoder checks.
  Connect con;
  con.version = c.version;
  con.client_id = c.client_id;
  con.keep_alive = c.keep_alive;
  if (v5) con.props = c.connect_props;
  con.will = c.will;
  if (con.will && !v5) con.will->props = {};
  con.username = c.username;
  con.password = c.password;
  std::vector<std::uint8_t> scratch;
  if (Error e = encode(Packet(std::move(con)), scratch)) return "CONNECT: " + e.message();
  return {};
}

std::string payload_size_problem(std::uint64_t payload_size, std::string_view topic,
                                 std::uint32_t max_packet, bool server_limit) {
  // Fixed header (up to 5) + topic (2 + n) + packet identifier (2) + properties (at least 1).
  return size_problem(5 + 2 + topic.size() + 2 + 1 + payload_size, max_packet, server_limit);
}

std::string publish_problem(const Publish& p, Version v, std::uint32_t max_packet, bool server_limit) {
  if (p.qos > 2) return "QoS " + std::to_string(p.qos) + ": must be 0, 1 or 2";
  if (auto e = topic_name_problem(p.topic); !e.empty()) return e;
  if (auto e = payload_size_problem(p.payload.size(), p.topic, max_packet_size_limit, false); !e.empty())
    return e;
  Publish probe;  // the same packet without its payload: properties are checked cheaply
  probe.topic = p.topic;
  probe.qos = p.qos;
  probe.packet_id = p.qos ? 1 : 0;
  probe.retain = p.retain;
  probe.props = p.props;
  std::vector<std::uint8_t> scratch;
  if (Error e = encode(probe, scratch, EncodeOptions{v})) return "PUBLISH: " + e.message();
  std::uint32_t rl = 0;
  std::size_t used = 0;
  decode_varint(scratch.data() + 1, scratch.size() - 1, &rl, &used);
  const std::uint64_t remaining = std::uint64_t(rl) + p.payload.size();
  const std::uint64_t total =
      1 + (remaining < 128 ? 1 : remaining < 16384 ? 2 : remaining < 2097152 ? 3 : 4) + remaining;
  return size_problem(total, max_packet, server_limit);
}

bool connack_refusal_permanent(std::uint8_t code, Version v) noexcept {
  if (v == Version::v311) return code != rc::v3_server_unavailable;
  switch (code) {
    case rc::unspecified_error:            // a broker's catch-all: often a restart; retry
    case rc::implementation_specific_error:
    case rc::server_unavailable:
    case rc::server_busy:
    case rc::quota_exceeded:
    case rc::connection_rate_exceeded:
      return false;
    default:
      return true;  // malformed/protocol, version, identifier, credentials, authorisation,
                    // banned, auth method, will topic, packet size, payload format, retain, QoS,
                    // server moved / use another server (redirection is not followed)
  }
}

std::string connack_refusal_text(std::uint8_t code, Version v) {
  char buf[160];
  if (v == Version::v311) {
    static constexpr const char* names[] = {"Accepted", "Unacceptable protocol version",
      "Identifier rejected", "Server unavailable", "Bad user name or password", "Not authorized"};
    std::snprintf(buf, sizeof buf, "%s (MQTT 3.1.1 return code %u)", code <= 5 ? names[code] : "?",
                  unsigned(code));
  } else {
    std::snprintf(buf, sizeof buf, "%s (reason code 0x%02X)", reason_name(code, PacketType::connack),
                  unsigned(code));
  }
  return buf;
}

bool disconnect_reason_permanent(std::uint8_t reason) noexcept {
  switch (reason) {
    case rc::malformed_packet:       // the server says we broke the protocol: a retry would too
    case rc::protocol_error:
    case rc::not_authorized:
    case rc::session_taken_over:     // another client with our identifier: do not fight it
    case rc::topic_filter_invalid:
    case rc::topic_name_invalid:
    case rc::receive_maximum_exceeded:
    case rc::topic_alias_invalid:
    case rc::packet_too_large:
    case rc::payload_format_invalid:
    case rc::retain_not_supported:
    case rc::qos_not_supported:
    case rc::use_another_server:
    case rc::server_moved:
    case rc::shared_subscriptions_not_supported:
    case rc::subscription_identifiers_not_supported:
    case rc::wildcard_subscriptions_not_supported:
      return true;
    default:
      return false;  // shutting down, busy, keep-alive timeout, administrative action, rate or
                     // quota limits, maximum connect time, unspecified: reconnect with backoff
  }
}

}  // namespace weir::mqtt
