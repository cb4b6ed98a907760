// The fifteen MQTT control packets as plain values (MQTT 3.1.1 and 5.0 share one model;
// fields that only exist in 5.0 are ignored when encoding 3.1.1).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>
#include "weir/mqtt/error.hpp"
#include "weir/mqtt/properties.hpp"

namespace weir::mqtt {

struct Will {
  std::string topic;
  std::string payload;  // binary
  std::uint8_t qos = 0;
  bool retain = false;
  Properties props;     // Will properties (5.0)
  bool operator==(const Will&) const = default;
};

struct Connect {
  Version version = Version::v5;
  std::string client_id;
  bool clean_start = true;
  std::uint16_t keep_alive = 60;
  Properties props;
  std::optional<Will> will;
  std::optional<std::string> username;
  std::optional<std::string> password;  // binary
  bool operator==(const Connect&) const = default;
};

struct Connack {
  bool session_present = false;
  std::uint8_t reason = 0;  // 5.0 reason code, or 3.1.1 return code
  Properties props;
  bool operator==(const Connack&) const = default;
};

struct Publish {
  std::string topic;     // may be empty in 5.0 when a Topic Alias is set
  std::string payload;
  std::uint8_t qos = 0;
  bool retain = false;
  bool dup = false;
  std::uint16_t packet_id = 0;  // only for QoS 1 and 2
  Properties props;
  bool operator==(const Publish&) const = default;
};

// PUBACK, PUBREC, PUBREL, PUBCOMP share one layout.
struct AckBase {
  std::uint16_t packet_id = 0;
  std::uint8_t reason = 0;
  Properties props;
  bool operator==(const AckBase&) const = default;
};
struct Puback : AckBase {};
struct Pubrec : AckBase {};
struct Pubrel : AckBase {};
struct Pubcomp : AckBase {};

struct Subscription {
  std::string filter;
  std::uint8_t qos = 0;
  bool no_local = false;             // 5.0
  bool retain_as_published = false;  // 5.0
  std::uint8_t retain_handling = 0;  // 5.0: 0 send, 1 send if new, 2 do not send
  bool operator==(const Subscription&) const = default;
};

struct Subscribe {
  std::uint16_t packet_id = 0;
  Properties props;
  std::vector<Subscription> subs;
  bool operator==(const Subscribe&) const = default;
};

struct Suback {
  std::uint16_t packet_id = 0;
  Properties props;
  std::vector<std::uint8_t> reasons;
  bool operator==(const Suback&) const = default;
};

struct Unsubscribe {
  std::uint16_t packet_id = 0;
  Properties props;
  std::vector<std::string> filters;
  bool operator==(const Unsubscribe&) const = default;
};

struct Unsuback {
  std::uint16_t packet_id = 0;
  Properties props;
  std::vector<std::uint8_t> reasons;  // 5.0 only; empty for 3.1.1
  bool operator==(const Unsuback&) const = default;
};

struct Pingreq { bool operator==(const Pingreq&) const = default; };
struct Pingresp { bool operator==(const Pingresp&) const = default; };

struct Disconnect {
  std::uint8_t reason = 0;
  Properties props;
  bool operator==(const Disconnect&) const = default;
};

struct Auth {  // 5.0 only
  std::uint8_t reason = 0;
  Properties props;
  bool operator==(const Auth&) const = default;
};

// Alternative index + 1 == packet type.
using Packet = std::variant<Connect, Connack, Publish, Puback, Pubrec, Pubrel, Pubcomp, Subscribe,
                            Suback, Unsubscribe, Unsuback, Pingreq, Pingresp, Disconnect, Auth>;

inline PacketType type_of(const Packet& p) noexcept {
  return static_cast<PacketType>(p.index() + 1);
}

}  // namespace weir::mqtt
