#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>
#include "weir/mqtt/codec.hpp"

namespace mqtt_test {
using Bytes = std::vector<std::uint8_t>;
inline Bytes bytes(std::initializer_list<int> l) {
  Bytes b;
  for (int x : l) b.push_back(std::uint8_t(x));
  return b;
}
// Appends the bytes of s.
inline Bytes operator+(Bytes a, const std::string& s) {
  a.insert(a.end(), s.begin(), s.end());
  return a;
}
inline Bytes operator+(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
inline std::string hex(const Bytes& b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (auto x : b) { s += d[x >> 4]; s += d[x & 15]; s += ' '; }
  return s;
}
inline weir::mqtt::Decoded dec(const Bytes& b, weir::mqtt::Version v = weir::mqtt::Version::v5,
                               std::uint32_t max = weir::mqtt::max_packet_size_limit) {
  return weir::mqtt::decode(b, {v, max});
}
inline Bytes enc(const weir::mqtt::Packet& p, weir::mqtt::Version v = weir::mqtt::Version::v5) {
  Bytes out;
  auto e = weir::mqtt::encode(p, out, {v});
  if (e) throw std::runtime_error(e.message());
  return out;
}
}  // namespace mqtt_test
