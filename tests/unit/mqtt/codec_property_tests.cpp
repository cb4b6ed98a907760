// Property tests: random packets encode then decode to an equal packet (fixed seeds);
// random and mutated bytes never crash the decoder.
#include <catch2/catch.hpp>
#include <random>
#include "helpers.hpp"
#include "weir/mqtt/reason.hpp"
#include "weir/mqtt/topic.hpp"

using namespace weir::mqtt;
using namespace mqtt_test;

namespace {
struct Gen {
  std::mt19937_64 rng;
  Version v;
  std::uint32_t num(std::uint32_t lo, std::uint32_t hi) {
    return std::uniform_int_distribution<std::uint32_t>(lo, hi)(rng);
  }
  bool coin() { return num(0, 1); }
  std::string text(std::size_t max = 12) {
    static const char* pieces[] = {"a", "b", "z", "0", "-", "_", " ", "\xC3\xA9", "\xE2\x82\xAC",
                                   "\xF0\x9F\x98\x80", "$", "x"};
    std::string s;
    auto n = num(0, std::uint32_t(max));
    for (std::uint32_t i = 0; i < n; ++i) s += pieces[num(0, 11)];
    return s;
  }
  std::string binary(std::size_t max = 40) {
    std::string s(num(0, std::uint32_t(max)), '\0');
    for (auto& c : s) c = char(num(0, 255));
    return s;
  }
  std::string topic() {
    std::string t;
    auto levels = num(1, 4);
    for (std::uint32_t i = 0; i < levels; ++i) {
      if (i) t += '/';
      t += text(5);
    }
    if (t.empty() || t.find_first_of("+#") != t.npos) t = "t";
    return t;
  }
  std::string filter() {
    std::string f;
    auto levels = num(1, 4);
    for (std::uint32_t i = 0; i < levels; ++i) {
      if (i) f += '/';
      auto k = num(0, 5);
      if (k == 0) f += '+';
      else if (k == 1 && i + 1 == levels) f += '#';
      else f += text(4);
    }
    if (f.empty()) f = "e";
    if (coin() && num(0, 3) == 0) f = "$share/grp/" + f;
    return f;
  }
  std::uint8_t reason_for(PacketType t) {
    for (;;) {
      auto c = std::uint8_t(num(0, 255));
      if (reason_allowed(t, c, v)) return c;
    }
  }
  Properties props(std::uint16_t where) {
    Properties ps;
    if (v == Version::v311) return ps;
    auto n = num(0, 4);
    for (std::uint32_t i = 0; i < n; ++i) {
      auto id = num(1, 0x2A);
      const PropInfo& info = prop_info(id);
      if (!info.name || !(info.where & where)) continue;
      bool repeatable = info.repeatable &&
          (PropId(id) != PropId::subscription_identifier || where == (1u << 3));
      if (!repeatable && ps.find(PropId(id))) continue;
      Property p;
      p.id = PropId(id);
      switch (info.type) {
        case PropType::byte: p.num = num(0, 1); break;
        case PropType::u16: p.num = num(1, 65535); break;
        case PropType::u32: p.num = num(1, 0xFFFFFFFF); break;
        case PropType::varint: p.num = num(1, 268435455); break;
        case PropType::utf8: p.str = PropId(id) == PropId::response_topic ? topic() : text(); break;
        case PropType::binary: p.str = binary(); break;
        case PropType::utf8_pair: p.str = text(); p.str2 = text(); break;
      }
      ps.items.push_back(std::move(p));
    }
    return ps;
  }
  std::uint16_t pid() { return std::uint16_t(num(1, 65535)); }
  std::uint16_t where(PacketType t) { return std::uint16_t(1u << unsigned(t)); }

  Packet packet() {
    auto t = PacketType(num(1, v == Version::v5 ? 15 : 14));
    switch (t) {
      case PacketType::connect: {
        Connect c;
        c.version = v;
        c.client_id = text();
        c.clean_start = coin();
        c.keep_alive = std::uint16_t(num(0, 65535));
        c.props = props(where(t));
        if (coin()) c.will = Will{topic(), binary(), std::uint8_t(num(0, 2)), coin(), props(will_bit)};
        if (coin()) c.username = text();
        if (coin() && (c.username || v == Version::v5)) c.password = binary();
        return c;
      }
      case PacketType::connack: {
        Connack c;
        c.reason = reason_for(t);
        c.session_present = c.reason == 0 && coin();
        c.props = props(where(t));
        return c;
      }
      case PacketType::publish: {
        Publish p;
        p.topic = topic();
        p.qos = std::uint8_t(num(0, 2));
        p.dup = p.qos > 0 && coin();
        p.retain = coin();
        if (p.qos) p.packet_id = pid();
        p.props = props(where(t));
        if (v == Version::v5 && p.props.find(PropId::topic_alias) && coin()) p.topic.clear();
        p.payload = binary(coin() ? 40 : 3000);
        return p;
      }
      case PacketType::puback: return Puback{ack(t)};
      case PacketType::pubrec: return Pubrec{ack(t)};
      case PacketType::pubrel: return Pubrel{ack(t)};
      case PacketType::pubcomp: return Pubcomp{ack(t)};
      case PacketType::subscribe: {
        Subscribe s{pid(), props(where(t)), {}};
        auto n = num(1, 4);
        for (std::uint32_t i = 0; i < n; ++i) {
          Subscription sub{filter(), std::uint8_t(num(0, 2))};
          if (v == Version::v5) {
            sub.no_local = split_shared(sub.filter).group.empty() && coin();
            sub.retain_as_published = coin();
            sub.retain_handling = std::uint8_t(num(0, 2));
          }
          s.subs.push_back(sub);
        }
        return s;
      }
      case PacketType::suback: {
        Suback s{pid(), props(where(t)), {}};
        auto n = num(1, 5);
        for (std::uint32_t i = 0; i < n; ++i) s.reasons.push_back(reason_for(t));
        return s;
      }
      case PacketType::unsubscribe: {
        Unsubscribe u{pid(), props(where(t)), {}};
        auto n = num(1, 4);
        for (std::uint32_t i = 0; i < n; ++i) u.filters.push_back(filter());
        return u;
      }
      case PacketType::unsuback: {
        Unsuback u{pid(), props(where(t)), {}};
        if (v == Version::v5) {
          auto n = num(1, 5);
          for (std::uint32_t i = 0; i < n; ++i) u.reasons.push_back(reason_for(t));
        }
        return u;
      }
      case PacketType::pingreq: return Pingreq{};
      case PacketType::pingresp: return Pingresp{};
      case PacketType::disconnect:
        return v == Version::v5 ? Disconnect{reason_for(t), props(where(t))} : Disconnect{};
      case PacketType::auth: return Auth{reason_for(t), props(where(t))};
      default: return Pingreq{};
    }
  }
  AckBase ack(PacketType t) {
    AckBase a{pid(), 0, {}};
    if (v == Version::v5) {
      a.reason = reason_for(t);
      a.props = props(where(t));
    }
    return a;
  }
};
}  // namespace

TEST_CASE("property: encode then decode gives the same packet (3.1.1 and 5.0)") {
  for (auto v : {Version::v311, Version::v5}) {
    Gen g{std::mt19937_64(v == Version::v5 ? 5 : 4), v};
    Bytes stream;
    std::vector<Packet> sent;
    for (int i = 0; i < 5000; ++i) {
      Packet p = g.packet();
      Bytes b;
      Error e = encode(p, b, {v});
      INFO("packet " << i << " type " << packet_type_name(type_of(p)) << ": " << e.message());
      REQUIRE_FALSE(e);
      CHECK(encoded_size(p, {v}) == b.size());
      auto d = dec(b, v);
      INFO("bytes " << hex(b) << " decode error " << d.error.message());
      REQUIRE(d.status == DecodeStatus::ok);
      REQUIRE(d.consumed == b.size());
      REQUIRE(d.packet == p);
      // Every proper prefix is need_more, never an error.
      for (std::size_t cut : {std::size_t(0), b.size() / 2, b.size() - 1})
        REQUIRE(dec(Bytes(b.begin(), b.begin() + cut), v).status == DecodeStatus::need_more);
      if (i < 300) { stream.insert(stream.end(), b.begin(), b.end()); sent.push_back(p); }
    }
    // The same packets back to back in one buffer decode in order.
    std::size_t pos = 0, n = 0;
    while (pos < stream.size()) {
      auto d = decode(std::span(stream).subspan(pos), {v});
      REQUIRE(d.status == DecodeStatus::ok);
      REQUIRE(d.packet == sent[n++]);
      pos += d.consumed;
    }
    CHECK(n == sent.size());
  }
}

TEST_CASE("property: random and mutated bytes give ok, need_more or an error, never a crash") {
  std::mt19937_64 rng(42);
  Gen g{std::mt19937_64(7), Version::v5};
  std::size_t errors = 0, oks = 0;
  for (int i = 0; i < 20000; ++i) {
    auto v = (i & 1) ? Version::v5 : Version::v311;
    g.v = v;
    Bytes b;
    if (i % 3 == 0) {
      b.resize(rng() % 64);
      for (auto& x : b) x = std::uint8_t(rng());
    } else {
      REQUIRE_FALSE(encode(g.packet(), b, {v}));
      auto flips = 1 + rng() % 3;
      for (std::size_t k = 0; k < flips && !b.empty(); ++k) b[rng() % b.size()] ^= std::uint8_t(1u << (rng() % 8));
    }
    auto d = dec(b, v, 1 + std::uint32_t(rng() % 5000));
    if (d.status == DecodeStatus::error) {
      ++errors;
      CHECK(d.error.code != Errc::ok);
      CHECK(d.error.offset <= b.size());
    } else if (d.status == DecodeStatus::ok) {
      ++oks;
      CHECK(d.consumed <= b.size());
      // Whatever decodes re-encodes (possibly in a shorter form) and decodes to the same value.
      Bytes again;
      REQUIRE_FALSE(encode(d.packet, again, {v}));
      auto d2 = dec(again, v);
      REQUIRE(d2.status == DecodeStatus::ok);
      CHECK(d2.packet == d.packet);
    }
  }
  CHECK(errors > 1000);
  CHECK(oks > 1000);
}

TEST_CASE("topic names and filters (5.0 §4.7)") {
  CHECK(is_valid_topic_name("sport/tennis/player1"));
  CHECK(is_valid_topic_name("/"));
  CHECK(is_valid_topic_name("$SYS/x"));
  CHECK_FALSE(is_valid_topic_name(""));
  CHECK_FALSE(is_valid_topic_name("a/+"));
  CHECK_FALSE(is_valid_topic_name("a/#"));
  for (auto f : {"#", "+", "sport/#", "sport/tennis/+", "+/tennis/#", "/+", "+/+", "a//b",
                 "$share/g/#", "$share/group/a/+/c", "$SYS/#"})
    CHECK(is_valid_topic_filter(f));
  for (auto f : {"", "sport/tennis#", "sport/#/ranking", "sport+", "a/b+/c", "$share/g",
                 "$share//a", "$share/g+/a", "$share/g/", "##"})
    CHECK_FALSE(is_valid_topic_filter(f));
  auto s = split_shared("$share/g1/a/b");
  CHECK(s.group == "g1");
  CHECK(s.filter == "a/b");
  CHECK(split_shared("a/b").group.empty());
}

TEST_CASE("topic matching: the examples of §4.7.1 and §4.7.2") {
  CHECK(topic_matches("sport/tennis/player1/#", "sport/tennis/player1"));
  CHECK(topic_matches("sport/tennis/player1/#", "sport/tennis/player1/ranking"));
  CHECK(topic_matches("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon"));
  CHECK(topic_matches("sport/#", "sport"));
  CHECK(topic_matches("#", "sport/tennis"));
  CHECK(topic_matches("sport/tennis/+", "sport/tennis/player1"));
  CHECK_FALSE(topic_matches("sport/tennis/+", "sport/tennis/player1/ranking"));
  CHECK_FALSE(topic_matches("sport/+", "sport"));
  CHECK(topic_matches("sport/+", "sport/"));
  CHECK(topic_matches("+/+", "/finance"));
  CHECK(topic_matches("/+", "/finance"));
  CHECK_FALSE(topic_matches("+", "/finance"));
  CHECK_FALSE(topic_matches("#", "$SYS/broker"));
  CHECK_FALSE(topic_matches("+/monitor/Clients", "$SYS/monitor/Clients"));
  CHECK(topic_matches("$SYS/#", "$SYS/monitor/Clients"));
  CHECK(topic_matches("$SYS/monitor/+", "$SYS/monitor/Clients"));
  CHECK(topic_matches("a/b", "a/b"));
  CHECK_FALSE(topic_matches("a/b", "a/bc"));
  CHECK_FALSE(topic_matches("a/b/c", "a/b"));
  CHECK(topic_matches("a//c", "a//c"));
  CHECK(topic_matches("+/+/+", "a//c"));
}
