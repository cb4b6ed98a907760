// MQTT 5 message properties between Weir and the MQTT client: the `RawProps` value of
// stdlib/Mqtt.weir (`NoProps`, or `RawProps userProperties contentType messageExpiry
// responseTopic correlationData payloadUtf8`), read from a received PUBLISH, from a `--replay`
// record's "properties" object, or from `publishWith`'s options, and written back to a PUBLISH
// or to the replay's printed line. props.cpp.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

extern "C" {
#include "weir/rt.h"
}

namespace weir::mqtt { struct Properties; }
namespace simdjson::dom { class element; }

namespace weir::rule {

struct MsgProps {
  std::vector<std::pair<std::string, std::string>> user;
  std::optional<std::string> content_type, response_topic, correlation_data;
  std::optional<std::uint32_t> expiry;   // Message Expiry Interval, seconds
  bool utf8 = false;                      // Payload Format Indicator 1
  bool empty() const {
    return user.empty() && !content_type && !response_topic && !correlation_data && !expiry && !utf8;
  }
};

// A Weir RawProps value (owned result): NoProps when there are none (no allocation).
weir_obj* props_value(const mqtt::Properties& p);
weir_obj* props_value(const MsgProps& p);
// The properties of a Weir RawProps value (borrowed).
MsgProps props_of(const weir_obj* v);
// Onto a PUBLISH.
void add_props(mqtt::Properties& out, const MsgProps& p);
// A --replay record's "properties" object, in the names `weir-mqtt sub -F %j` writes
// (content_type, message_expiry_interval, response_topic, correlation_data,
// payload_format_indicator, user_properties as [[k, v], ...] or {k: v}). "" or the problem.
std::string props_from_json(const simdjson::dom::element& e, MsgProps& out);
// How the replay shows them after a published message: `, content-type=...`; user properties as k=v.
std::string props_text(const MsgProps& p);

}  // namespace weir::rule
