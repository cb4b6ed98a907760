/* Library functions behind Data.String, Data.Int, Data.Float and Data.Bits, called through
 * `foreign import ccall`. Each takes its arguments as OWNED weir_obj* (it drops each one, or
 * returns or stores it) and returns an owned object.
 *
 * Strings are valid UTF-8 (every String the language can build is), so a match of one valid
 * UTF-8 string inside another always starts and ends on code point boundaries, and byte-level
 * searching is correct. Every function here is O(n) in the bytes it reads and writes (the
 * substring searches are O(n*m) in the worst case, like memmem).
 *
 * Lists: [] is the nullary constructor tag 0, (:) tag 1 with fields {head, tail}.
 * Maybe: Nothing tag 0, Just tag 1 {x}. Tuples: tag 0 with one field per component.
 * Bool: False tag 0, True tag 1 (compare tags, not pointers: generated code has its own
 * copies of nullary constructors). */
#define _GNU_SOURCE
#include "weir/rt.h"
#include "values.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Prototypes (the symbols named by the stdlib's `foreign import ccall`s) ---- */
/* Data.String */
weir_obj* weir_text_pack(weir_obj* chars);
weir_obj* weir_text_unpack(weir_obj* s);
weir_obj* weir_text_null(weir_obj* s);
weir_obj* weir_text_concat(weir_obj* strings);
weir_obj* weir_text_intercalate(weir_obj* sep, weir_obj* strings);
weir_obj* weir_text_map(weir_obj* f, weir_obj* s);
weir_obj* weir_text_filter(weir_obj* p, weir_obj* s);
weir_obj* weir_text_any(weir_obj* p, weir_obj* s);
weir_obj* weir_text_all(weir_obj* p, weir_obj* s);
weir_obj* weir_text_reverse(weir_obj* s);
weir_obj* weir_text_to_upper(weir_obj* s);
weir_obj* weir_text_to_lower(weir_obj* s);
weir_obj* weir_text_strip(weir_obj* s);
weir_obj* weir_text_strip_start(weir_obj* s);
weir_obj* weir_text_strip_end(weir_obj* s);
weir_obj* weir_text_words(weir_obj* s);
weir_obj* weir_text_lines(weir_obj* s);
weir_obj* weir_text_split_on(weir_obj* sep, weir_obj* s);
weir_obj* weir_text_chunks_of(weir_obj* k, weir_obj* s);
weir_obj* weir_text_split(weir_obj* p, weir_obj* s);
weir_obj* weir_text_span(weir_obj* p, weir_obj* s);
weir_obj* weir_text_break_on_end(weir_obj* needle, weir_obj* s);
weir_obj* weir_text_is_prefix_of(weir_obj* p, weir_obj* s);
weir_obj* weir_text_is_suffix_of(weir_obj* p, weir_obj* s);
weir_obj* weir_text_is_infix_of(weir_obj* p, weir_obj* s);
weir_obj* weir_text_strip_prefix(weir_obj* p, weir_obj* s);
weir_obj* weir_text_strip_suffix(weir_obj* p, weir_obj* s);
weir_obj* weir_text_replace(weir_obj* needle, weir_obj* rep, weir_obj* s);
weir_obj* weir_text_take(weir_obj* n, weir_obj* s);
weir_obj* weir_text_drop(weir_obj* n, weir_obj* s);
weir_obj* weir_text_take_end(weir_obj* n, weir_obj* s);
weir_obj* weir_text_drop_end(weir_obj* n, weir_obj* s);
weir_obj* weir_text_take_while(weir_obj* p, weir_obj* s);
weir_obj* weir_text_drop_while(weir_obj* p, weir_obj* s);
weir_obj* weir_text_take_while_end(weir_obj* p, weir_obj* s);
weir_obj* weir_text_drop_while_end(weir_obj* p, weir_obj* s);
weir_obj* weir_text_replicate(weir_obj* n, weir_obj* s);
weir_obj* weir_text_index(weir_obj* s, weir_obj* n);
weir_obj* weir_text_uncons(weir_obj* s);
weir_obj* weir_text_break_on(weir_obj* needle, weir_obj* s);
weir_obj* weir_text_count(weir_obj* needle, weir_obj* s);
weir_obj* weir_text_read_int(weir_obj* s);
weir_obj* weir_text_read_float(weir_obj* s);
/* Data.Int */
weir_obj* weir_int_show_hex(weir_obj* n);
weir_obj* weir_int_read_hex(weir_obj* s);
/* Data.Bits */
weir_obj* weir_bits_pop_count(weir_obj* n);
weir_obj* weir_bits_clz(weir_obj* n);
weir_obj* weir_bits_ctz(weir_obj* n);
/* Data.Float */
weir_obj* weir_float_tan(weir_obj* x);
weir_obj* weir_float_asin(weir_obj* x);
weir_obj* weir_float_acos(weir_obj* x);
weir_obj* weir_float_atan(weir_obj* x);
weir_obj* weir_float_atan2(weir_obj* y, weir_obj* x);
weir_obj* weir_float_sinh(weir_obj* x);
weir_obj* weir_float_cosh(weir_obj* x);
weir_obj* weir_float_tanh(weir_obj* x);
weir_obj* weir_float_asinh(weir_obj* x);
weir_obj* weir_float_acosh(weir_obj* x);
weir_obj* weir_float_atanh(weir_obj* x);
weir_obj* weir_float_is_nan(weir_obj* x);
weir_obj* weir_float_is_infinite(weir_obj* x);
weir_obj* weir_float_is_negative_zero(weir_obj* x);

/* ------------------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------------------ */
typedef const unsigned char* bytes;

static inline bytes sdata(const weir_obj* s) { return (bytes)weir_string_data(s); }
static inline size_t slen(const weir_obj* s) { return (size_t)weir_string_len(s); }

static inline int is_cons(const weir_obj* l) { return l->tag == 1; }
static inline weir_obj* head_of(const weir_obj* l) { return ((const weir_con*)l)->fields[0]; }
static inline weir_obj* tail_of(const weir_obj* l) { return ((const weir_con*)l)->fields[1]; }
static inline int truthy(weir_obj* b) { int t = b->tag == 1; weir_drop(b); return t; }

/* s[from, to) as a new string; returns s itself when that is all of it. Consumes s. */
static weir_obj* slice(weir_obj* s, size_t from, size_t to) {
  if (from == 0 && to == slen(s)) return s;
  weir_obj* r = weir_string_new(weir_string_data(s) + from, to - from);
  weir_drop(s);
  return r;
}

/* Length in bytes of the code point whose lead byte is b. */
static inline size_t utf8_width(unsigned char b) {
  return b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : 4;
}

/* Decodes the code point at p[i] (i < n); stores it and returns the index after it. */
static size_t decode_at(bytes p, size_t n, size_t i, uint32_t* c) {
  unsigned char b = p[i];
  size_t w = utf8_width(b);
  if (i + w > n) w = 1;
  switch (w) {
    case 1: *c = b; break;
    case 2: *c = ((uint32_t)(b & 0x1F) << 6) | (p[i + 1] & 0x3F); break;
    case 3: *c = ((uint32_t)(b & 0x0F) << 12) | ((uint32_t)(p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F); break;
    default:
      *c = ((uint32_t)(b & 0x07) << 18) | ((uint32_t)(p[i + 1] & 0x3F) << 12) |
           ((uint32_t)(p[i + 2] & 0x3F) << 6) | (p[i + 3] & 0x3F);
  }
  return i + w;
}

/* Index of the start of the code point that ends at byte i (i > 0). */
static size_t prev_start(bytes p, size_t i) {
  do i--; while (i > 0 && (p[i] & 0xC0) == 0x80);
  return i;
}

/* Byte offset after the first n code points of p[0, len) (len when there are fewer). */
static size_t offset_of(bytes p, size_t len, int64_t n) {
  size_t i = 0;
  while (n > 0 && i < len) { i += utf8_width(p[i]); n--; }
  return i < len ? i : len;
}

/* Byte offset where the last n code points of p[0, len) start (0 when there are fewer). */
static size_t offset_from_end(bytes p, size_t len, int64_t n) {
  size_t i = len;
  while (n > 0 && i > 0) { i = prev_start(p, i); n--; }
  return i;
}

/* A growable byte buffer. */
typedef struct { char* data; size_t len, cap; } buf;
static void b_reserve(buf* b, size_t extra) {
  if (b->len + extra <= b->cap) return;
  b->cap = (b->len + extra) * 2 + 16;
  b->data = (char*)realloc(b->data, b->cap);
  if (!b->data) weir_rt_panic("out of memory", "");
}
static void b_put(buf* b, const void* s, size_t n) {
  if (!n) return;
  b_reserve(b, n);
  memcpy(b->data + b->len, s, n);
  b->len += n;
}
static void b_putc(buf* b, uint32_t c) {
  char tmp[4];
  b_put(b, tmp, weir_utf8_encode(c, tmp));
}
static weir_obj* b_finish(buf* b) {
  weir_obj* s = weir_string_new(b->data ? b->data : "", b->len);
  free(b->data);
  return s;
}

/* A growable array of byte ranges, turned into a list of strings. */
typedef struct { size_t from, to; } range;
typedef struct { range* r; size_t n, cap; } ranges;
static void r_push(ranges* rs, size_t from, size_t to) {
  if (rs->n == rs->cap) {
    rs->cap = rs->cap ? rs->cap * 2 : 16;
    rs->r = (range*)realloc(rs->r, rs->cap * sizeof(range));
    if (!rs->r) weir_rt_panic("out of memory", "");
  }
  rs->r[rs->n].from = from;
  rs->r[rs->n].to = to;
  rs->n++;
}
/* The pieces of s as a list (in order). Consumes s. */
static weir_obj* r_finish(ranges* rs, weir_obj* s) {
  weir_obj* l = weir_nil();
  for (size_t i = rs->n; i-- > 0;)
    l = weir_cons(weir_string_new(weir_string_data(s) + rs->r[i].from, rs->r[i].to - rs->r[i].from), l);
  free(rs->r);
  weir_drop(s);
  return l;
}

/* Haskell's isSpace: the ASCII white space, U+00A0 and the other Unicode space separators (Zs). */
static int is_space(uint32_t c) {
  if (c == ' ' || (c >= 9 && c <= 13) || c == 0xA0) return 1;
  if (c < 0x1680) return 0;
  return c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Simple case mappings of every script, from utf8proc (runtime/object/unicode.c). ß
 * upper-cases to "SS" (Data.Text's full mapping), handled by the caller. */
uint32_t weir_unicode_upper(uint32_t c);
uint32_t weir_unicode_lower(uint32_t c);
static uint32_t to_upper(uint32_t c) { return c < 0x80 ? ((c >= 'a' && c <= 'z') ? c - 32 : c) : weir_unicode_upper(c); }
static uint32_t to_lower(uint32_t c) { return c < 0x80 ? ((c >= 'A' && c <= 'Z') ? c + 32 : c) : weir_unicode_lower(c); }

/* Leftmost occurrence of needle (nl > 0) in hay[from, hl), or -1. */
static ptrdiff_t find(bytes hay, size_t hl, size_t from, bytes needle, size_t nl) {
  if (from > hl || hl - from < nl) return -1;
  const void* p = memmem(hay + from, hl - from, needle, nl);
  return p ? (const unsigned char*)p - hay : -1;
}

/* ------------------------------------------------------------------------------------------
 * Data.String
 * ------------------------------------------------------------------------------------------ */
weir_obj* weir_text_pack(weir_obj* chars) {
  buf b = {0};
  for (weir_obj* l = chars; is_cons(l); l = tail_of(l)) b_putc(&b, weir_unbox_char(head_of(l)));
  weir_drop(chars);
  return b_finish(&b);
}

weir_obj* weir_text_unpack(weir_obj* s) {
  bytes p = sdata(s);
  size_t i = slen(s);
  weir_obj* l = weir_nil();
  while (i > 0) {
    size_t j = prev_start(p, i);
    uint32_t c;
    decode_at(p, i, j, &c);
    l = weir_cons(weir_box_char(c), l);
    i = j;
  }
  weir_drop(s);
  return l;
}

weir_obj* weir_text_null(weir_obj* s) {
  int e = slen(s) == 0;
  weir_drop(s);
  return WEIR_BOOL(e);
}

weir_obj* weir_text_concat(weir_obj* strings) {
  size_t total = 0;
  for (weir_obj* l = strings; is_cons(l); l = tail_of(l)) total += slen(head_of(l));
  weir_obj* r = weir_string_alloc(total);
  char* out = ((weir_string*)r)->data;
  for (weir_obj* l = strings; is_cons(l); l = tail_of(l)) {
    weir_obj* s = head_of(l);
    memcpy(out, weir_string_data(s), slen(s));
    out += slen(s);
  }
  weir_drop(strings);
  return r;
}

weir_obj* weir_text_intercalate(weir_obj* sep, weir_obj* strings) {
  size_t total = 0, n = 0, sl = slen(sep);
  for (weir_obj* l = strings; is_cons(l); l = tail_of(l)) { total += slen(head_of(l)); n++; }
  if (n > 1) total += sl * (n - 1);
  weir_obj* r = weir_string_alloc(total);
  char* out = ((weir_string*)r)->data;
  int first = 1;
  for (weir_obj* l = strings; is_cons(l); l = tail_of(l)) {
    if (!first) { memcpy(out, weir_string_data(sep), sl); out += sl; }
    first = 0;
    weir_obj* s = head_of(l);
    memcpy(out, weir_string_data(s), slen(s));
    out += slen(s);
  }
  weir_drop(sep);
  weir_drop(strings);
  return r;
}

/* Calls the Weir function f (borrowed) on the character c. */
static weir_obj* call1(weir_obj* f, uint32_t c) {
  weir_dup(f);
  return weir_apply1(f, weir_box_char(c));
}

weir_obj* weir_text_map(weir_obj* f, weir_obj* s) {
  bytes p = sdata(s);
  size_t n = slen(s);
  buf b = {0};
  b_reserve(&b, n);
  for (size_t i = 0; i < n;) {
    uint32_t c;
    i = decode_at(p, n, i, &c);
    weir_obj* r = call1(f, c);
    b_putc(&b, weir_unbox_char(r));
    weir_drop(r);
  }
  weir_drop(f);
  weir_drop(s);
  return b_finish(&b);
}

weir_obj* weir_text_filter(weir_obj* f, weir_obj* s) {
  bytes p = sdata(s);
  size_t n = slen(s);
  buf b = {0};
  for (size_t i = 0; i < n;) {
    uint32_t c;
    size_t j = decode_at(p, n, i, &c);
    if (truthy(call1(f, c))) b_put(&b, p + i, j - i);
    i = j;
  }
  weir_drop(f);
  weir_drop(s);
  return b_finish(&b);
}

/* any (want = 1) / all (want = 0): stops at the first character whose answer is `want`. */
static weir_obj* any_all(weir_obj* f, weir_obj* s, int want) {
  bytes p = sdata(s);
  size_t n = slen(s);
  int found = 0;
  for (size_t i = 0; i < n && !found;) {
    uint32_t c;
    i = decode_at(p, n, i, &c);
    found = truthy(call1(f, c)) == want;
  }
  weir_drop(f);
  weir_drop(s);
  return WEIR_BOOL(want ? found : !found);
}
weir_obj* weir_text_any(weir_obj* f, weir_obj* s) { return any_all(f, s, 1); }
weir_obj* weir_text_all(weir_obj* f, weir_obj* s) { return any_all(f, s, 0); }

weir_obj* weir_text_reverse(weir_obj* s) {
  bytes p = sdata(s);
  size_t n = slen(s);
  weir_obj* r = weir_string_alloc(n);
  char* out = ((weir_string*)r)->data;
  for (size_t i = 0; i < n;) {
    size_t w = utf8_width(p[i]);
    if (i + w > n) w = n - i;
    memcpy(out + n - i - w, p + i, w);
    i += w;
  }
  weir_drop(s);
  return r;
}

static weir_obj* map_case(weir_obj* s, int upper) {
  bytes p = sdata(s);
  size_t n = slen(s);
  buf b = {0};
  b_reserve(&b, n);
  for (size_t i = 0; i < n;) {
    uint32_t c;
    i = decode_at(p, n, i, &c);
    if (upper && c == 0xDF) { b_put(&b, "SS", 2); continue; }
    b_putc(&b, upper ? to_upper(c) : to_lower(c));
  }
  weir_drop(s);
  return b_finish(&b);
}
weir_obj* weir_text_to_upper(weir_obj* s) { return map_case(s, 1); }
weir_obj* weir_text_to_lower(weir_obj* s) { return map_case(s, 0); }

/* Bytes of leading / trailing white space. */
static size_t space_prefix(bytes p, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint32_t c;
    size_t j = decode_at(p, n, i, &c);
    if (!is_space(c)) break;
    i = j;
  }
  return i;
}
static size_t space_suffix_start(bytes p, size_t n, size_t lo) {
  size_t i = n;
  while (i > lo) {
    size_t j = prev_start(p, i);
    uint32_t c;
    decode_at(p, i, j, &c);
    if (!is_space(c)) break;
    i = j;
  }
  return i;
}

weir_obj* weir_text_strip(weir_obj* s) {
  size_t a = space_prefix(sdata(s), slen(s));
  return slice(s, a, space_suffix_start(sdata(s), slen(s), a));
}
weir_obj* weir_text_strip_start(weir_obj* s) { return slice(s, space_prefix(sdata(s), slen(s)), slen(s)); }
weir_obj* weir_text_strip_end(weir_obj* s) { return slice(s, 0, space_suffix_start(sdata(s), slen(s), 0)); }

weir_obj* weir_text_words(weir_obj* s) {
  bytes p = sdata(s);
  size_t n = slen(s);
  ranges rs = {0};
  size_t start = 0;
  int in_word = 0;
  for (size_t i = 0; i < n;) {
    uint32_t c;
    size_t j = decode_at(p, n, i, &c);
    if (is_space(c)) {
      if (in_word) r_push(&rs, start, i);
      in_word = 0;
    } else if (!in_word) {
      start = i;
      in_word = 1;
    }
    i = j;
  }
  if (in_word) r_push(&rs, start, n);
  return r_finish(&rs, s);
}

weir_obj* weir_text_lines(weir_obj* s) {
  bytes p = sdata(s);
  size_t n = slen(s);
  ranges rs = {0};
  size_t start = 0;
  for (size_t i = 0; i < n; i++)
    if (p[i] == '\n') { r_push(&rs, start, i); start = i + 1; }
  if (start < n) r_push(&rs, start, n);
  return r_finish(&rs, s);
}

/* The caller (Data.String.splitOn) rejects an empty separator. */
weir_obj* weir_text_split_on(weir_obj* sep, weir_obj* s) {
  bytes p = sdata(s), q = sdata(sep);
  size_t n = slen(s), m = slen(sep);
  ranges rs = {0};
  size_t start = 0;
  if (m > 0) {
    for (ptrdiff_t k; (k = find(p, n, start, q, m)) >= 0;) {
      r_push(&rs, start, (size_t)k);
      start = (size_t)k + m;
    }
  }
  r_push(&rs, start, n);
  weir_drop(sep);
  return r_finish(&rs, s);
}

/* The caller rejects k <= 0. */
weir_obj* weir_text_chunks_of(weir_obj* k, weir_obj* s) {
  int64_t size = weir_unbox_int(k);
  weir_drop(k);
  bytes p = sdata(s);
  size_t n = slen(s);
  ranges rs = {0};
  for (size_t i = 0; i < n && size > 0;) {
    size_t j = i + offset_of(p + i, n - i, size);
    r_push(&rs, i, j);
    i = j;
  }
  return r_finish(&rs, s);
}

/* Pieces between the characters that satisfy f: split (== ',') "a,,b" == ["a", "", "b"]. */
weir_obj* weir_text_split(weir_obj* f, weir_obj* s) {
  bytes p = sdata(s);
  size_t n = slen(s);
  ranges rs = {0};
  size_t start = 0;
  for (size_t i = 0; i < n;) {
    uint32_t c;
    size_t j = decode_at(p, n, i, &c);
    if (truthy(call1(f, c))) { r_push(&rs, start, i); start = j; }
    i = j;
  }
  r_push(&rs, start, n);
  weir_drop(f);
  return r_finish(&rs, s);
}

static int has_prefix(const weir_obj* pre, const weir_obj* s) {
  return slen(pre) <= slen(s) && memcmp(sdata(pre), sdata(s), slen(pre)) == 0;
}
static int has_suffix(const weir_obj* suf, const weir_obj* s) {
  return slen(suf) <= slen(s) && memcmp(sdata(suf), sdata(s) + slen(s) - slen(suf), slen(suf)) == 0;
}

weir_obj* weir_text_is_prefix_of(weir_obj* pre, weir_obj* s) {
  int r = has_prefix(pre, s);
  weir_drop(pre);
  weir_drop(s);
  return WEIR_BOOL(r);
}

weir_obj* weir_text_is_suffix_of(weir_obj* suf, weir_obj* s) {
  int r = has_suffix(suf, s);
  weir_drop(suf);
  weir_drop(s);
  return WEIR_BOOL(r);
}

weir_obj* weir_text_is_infix_of(weir_obj* needle, weir_obj* s) {
  int r = slen(needle) == 0 || find(sdata(s), slen(s), 0, sdata(needle), slen(needle)) >= 0;
  weir_drop(needle);
  weir_drop(s);
  return WEIR_BOOL(r);
}

weir_obj* weir_text_strip_prefix(weir_obj* pre, weir_obj* s) {
  int ok = has_prefix(pre, s);
  size_t m = slen(pre);
  weir_drop(pre);
  if (!ok) { weir_drop(s); return weir_nothing(); }
  return weir_just(slice(s, m, slen(s)));
}

weir_obj* weir_text_strip_suffix(weir_obj* suf, weir_obj* s) {
  int ok = has_suffix(suf, s);
  size_t m = slen(suf);
  weir_drop(suf);
  if (!ok) { weir_drop(s); return weir_nothing(); }
  return weir_just(slice(s, 0, slen(s) - m));
}

/* The caller (Data.String.replace) rejects an empty needle. */
weir_obj* weir_text_replace(weir_obj* needle, weir_obj* rep, weir_obj* s) {
  bytes p = sdata(s), q = sdata(needle);
  size_t n = slen(s), m = slen(needle);
  buf b = {0};
  size_t start = 0;
  if (m > 0) {
    for (ptrdiff_t k; (k = find(p, n, start, q, m)) >= 0;) {
      b_put(&b, p + start, (size_t)k - start);
      b_put(&b, weir_string_data(rep), slen(rep));
      start = (size_t)k + m;
    }
  }
  weir_obj* r;
  if (start == 0) {
    free(b.data);
    r = s;
  } else {
    b_put(&b, p + start, n - start);
    r = b_finish(&b);
    weir_drop(s);
  }
  weir_drop(needle);
  weir_drop(rep);
  return r;
}

weir_obj* weir_text_take(weir_obj* n, weir_obj* s) {
  int64_t k = weir_unbox_int(n);
  weir_drop(n);
  return slice(s, 0, offset_of(sdata(s), slen(s), k));
}

weir_obj* weir_text_drop(weir_obj* n, weir_obj* s) {
  int64_t k = weir_unbox_int(n);
  weir_drop(n);
  return slice(s, offset_of(sdata(s), slen(s), k), slen(s));
}

weir_obj* weir_text_take_end(weir_obj* n, weir_obj* s) {
  int64_t k = weir_unbox_int(n);
  weir_drop(n);
  return slice(s, offset_from_end(sdata(s), slen(s), k), slen(s));
}

weir_obj* weir_text_drop_end(weir_obj* n, weir_obj* s) {
  int64_t k = weir_unbox_int(n);
  weir_drop(n);
  return slice(s, 0, offset_from_end(sdata(s), slen(s), k));
}

/* Bytes of the longest prefix whose characters satisfy f (borrowed). */
static size_t while_prefix(weir_obj* f, bytes p, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint32_t c;
    size_t j = decode_at(p, n, i, &c);
    if (!truthy(call1(f, c))) break;
    i = j;
  }
  return i;
}
/* Start of the longest suffix whose characters satisfy f (borrowed). */
static size_t while_suffix(weir_obj* f, bytes p, size_t n) {
  size_t i = n;
  while (i > 0) {
    size_t j = prev_start(p, i);
    uint32_t c;
    decode_at(p, i, j, &c);
    if (!truthy(call1(f, c))) break;
    i = j;
  }
  return i;
}

weir_obj* weir_text_span(weir_obj* f, weir_obj* s) {
  size_t k = while_prefix(f, sdata(s), slen(s));
  weir_drop(f);
  weir_obj* before = weir_string_new(weir_string_data(s), k);
  return weir_pair(before, slice(s, k, slen(s)));
}

weir_obj* weir_text_take_while(weir_obj* f, weir_obj* s) {
  size_t k = while_prefix(f, sdata(s), slen(s));
  weir_drop(f);
  return slice(s, 0, k);
}

weir_obj* weir_text_drop_while(weir_obj* f, weir_obj* s) {
  size_t k = while_prefix(f, sdata(s), slen(s));
  weir_drop(f);
  return slice(s, k, slen(s));
}

weir_obj* weir_text_take_while_end(weir_obj* f, weir_obj* s) {
  size_t k = while_suffix(f, sdata(s), slen(s));
  weir_drop(f);
  return slice(s, k, slen(s));
}

weir_obj* weir_text_drop_while_end(weir_obj* f, weir_obj* s) {
  size_t k = while_suffix(f, sdata(s), slen(s));
  weir_drop(f);
  return slice(s, 0, k);
}

weir_obj* weir_text_replicate(weir_obj* n, weir_obj* s) {
  int64_t k = weir_unbox_int(n);
  weir_drop(n);
  size_t m = slen(s);
  if (k <= 0 || m == 0) { weir_drop(s); return weir_string_new("", 0); }
  if (k == 1) return s;
  if ((uint64_t)k > (SIZE_MAX / 2) / m) weir_rt_panic("Data.String.replicate: result too large", "");
  weir_obj* r = weir_string_alloc(m * (size_t)k);
  char* out = ((weir_string*)r)->data;
  for (int64_t i = 0; i < k; i++) { memcpy(out, weir_string_data(s), m); out += m; }
  weir_drop(s);
  return r;
}

weir_obj* weir_text_index(weir_obj* s, weir_obj* n) {
  int64_t k = weir_unbox_int(n);
  weir_drop(n);
  bytes p = sdata(s);
  size_t len = slen(s);
  weir_obj* r = weir_nothing();
  if (k >= 0) {
    size_t i = offset_of(p, len, k);
    if (i < len) {
      uint32_t c;
      decode_at(p, len, i, &c);
      r = weir_just(weir_box_char(c));
    }
  }
  weir_drop(s);
  return r;
}

weir_obj* weir_text_uncons(weir_obj* s) {
  size_t n = slen(s);
  if (n == 0) { weir_drop(s); return weir_nothing(); }
  uint32_t c;
  size_t j = decode_at(sdata(s), n, 0, &c);
  return weir_just(weir_pair(weir_box_char(c), slice(s, j, n)));
}

/* The caller rejects an empty needle. */
weir_obj* weir_text_break_on(weir_obj* needle, weir_obj* s) {
  size_t n = slen(s);
  ptrdiff_t k = slen(needle) ? find(sdata(s), n, 0, sdata(needle), slen(needle)) : 0;
  weir_drop(needle);
  if (k < 0) return weir_pair(s, weir_string_new("", 0));
  weir_obj* before = weir_string_new(weir_string_data(s), (size_t)k);
  return weir_pair(before, slice(s, (size_t)k, n));
}

/* Splits after the last occurrence of the needle: ("a::b::", "c") for "::" in "a::b::c";
 * ("", s) when it does not occur. The caller rejects an empty needle. */
weir_obj* weir_text_break_on_end(weir_obj* needle, weir_obj* s) {
  size_t n = slen(s), m = slen(needle);
  ptrdiff_t last = -1;
  if (m > 0)
    for (ptrdiff_t k = 0; (k = find(sdata(s), n, (size_t)k, sdata(needle), m)) >= 0; k++) last = k;
  weir_drop(needle);
  size_t cut = last < 0 ? 0 : (size_t)last + m;
  weir_obj* before = weir_string_new(weir_string_data(s), cut);
  return weir_pair(before, slice(s, cut, n));
}

/* Non-overlapping occurrences; the caller rejects an empty needle. */
weir_obj* weir_text_count(weir_obj* needle, weir_obj* s) {
  size_t n = slen(s), m = slen(needle), start = 0;
  int64_t count = 0;
  if (m > 0)
    for (ptrdiff_t k; (k = find(sdata(s), n, start, sdata(needle), m)) >= 0; count++) start = (size_t)k + m;
  weir_drop(needle);
  weir_drop(s);
  return weir_box_int(count);
}

/* Optional sign, then decimal digits, nothing else; overflow is a failure. */
static int parse_int(bytes p, size_t n, int64_t* out) {
  size_t i = 0;
  int neg = 0;
  if (i < n && (p[i] == '-' || p[i] == '+')) { neg = p[i] == '-'; i++; }
  if (i == n) return 0;
  uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, v = 0;
  for (; i < n; i++) {
    if (p[i] < '0' || p[i] > '9') return 0;
    unsigned d = p[i] - '0';
    if (v > (limit - d) / 10) return 0;
    v = v * 10 + d;
  }
  *out = neg ? (int64_t)(0 - v) : (int64_t)v;
  return 1;
}

weir_obj* weir_text_read_int(weir_obj* s) {
  int64_t v;
  int ok = parse_int(sdata(s), slen(s), &v);
  weir_drop(s);
  return ok ? weir_just(weir_box_int(v)) : weir_nothing();
}

/* Haskell's read for Double, strictly: [sign] digits [. digits] [(e|E) [sign] digits], or
 * Infinity / NaN (what show prints). No white space. */
weir_obj* weir_text_read_float(weir_obj* s) {
  bytes p = sdata(s);
  size_t n = slen(s), i = 0;
  int neg = 0, ok = 1;
  double v = 0;
  if (i < n && (p[i] == '-' || p[i] == '+')) { neg = p[i] == '-'; i++; }
  if (n - i == 8 && memcmp(p + i, "Infinity", 8) == 0) v = INFINITY;
  else if (n - i == 3 && memcmp(p + i, "NaN", 3) == 0) v = NAN;
  else {
    size_t start = i, d = 0;
    while (i < n && p[i] >= '0' && p[i] <= '9') { i++; d++; }
    ok = d > 0;
    if (ok && i < n && p[i] == '.') {
      i++;
      d = 0;
      while (i < n && p[i] >= '0' && p[i] <= '9') { i++; d++; }
      ok = d > 0;
    }
    if (ok && i < n && (p[i] == 'e' || p[i] == 'E')) {
      i++;
      if (i < n && (p[i] == '-' || p[i] == '+')) i++;
      d = 0;
      while (i < n && p[i] >= '0' && p[i] <= '9') { i++; d++; }
      ok = d > 0;
    }
    ok = ok && i == n;
    if (ok) {
      /* The string data is NUL-terminated, and the syntax is checked: strtod reads exactly it. */
      v = strtod((const char*)p + start, NULL);
    }
  }
  weir_drop(s);
  if (!ok) return weir_nothing();
  return weir_just(weir_box_float(neg ? -v : v));
}

/* ------------------------------------------------------------------------------------------
 * Data.Int
 * ------------------------------------------------------------------------------------------ */
weir_obj* weir_int_show_hex(weir_obj* n) {
  int64_t v = weir_unbox_int(n);
  weir_drop(n);
  char tmp[24];
  char* o = tmp + sizeof tmp;
  uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  do { *--o = "0123456789abcdef"[m & 15]; m >>= 4; } while (m);
  if (v < 0) *--o = '-';
  return weir_string_new(o, (size_t)(tmp + sizeof tmp - o));
}

/* Optional sign, then hexadecimal digits (either case), at most 2^63 - 1 (or 2^63 negated). */
weir_obj* weir_int_read_hex(weir_obj* s) {
  bytes p = sdata(s);
  size_t n = slen(s), i = 0;
  int neg = 0, ok = 1;
  if (i < n && (p[i] == '-' || p[i] == '+')) { neg = p[i] == '-'; i++; }
  ok = i < n;
  uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, v = 0;
  for (; ok && i < n; i++) {
    unsigned char c = p[i];
    unsigned d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
               : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 16;
    if (d == 16 || v > (limit - d) / 16) ok = 0;
    else v = v * 16 + d;
  }
  weir_drop(s);
  if (!ok) return weir_nothing();
  return weir_just(weir_box_int(neg ? (int64_t)(0 - v) : (int64_t)v));
}

/* ------------------------------------------------------------------------------------------
 * Data.Bits
 * ------------------------------------------------------------------------------------------ */
static weir_obj* int_op(weir_obj* n, int64_t (*f)(uint64_t)) {
  uint64_t v = (uint64_t)weir_unbox_int(n);
  weir_drop(n);
  return weir_box_int(f(v));
}
static int64_t pop(uint64_t v) { return __builtin_popcountll(v); }
static int64_t clz(uint64_t v) { return v ? __builtin_clzll(v) : 64; }
static int64_t ctz(uint64_t v) { return v ? __builtin_ctzll(v) : 64; }
weir_obj* weir_bits_pop_count(weir_obj* n) { return int_op(n, pop); }
weir_obj* weir_bits_clz(weir_obj* n) { return int_op(n, clz); }
weir_obj* weir_bits_ctz(weir_obj* n) { return int_op(n, ctz); }

/* ------------------------------------------------------------------------------------------
 * Data.Float
 * ------------------------------------------------------------------------------------------ */
static weir_obj* float_op(weir_obj* x, double (*f)(double)) {
  double v = weir_unbox_float(x);
  weir_drop(x);
  return weir_box_float(f(v));
}
weir_obj* weir_float_tan(weir_obj* x) { return float_op(x, tan); }
weir_obj* weir_float_asin(weir_obj* x) { return float_op(x, asin); }
weir_obj* weir_float_acos(weir_obj* x) { return float_op(x, acos); }
weir_obj* weir_float_atan(weir_obj* x) { return float_op(x, atan); }
weir_obj* weir_float_sinh(weir_obj* x) { return float_op(x, sinh); }
weir_obj* weir_float_cosh(weir_obj* x) { return float_op(x, cosh); }
weir_obj* weir_float_tanh(weir_obj* x) { return float_op(x, tanh); }
weir_obj* weir_float_asinh(weir_obj* x) { return float_op(x, asinh); }
weir_obj* weir_float_acosh(weir_obj* x) { return float_op(x, acosh); }
weir_obj* weir_float_atanh(weir_obj* x) { return float_op(x, atanh); }

weir_obj* weir_float_atan2(weir_obj* y, weir_obj* x) {
  double a = weir_unbox_float(y), b = weir_unbox_float(x);
  weir_drop(y);
  weir_drop(x);
  return weir_box_float(atan2(a, b));
}

static weir_obj* float_test(weir_obj* x, int (*f)(double)) {
  double v = weir_unbox_float(x);
  weir_drop(x);
  return WEIR_BOOL(f(v));
}
static int test_nan(double v) { return isnan(v); }
static int test_inf(double v) { return isinf(v); }
static int test_negzero(double v) { return v == 0 && signbit(v); }
weir_obj* weir_float_is_nan(weir_obj* x) { return float_test(x, test_nan); }
weir_obj* weir_float_is_infinite(weir_obj* x) { return float_test(x, test_inf); }
weir_obj* weir_float_is_negative_zero(weir_obj* x) { return float_test(x, test_negzero); }
