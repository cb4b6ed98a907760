// Variable byte integers, UTF-8 validation, topic names/filters and matching.
#include <cstring>
#include "weir/mqtt/topic.hpp"
#include "weir/mqtt/wire.hpp"

namespace weir::mqtt {

std::size_t encode_varint(std::uint32_t v, std::uint8_t* out) noexcept {
  std::size_t n = 0;
  do {
    std::uint8_t b = v & 0x7F;
    v >>= 7;
    if (v) b |= 0x80;
    out[n++] = b;
  } while (v && n < 4);
  return n;
}

VarintStatus decode_varint(const std::uint8_t* p, std::size_t n, std::uint32_t* value,
                           std::size_t* used) noexcept {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    if (i >= n) return VarintStatus::need_more;
    std::uint8_t b = p[i];
    v |= std::uint32_t(b & 0x7F) << (7 * i);
    if (!(b & 0x80)) {
      if (i > 0 && b == 0) return VarintStatus::malformed;  // not the minimal encoding
      *value = v;
      *used = i + 1;
      return VarintStatus::ok;
    }
  }
  return VarintStatus::malformed;
}

std::size_t utf8_invalid_at(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    // Fast path: 8 ASCII bytes without NUL.
    if (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      const std::uint64_t hi = w & 0x8080808080808080ull;
      const std::uint64_t zero = (w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull;
      if (!hi && !zero) { i += 8; continue; }
    }
    unsigned char c = p[i];
    if (c < 0x80) {
      if (c == 0) return i;
      ++i;
      continue;
    }
    std::size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) { len = 3; lo = 0xA0; }
    else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) len = 3;
    else if (c == 0xED) { len = 3; hi = 0x9F; }  // no surrogates
    else if (c == 0xF0) { len = 4; lo = 0x90; }
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) { len = 4; hi = 0x8F; }
    else return i;
    if (i + len > n) return i;
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if ((p[i + k] & 0xC0) != 0x80) return i;
    i += len;
  }
  return std::string_view::npos;
}

bool is_valid_topic_name(std::string_view t) noexcept {
  if (t.empty() || t.size() > 65535) return false;
  if (t.find_first_of("+#") != std::string_view::npos) return false;
  return is_valid_utf8(t);
}

static bool valid_plain_filter(std::string_view f) noexcept {
  if (f.empty()) return false;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = f.find('/', start);
    std::string_view level = f.substr(start, end == std::string_view::npos ? f.npos : end - start);
    if (level.find('#') != level.npos) {
      if (level.size() != 1 || end != std::string_view::npos) return false;
    }
    if (level.find('+') != level.npos && level.size() != 1) return false;
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

SharedFilter split_shared(std::string_view f) noexcept {
  constexpr std::string_view prefix = "$share/";
  if (f.substr(0, prefix.size()) != prefix) return {{}, f};
  std::string_view rest = f.substr(prefix.size());
  std::size_t slash = rest.find('/');
  if (slash == rest.npos) return {rest, {}};
  return {rest.substr(0, slash), rest.substr(slash + 1)};
}

bool is_valid_topic_filter(std::string_view f) noexcept {
  if (f.empty() || f.size() > 65535 || !is_valid_utf8(f)) return false;
  if (f.substr(0, 7) == "$share/") {
    auto s = split_shared(f);
    if (s.group.empty() || s.group.find_first_of("+#/") != s.group.npos) return false;
    if (s.filter.data() == nullptr || s.filter.empty()) return false;
    return valid_plain_filter(s.filter);
  }
  return valid_plain_filter(f);
}

bool topic_matches(std::string_view filter, std::string_view topic) noexcept {
  if (!topic.empty() && topic[0] == '$' && !filter.empty() && (filter[0] == '+' || filter[0] == '#'))
    return false;
  std::size_t f = 0, t = 0;
  bool topic_done = false;
  for (;;) {
    std::size_t fe = filter.find('/', f);
    std::string_view fl = filter.substr(f, fe == filter.npos ? filter.npos : fe - f);
    if (fl == "#") return true;
    if (topic_done) return false;
    std::size_t te = topic.find('/', t);
    std::string_view tl = topic.substr(t, te == topic.npos ? topic.npos : te - t);
    if (fl != "+" && fl != tl) return false;
    bool f_last = fe == filter.npos, t_last = te == topic.npos;
    if (f_last) return t_last;
    f = fe + 1;
    if (t_last) topic_done = true;
    else t = te + 1;
  }
}

}  // namespace weir::mqtt
