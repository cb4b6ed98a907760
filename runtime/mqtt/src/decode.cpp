// Decoder: one packet from the front of a byte span, or need_more, or a precise Error.
#include <bit>
#include "weir/mqtt/codec.hpp"
#include "weir/mqtt/reason.hpp"
#include "weir/mqtt/topic.hpp"
#include "weir/mqtt/wire.hpp"

namespace weir::mqtt {
namespace {

constexpr std::uint16_t bit_of(PacketType t) { return std::uint16_t(1u << unsigned(t)); }

struct Reader {
  const std::uint8_t* p;
  std::size_t pos, end;
  PacketType type;
  Version version;
  Error err;

  bool fail(Errc c, const char* f, std::size_t at) {
    if (!err) err = Error{c, type, f, at};
    return false;
  }
  std::size_t left() const { return end - pos; }
  bool u8(std::uint8_t& v, const char* f) {
    if (pos >= end) return fail(Errc::truncated, f, pos);
    v = p[pos++];
    return true;
  }
  bool u16(std::uint16_t& v, const char* f) {
    if (left() < 2) return fail(Errc::truncated, f, pos);
    v = std::uint16_t(p[pos] << 8 | p[pos + 1]);
    pos += 2;
    return true;
  }
  bool u32(std::uint32_t& v, const char* f) {
    if (left() < 4) return fail(Errc::truncated, f, pos);
    v = std::uint32_t(p[pos]) << 24 | std::uint32_t(p[pos + 1]) << 16 |
        std::uint32_t(p[pos + 2]) << 8 | p[pos + 3];
    pos += 4;
    return true;
  }
  bool varint(std::uint32_t& v, const char* f) {
    std::size_t used = 0;
    auto s = decode_varint(p + pos, left(), &v, &used);
    if (s == VarintStatus::need_more) return fail(Errc::truncated, f, pos);
    if (s == VarintStatus::malformed) return fail(Errc::malformed_varint, f, pos);
    pos += used;
    return true;
  }
  bool binary(std::string& s, const char* f) {
    std::size_t at = pos;
    std::uint16_t n;
    if (!u16(n, f)) return false;
    if (left() < n) return fail(Errc::truncated, f, at);
    s.assign(reinterpret_cast<const char*>(p + pos), n);
    pos += n;
    return true;
  }
  bool utf8(std::string& s, const char* f) {
    std::size_t at = pos + 2;
    if (!binary(s, f)) return false;
    std::size_t bad = utf8_invalid_at(s);
    if (bad != std::string::npos) return fail(Errc::invalid_utf8, f, at + bad);
    return true;
  }
  bool packet_id(std::uint16_t& id) {
    std::size_t at = pos;
    if (!u16(id, "packet identifier")) return false;
    if (id == 0) return fail(Errc::zero_packet_id, "packet identifier", at);
    return true;
  }
  bool reason(std::uint8_t& rc, const char* f = "reason code") {
    std::size_t at = pos;
    if (!u8(rc, f)) return false;
    if (!reason_allowed(type, rc, version)) return fail(Errc::bad_reason_code, f, at);
    return true;
  }

  bool props(Properties& out, std::uint16_t where) {
    std::size_t at = pos;
    std::uint32_t len;
    if (!varint(len, "property length")) return false;
    if (len > left()) return fail(Errc::truncated, "property length", at);
    const std::size_t saved_end = end;
    end = pos + len;
    std::uint64_t seen = 0;
    while (pos < end) {
      std::size_t pat = pos;
      std::uint32_t id;
      if (!varint(id, "property identifier")) return false;
      const PropInfo& info = prop_info(id);
      if (!info.name) return fail(Errc::unknown_property, "property identifier", pat);
      if (!(info.where & where)) return fail(Errc::property_not_allowed, info.name, pat);
      bool repeatable = info.repeatable &&
                        (PropId(id) != PropId::subscription_identifier || where == bit_of(PacketType::publish));
      if (!repeatable && (seen >> id & 1)) return fail(Errc::duplicate_property, info.name, pat);
      seen |= std::uint64_t(1) << id;
      Property pr;
      pr.id = PropId(id);
      std::size_t vat = pos;
      bool ok = true;
      switch (info.type) {
        case PropType::byte: { std::uint8_t v; ok = u8(v, info.name); pr.num = v; break; }
        case PropType::u16: { std::uint16_t v; ok = u16(v, info.name); pr.num = v; break; }
        case PropType::u32: ok = u32(pr.num, info.name); break;
        case PropType::varint: ok = varint(pr.num, info.name); break;
        case PropType::utf8: ok = utf8(pr.str, info.name); break;
        case PropType::binary: ok = binary(pr.str, info.name); break;
        case PropType::utf8_pair: ok = utf8(pr.str, info.name) && utf8(pr.str2, info.name); break;
      }
      if (!ok) return false;
      if (!property_value_valid(pr)) return fail(Errc::bad_property_value, info.name, vat);
      out.items.push_back(std::move(pr));
    }
    end = saved_end;
    return true;
  }
  bool done() {
    if (pos != end) return fail(Errc::trailing_bytes, "end of packet", pos);
    return true;
  }
};

bool decode_connect(Reader& r, Connect& c) {
  std::size_t at = r.pos;
  std::string name;
  if (!r.utf8(name, "protocol name")) return false;
  if (name != "MQTT") return r.fail(Errc::bad_protocol_name, "protocol name", at);
  std::uint8_t level;
  at = r.pos;
  if (!r.u8(level, "protocol version")) return false;
  if (level != 4 && level != 5)
    return r.fail(Errc::unsupported_protocol_version, "protocol version", at);
  c.version = r.version = Version(level);
  std::uint8_t flags;
  at = r.pos;
  if (!r.u8(flags, "connect flags")) return false;
  const bool will = flags & 0x04, user = flags & 0x80, pass = flags & 0x40;
  const std::uint8_t wqos = (flags >> 3) & 3;
  const bool wretain = flags & 0x20;
  if (flags & 0x01) return r.fail(Errc::bad_connect_flags, "connect flags", at);
  if (wqos == 3) return r.fail(Errc::invalid_qos, "connect flags", at);
  if (!will && (wqos || wretain)) return r.fail(Errc::bad_connect_flags, "connect flags", at);
  if (c.version == Version::v311 && pass && !user)
    return r.fail(Errc::bad_connect_flags, "connect flags", at);
  c.clean_start = flags & 0x02;
  if (!r.u16(c.keep_alive, "keep alive")) return false;
  if (c.version == Version::v5 && !r.props(c.props, bit_of(PacketType::connect))) return false;
  if (!r.utf8(c.client_id, "client identifier")) return false;
  if (will) {
    Will w;
    w.qos = wqos;
    w.retain = wretain;
    if (c.version == Version::v5 && !r.props(w.props, will_bit)) return false;
    at = r.pos;
    if (!r.utf8(w.topic, "will topic")) return false;
    if (!is_valid_topic_name(w.topic)) return r.fail(Errc::invalid_topic_name, "will topic", at);
    if (!r.binary(w.payload, "will payload")) return false;
    c.will = std::move(w);
  }
  if (user) {
    c.username.emplace();
    if (!r.utf8(*c.username, "user name")) return false;
  }
  if (pass) {
    c.password.emplace();
    if (!r.binary(*c.password, "password")) return false;
  }
  return r.done();
}

bool decode_connack(Reader& r, Connack& c) {
  std::uint8_t flags;
  std::size_t at = r.pos;
  if (!r.u8(flags, "acknowledge flags")) return false;
  if (flags & 0xFE) return r.fail(Errc::bad_connect_flags, "acknowledge flags", at);
  c.session_present = flags & 1;
  std::size_t rat = r.pos;
  if (!r.reason(c.reason, r.version == Version::v5 ? "reason code" : "return code")) return false;
  if (c.session_present && c.reason != 0) return r.fail(Errc::protocol_error, "acknowledge flags", at);
  (void)rat;
  if (r.version == Version::v5 && !r.props(c.props, bit_of(PacketType::connack))) return false;
  return r.done();
}

bool decode_publish(Reader& r, Publish& p, std::uint8_t flags) {
  p.dup = flags & 8;
  p.qos = (flags >> 1) & 3;
  p.retain = flags & 1;
  std::size_t at = r.pos;
  if (!r.utf8(p.topic, "topic name")) return false;
  if (p.qos > 0 && !r.packet_id(p.packet_id)) return false;
  if (r.version == Version::v5 && !r.props(p.props, bit_of(PacketType::publish))) return false;
  if (p.topic.empty()) {
    if (r.version == Version::v311 || !p.props.find(PropId::topic_alias))
      return r.fail(Errc::invalid_topic_name, "topic name", at);
  } else if (p.topic.find_first_of("+#") != std::string::npos) {
    return r.fail(Errc::invalid_topic_name, "topic name", at + 2 + p.topic.find_first_of("+#"));
  }
  p.payload.assign(reinterpret_cast<const char*>(r.p + r.pos), r.left());
  r.pos = r.end;
  return true;
}

bool decode_ack(Reader& r, AckBase& a) {
  if (!r.packet_id(a.packet_id)) return false;
  if (r.version == Version::v5) {
    if (r.left() > 0 && !r.reason(a.reason)) return false;
    if (r.left() > 0 && !r.props(a.props, bit_of(r.type))) return false;
  }
  return r.done();
}

bool decode_subscribe(Reader& r, Subscribe& s) {
  if (!r.packet_id(s.packet_id)) return false;
  if (r.version == Version::v5 && !r.props(s.props, bit_of(PacketType::subscribe))) return false;
  if (r.left() == 0) return r.fail(Errc::empty_list, "subscriptions", r.pos);
  while (r.left() > 0) {
    Subscription sub;
    std::size_t at = r.pos;
    if (!r.utf8(sub.filter, "topic filter")) return false;
    if (!is_valid_topic_filter(sub.filter)) return r.fail(Errc::invalid_topic_filter, "topic filter", at);
    std::uint8_t o;
    std::size_t oat = r.pos;
    if (!r.u8(o, "subscription options")) return false;
    if (r.version == Version::v311 ? (o & 0xFC) : (o & 0xC0))
      return r.fail(Errc::bad_subscription_options, "subscription options", oat);
    sub.qos = o & 3;
    if (sub.qos == 3) return r.fail(Errc::invalid_qos, "subscription options", oat);
    if (r.version == Version::v5) {
      sub.no_local = o & 4;
      sub.retain_as_published = o & 8;
      sub.retain_handling = (o >> 4) & 3;
      if (sub.retain_handling == 3)
        return r.fail(Errc::bad_subscription_options, "subscription options", oat);
      if (sub.no_local && !split_shared(sub.filter).group.empty())
        return r.fail(Errc::protocol_error, "subscription options", oat);
    }
    s.subs.push_back(std::move(sub));
  }
  return true;
}

bool decode_reasons(Reader& r, std::vector<std::uint8_t>& out) {
  if (r.left() == 0) return r.fail(Errc::empty_list, "reason codes", r.pos);
  while (r.left() > 0) {
    std::uint8_t c;
    if (!r.reason(c)) return false;
    out.push_back(c);
  }
  return true;
}

bool decode_suback(Reader& r, Suback& s) {
  if (!r.packet_id(s.packet_id)) return false;
  if (r.version == Version::v5 && !r.props(s.props, bit_of(PacketType::suback))) return false;
  return decode_reasons(r, s.reasons);
}

bool decode_unsubscribe(Reader& r, Unsubscribe& u) {
  if (!r.packet_id(u.packet_id)) return false;
  if (r.version == Version::v5 && !r.props(u.props, bit_of(PacketType::unsubscribe))) return false;
  if (r.left() == 0) return r.fail(Errc::empty_list, "topic filters", r.pos);
  while (r.left() > 0) {
    std::string f;
    std::size_t at = r.pos;
    if (!r.utf8(f, "topic filter")) return false;
    if (!is_valid_topic_filter(f)) return r.fail(Errc::invalid_topic_filter, "topic filter", at);
    u.filters.push_back(std::move(f));
  }
  return true;
}

bool decode_unsuback(Reader& r, Unsuback& u) {
  if (!r.packet_id(u.packet_id)) return false;
  if (r.version == Version::v311) return r.done();
  if (!r.props(u.props, bit_of(PacketType::unsuback))) return false;
  return decode_reasons(r, u.reasons);
}

template <class T>
bool decode_reason_props(Reader& r, T& d) {
  if (r.version == Version::v5) {
    if (r.left() > 0 && !r.reason(d.reason)) return false;
    if (r.left() > 0 && !r.props(d.props, bit_of(r.type))) return false;
  }
  return r.done();
}

}  // namespace

Decoded peek_frame(std::span<const std::uint8_t> data, const DecodeOptions& opt) {
  Decoded d;
  if (data.empty()) return d;
  const auto type = PacketType(data[0] >> 4);
  std::uint32_t rl = 0;
  std::size_t used = 0;
  switch (decode_varint(data.data() + 1, data.size() - 1, &rl, &used)) {
    case VarintStatus::need_more: return d;
    case VarintStatus::malformed:
      d.status = DecodeStatus::error;
      d.error = Error{Errc::malformed_varint, type, "remaining length", 1};
      return d;
    case VarintStatus::ok: break;
  }
  const std::size_t total = 1 + used + std::size_t(rl);
  if (total > opt.max_packet_size) {
    d.status = DecodeStatus::error;
    d.error = Error{Errc::packet_too_large, type, "remaining length", 1};
    return d;
  }
  if (data.size() < total) {
    d.needed = total;
    return d;
  }
  d.status = DecodeStatus::ok;
  d.consumed = total;
  return d;
}

Decoded decode(std::span<const std::uint8_t> data, const DecodeOptions& opt) {
  Decoded d = peek_frame(data, opt);
  if (d.status != DecodeStatus::ok) return d;
  const std::size_t total = d.consumed;
  const std::uint8_t b0 = data[0];
  const auto type = PacketType(b0 >> 4);
  const std::uint8_t flags = b0 & 0x0F;
  auto error = [&](Errc c, const char* f, std::size_t at) {
    d.status = DecodeStatus::error;
    d.consumed = 0;
    d.error = Error{c, type, f, at};
    return d;
  };
  if (type == PacketType::reserved || (type == PacketType::auth && opt.version == Version::v311))
    return error(Errc::reserved_packet_type, "packet type", 0);
  if (type == PacketType::publish) {
    const std::uint8_t qos = (flags >> 1) & 3;
    if (qos == 3) return error(Errc::invalid_qos, "fixed header flags", 0);
    if (qos == 0 && (flags & 8)) return error(Errc::protocol_error, "fixed header flags", 0);
  } else {
    const bool two = type == PacketType::pubrel || type == PacketType::subscribe ||
                     type == PacketType::unsubscribe;
    if (flags != (two ? 2 : 0)) return error(Errc::bad_fixed_header_flags, "fixed header flags", 0);
  }
  std::size_t header = 1;
  while (data[header] & 0x80) ++header;
  ++header;
  Reader r{data.data(), header, total, type, opt.version, {}};
  bool ok = false;
  switch (type) {
    case PacketType::connect: ok = decode_connect(r, d.packet.emplace<Connect>()); break;
    case PacketType::connack: ok = decode_connack(r, d.packet.emplace<Connack>()); break;
    case PacketType::publish: ok = decode_publish(r, d.packet.emplace<Publish>(), flags); break;
    case PacketType::puback: ok = decode_ack(r, d.packet.emplace<Puback>()); break;
    case PacketType::pubrec: ok = decode_ack(r, d.packet.emplace<Pubrec>()); break;
    case PacketType::pubrel: ok = decode_ack(r, d.packet.emplace<Pubrel>()); break;
    case PacketType::pubcomp: ok = decode_ack(r, d.packet.emplace<Pubcomp>()); break;
    case PacketType::subscribe: ok = decode_subscribe(r, d.packet.emplace<Subscribe>()); break;
    case PacketType::suback: ok = decode_suback(r, d.packet.emplace<Suback>()); break;
    case PacketType::unsubscribe: ok = decode_unsubscribe(r, d.packet.emplace<Unsubscribe>()); break;
    case PacketType::unsuback: ok = decode_unsuback(r, d.packet.emplace<Unsuback>()); break;
    case PacketType::pingreq: d.packet.emplace<Pingreq>(); ok = r.done(); break;
    case PacketType::pingresp: d.packet.emplace<Pingresp>(); ok = r.done(); break;
    case PacketType::disconnect: ok = decode_reason_props(r, d.packet.emplace<Disconnect>()); break;
    case PacketType::auth: ok = decode_reason_props(r, d.packet.emplace<Auth>()); break;
    case PacketType::reserved: break;
  }
  if (!ok) return error(r.err.code, r.err.field, r.err.offset);
  return d;
}

}  // namespace weir::mqtt
