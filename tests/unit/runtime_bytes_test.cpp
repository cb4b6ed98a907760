// Runtime: the binary syntax builder and reader (runtime/object/bytes.c) against a bit-by-bit
// reference model, and the Data.Bytes helpers (UTF-8 validation, hex).
#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "weir/rt.h"

extern "C" {
weir_obj* weir_bin_new(weir_obj* hint);
weir_obj* weir_bin_put_int(weir_obj* b, weir_obj* value, weir_obj* size, weir_obj* flags, weir_obj* loc);
weir_obj* weir_bin_put_float(weir_obj* b, weir_obj* value, weir_obj* size, weir_obj* flags, weir_obj* loc);
weir_obj* weir_bin_put_bytes(weir_obj* b, weir_obj* value, weir_obj* size, weir_obj* loc);
weir_obj* weir_bin_put_all(weir_obj* b, weir_obj* value);
weir_obj* weir_bin_finish(weir_obj* b, weir_obj* loc);
weir_obj* weir_bin_get_int(weir_obj* s, weir_obj* off, weir_obj* size, weir_obj* flags, weir_obj* loc);
weir_obj* weir_bin_get_float(weir_obj* s, weir_obj* off, weir_obj* size, weir_obj* flags, weir_obj* loc);
weir_obj* weir_bin_get_bytes(weir_obj* s, weir_obj* off, weir_obj* size, weir_obj* loc);
weir_obj* weir_bin_get_rest(weir_obj* s, weir_obj* off);
weir_obj* weir_bin_advance(weir_obj* off, weir_obj* size, weir_obj* unit);
weir_obj* weir_bin_end(weir_obj* s, weir_obj* off, weir_obj* rest, weir_obj* mismatch);
weir_obj* weir_bin_expect_int(weir_obj* mismatch, weir_obj* s, weir_obj* off, weir_obj* size, weir_obj* flags,
                              weir_obj* expected, weir_obj* loc);
weir_obj* weir_bin_expect_bytes(weir_obj* mismatch, weir_obj* s, weir_obj* off, weir_obj* lit);
weir_obj* weir_bytes_to_string(weir_obj* b);
weir_obj* weir_bytes_to_hex(weir_obj* b);
weir_obj* weir_bytes_from_hex(weir_obj* s);
weir_obj* weir_bytes_show(weir_obj* b);
}

namespace {
struct Init {
  Init() { weir_rt_init(0, nullptr); }
} init;

weir_obj* I(int64_t v) { return weir_box_int(v); }
weir_obj* loc() { return weir_string_new("t.weir:1:1", 10); }
weir_obj* B(const std::vector<uint8_t>& v) {
  weir_obj* s = weir_string_new(reinterpret_cast<const char*>(v.data()), v.size());
  s->kind = WEIR_BYTES;
  return s;
}
std::vector<uint8_t> bytesOf(weir_obj* b) {
  std::vector<uint8_t> v(weir_string_data(b), weir_string_data(b) + weir_string_len(b));
  weir_drop(b);
  return v;
}
std::string str(weir_obj* s) {
  std::string r(weir_string_data(s), weir_string_len(s));
  weir_drop(s);
  return r;
}
int64_t takeInt(weir_obj* o) {
  int64_t v = weir_unbox_int(o);
  weir_drop(o);
  return v;
}
bool takeBool(weir_obj* o) { return o == WEIR_TRUE; }

// Reference model: a vector of bits, most significant bit of each value first.
struct Seg {
  uint64_t value;
  unsigned size;
  bool isSigned, little;
};
uint64_t swapBytes(uint64_t v, unsigned n) {
  uint64_t r = 0;
  for (unsigned i = 0; i < n; i++) { r = (r << 8) | (v & 0xff); v >>= 8; }
  return r;
}
void modelPut(std::vector<bool>& bits, const Seg& s) {
  uint64_t v = s.value;
  if (s.size < 64) v &= (uint64_t(1) << s.size) - 1;
  if (s.little) v = swapBytes(v, s.size / 8);
  for (unsigned i = s.size; i-- > 0;) bits.push_back((v >> i) & 1);
}
int64_t modelExpect(const Seg& s) {
  uint64_t v = s.value;
  if (s.size == 0) return 0;
  if (s.size < 64) {
    v &= (uint64_t(1) << s.size) - 1;
    if (s.isSigned && (v >> (s.size - 1)) & 1) v |= ~uint64_t(0) << s.size;
  }
  return static_cast<int64_t>(v);
}
}  // namespace

TEST_CASE("binary: random integer segments round-trip and match a bit-level model", "[runtime][bytes]") {
  std::mt19937_64 rng(42);
  int64_t live = weir_live_objects();
  for (int iter = 0; iter < 2000; ++iter) {
    std::vector<Seg> segs;
    std::vector<bool> bits;
    int n = static_cast<int>(rng() % 8) + 1;
    for (int i = 0; i < n; ++i) {
      Seg s;
      s.little = rng() % 3 == 0;
      s.size = s.little ? 8 * static_cast<unsigned>(rng() % 9) : static_cast<unsigned>(rng() % 65);
      s.isSigned = rng() % 2;
      s.value = rng();
      segs.push_back(s);
      modelPut(bits, s);
    }
    while (bits.size() % 8) {  // pad to whole bytes with a final segment
      Seg p{rng(), static_cast<unsigned>(8 - bits.size() % 8), false, false};
      segs.push_back(p);
      modelPut(bits, p);
    }
    weir_obj* b = weir_bin_new(I(static_cast<int64_t>(rng() % 4)));  // small hints force growth
    for (auto& s : segs)
      b = weir_bin_put_int(b, I(static_cast<int64_t>(s.value)), I(s.size),
                           I((s.isSigned ? 1 : 0) | (s.little ? 2 : 0)), loc());
    weir_obj* r = weir_bin_finish(b, loc());
    REQUIRE(weir_string_len(r) * 8 == bits.size());
    for (size_t i = 0; i < bits.size(); ++i) {
      bool bit = (static_cast<uint8_t>(weir_string_data(r)[i / 8]) >> (7 - i % 8)) & 1;
      REQUIRE(bit == bits[i]);
    }
    int64_t off = 0;
    for (auto& s : segs) {
      weir_dup(r);
      int64_t got = takeInt(weir_bin_get_int(r, I(off), I(s.size), I((s.isSigned ? 1 : 0) | (s.little ? 2 : 0)), loc()));
      REQUIRE(got == modelExpect(s));
      int fl = (s.isSigned ? 1 : 0) | (s.little ? 2 : 0);
      weir_dup(r);
      REQUIRE(takeInt(weir_bin_expect_int(I(0), r, I(off), I(s.size), I(fl), I(got), loc())) == 0);
      weir_dup(r);
      REQUIRE(takeInt(weir_bin_expect_int(I(0), r, I(off), I(s.size), I(fl), I(got ^ 1), loc())) == 1);
      weir_dup(r);
      REQUIRE(takeInt(weir_bin_expect_int(I(1), r, I(off), I(s.size), I(fl), I(got), loc())) == 1);
      off = takeInt(weir_bin_advance(I(off), I(s.size), I(1)));
    }
    weir_dup(r);
    CHECK(takeBool(weir_bin_end(r, I(off), I(0), I(0))));
    weir_dup(r);
    CHECK_FALSE(takeBool(weir_bin_end(r, I(off - 1), I(0), I(0))));
    weir_dup(r);  // past the end: 0, never a read outside the object
    CHECK(takeInt(weir_bin_get_int(r, I(off), I(8), I(0), loc())) == 0);
    weir_drop(r);
  }
  CHECK(weir_live_objects() == live);
}

TEST_CASE("binary: floats, bytes at unaligned offsets, the rest", "[runtime][bytes]") {
  int64_t live = weir_live_objects();
  weir_obj* b = weir_bin_new(I(0));
  b = weir_bin_put_int(b, I(5), I(4), I(0), loc());
  b = weir_bin_put_bytes(b, B({0xAB, 0xCD, 0xEF}), I(2), loc());
  b = weir_bin_put_float(b, weir_box_float(1.5), I(32), I(2), loc());
  b = weir_bin_put_int(b, I(0xF), I(4), I(0), loc());
  b = weir_bin_put_all(b, B({1, 2}));
  weir_obj* r = weir_bin_finish(b, loc());
  // 0101 | 10101011 11001101 | 1.5f little = 00 00 C0 3F | 1111 | 01 02
  CHECK(bytesOf((weir_dup(r), r)) == std::vector<uint8_t>{0x5A, 0xBC, 0xD0, 0x00, 0x0C, 0x03, 0xFF, 0x01, 0x02});
  weir_dup(r);
  CHECK(bytesOf(weir_bin_get_bytes(r, I(4), I(2), loc())) == std::vector<uint8_t>{0xAB, 0xCD});
  weir_dup(r);
  CHECK(takeInt(weir_bin_expect_bytes(I(0), r, I(4), B({0xAB, 0xCD}))) == 0);
  weir_dup(r);
  CHECK(takeInt(weir_bin_expect_bytes(I(0), r, I(4), B({0xAB, 0xCE}))) == 1);
  weir_dup(r);
  CHECK(takeInt(weir_bin_expect_bytes(I(0), r, I(56), B({1, 2}))) == 0);
  weir_dup(r);
  CHECK(takeInt(weir_bin_expect_bytes(I(0), r, I(64), B({2, 3}))) == 1);  // past the end
  weir_dup(r);
  weir_obj* f = weir_bin_get_float(r, I(20), I(32), I(2), loc());
  CHECK(weir_unbox_float(f) == 1.5);
  weir_drop(f);
  weir_dup(r);
  CHECK(bytesOf(weir_bin_get_rest(r, I(56))) == std::vector<uint8_t>{1, 2});
  weir_dup(r);
  CHECK(takeBool(weir_bin_end(r, I(56), I(1), I(0))));
  weir_dup(r);
  CHECK_FALSE(takeBool(weir_bin_end(r, I(52), I(1), I(0))));  // 20 bits left: not whole bytes
  weir_dup(r);
  CHECK(bytesOf(weir_bin_get_bytes(r, I(64), I(5), loc())).empty());  // past the end
  weir_drop(r);
  CHECK(takeInt(weir_bin_advance(I(8), I(int64_t(1) << 62), I(8))) == int64_t(1) << 62);  // saturates
  CHECK(weir_live_objects() == live);
}

TEST_CASE("Data.Bytes: UTF-8 validation, hex, show", "[runtime][bytes]") {
  auto valid = [](std::vector<uint8_t> v) {
    weir_obj* m = weir_bytes_to_string(B(v));
    bool ok = m->tag == 1;
    weir_drop(m);
    return ok;
  };
  CHECK(valid({}));
  CHECK(valid({'h', 0xC3, 0xA9}));
  CHECK(valid({0xF0, 0x9F, 0x98, 0x80}));
  CHECK(valid({0xF4, 0x8F, 0xBF, 0xBF}));     // U+10FFFF
  CHECK_FALSE(valid({0xC0, 0x80}));            // overlong
  CHECK_FALSE(valid({0xE0, 0x80, 0x80}));      // overlong
  CHECK_FALSE(valid({0xED, 0xA0, 0x80}));      // surrogate
  CHECK_FALSE(valid({0xF4, 0x90, 0x80, 0x80})); // > U+10FFFF
  CHECK_FALSE(valid({0xC3}));                  // truncated
  CHECK_FALSE(valid({0x80}));                  // stray continuation
  CHECK(str(weir_bytes_to_hex(B({0, 1, 0xAB, 0xFF}))) == "0001abff");
  weir_obj* h = weir_bytes_from_hex(weir_string_new("0aFf", 4));
  REQUIRE(h->tag == 1);
  weir_obj* inner = reinterpret_cast<weir_con*>(h)->fields[0];
  weir_dup(inner);
  weir_drop(h);
  CHECK(bytesOf(inner) == std::vector<uint8_t>{0x0A, 0xFF});
  CHECK(weir_bytes_from_hex(weir_string_new("0g", 2)) == &weir_nullary[0].h);
  CHECK(weir_bytes_from_hex(weir_string_new("abc", 3)) == &weir_nullary[0].h);
  CHECK(str(weir_bytes_show(B({}))) == "<<>>");
  CHECK(str(weir_bytes_show(B({1, 22, 255}))) == "<<1,22,255>>");
}
