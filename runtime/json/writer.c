/* JSON encoding: a writer that Weir code (stdlib/Json.weir, and the ToJson instances the
 * compiler generates for records and derived types) threads through `writeJson`.
 *
 * The writer is a private WEIR_BYTES object whose `len` is its capacity; data[0..8) holds the
 * number of bytes written, the text starts at data + 8. It is created and consumed linearly
 * (unique), so every call appends in place and returns the same object unless it had to grow.
 * Separators are the writer's job: a key or a value written right after a value gets a comma,
 * so instances never track "first element".
 *
 * Every function follows the `foreign import ccall` convention: arguments OWNED, result owned.
 * Threading: none shared; a writer belongs to the code that made it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../object/values.h"
#include "weir/rt.h"

typedef struct { weir_obj h; uint64_t cap; uint64_t used; char text[]; } writer;
_Static_assert(sizeof(writer) == 24, "writer: header, capacity, length, then the text");

static writer* w_alloc(size_t cap) {
  writer* w = (writer*)weir_alloc(24 + cap + 1);
  w->h.rc = 1; w->h.kind = WEIR_BYTES; w->h.nfields = 0; w->h.tag = 0;
  w->cap = cap + 8;  /* as a Bytes object its len covers `used` and the text */
  w->used = 0;
  return w;
}
static inline size_t w_room(const writer* w) { return (size_t)w->cap - 8; }

static writer* w_reserve(writer* w, size_t more) {
  if (w->used + more <= w_room(w)) return w;
  size_t cap = w_room(w) * 2;
  while (cap < w->used + more) cap *= 2;
  writer* g = w_alloc(cap);
  memcpy(g->text, w->text, w->used);
  g->used = w->used;
  weir_drop(&w->h);
  return g;
}

static writer* w_put(writer* w, const char* p, size_t n) {
  w = w_reserve(w, n);
  memcpy(w->text + w->used, p, n);
  w->used += n;
  return w;
}

/* A value or a key right after a complete value needs a comma first. */
static writer* w_sep(writer* w) {
  if (w->used == 0) return w;
  char last = w->text[w->used - 1];
  if (last == '[' || last == '{' || last == ':' || last == ',') return w;
  return w_put(w, ",", 1);
}

static writer* w_quoted(writer* w, const char* s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  w = w_reserve(w, n + 2);
  w->text[w->used++] = '"';
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    const char* esc = NULL;
    char u[6];
    switch (c) {
      case '"': esc = "\\\""; break;
      case '\\': esc = "\\\\"; break;
      case '\n': esc = "\\n"; break;
      case '\r': esc = "\\r"; break;
      case '\t': esc = "\\t"; break;
      case '\b': esc = "\\b"; break;
      case '\f': esc = "\\f"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          u[0] = '\\'; u[1] = 'u'; u[2] = '0'; u[3] = '0'; u[4] = hex[c >> 4]; u[5] = hex[c & 15];
          w = w_put(w, u, 6);
          continue;
        }
    }
    if (esc) { w = w_put(w, esc, strlen(esc)); continue; }
    w = w_reserve(w, 1);
    w->text[w->used++] = (char)c;  /* UTF-8 passes through: Strings are valid UTF-8 */
  }
  return w_put(w, "\"", 1);
}

/* weir_json_w_new(hint :: Int): an empty writer. */
weir_obj* weir_json_w_new(weir_obj* hint) {
  int64_t h = weir_take_int(hint);
  return &w_alloc(h < 32 ? 32 : h > 65536 ? 65536 : (size_t)h)->h;
}

/* weir_json_w_raw(w, text :: String): punctuation; `{` and `[` after a value get a comma. */
weir_obj* weir_json_w_raw(weir_obj* wo, weir_obj* text) {
  writer* w = (writer*)wo;
  const char* p = weir_string_data(text);
  size_t n = weir_string_len(text);
  if (n && (p[0] == '{' || p[0] == '[' || p[0] == '"' || p[0] == 'n' || p[0] == 't' || p[0] == 'f')) w = w_sep(w);
  w = w_put(w, p, n);
  weir_drop(text);
  return &w->h;
}

/* weir_json_w_key(w, key :: String): `"key":`, after a comma when a field came before. */
weir_obj* weir_json_w_key(weir_obj* wo, weir_obj* key) {
  writer* w = w_sep((writer*)wo);
  w = w_quoted(w, weir_string_data(key), weir_string_len(key));
  w = w_put(w, ":", 1);
  weir_drop(key);
  return &w->h;
}

weir_obj* weir_json_w_string(weir_obj* wo, weir_obj* s) {
  writer* w = w_quoted(w_sep((writer*)wo), weir_string_data(s), weir_string_len(s));
  weir_drop(s);
  return &w->h;
}

weir_obj* weir_json_w_int(weir_obj* wo, weir_obj* i) {
  char buf[24];
  int n = snprintf(buf, sizeof buf, "%lld", (long long)weir_take_int(i));
  return &w_put(w_sep((writer*)wo), buf, (size_t)n)->h;
}

/* The fast path of weir_json_format_double for values from 0.001 to 1e9 with at most 6
 * decimals (most readings: 72.5, 0.25, 1013.25): the digits of r / 10^k for the smallest k whose
 * r = round(|v| * 10^k) gives v back (r / 10^k is the correctly rounded value of that decimal,
 * so the test is exact). The same text as the slow path's %.15g: the decimal has at most 9 + 6
 * significant digits and lies within half an ulp of v, closer than half the spacing of 15-digit
 * decimals (ulp < 2.3e-16 |v|), so it is what %.15g rounds to; %g writes it in fixed notation in
 * this range and drops trailing zeros, and the smallest k has none. 0 when it does not apply.
 * (snprintf + strtod were about 5% of a rule's CPU per message in bench/rules.) */
static int format_short_fixed(char* buf, double v) {
  static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
  double a = fabs(v);
  if (!(a >= 1e-3 && a < 1e9)) return 0;
  for (int k = 1; k <= 6; k++) {
    double r = nearbyint(a * p10[k]);
    if (r / p10[k] != a) continue;
    uint64_t m = (uint64_t)r, scale = (uint64_t)p10[k];
    uint64_t ip = m / scale, fp = m % scale;
    char tmp[32];
    int n = 0;
    do { tmp[n++] = (char)('0' + ip % 10); ip /= 10; } while (ip);
    int o = 0;
    if (v < 0) buf[o++] = '-';
    while (n) buf[o++] = tmp[--n];
    buf[o++] = '.';
    for (int i = k - 1; i >= 0; i--) { buf[o + i] = (char)('0' + fp % 10); fp /= 10; }
    return o + k;
  }
  return 0;
}

/* The shortest decimal that reads back as the same double (of %.15g, %.16g, %.17g); integral
 * values keep a ".0" so a Float stays a float for readers that care; NaN and infinities (no JSON
 * form) give 0 (the caller writes null). buf: at least 40 bytes. */
int weir_json_format_double(char* buf, double v) {
  if (!isfinite(v)) return 0;
  if (v == floor(v) && fabs(v) < 1e15) return snprintf(buf, 40, "%.1f", v);
  int n = format_short_fixed(buf, v);
  if (n) return n;
  for (int prec = 15; prec <= 17; prec++) {
    n = snprintf(buf, 40, "%.*g", prec, v);
    if (strtod(buf, NULL) == v) break;
  }
  return n;
}

weir_obj* weir_json_w_float(weir_obj* wo, weir_obj* f) {
  double v = weir_take_float(f);
  writer* w = w_sep((writer*)wo);
  char buf[40];
  int n = weir_json_format_double(buf, v);
  if (!n) return &w_put(w, "null", 4)->h;
  return &w_put(w, buf, (size_t)n)->h;
}

/* weir_json_w_mark(w) -> (Int, w): where the next value starts (for weir_json_w_merge). */
weir_obj* weir_json_w_mark(weir_obj* wo) {
  writer* w = w_sep((writer*)wo);
  return weir_pair(weir_box_int((int64_t)w->used), &w->h);
}

/* weir_json_w_merge(w, mark :: Int): the object written since `mark` joins the object that was
 * open before it: `{"tag":"C"` + `{"a":1}` becomes `{"tag":"C","a":1`. (Derived ToJson of a
 * constructor with a record.) The closing brace of the inner object is removed too; the caller
 * writes the outer one. */
weir_obj* weir_json_w_merge(weir_obj* wo, weir_obj* mark) {
  writer* w = (writer*)wo;
  int64_t m = weir_take_int(mark);
  if (m < 0 || (uint64_t)m >= w->used || w->text[m] != '{' || w->text[w->used - 1] != '}') return &w->h;
  size_t inner = w->used - (size_t)m - 2;  /* bytes between the braces */
  if (inner == 0) {
    /* an empty record: drop "{}" and the comma before it */
    w->used = (size_t)m;
    if (w->used && w->text[w->used - 1] == ',') w->used--;
  } else {
    memmove(w->text + m, w->text + m + 1, inner);
    w->used = (size_t)m + inner;
  }
  return &w->h;
}

/* weir_json_w_finish(w) -> String: the JSON text. */
weir_obj* weir_json_w_finish(weir_obj* wo) {
  writer* w = (writer*)wo;
  weir_obj* s = weir_string_new(w->text, w->used);
  weir_drop(wo);
  return s;
}

/* weir_json_w_finish_bytes(w) -> Bytes: the JSON text as an MQTT payload. */
weir_obj* weir_json_w_finish_bytes(weir_obj* wo) {
  weir_obj* s = weir_json_w_finish(wo);
  s->kind = WEIR_BYTES;  /* same layout; the new object is unique */
  return s;
}
