// Topic names, topic filters, shared subscriptions and matching (MQTT 5.0 §4.7, §4.8.2).
#pragma once
#include <string_view>

namespace weir::mqtt {

// A topic name for PUBLISH: non-empty, valid UTF-8, no wildcards, <= 65535 bytes.
bool is_valid_topic_name(std::string_view topic) noexcept;
// A topic filter: '#' only alone as the last level, '+' only alone in a level;
// "$share/<group>/<filter>" needs a non-empty group without wildcards or '/'.
bool is_valid_topic_filter(std::string_view filter) noexcept;

struct SharedFilter {
  std::string_view group;   // empty when not shared
  std::string_view filter;  // the filter to match against topics
};
// Splits "$share/group/filter"; a non-shared filter comes back with an empty group.
SharedFilter split_shared(std::string_view filter) noexcept;

// Does a (non-shared, valid) filter match a topic name? Wildcards at the first level
// never match topics starting with '$' (§4.7.2).
bool topic_matches(std::string_view filter, std::string_view topic) noexcept;

}  // namespace weir::mqtt
