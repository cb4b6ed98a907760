// The sans-I/O codec: bytes in, packets out, and back. No allocation beyond the packet values,
// no I/O, no exceptions; malformed input gives an Error, never a crash.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>
#include "weir/mqtt/error.hpp"
#include "weir/mqtt/packets.hpp"

namespace weir::mqtt {

inline constexpr std::uint32_t max_packet_size_limit = 268'435'460;  // 1 + 4 + max_varint

struct DecodeOptions {
  Version version = Version::v5;  // CONNECT carries its own version and ignores this
  std::uint32_t max_packet_size = max_packet_size_limit;  // whole packet, fixed header included
};

enum class DecodeStatus { ok, need_more, error };

struct Decoded {
  DecodeStatus status = DecodeStatus::need_more;
  std::size_t consumed = 0;  // ok: bytes of this packet
  std::size_t needed = 0;    // need_more: total bytes of the packet when known, else 0
  Packet packet;             // ok
  Error error;               // error
};

// Decodes at most one packet from the front of `data`.
Decoded decode(std::span<const std::uint8_t> data, const DecodeOptions& opt = {});

// Only the fixed header: packet type byte and remaining length. need_more / error / ok; on ok,
// `consumed` is the total packet size. Used to frame packets before decoding them.
Decoded peek_frame(std::span<const std::uint8_t> data, const DecodeOptions& opt = {});

struct EncodeOptions {
  Version version = Version::v5;  // CONNECT uses its own `version` field
  std::uint32_t max_packet_size = max_packet_size_limit;
};

// Appends the encoding of `p` to `out`. On error `out` is left as it was.
// Validates like the decoder does, so whatever encodes also decodes to an equal packet.
Error encode(const Packet& p, std::vector<std::uint8_t>& out, const EncodeOptions& opt = {});

// The same for a PUBLISH without wrapping it in a Packet (the hot path: no copy).
Error encode(const Publish& p, std::vector<std::uint8_t>& out, const EncodeOptions& opt = {});

// Size the encoding would take, or 0 when the packet cannot be encoded.
std::size_t encoded_size(const Packet& p, const EncodeOptions& opt = {});
std::size_t encoded_size(const Publish& p, const EncodeOptions& opt = {});

}  // namespace weir::mqtt
