/* Bytes (immutable byte strings, WEIR_BYTES, the layout of WEIR_STRING) and the binary
 * syntax `<<...>>` (LANGUAGE.md section 6).
 *
 * Every function here is called from generated code through the `foreign import ccall`
 * convention (compiler/core/lower/binary.cpp and stdlib/Data/Bytes.weir): every argument is
 * an OWNED weir_obj*, the result is an owned weir_obj*. Int arguments are boxed Ints; a
 * `loc` argument is a String object holding the source location used in run-time errors.
 *
 * Bit order is Erlang's: bits are numbered from the most significant bit of the first byte,
 * an integer segment is written most significant bit first (big endian); a little-endian
 * segment (a whole number of bytes) has its bytes reversed.
 *
 * Building `<<a:16, b/bytes>>` threads a builder through weir_bin_new, one weir_bin_put_*
 * per segment and weir_bin_finish. The builder is a private WEIR_BYTES object whose `len`
 * is its capacity; data[0..8) holds the number of bits written, the payload starts at
 * data + 8. It is unique (created and consumed linearly), so puts write in place.
 *
 * Matching reads segments at bit offsets (boxed Ints) that the generated code threads
 * through weir_bin_advance; reading past the end never touches memory outside the object
 * (it yields 0 or empty Bytes), and weir_bin_end decides at the end whether the pattern
 * consumed exactly the whole value.
 */
#include "weir/rt.h"
#include "values.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned char u8;

/* ------------------------------------------------------------------ helpers */
static weir_obj* bytes_alloc(size_t len) {
  weir_string* s = (weir_string*)weir_alloc(16 + len + 1);
  s->h.rc = 1; s->h.kind = WEIR_BYTES; s->h.nfields = 0; s->h.tag = 0;
  s->len = len;
  s->data[len] = 0;
  return &s->h;
}
static weir_obj* bytes_new(const void* data, size_t len) {
  weir_obj* b = bytes_alloc(len);
  if (len) memcpy(((weir_string*)b)->data, data, len);
  return b;
}
static inline u8* bdata(weir_obj* b) { return (u8*)((weir_string*)b)->data; }
static inline const u8* cdata(const weir_obj* b) { return (const u8*)((const weir_string*)b)->data; }
static inline size_t blen(const weir_obj* b) { return (size_t)((const weir_string*)b)->len; }



/* Panics with the location held by the String `loc` (consumed only on success paths:
 * the process exits here). */
WEIR_NORETURN static void bin_error(weir_obj* loc, const char* fmt, long long a, long long b) {
  char msg[256];
  snprintf(msg, sizeof msg, fmt, a, b);
  weir_rt_panic(msg, loc ? weir_string_data(loc) : "");
}

/* Bits [off, off+n) of p, most significant first; n <= 64. */
static uint64_t get_bits(const u8* p, uint64_t off, unsigned n) {
  uint64_t v = 0;
  if (!(off & 7) && !(n & 7)) {
    for (unsigned i = 0; i < n / 8; i++) v = (v << 8) | p[off / 8 + i];
    return v;
  }
  while (n) {
    unsigned bit = (unsigned)(off & 7);
    unsigned take = 8 - bit < n ? 8 - bit : n;
    unsigned chunk = ((unsigned)p[off >> 3] >> (8 - bit - take)) & ((1u << take) - 1);
    v = (v << take) | chunk;
    off += take;
    n -= take;
  }
  return v;
}

/* Writes the low n bits of v at bit offset off of p, most significant first; n <= 64. */
static void put_bits(u8* p, uint64_t off, unsigned n, uint64_t v) {
  while (n) {
    unsigned bit = (unsigned)(off & 7);
    unsigned take = 8 - bit < n ? 8 - bit : n;
    unsigned chunk = (unsigned)(v >> (n - take)) & ((1u << take) - 1);
    unsigned shift = 8 - bit - take;
    unsigned mask = ((1u << take) - 1) << shift;
    p[off >> 3] = (u8)((p[off >> 3] & ~mask) | (chunk << shift));
    off += take;
    n -= take;
  }
}

static uint64_t swap_bytes(uint64_t v, unsigned nbytes) {
  uint64_t r = 0;
  for (unsigned i = 0; i < nbytes; i++) { r = (r << 8) | (v & 0xff); v >>= 8; }
  return r;
}

enum { BIN_SIGNED = 1, BIN_LITTLE = 2 };

/* ------------------------------------------------------------------ building */
#define BUILDER_HEADER 8
static inline uint64_t builder_bits(weir_obj* b) { uint64_t n; memcpy(&n, bdata(b), 8); return n; }
static inline void builder_set_bits(weir_obj* b, uint64_t n) { memcpy(bdata(b), &n, 8); }
static inline u8* builder_payload(weir_obj* b) { return bdata(b) + BUILDER_HEADER; }

static weir_obj* builder_alloc(size_t payload) {
  weir_obj* b = bytes_alloc(BUILDER_HEADER + payload);
  memset(bdata(b), 0, BUILDER_HEADER + payload);
  return b;
}

/* Makes room for `more` bits; returns the (possibly moved) builder. */
static weir_obj* builder_reserve(weir_obj* b, uint64_t more, weir_obj* loc) {
  uint64_t bits = builder_bits(b);
  if (more > ((uint64_t)1 << 60) - bits) bin_error(loc, "binary too large (%lld more bits)", (long long)more, 0);
  uint64_t needBytes = (bits + more + 7) / 8;
  size_t cap = blen(b) - BUILDER_HEADER;
  if (needBytes <= cap && b->rc == 1) return b;
  size_t ncap = cap * 2 > needBytes ? cap * 2 : needBytes;
  if (ncap < 16) ncap = 16;
  weir_obj* nb = builder_alloc(ncap);
  memcpy(builder_payload(nb), builder_payload(b), (bits + 7) / 8);
  builder_set_bits(nb, bits);
  weir_drop(b);
  return nb;
}

/* weir_bin_new(hint :: Int): an empty builder with room for `hint` bytes. */
weir_obj* weir_bin_new(weir_obj* hint) {
  int64_t h = weir_take_int(hint);
  if (h < 16) h = 16;
  if (h > 4096) h = 4096;
  return builder_alloc((size_t)h);
}

static void check_int_size(int64_t size, int flags, weir_obj* loc) {
  if (size < 0) bin_error(loc, "negative size %lld in an integer segment", (long long)size, 0);
  if (size > 64) bin_error(loc, "integer segment of %lld bits (at most 64)", (long long)size, 0);
  if ((flags & BIN_LITTLE) && size % 8)
    bin_error(loc, "little-endian integer segment of %lld bits (must be a multiple of 8)", (long long)size, 0);
}
static void check_float_size(int64_t size, weir_obj* loc) {
  if (size != 32 && size != 64) bin_error(loc, "float segment of %lld bits (must be 32 or 64)", (long long)size, 0);
}

static weir_obj* put_scalar(weir_obj* b, uint64_t v, unsigned size, int flags, weir_obj* loc) {
  b = builder_reserve(b, size, loc);
  if (flags & BIN_LITTLE) v = swap_bytes(v, size / 8);
  uint64_t bits = builder_bits(b);
  put_bits(builder_payload(b), bits, size, v);
  builder_set_bits(b, bits + size);
  return b;
}

/* weir_bin_put_int(builder, value :: Int, size :: Int (bits), flags :: Int, loc :: String) */
weir_obj* weir_bin_put_int(weir_obj* b, weir_obj* value, weir_obj* size, weir_obj* flags, weir_obj* loc) {
  int64_t v = weir_take_int(value), n = weir_take_int(size), f = weir_take_int(flags);
  check_int_size(n, (int)f, loc);
  b = put_scalar(b, (uint64_t)v, (unsigned)n, (int)f, loc);
  weir_drop(loc);
  return b;
}

/* weir_bin_put_float(builder, value :: Float, size :: Int (32 or 64), flags :: Int, loc :: String) */
weir_obj* weir_bin_put_float(weir_obj* b, weir_obj* value, weir_obj* size, weir_obj* flags, weir_obj* loc) {
  double d = weir_take_float(value);
  int64_t n = weir_take_int(size), f = weir_take_int(flags);
  check_float_size(n, loc);
  uint64_t bits;
  if (n == 32) {
    float x = (float)d;
    uint32_t u;
    memcpy(&u, &x, 4);
    bits = u;
  } else {
    memcpy(&bits, &d, 8);
  }
  b = put_scalar(b, bits, (unsigned)n, (int)f, loc);
  weir_drop(loc);
  return b;
}

static weir_obj* put_raw(weir_obj* b, const u8* src, size_t n, weir_obj* loc) {
  if ((uint64_t)n > ((uint64_t)1 << 56)) bin_error(loc, "binary too large (%lld bytes)", (long long)n, 0);
  b = builder_reserve(b, (uint64_t)n * 8, loc);
  uint64_t bits = builder_bits(b);
  u8* p = builder_payload(b);
  if (!(bits & 7)) {
    if (n) memcpy(p + bits / 8, src, n);
  } else {
    for (size_t i = 0; i < n; i++) put_bits(p, bits + 8 * i, 8, src[i]);
  }
  builder_set_bits(b, bits + (uint64_t)n * 8);
  return b;
}

/* weir_bin_put_bytes(builder, value :: Bytes, size :: Int (bytes), loc :: String):
 * the first `size` bytes of value (a run-time error if it is shorter or size is negative). */
weir_obj* weir_bin_put_bytes(weir_obj* b, weir_obj* value, weir_obj* size, weir_obj* loc) {
  int64_t n = weir_take_int(size);
  if (n < 0) bin_error(loc, "negative size %lld in a bytes segment", (long long)n, 0);
  if ((uint64_t)n > blen(value))
    bin_error(loc, "bytes segment of size %lld, but the value has only %lld bytes", (long long)n, (long long)blen(value));
  b = put_raw(b, cdata(value), (size_t)n, loc);
  weir_drop(value);
  weir_drop(loc);
  return b;
}

/* weir_bin_put_all(builder, value :: Bytes or String): all of value's bytes. */
weir_obj* weir_bin_put_all(weir_obj* b, weir_obj* value) {
  b = put_raw(b, cdata(value), blen(value), NULL);
  weir_drop(value);
  return b;
}

/* weir_bin_finish(builder, loc :: String) -> Bytes: a run-time error if the segments do not
 * add up to a whole number of bytes. */
weir_obj* weir_bin_finish(weir_obj* b, weir_obj* loc) {
  uint64_t bits = builder_bits(b);
  if (bits % 8) bin_error(loc, "binary of %lld bits is not a whole number of bytes", (long long)bits, 0);
  weir_obj* r = bytes_new(builder_payload(b), (size_t)(bits / 8));
  weir_drop(b);
  weir_drop(loc);
  return r;
}

/* ------------------------------------------------------------------ matching */
static inline int in_range(const weir_obj* s, uint64_t off, uint64_t n) {
  uint64_t total = (uint64_t)blen(s) * 8;
  return off <= total && n <= total - off;
}

/* weir_bin_get_int(s :: Bytes, off :: Int (bits), size :: Int (bits), flags, loc) -> Int
 * (0 when the segment lies past the end: weir_bin_end then rejects the match). */
weir_obj* weir_bin_get_int(weir_obj* s, weir_obj* off, weir_obj* size, weir_obj* flags, weir_obj* loc) {
  int64_t o = weir_take_int(off), n = weir_take_int(size), f = weir_take_int(flags);
  check_int_size(n, (int)f, loc);
  weir_drop(loc);
  uint64_t v = 0;
  if (o >= 0 && in_range(s, (uint64_t)o, (uint64_t)n)) {
    v = get_bits(cdata(s), (uint64_t)o, (unsigned)n);
    if (f & BIN_LITTLE) v = swap_bytes(v, (unsigned)n / 8);
    if ((f & BIN_SIGNED) && n > 0 && n < 64 && (v >> (n - 1)) & 1) v |= ~(uint64_t)0 << n;
  }
  weir_drop(s);
  return weir_box_int((int64_t)v);
}

/* weir_bin_get_float(s, off, size (32 or 64), flags, loc) -> Float */
weir_obj* weir_bin_get_float(weir_obj* s, weir_obj* off, weir_obj* size, weir_obj* flags, weir_obj* loc) {
  int64_t o = weir_take_int(off), n = weir_take_int(size), f = weir_take_int(flags);
  check_float_size(n, loc);
  weir_drop(loc);
  double d = 0;
  if (o >= 0 && in_range(s, (uint64_t)o, (uint64_t)n)) {
    uint64_t v = get_bits(cdata(s), (uint64_t)o, (unsigned)n);
    if (f & BIN_LITTLE) v = swap_bytes(v, (unsigned)n / 8);
    if (n == 32) {
      uint32_t u = (uint32_t)v;
      float x;
      memcpy(&x, &u, 4);
      d = x;
    } else {
      memcpy(&d, &v, 8);
    }
  }
  weir_drop(s);
  return weir_box_float(d);
}

static weir_obj* slice_bits(weir_obj* s, uint64_t off, uint64_t nbytes) {
  weir_obj* r = bytes_alloc((size_t)nbytes);
  if (!(off & 7)) {
    if (nbytes) memcpy(bdata(r), cdata(s) + off / 8, (size_t)nbytes);
  } else {
    for (uint64_t i = 0; i < nbytes; i++) bdata(r)[i] = (u8)get_bits(cdata(s), off + 8 * i, 8);
  }
  return r;
}

/* weir_bin_get_bytes(s, off (bits), size (bytes), loc) -> Bytes (empty when past the end) */
weir_obj* weir_bin_get_bytes(weir_obj* s, weir_obj* off, weir_obj* size, weir_obj* loc) {
  int64_t o = weir_take_int(off), n = weir_take_int(size);
  if (n < 0) bin_error(loc, "negative size %lld in a bytes segment", (long long)n, 0);
  weir_drop(loc);
  weir_obj* r;
  if (o >= 0 && (uint64_t)n <= ((uint64_t)1 << 56) && in_range(s, (uint64_t)o, (uint64_t)n * 8))
    r = slice_bits(s, (uint64_t)o, (uint64_t)n);
  else
    r = bytes_alloc(0);
  weir_drop(s);
  return r;
}

/* weir_bin_get_rest(s, off (bits)) -> Bytes: everything from off (empty when off is past the
 * end or the rest is not a whole number of bytes: weir_bin_end rejects those). */
weir_obj* weir_bin_get_rest(weir_obj* s, weir_obj* off) {
  int64_t o = weir_take_int(off);
  uint64_t total = (uint64_t)blen(s) * 8;
  weir_obj* r;
  if (o == 0) return s;  /* all of it: no copy */
  if (o >= 0 && (uint64_t)o <= total && (total - (uint64_t)o) % 8 == 0)
    r = slice_bits(s, (uint64_t)o, (total - (uint64_t)o) / 8);
  else
    r = bytes_alloc(0);
  weir_drop(s);
  return r;
}

/* weir_bin_advance(off, size, unit) -> off + size * unit, saturating (offsets only grow; a
 * saturated offset is past the end of any value). Negative sizes were rejected by the get. */
weir_obj* weir_bin_advance(weir_obj* off, weir_obj* size, weir_obj* unit) {
  int64_t o = weir_take_int(off), n = weir_take_int(size), u = weir_take_int(unit);
  const int64_t cap = (int64_t)1 << 62;
  int64_t r;
  if (n < 0 || o < 0) r = cap;
  else if (n > 0 && u > 0 && n > (cap - o) / u) r = cap;
  else r = o + n * u;
  return weir_box_int(r);
}

/* weir_bin_expect_int(mismatch, s, off, size, flags, expected, loc) -> Int: a literal integer
 * segment. The result is `mismatch` (an Int, 0 while every literal so far matched) or 1 when
 * the segment does not hold `expected` (or lies past the end). */
weir_obj* weir_bin_expect_int(weir_obj* mismatch, weir_obj* s, weir_obj* off, weir_obj* size, weir_obj* flags,
                              weir_obj* expected, weir_obj* loc) {
  int64_t m = weir_take_int(mismatch), want = weir_take_int(expected);
  weir_obj* got = weir_bin_get_int(s, off, size, flags, loc);
  int same = weir_unbox_int(got) == want;
  weir_drop(got);
  return weir_box_int(m || !same);
}

/* weir_bin_expect_bytes(mismatch, s, off (bits), lit :: String or Bytes) -> Int: a literal
 * string segment (its bytes at off). */
weir_obj* weir_bin_expect_bytes(weir_obj* mismatch, weir_obj* s, weir_obj* off, weir_obj* lit) {
  int64_t m = weir_take_int(mismatch), o = weir_take_int(off);
  size_t n = blen(lit);
  int same = 0;
  if (o >= 0 && (uint64_t)n <= ((uint64_t)1 << 56) && in_range(s, (uint64_t)o, (uint64_t)n * 8)) {
    if (!(o & 7)) {
      same = n == 0 || memcmp(cdata(s) + o / 8, cdata(lit), n) == 0;
    } else {
      same = 1;
      for (size_t i = 0; i < n && same; i++) same = get_bits(cdata(s), (uint64_t)o + 8 * i, 8) == cdata(lit)[i];
    }
  }
  weir_drop(s);
  weir_drop(lit);
  return weir_box_int(m || !same);
}

/* weir_bin_end(s, off, rest :: Int, mismatch :: Int) -> Bool: whether the pattern matched:
 * no literal segment differed (mismatch == 0) and, rest == 0: the segments end exactly at the
 * end of s; rest == 1 (the last segment is an unsized bytes segment starting at off): off is
 * within s and leaves a whole number of bytes. */
weir_obj* weir_bin_end(weir_obj* s, weir_obj* off, weir_obj* rest, weir_obj* mismatch) {
  int64_t o = weir_take_int(off), r = weir_take_int(rest), m = weir_take_int(mismatch);
  uint64_t total = (uint64_t)blen(s) * 8;
  int ok;
  if (m || o < 0 || (uint64_t)o > total) ok = 0;
  else if (r) ok = (total - (uint64_t)o) % 8 == 0;
  else ok = (uint64_t)o == total;
  weir_drop(s);
  return WEIR_BOOL(ok);
}

/* ------------------------------------------------------------------ Data.Bytes */
weir_obj* weir_bytes_length(weir_obj* b) {
  int64_t n = (int64_t)blen(b);
  weir_drop(b);
  return weir_box_int(n);
}

weir_obj* weir_bytes_eq(weir_obj* a, weir_obj* b) {
  int eq = blen(a) == blen(b) && memcmp(cdata(a), cdata(b), blen(a)) == 0;
  weir_drop(a);
  weir_drop(b);
  return WEIR_BOOL(eq);
}

weir_obj* weir_bytes_compare(weir_obj* a, weir_obj* b) {
  size_t la = blen(a), lb = blen(b);
  int c = memcmp(cdata(a), cdata(b), la < lb ? la : lb);
  if (!c) c = la < lb ? -1 : la > lb ? 1 : 0;
  weir_drop(a);
  weir_drop(b);
  return (weir_obj*)&weir_nullary[c < 0 ? 0 : c == 0 ? 1 : 2];
}

/* show: `<<1,2,255>>` (Erlang's notation; the empty value is `<<>>`). */
weir_obj* weir_bytes_show(weir_obj* b) {
  size_t n = blen(b);
  char* p = (char*)malloc(5 + 4 * n);
  if (!p) weir_rt_panic("out of memory", "");
  size_t k = 0;
  p[k++] = '<';
  p[k++] = '<';
  for (size_t i = 0; i < n; i++) {
    if (i) p[k++] = ',';
    k += (size_t)sprintf(p + k, "%u", (unsigned)cdata(b)[i]);
  }
  p[k++] = '>';
  p[k++] = '>';
  weir_obj* r = weir_string_new(p, k);
  free(p);
  weir_drop(b);
  return r;
}

weir_obj* weir_bytes_append(weir_obj* a, weir_obj* b) {
  size_t la = blen(a), lb = blen(b);
  weir_obj* r = bytes_alloc(la + lb);
  if (la) memcpy(bdata(r), cdata(a), la);
  if (lb) memcpy(bdata(r) + la, cdata(b), lb);
  weir_drop(a);
  weir_drop(b);
  return r;
}

/* concat :: [Bytes] -> Bytes */
weir_obj* weir_bytes_concat(weir_obj* list) {
  size_t total = 0;
  for (weir_obj* l = list; l->tag == 1; l = ((weir_con*)l)->fields[1]) total += blen(((weir_con*)l)->fields[0]);
  weir_obj* r = bytes_alloc(total);
  size_t k = 0;
  for (weir_obj* l = list; l->tag == 1; l = ((weir_con*)l)->fields[1]) {
    weir_obj* x = ((weir_con*)l)->fields[0];
    if (blen(x)) memcpy(bdata(r) + k, cdata(x), blen(x));
    k += blen(x);
  }
  weir_drop(list);
  return r;
}

/* pack :: [Int] -> Bytes (each Int is taken modulo 256) */
weir_obj* weir_bytes_pack(weir_obj* list) {
  size_t n = 0;
  for (weir_obj* l = list; l->tag == 1; l = ((weir_con*)l)->fields[1]) n++;
  weir_obj* r = bytes_alloc(n);
  size_t k = 0;
  for (weir_obj* l = list; l->tag == 1; l = ((weir_con*)l)->fields[1])
    bdata(r)[k++] = (u8)(weir_unbox_int(((weir_con*)l)->fields[0]) & 0xff);
  weir_drop(list);
  return r;
}

/* unpack :: Bytes -> [Int] */
weir_obj* weir_bytes_unpack(weir_obj* b) {
  weir_obj* l = weir_nil();
  for (size_t i = blen(b); i-- > 0;) l = weir_cons(weir_box_int(cdata(b)[i]), l);
  weir_drop(b);
  return l;
}

/* index :: Bytes -> Int -> Maybe Int */
weir_obj* weir_bytes_index(weir_obj* b, weir_obj* i) {
  int64_t k = weir_take_int(i);
  weir_obj* r = k >= 0 && (uint64_t)k < blen(b) ? weir_just(weir_box_int(cdata(b)[k])) : weir_nothing();
  weir_drop(b);
  return r;
}

/* slice :: Int -> Int -> Bytes -> Bytes: `len` bytes from `from`, clamped to the value. */
weir_obj* weir_bytes_slice(weir_obj* from, weir_obj* len, weir_obj* b) {
  int64_t f = weir_take_int(from), n = weir_take_int(len);
  int64_t total = (int64_t)blen(b);
  if (f < 0) { n += f; f = 0; }
  if (f > total) f = total;
  if (n < 0) n = 0;
  if (n > total - f) n = total - f;
  if (f == 0 && n == total) return b;
  weir_obj* r = bytes_new(cdata(b) + f, (size_t)n);
  weir_drop(b);
  return r;
}

/* fromString :: String -> Bytes (its UTF-8 encoding) */
weir_obj* weir_bytes_from_string(weir_obj* s) {
  weir_obj* r = bytes_new(cdata(s), blen(s));
  weir_drop(s);
  return r;
}

static int valid_utf8(const u8* p, size_t n) {
  size_t i = 0;
  while (i < n) {
    u8 c = p[i];
    if (c < 0x80) { i++; continue; }
    size_t k;
    uint32_t cp, min;
    if ((c & 0xe0) == 0xc0) { k = 1; cp = c & 0x1f; min = 0x80; }
    else if ((c & 0xf0) == 0xe0) { k = 2; cp = c & 0x0f; min = 0x800; }
    else if ((c & 0xf8) == 0xf0) { k = 3; cp = c & 0x07; min = 0x10000; }
    else return 0;
    if (n - i <= k) return 0;
    for (size_t j = 1; j <= k; j++) {
      if ((p[i + j] & 0xc0) != 0x80) return 0;
      cp = (cp << 6) | (p[i + j] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    i += k + 1;
  }
  return 1;
}

/* toString :: Bytes -> Maybe String (Nothing unless the bytes are valid UTF-8) */
weir_obj* weir_bytes_to_string(weir_obj* b) {
  weir_obj* r = valid_utf8(cdata(b), blen(b)) ? weir_just(weir_string_new((const char*)cdata(b), blen(b))) : weir_nothing();
  weir_drop(b);
  return r;
}

/* toHex :: Bytes -> String (lower case, two digits a byte) */
weir_obj* weir_bytes_to_hex(weir_obj* b) {
  static const char digits[] = "0123456789abcdef";
  size_t n = blen(b);
  weir_obj* r = weir_string_alloc(2 * n);
  char* p = (char*)weir_string_data(r);
  for (size_t i = 0; i < n; i++) {
    p[2 * i] = digits[cdata(b)[i] >> 4];
    p[2 * i + 1] = digits[cdata(b)[i] & 15];
  }
  weir_drop(b);
  return r;
}

static int hexval(u8 c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* fromHex :: String -> Maybe Bytes (an even number of hex digits, either case) */
weir_obj* weir_bytes_from_hex(weir_obj* s) {
  size_t n = blen(s);
  const u8* p = cdata(s);
  weir_obj* r = weir_nothing();
  if (n % 2 == 0) {
    weir_obj* b = bytes_alloc(n / 2);
    int ok = 1;
    for (size_t i = 0; i < n / 2 && ok; i++) {
      int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);
      if (hi < 0 || lo < 0) ok = 0;
      else bdata(b)[i] = (u8)(hi * 16 + lo);
    }
    if (ok) r = weir_just(b);
    else weir_drop(b);
  }
  weir_drop(s);
  return r;
}

/* replicate :: Int -> Int -> Bytes (n copies of the byte x mod 256; n <= 0: empty) */
weir_obj* weir_bytes_replicate(weir_obj* n, weir_obj* x) {
  int64_t k = weir_take_int(n), v = weir_take_int(x);
  if (k < 0) k = 0;
  if ((uint64_t)k > ((uint64_t)1 << 40)) weir_rt_panic("Data.Bytes.replicate: size too large", "");
  weir_obj* r = bytes_alloc((size_t)k);
  if (k) memset(bdata(r), (int)(v & 0xff), (size_t)k);
  return r;
}

weir_obj* weir_bytes_reverse(weir_obj* b) {
  size_t n = blen(b);
  weir_obj* r = bytes_alloc(n);
  for (size_t i = 0; i < n; i++) bdata(r)[i] = cdata(b)[n - 1 - i];
  weir_drop(b);
  return r;
}

/* isPrefixOf :: Bytes -> Bytes -> Bool */
weir_obj* weir_bytes_is_prefix_of(weir_obj* a, weir_obj* b) {
  int ok = blen(a) <= blen(b) && memcmp(cdata(a), cdata(b), blen(a)) == 0;
  weir_drop(a);
  weir_drop(b);
  return WEIR_BOOL(ok);
}

/* The empty byte string (Monoid's mempty); the argument is unit. */
weir_obj* weir_bytes_empty(weir_obj* unit) {
  weir_drop(unit);
  return bytes_alloc(0);
}
