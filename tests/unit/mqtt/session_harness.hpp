// A Session driven by hand like a transport would, against a scripted server (shared by the
// session and error-handling tests).
#pragma once
#include <catch2/catch.hpp>
#include "helpers.hpp"
#include "weir/mqtt/session.hpp"

namespace mqtt_test {
using namespace weir::mqtt;
using namespace std::chrono_literals;
struct Harness {
  Session s;
  Version v;
  TimePoint now = TimePoint{} + 1000s;
  explicit Harness(SessionConfig c) : s(c), v(c.version) {}

  // Everything the client wrote since the last call, decoded.
  std::vector<Packet> sent() {
    std::vector<std::uint8_t> buf;
    s.take_output(buf);
    std::vector<Packet> out;
    std::size_t pos = 0;
    while (pos < buf.size()) {
      auto d = decode(std::span(buf).subspan(pos), {v});
      REQUIRE(d.status == DecodeStatus::ok);
      out.push_back(std::move(d.packet));
      pos += d.consumed;
    }
    return out;
  }
  void server(const Packet& p) {
    auto b = enc(p, v);
    CHECK(s.receive(b, now) == b.size());
  }
  std::vector<Event> events() { return std::exchange(s.events(), {}); }
  void connect(bool session_present = false, Properties props = {}) {
    s.connection_opened(now);
    auto out = sent();
    REQUIRE(out.size() == 1);
    REQUIRE(std::holds_alternative<Connect>(out[0]));
    server(Connack{session_present, 0, std::move(props)});
    auto ev = events();
    REQUIRE(!ev.empty());
    REQUIRE(std::holds_alternative<ConnectedEvent>(ev.front()));
    for (std::size_t i = 1; i < ev.size(); ++i) s.events().push_back(ev[i]);  // keep the rest
    CHECK(s.state() == SessionState::connected);
  }
};
template <class T> std::vector<T> only(const std::vector<Packet>& ps) {
  std::vector<T> r;
  for (auto& p : ps) if (auto* x = std::get_if<T>(&p)) r.push_back(*x);
  return r;
}
template <class T> std::vector<T> only_ev(const std::vector<Event>& es) {
  std::vector<T> r;
  for (auto& e : es) if (auto* x = std::get_if<T>(&e)) r.push_back(*x);
  return r;
}
inline Publish msg(std::string topic, std::string payload, std::uint8_t qos) {
  Publish p;
  p.topic = std::move(topic);
  p.payload = std::move(payload);
  p.qos = qos;
  return p;
}
}  // namespace mqtt_test
