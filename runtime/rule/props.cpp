// MQTT 5 message properties between Weir values, the MQTT client, --replay records and the
// replay's output. See props.hpp.
#include "props.hpp"

#include <simdjson.h>

#include "weir/mqtt/properties.hpp"

extern "C" {
#include "../object/values.h"
}

namespace weir::rule {

namespace {

weir_obj* str(std::string_view s) { return weir_string_new(s.data(), s.size()); }
weir_obj* bytes(std::string_view s) {
  weir_obj* b = str(s);
  b->kind = WEIR_BYTES;
  return b;
}
template <class T, class F> weir_obj* maybe(const std::optional<T>& v, F make) {
  return v ? weir_just(make(*v)) : weir_nothing();
}
std::string text(const weir_obj* s) { return std::string(weir_string_data(s), weir_string_len(s)); }
const weir_obj* field(const weir_obj* o, int i) { return ((const weir_con*)o)->fields[i]; }
// A Maybe's value, or null for Nothing.
const weir_obj* just(const weir_obj* m) { return m->tag == 1 ? field(m, 0) : nullptr; }

// RawProps userProperties contentType messageExpiry responseTopic correlationData payloadUtf8
weir_obj* make(weir_obj* user, weir_obj* ct, weir_obj* exp, weir_obj* rt, weir_obj* cd, bool utf8) {
  weir_obj* f[6] = {user, ct, exp, rt, cd, WEIR_BOOL(utf8)};
  return weir_con_new(1, 6, f);
}

}  // namespace

weir_obj* props_value(const mqtt::Properties& p) {
  if (p.empty()) return weir_nothing();   // NoProps: tag 0, nullary
  using mqtt::PropId;
  weir_obj* user = weir_nil();
  for (auto it = p.items.rbegin(); it != p.items.rend(); ++it)
    if (it->id == PropId::user_property) user = weir_cons(weir_pair(str(it->str), str(it->str2)), user);
  auto s = [&](PropId id) { return maybe(p.str(id), [](std::string_view v) { return str(v); }); };
  auto exp = p.num(PropId::message_expiry_interval);
  return make(user, s(PropId::content_type), maybe(exp, [](std::uint32_t v) { return weir_box_int(v); }),
              s(PropId::response_topic), maybe(p.str(PropId::correlation_data), [](std::string_view v) { return bytes(v); }),
              p.num(PropId::payload_format_indicator).value_or(0) == 1);
}

weir_obj* props_value(const MsgProps& p) {
  if (p.empty()) return weir_nothing();
  weir_obj* user = weir_nil();
  for (auto it = p.user.rbegin(); it != p.user.rend(); ++it) user = weir_cons(weir_pair(str(it->first), str(it->second)), user);
  auto s = [](const std::string& v) { return str(v); };
  return make(user, maybe(p.content_type, s), maybe(p.expiry, [](std::uint32_t v) { return weir_box_int(v); }),
              maybe(p.response_topic, s), maybe(p.correlation_data, [](const std::string& v) { return bytes(v); }), p.utf8);
}

MsgProps props_of(const weir_obj* v) {
  MsgProps p;
  if (v->tag != 1) return p;   // NoProps
  for (const weir_obj* l = field(v, 0); l->tag == 1; l = field(l, 1)) {
    const weir_obj* pair = field(l, 0);
    p.user.emplace_back(text(field(pair, 0)), text(field(pair, 1)));
  }
  if (auto* s = just(field(v, 1))) p.content_type = text(s);
  if (auto* n = just(field(v, 2))) {
    std::int64_t x = weir_unbox_int(const_cast<weir_obj*>(n));
    // The property is 32 bits: a negative interval means none, a larger one the longest.
    if (x >= 0) p.expiry = std::uint32_t(x > 0xffffffffll ? 0xffffffffll : x);
  }
  if (auto* s = just(field(v, 3))) p.response_topic = text(s);
  if (auto* s = just(field(v, 4))) p.correlation_data = text(s);
  p.utf8 = field(v, 5)->tag == 1;
  return p;
}

void add_props(mqtt::Properties& out, const MsgProps& p) {
  using mqtt::PropId;
  if (p.utf8) out.add(PropId::payload_format_indicator, 1u);
  if (p.expiry) out.add(PropId::message_expiry_interval, *p.expiry);
  if (p.content_type) out.add(PropId::content_type, *p.content_type);
  if (p.response_topic) out.add(PropId::response_topic, *p.response_topic);
  if (p.correlation_data) out.add(PropId::correlation_data, *p.correlation_data);
  for (auto& [k, v] : p.user) out.add_user(k, v);
}

std::string props_from_json(const simdjson::dom::element& e, MsgProps& out) {
  if (e.is_null()) return "";   // none
  simdjson::dom::object o;
  if (e.get_object().get(o)) return "\"properties\" is not an object";
  for (auto [key, val] : o) {
    std::string_view s;
    std::int64_t n = 0;
    if (key == "content_type" || key == "response_topic" || key == "correlation_data") {
      if (val.get_string().get(s)) return "\"properties\"." + std::string(key) + " is not a string";
      (key == "content_type" ? out.content_type : key == "response_topic" ? out.response_topic : out.correlation_data) =
          std::string(s);
    } else if (key == "message_expiry_interval") {
      if (val.get_int64().get(n) || n < 0 || n > 0xffffffffll)
        return "\"properties\".message_expiry_interval is not a number of seconds (0 to 4294967295)";
      out.expiry = std::uint32_t(n);
    } else if (key == "payload_format_indicator") {
      if (val.get_int64().get(n) || (n != 0 && n != 1)) return "\"properties\".payload_format_indicator is not 0 or 1";
      out.utf8 = n == 1;
    } else if (key == "user_properties") {
      simdjson::dom::array a;
      simdjson::dom::object uo;
      if (!val.get_array().get(a)) {
        for (auto pair : a) {
          simdjson::dom::array kv;
          std::string_view k, v;
          if (pair.get_array().get(kv) || kv.size() != 2 || kv.at(0).get_string().get(k) || kv.at(1).get_string().get(v))
            return "\"properties\".user_properties: each entry must be [\"key\", \"value\"]";
          out.user.emplace_back(std::string(k), std::string(v));
        }
      } else if (!val.get_object().get(uo)) {
        for (auto [k, v] : uo) {
          if (v.get_string().get(s)) return "\"properties\".user_properties." + std::string(k) + " is not a string";
          out.user.emplace_back(std::string(k), std::string(s));
        }
      } else {
        return "\"properties\".user_properties is not a list of [\"key\", \"value\"] or an object";
      }
    } else {
      return "unknown property \"" + std::string(key) +
             "\" (content_type, message_expiry_interval, response_topic, correlation_data, "
             "payload_format_indicator, user_properties)";
    }
  }
  return "";
}

std::string props_text(const MsgProps& p) {
  std::string t;
  if (p.content_type) t += ", content-type=" + *p.content_type;
  if (p.expiry) t += ", expiry=" + std::to_string(*p.expiry) + "s";
  if (p.response_topic) t += ", response-topic=" + *p.response_topic;
  if (p.correlation_data) {   // often binary: hex unless it is plain text
    bool plain = true;
    for (unsigned char c : *p.correlation_data) plain = plain && c >= 0x20 && c != 0x7f;
    t += ", correlation-data=";
    if (plain) {
      t += *p.correlation_data;
    } else {
      static const char hex[] = "0123456789abcdef";
      t += "0x";
      for (unsigned char c : *p.correlation_data) { t += hex[c >> 4]; t += hex[c & 15]; }
    }
  }
  if (p.utf8) t += ", utf-8";
  for (auto& [k, v] : p.user) t += ", " + k + "=" + v;
  return t;
}

}  // namespace weir::rule
