// libFuzzer target: the MQTT codec and the session state machine on arbitrary bytes.
// Byte 0 selects the protocol version and the maximum packet size; the rest is a stream.
// Checks, beyond "no crash, no sanitizer report": whatever decodes re-encodes and decodes to an
// equal packet, and the session never consumes more than it was given.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>
#include "weir/mqtt/codec.hpp"
#include "weir/mqtt/session.hpp"

using namespace weir::mqtt;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t sel = data[0];
  const Version v = (sel & 1) ? Version::v5 : Version::v311;
  const std::uint32_t max = (sel & 2) ? 1 + (sel >> 2) * 64u : max_packet_size_limit;
  std::span<const std::uint8_t> in(data + 1, size - 1);

  // 1. The codec over the stream.
  std::size_t pos = 0;
  while (pos < in.size()) {
    Decoded d = decode(in.subspan(pos), {v, max});
    if (d.status != DecodeStatus::ok) break;
    if (d.consumed == 0 || d.consumed > in.size() - pos) std::abort();
    pos += d.consumed;
    std::vector<std::uint8_t> out;
    Version ev = v;
    if (auto* c = std::get_if<Connect>(&d.packet)) ev = c->version;
    if (Error e = encode(d.packet, out, {ev})) std::abort();  // decoded => encodable
    Decoded again = decode(out, {ev});
    if (again.status != DecodeStatus::ok || !(again.packet == d.packet)) std::abort();
    if (encoded_size(d.packet, {ev}) != out.size()) std::abort();
  }

  // 2. The session, as a client that has sent CONNECT, reading the same bytes as the server's.
  SessionConfig cfg;
  cfg.version = v;
  cfg.client_id = "fuzz";
  cfg.receive_maximum = 4;
  cfg.topic_alias_maximum = 4;
  // Half of the inputs also drive deferred acknowledgements and the timeouts.
  cfg.manual_acks = !in.empty() && (in[0] & 1);
  cfg.ack_timeout = std::chrono::seconds(30);
  cfg.packet_timeout = std::chrono::seconds(30);
  Session s(cfg);
  std::vector<std::uint64_t> owed;
  TimePoint now{};
  s.connection_opened(now);
  std::vector<std::uint8_t> buf;
  s.take_output(buf);
  std::vector<std::uint8_t> stream = {0x20, 0x03, 0x00, 0x00, 0x00};  // CONNACK (5.0 form)
  if (v == Version::v311) stream = {0x20, 0x02, 0x00, 0x00};
  stream.insert(stream.end(), in.begin(), in.end());
  std::size_t off = 0;
  int guard = 0;
  while (off < stream.size() && guard++ < 1000) {
    std::size_t used = s.receive(std::span(stream).subspan(off), now);
    if (used > stream.size() - off) std::abort();
    if (used == 0) break;
    off += used;
    s.publish(Publish{"t/x", "p", std::uint8_t(off % 3), false, false, 0, {}});
    now += std::chrono::seconds(20);
    s.tick(now);
    for (auto& e : s.events())
      if (auto* m = std::get_if<MessageEvent>(&e); m && m->ack_id) owed.push_back(m->ack_id);
    if (!owed.empty()) {  // acknowledge in a scrambled order, sometimes with a failure code
      const std::size_t i = off % owed.size();
      s.ack(owed[i], (off & 4) ? 0x80 : 0);
      owed.erase(owed.begin() + std::ptrdiff_t(i));
    }
    if (guard % 7 == 3) s.abandon_unacked();
    s.take_output(buf);
    s.events().clear();
  }
  return 0;
}
