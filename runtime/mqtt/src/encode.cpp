// Encoder: validate, size, then write a packet in one pass over a pre-sized buffer.
#include <cstring>
#include "weir/mqtt/codec.hpp"
#include "weir/mqtt/reason.hpp"
#include "weir/mqtt/topic.hpp"
#include "weir/mqtt/wire.hpp"

namespace weir::mqtt {
namespace {

constexpr std::uint16_t bit_of(PacketType t) { return std::uint16_t(1u << unsigned(t)); }

struct Counter {
  std::size_t n = 0;
  void u8(std::uint8_t) { n += 1; }
  void u16(std::uint16_t) { n += 2; }
  void u32(std::uint32_t) { n += 4; }
  void varint(std::uint32_t v) { n += varint_size(v); }
  void raw(std::string_view s) { n += s.size(); }
  void str(std::string_view s) { n += 2 + s.size(); }
};

struct Writer {
  std::uint8_t* p;
  void u8(std::uint8_t v) { *p++ = v; }
  void u16(std::uint16_t v) { p[0] = std::uint8_t(v >> 8); p[1] = std::uint8_t(v); p += 2; }
  void u32(std::uint32_t v) {
    p[0] = std::uint8_t(v >> 24); p[1] = std::uint8_t(v >> 16);
    p[2] = std::uint8_t(v >> 8); p[3] = std::uint8_t(v);
    p += 4;
  }
  void varint(std::uint32_t v) { p += encode_varint(v, p); }
  void raw(std::string_view s) {
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    p += s.size();
  }
  void str(std::string_view s) { u16(std::uint16_t(s.size())); raw(s); }
};

// ---- validation ---------------------------------------------------------------------------

struct Check {
  PacketType type;
  Error err;
  bool fail(Errc c, const char* f) {
    if (!err) err = Error{c, type, f, 0};
    return false;
  }
  bool bin(std::string_view s, const char* f) {
    return s.size() <= 65535 || fail(Errc::string_too_long, f);
  }
  bool utf8(std::string_view s, const char* f) {
    if (!bin(s, f)) return false;
    return is_valid_utf8(s) || fail(Errc::invalid_utf8, f);
  }
  bool props(const Properties& ps, std::uint16_t where) {
    std::uint64_t seen = 0;
    for (auto& p : ps.items) {
      auto id = std::uint32_t(p.id);
      const PropInfo& info = prop_info(id);
      if (!info.name) return fail(Errc::unknown_property, "property identifier");
      if (!(info.where & where)) return fail(Errc::property_not_allowed, info.name);
      bool repeatable = info.repeatable && (p.id != PropId::subscription_identifier ||
                                            where == bit_of(PacketType::publish));
      if (!repeatable && (seen >> id & 1)) return fail(Errc::duplicate_property, info.name);
      seen |= std::uint64_t(1) << id;
      bool ok = true;
      switch (info.type) {
        case PropType::byte: ok = p.num <= 0xFF; break;
        case PropType::u16: ok = p.num <= 0xFFFF; break;
        case PropType::u32: break;
        case PropType::varint: ok = p.num <= max_varint; break;
        case PropType::utf8: if (!utf8(p.str, info.name)) return false; break;
        case PropType::binary: if (!bin(p.str, info.name)) return false; break;
        case PropType::utf8_pair:
          if (!utf8(p.str, info.name) || !utf8(p.str2, info.name)) return false;
          break;
      }
      if (!ok || !property_value_valid(p)) return fail(Errc::bad_property_value, info.name);
    }
    return true;
  }
  bool reason(std::uint8_t c, Version v) {
    return reason_allowed(type, c, v) || fail(Errc::bad_reason_code, "reason code");
  }
  bool packet_id(std::uint16_t id) { return id != 0 || fail(Errc::zero_packet_id, "packet identifier"); }
};

bool validate(const Connect& c, Version, Check& k) {
  const bool v5 = c.version == Version::v5;
  if (c.version != Version::v5 && c.version != Version::v311)
    return k.fail(Errc::unsupported_protocol_version, "protocol version");
  if (v5 && !k.props(c.props, bit_of(PacketType::connect))) return false;
  if (!k.utf8(c.client_id, "client identifier")) return false;
  if (c.will) {
    if (c.will->qos > 2) return k.fail(Errc::invalid_qos, "connect flags");
    if (!k.bin(c.will->topic, "will topic")) return false;
    if (!is_valid_topic_name(c.will->topic)) return k.fail(Errc::invalid_topic_name, "will topic");
    if (!k.bin(c.will->payload, "will payload")) return false;
    if (v5 && !k.props(c.will->props, will_bit)) return false;
  }
  if (c.username && !k.utf8(*c.username, "user name")) return false;
  if (c.password && !k.bin(*c.password, "password")) return false;
  if (!v5 && c.password && !c.username) return k.fail(Errc::bad_connect_flags, "connect flags");
  return true;
}
bool validate(const Connack& c, Version v, Check& k) {
  if (!k.reason(c.reason, v)) return false;
  if (c.session_present && c.reason != 0) return k.fail(Errc::protocol_error, "acknowledge flags");
  return v == Version::v311 || k.props(c.props, bit_of(PacketType::connack));
}
bool validate(const Publish& p, Version v, Check& k) {
  if (p.qos > 2) return k.fail(Errc::invalid_qos, "fixed header flags");
  if (p.qos == 0 && p.dup) return k.fail(Errc::protocol_error, "fixed header flags");
  if (p.qos > 0 && !k.packet_id(p.packet_id)) return false;
  if (!k.bin(p.topic, "topic name")) return false;
  if (p.topic.empty()) {
    if (v == Version::v311 || !p.props.find(PropId::topic_alias))
      return k.fail(Errc::invalid_topic_name, "topic name");
  } else if (!is_valid_topic_name(p.topic)) {
    return k.fail(Errc::invalid_topic_name, "topic name");
  }
  return v == Version::v311 || k.props(p.props, bit_of(PacketType::publish));
}
bool validate(const AckBase& a, Version v, Check& k) {
  if (!k.packet_id(a.packet_id)) return false;
  if (v == Version::v311) return true;
  return k.reason(a.reason, v) && k.props(a.props, bit_of(k.type));
}
bool validate(const Subscribe& s, Version v, Check& k) {
  if (!k.packet_id(s.packet_id)) return false;
  if (v == Version::v5 && !k.props(s.props, bit_of(PacketType::subscribe))) return false;
  if (s.subs.empty()) return k.fail(Errc::empty_list, "subscriptions");
  for (auto& sub : s.subs) {
    if (!k.bin(sub.filter, "topic filter")) return false;
    if (!is_valid_topic_filter(sub.filter)) return k.fail(Errc::invalid_topic_filter, "topic filter");
    if (sub.qos > 2) return k.fail(Errc::invalid_qos, "subscription options");
    if (v == Version::v5) {
      if (sub.retain_handling > 2) return k.fail(Errc::bad_subscription_options, "subscription options");
      if (sub.no_local && !split_shared(sub.filter).group.empty())
        return k.fail(Errc::protocol_error, "subscription options");
    }
  }
  return true;
}
bool validate(const Suback& s, Version v, Check& k) {
  if (!k.packet_id(s.packet_id)) return false;
  if (v == Version::v5 && !k.props(s.props, bit_of(PacketType::suback))) return false;
  if (s.reasons.empty()) return k.fail(Errc::empty_list, "reason codes");
  for (auto c : s.reasons) if (!k.reason(c, v)) return false;
  return true;
}
bool validate(const Unsubscribe& u, Version v, Check& k) {
  if (!k.packet_id(u.packet_id)) return false;
  if (v == Version::v5 && !k.props(u.props, bit_of(PacketType::unsubscribe))) return false;
  if (u.filters.empty()) return k.fail(Errc::empty_list, "topic filters");
  for (auto& f : u.filters) {
    if (!k.bin(f, "topic filter")) return false;
    if (!is_valid_topic_filter(f)) return k.fail(Errc::invalid_topic_filter, "topic filter");
  }
  return true;
}
bool validate(const Unsuback& u, Version v, Check& k) {
  if (!k.packet_id(u.packet_id)) return false;
  if (v == Version::v311) return true;
  if (!k.props(u.props, bit_of(PacketType::unsuback))) return false;
  if (u.reasons.empty()) return k.fail(Errc::empty_list, "reason codes");
  for (auto c : u.reasons) if (!k.reason(c, v)) return false;
  return true;
}
bool validate(const Pingreq&, Version, Check&) { return true; }
bool validate(const Pingresp&, Version, Check&) { return true; }
bool validate(const Disconnect& d, Version v, Check& k) {
  return v == Version::v311 || (k.reason(d.reason, v) && k.props(d.props, bit_of(k.type)));
}
bool validate(const Auth& a, Version v, Check& k) {
  if (v == Version::v311) return k.fail(Errc::reserved_packet_type, "packet type");
  return k.reason(a.reason, v) && k.props(a.props, bit_of(k.type));
}

// ---- writing (templated over Counter and Writer) ------------------------------------------

template <class W>
void props_body(W& w, const Properties& ps) {
  for (auto& p : ps.items) {
    w.varint(std::uint32_t(p.id));
    switch (prop_info(std::uint32_t(p.id)).type) {
      case PropType::byte: w.u8(std::uint8_t(p.num)); break;
      case PropType::u16: w.u16(std::uint16_t(p.num)); break;
      case PropType::u32: w.u32(p.num); break;
      case PropType::varint: w.varint(p.num); break;
      case PropType::utf8:
      case PropType::binary: w.str(p.str); break;
      case PropType::utf8_pair: w.str(p.str); w.str(p.str2); break;
    }
  }
}
template <class W>
void props(W& w, const Properties& ps) {
  Counter c;
  props_body(c, ps);
  w.varint(std::uint32_t(c.n));
  props_body(w, ps);
}

std::uint8_t flags_of(const Publish& p) {
  return std::uint8_t((p.dup ? 8 : 0) | (p.qos << 1) | (p.retain ? 1 : 0));
}

template <class W>
void body(W& w, const Connect& c, Version) {
  const bool v5 = c.version == Version::v5;
  w.str("MQTT");
  w.u8(std::uint8_t(c.version));
  std::uint8_t f = c.clean_start ? 2 : 0;
  if (c.will) f |= std::uint8_t(4 | (c.will->qos << 3) | (c.will->retain ? 0x20 : 0));
  if (c.password) f |= 0x40;
  if (c.username) f |= 0x80;
  w.u8(f);
  w.u16(c.keep_alive);
  if (v5) props(w, c.props);
  w.str(c.client_id);
  if (c.will) {
    if (v5) props(w, c.will->props);
    w.str(c.will->topic);
    w.str(c.will->payload);
  }
  if (c.username) w.str(*c.username);
  if (c.password) w.str(*c.password);
}
template <class W>
void body(W& w, const Connack& c, Version v) {
  w.u8(c.session_present ? 1 : 0);
  w.u8(c.reason);
  if (v == Version::v5) props(w, c.props);
}
template <class W>
void body(W& w, const Publish& p, Version v) {
  w.str(p.topic);
  if (p.qos > 0) w.u16(p.packet_id);
  if (v == Version::v5) props(w, p.props);
  w.raw(p.payload);
}
template <class W>
void body(W& w, const AckBase& a, Version v) {
  w.u16(a.packet_id);
  if (v == Version::v5 && (a.reason != 0 || !a.props.empty())) {
    w.u8(a.reason);
    if (!a.props.empty()) props(w, a.props);
  }
}
template <class W>
void body(W& w, const Subscribe& s, Version v) {
  w.u16(s.packet_id);
  if (v == Version::v5) props(w, s.props);
  for (auto& sub : s.subs) {
    w.str(sub.filter);
    std::uint8_t o = sub.qos;
    if (v == Version::v5)
      o |= std::uint8_t((sub.no_local ? 4 : 0) | (sub.retain_as_published ? 8 : 0) |
                        (sub.retain_handling << 4));
    w.u8(o);
  }
}
template <class W>
void body(W& w, const Suback& s, Version v) {
  w.u16(s.packet_id);
  if (v == Version::v5) props(w, s.props);
  for (auto c : s.reasons) w.u8(c);
}
template <class W>
void body(W& w, const Unsubscribe& u, Version v) {
  w.u16(u.packet_id);
  if (v == Version::v5) props(w, u.props);
  for (auto& f : u.filters) w.str(f);
}
template <class W>
void body(W& w, const Unsuback& u, Version v) {
  w.u16(u.packet_id);
  if (v == Version::v5) {
    props(w, u.props);
    for (auto c : u.reasons) w.u8(c);
  }
}
template <class W> void body(W&, const Pingreq&, Version) {}
template <class W> void body(W&, const Pingresp&, Version) {}
template <class W, class T>
void reason_props_body(W& w, const T& d, Version v) {
  if (v == Version::v5 && (d.reason != 0 || !d.props.empty())) {
    w.u8(d.reason);
    if (!d.props.empty()) props(w, d.props);
  }
}
template <class W> void body(W& w, const Disconnect& d, Version v) { reason_props_body(w, d, v); }
template <class W> void body(W& w, const Auth& a, Version v) { reason_props_body(w, a, v); }

template <class T, class V> struct index_in;
template <class T, class... Ts> struct index_in<T, std::variant<Ts...>> {
  static constexpr std::size_t value = [] {
    constexpr bool same[] = {std::is_same_v<T, Ts>...};
    for (std::size_t i = 0; i < sizeof...(Ts); ++i) if (same[i]) return i;
    return sizeof...(Ts);
  }();
};

template <class T>
std::uint8_t first_byte(const T& x) {
  constexpr auto t = static_cast<std::uint8_t>(index_in<T, Packet>::value + 1);
  if constexpr (std::is_same_v<T, Publish>) return std::uint8_t(t << 4 | flags_of(x));
  if constexpr (std::is_same_v<T, Pubrel> || std::is_same_v<T, Subscribe> ||
                std::is_same_v<T, Unsubscribe>)
    return std::uint8_t(t << 4 | 2);
  return std::uint8_t(t << 4);
}

template <class T>
Version version_for(const T& x, const EncodeOptions& opt) {
  if constexpr (std::is_same_v<T, Connect>) return x.version;
  return opt.version;
}

template <class T>
Error encode_one(const T& x, std::vector<std::uint8_t>* out, std::size_t* size,
                 const EncodeOptions& opt) {
  const Version v = version_for(x, opt);
  const auto type = static_cast<PacketType>(first_byte(x) >> 4);
  Check k{type, {}};
  if (!validate(x, v, k)) return k.err;
  Counter c;
  body(c, x, v);
  if (c.n > max_varint) return Error{Errc::packet_too_large, type, "remaining length", 0};
  const std::size_t total = 1 + varint_size(std::uint32_t(c.n)) + c.n;
  if (total > opt.max_packet_size) return Error{Errc::packet_too_large, type, "remaining length", 0};
  if (size) *size = total;
  if (out) {
    const std::size_t old = out->size();
    out->resize(old + total);
    Writer w{out->data() + old};
    w.u8(first_byte(x));
    w.varint(std::uint32_t(c.n));
    body(w, x, v);
  }
  return {};
}

}  // namespace

Error encode(const Packet& p, std::vector<std::uint8_t>& out, const EncodeOptions& opt) {
  return std::visit([&](const auto& x) { return encode_one(x, &out, nullptr, opt); }, p);
}

Error encode(const Publish& p, std::vector<std::uint8_t>& out, const EncodeOptions& opt) {
  return encode_one(p, &out, nullptr, opt);
}

std::size_t encoded_size(const Packet& p, const EncodeOptions& opt) {
  std::size_t n = 0;
  Error e = std::visit([&](const auto& x) { return encode_one(x, nullptr, &n, opt); }, p);
  return e ? 0 : n;
}

std::size_t encoded_size(const Publish& p, const EncodeOptions& opt) {
  std::size_t n = 0;
  return encode_one(p, nullptr, &n, opt) ? 0 : n;
}

}  // namespace weir::mqtt
