// MQTT 5 properties (§2.2.2): identifiers, value types, where each may appear.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "weir/mqtt/error.hpp"

namespace weir::mqtt {

enum class PropId : std::uint8_t {
  payload_format_indicator = 0x01, message_expiry_interval = 0x02, content_type = 0x03,
  response_topic = 0x08, correlation_data = 0x09, subscription_identifier = 0x0B,
  session_expiry_interval = 0x11, assigned_client_identifier = 0x12, server_keep_alive = 0x13,
  authentication_method = 0x15, authentication_data = 0x16, request_problem_information = 0x17,
  will_delay_interval = 0x18, request_response_information = 0x19, response_information = 0x1A,
  server_reference = 0x1C, reason_string = 0x1F, receive_maximum = 0x21,
  topic_alias_maximum = 0x22, topic_alias = 0x23, maximum_qos = 0x24, retain_available = 0x25,
  user_property = 0x26, maximum_packet_size = 0x27, wildcard_subscription_available = 0x28,
  subscription_identifier_available = 0x29, shared_subscription_available = 0x2A,
};

enum class PropType : std::uint8_t { byte, u16, u32, varint, utf8, binary, utf8_pair };

// Where a property may appear: bit (1 << packet type); bit 0 stands for the Will properties.
inline constexpr std::uint16_t will_bit = 1;
struct PropInfo {
  const char* name;      // nullptr for identifiers the spec does not define
  PropType type;
  std::uint16_t where;   // mask of packet types, will_bit for Will properties
  bool repeatable;       // User Property; Subscription Identifier in PUBLISH
};
const PropInfo& prop_info(std::uint32_t id) noexcept;

// One property. Integers live in `num`; strings and binary data in `str`; the value of a
// User Property pair in `str2`.
struct Property {
  PropId id{};
  std::uint32_t num = 0;
  std::string str;
  std::string str2;
  bool operator==(const Property&) const = default;
};

// Properties in wire order. Small (usually 0-3 entries), so a vector with linear lookup.
struct Properties {
  std::vector<Property> items;

  bool empty() const noexcept { return items.empty(); }
  const Property* find(PropId id) const noexcept {
    for (auto& p : items) if (p.id == id) return &p;
    return nullptr;
  }
  std::optional<std::uint32_t> num(PropId id) const noexcept {
    if (auto* p = find(id)) return p->num;
    return std::nullopt;
  }
  std::optional<std::string_view> str(PropId id) const noexcept {
    if (auto* p = find(id)) return std::string_view(p->str);
    return std::nullopt;
  }
  Properties& add(PropId id, std::uint32_t v) { items.push_back({id, v, {}, {}}); return *this; }
  Properties& add(PropId id, std::string v) { items.push_back({id, 0, std::move(v), {}}); return *this; }
  Properties& add_user(std::string k, std::string v) {
    items.push_back({PropId::user_property, 0, std::move(k), std::move(v)});
    return *this;
  }
  void set(PropId id, std::uint32_t v) {
    for (auto& p : items) if (p.id == id) { p.num = v; return; }
    add(id, v);
  }
  void remove(PropId id) noexcept {
    std::erase_if(items, [id](const Property& p) { return p.id == id; });
  }
  bool operator==(const Properties&) const = default;
};

// Range checks the spec puts on values (booleans 0/1, Receive Maximum != 0, Response Topic
// without wildcards ...). Types and UTF-8 are checked separately.
struct Property;
bool property_value_valid(const Property& p) noexcept;

}  // namespace weir::mqtt
