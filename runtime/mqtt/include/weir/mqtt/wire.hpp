// Wire primitives: variable byte integers and UTF-8 validation (MQTT 5.0 §1.5).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace weir::mqtt {

inline constexpr std::uint32_t max_varint = 268'435'455;  // 0xFF,0xFF,0xFF,0x7F

// Number of bytes the variable byte integer encoding of v takes (1..4); v <= max_varint.
constexpr std::size_t varint_size(std::uint32_t v) noexcept {
  return v < 128 ? 1 : v < 16384 ? 2 : v < 2'097'152 ? 3 : 4;
}
// Writes v at out (room for 4 bytes needed); returns bytes written.
std::size_t encode_varint(std::uint32_t v, std::uint8_t* out) noexcept;

enum class VarintStatus { ok, need_more, malformed };
// Decodes a variable byte integer from [p, p+n). On ok, *value and *used are set.
// Malformed: a fifth byte would be needed, or the encoding is not minimal.
VarintStatus decode_varint(const std::uint8_t* p, std::size_t n, std::uint32_t* value,
                           std::size_t* used) noexcept;

// MQTT UTF-8 string rules: well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF)
// and no U+0000. Returns the offset of the first bad byte, or npos when valid.
std::size_t utf8_invalid_at(std::string_view s) noexcept;
inline bool is_valid_utf8(std::string_view s) noexcept {
  return utf8_invalid_at(s) == std::string_view::npos;
}

}  // namespace weir::mqtt
