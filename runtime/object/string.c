/* Strings (immutable UTF-8) and Haskell-style `show`. */
#include "weir/rt.h"
#include "heap.h"
#include "values.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

weir_obj* weir_string_alloc(size_t len) {
  weir_string* s = (weir_string*)weir_alloc(16 + len + 1);
  s->h.rc = 1; s->h.kind = WEIR_STRING; s->h.nfields = 0; s->h.tag = 0;
  s->len = len;
  s->data[len] = 0;
  return &s->h;
}

weir_obj* weir_string_new(const char* data, size_t len) {
  weir_obj* s = weir_string_alloc(len);
  if (len) memcpy(((weir_string*)s)->data, data, len);
  return s;
}

weir_obj* weir_string_append(weir_obj* a, weir_obj* b) {
  uint64_t la = weir_string_len(a), lb = weir_string_len(b);
  if (lb == 0) { weir_drop(b); return a; }
  if (la == 0) { weir_drop(a); return b; }
  size_t old_cell = (16 + la + 1 + 7) & ~(size_t)7;
  size_t new_cell = (16 + la + lb + 1 + 7) & ~(size_t)7;
  if (a->rc == 1 && (old_cell > WEIR_MAX_SMALL || weir_system_alloc) && new_cell > WEIR_MAX_SMALL) {
    /* A unique string in a malloc block grows in place (realloc is amortised for a string
     * built by repeated `acc ++ piece`). b may alias a only if b is shared, so it is not. */
    weir_string* g = (weir_string*)weir_realloc_cell(a, new_cell);
    memcpy(g->data + la, weir_string_data(b), lb);
    g->len = la + lb;
    g->data[la + lb] = 0;
    weir_drop(b);
    return &g->h;
  }
  weir_obj* r = weir_string_alloc(la + lb);
  memcpy(((weir_string*)r)->data, weir_string_data(a), la);
  memcpy(((weir_string*)r)->data + la, weir_string_data(b), lb);
  weir_drop(a);
  weir_drop(b);
  return r;
}

int weir_string_cmp_raw(const weir_obj* a, const weir_obj* b) {
  uint64_t la = weir_string_len(a), lb = weir_string_len(b);
  int c = memcmp(weir_string_data(a), weir_string_data(b), la < lb ? la : lb);
  if (c) return c;
  return la < lb ? -1 : la > lb ? 1 : 0;
}

weir_obj* weir_string_eq(weir_obj* a, weir_obj* b) {
  int eq = weir_string_len(a) == weir_string_len(b) &&
           memcmp(weir_string_data(a), weir_string_data(b), weir_string_len(a)) == 0;
  weir_drop(a);
  weir_drop(b);
  return WEIR_BOOL(eq);
}

weir_obj* weir_string_compare(weir_obj* a, weir_obj* b) {
  /* Byte order of UTF-8 is code point order. */
  int c = weir_string_cmp_raw(a, b);
  weir_drop(a);
  weir_drop(b);
  return (weir_obj*)&weir_nullary[c < 0 ? 0 : c == 0 ? 1 : 2];
}

weir_obj* weir_string_length(weir_obj* s) {
  const unsigned char* p = (const unsigned char*)weir_string_data(s);
  uint64_t n = weir_string_len(s), count = 0;
  for (uint64_t i = 0; i < n; i++) count += (p[i] & 0xC0) != 0x80;
  weir_drop(s);
  return weir_box_int((int64_t)count);
}

size_t weir_utf8_encode(uint32_t c, char* out) {
  if (c < 0x80) { out[0] = (char)c; return 1; }
  if (c < 0x800) { out[0] = (char)(0xC0 | (c >> 6)); out[1] = (char)(0x80 | (c & 0x3F)); return 2; }
  if (c < 0x10000) {
    out[0] = (char)(0xE0 | (c >> 12)); out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[2] = (char)(0x80 | (c & 0x3F)); return 3;
  }
  out[0] = (char)(0xF0 | (c >> 18)); out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((c >> 6) & 0x3F)); out[3] = (char)(0x80 | (c & 0x3F)); return 4;
}

/* Decodes one code point at p (valid UTF-8 assumed); returns its length. */
static size_t utf8_decode(const unsigned char* p, size_t n, uint32_t* c) {
  unsigned char b = p[0];
  if (b < 0x80 || n < 2) { *c = b; return 1; }
  if ((b & 0xE0) == 0xC0) { *c = ((uint32_t)(b & 0x1F) << 6) | (p[1] & 0x3F); return 2; }
  if ((b & 0xF0) == 0xE0 && n >= 3) {
    *c = ((uint32_t)(b & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F); return 3;
  }
  if (n >= 4) {
    *c = ((uint32_t)(b & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
         ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    return 4;
  }
  *c = b;
  return 1;
}

weir_obj* weir_string_from_char(weir_obj* c) {
  char buf[4];
  size_t n = weir_utf8_encode(weir_unbox_char(c), buf);
  weir_drop(c);
  return weir_string_new(buf, n);
}

/* ---- show ---- */

weir_obj* weir_show_int(weir_obj* i) {
  char buf[32];
  int n = snprintf(buf, sizeof buf, "%lld", (long long)weir_unbox_int(i));
  weir_drop(i);
  return weir_string_new(buf, (size_t)n);
}

/* Haskell's `show` for Double: shortest digits that read back to the same value; fixed
 * notation when 0.1 <= |v| < 10^7, otherwise d.ddde<exp>. */
size_t weir_format_float(double v, char* out) {
  if (isnan(v)) { strcpy(out, "NaN"); return 3; }
  if (isinf(v)) { strcpy(out, v < 0 ? "-Infinity" : "Infinity"); return strlen(out); }
  char* o = out;
  if (signbit(v)) { *o++ = '-'; v = -v; }
  if (v == 0) { strcpy(o, "0.0"); return (size_t)(o - out) + 3; }
  char buf[40];
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*e", prec - 1, v);
    if (strtod(buf, NULL) == v) break;
  }
  /* buf = "d.ddddde+XX" or "de+XX" */
  char digits[24];
  int nd = 0;
  const char* p = buf;
  for (; *p && *p != 'e'; p++) if (*p >= '0' && *p <= '9') digits[nd++] = *p;
  int exp10 = atoi(p + 1);
  while (nd > 1 && digits[nd - 1] == '0') nd--;
  int e = exp10 + 1; /* v = 0.d1d2... * 10^e */
  if (e < 0 || e > 7) {
    *o++ = digits[0];
    *o++ = '.';
    if (nd == 1) *o++ = '0';
    else { memcpy(o, digits + 1, (size_t)nd - 1); o += nd - 1; }
    o += sprintf(o, "e%d", e - 1);
  } else if (e == 0) {
    *o++ = '0'; *o++ = '.';
    memcpy(o, digits, (size_t)nd); o += nd;
  } else {
    for (int i = 0; i < e; i++) *o++ = i < nd ? digits[i] : '0';
    *o++ = '.';
    if (nd > e) { memcpy(o, digits + e, (size_t)(nd - e)); o += nd - e; }
    else *o++ = '0';
  }
  *o = 0;
  return (size_t)(o - out);
}

weir_obj* weir_show_float(weir_obj* f) {
  char buf[64];
  size_t n = weir_format_float(weir_unbox_float(f), buf);
  weir_drop(f);
  return weir_string_new(buf, n);
}

/* A growable byte buffer for building strings. */
typedef struct { char* data; size_t len, cap; } sbuf;
static void sb_put(sbuf* b, const char* s, size_t n) {
  if (b->len + n > b->cap) {
    b->cap = (b->len + n) * 2 + 16;
    b->data = (char*)realloc(b->data, b->cap);
    if (!b->data) weir_rt_panic("out of memory", "");
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
}
static void sb_puts(sbuf* b, const char* s) { sb_put(b, s, strlen(s)); }
static weir_obj* sb_finish(sbuf* b) {
  weir_obj* s = weir_string_new(b->data ? b->data : "", b->len);
  free(b->data);
  return s;
}

static const char* const ascii_names[32] = {
  "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "a", "b", "t", "n", "v", "f", "r", "SO", "SI",
  "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US"};

/* Printable non-ASCII characters are shown as themselves (unlike Haskell); C1 controls and
 * noncharacters are escaped in decimal like Haskell does. */
static int printable_nonascii(uint32_t c) {
  if (c < 0xA0) return 0;
  if (c == 0xAD) return 0;                      /* soft hyphen */
  if ((c & 0xFFFE) == 0xFFFE) return 0;         /* noncharacters */
  if (c >= 0xFDD0 && c <= 0xFDEF) return 0;
  if (c >= 0xE000 && c <= 0xF8FF) return 0;     /* private use */
  if (c >= 0xF0000) return 0;                   /* supplementary private use */
  if (c == 0x2028 || c == 0x2029) return 0;     /* line/paragraph separators */
  return 1;
}

/* Escapes c (as inside a string literal when in_string, else inside a char literal).
 * *pending_amp is set when the escape could absorb a following character ("\SO" + 'H',
 * numeric escape + digit), in which case Haskell inserts "\&". */
static void show_char_into(sbuf* b, uint32_t c, int in_string, int* numeric_or_so) {
  char tmp[16];
  int prev = *numeric_or_so;
  *numeric_or_so = 0;
  if (prev == 1 && c >= '0' && c <= '9') sb_puts(b, "\\&");
  if (prev == 2 && c == 'H') sb_puts(b, "\\&");
  if (c == '\\') { sb_puts(b, "\\\\"); return; }
  if (c == '"' && in_string) { sb_puts(b, "\\\""); return; }
  if (c == '\'' && !in_string) { sb_puts(b, "\\'"); return; }
  if (c < 32) {
    sb_puts(b, "\\");
    sb_puts(b, ascii_names[c]);
    if (c == 14) *numeric_or_so = 2;
    return;
  }
  if (c == 127) { sb_puts(b, "\\DEL"); return; }
  if (c < 127) { tmp[0] = (char)c; sb_put(b, tmp, 1); return; }
  if (printable_nonascii(c)) { sb_put(b, tmp, weir_utf8_encode(c, tmp)); return; }
  snprintf(tmp, sizeof tmp, "\\%u", c);
  sb_puts(b, tmp);
  *numeric_or_so = 1;
}

weir_obj* weir_show_char(weir_obj* ch) {
  uint32_t c = weir_unbox_char(ch);
  weir_drop(ch);
  sbuf b = {0};
  int st = 0;
  sb_puts(&b, "'");
  show_char_into(&b, c, 0, &st);
  sb_puts(&b, "'");
  return sb_finish(&b);
}

weir_obj* weir_show_string(weir_obj* s) {
  const unsigned char* p = (const unsigned char*)weir_string_data(s);
  size_t n = weir_string_len(s);
  sbuf b = {0};
  int st = 0;
  sb_puts(&b, "\"");
  for (size_t i = 0; i < n;) {
    uint32_t c;
    i += utf8_decode(p + i, n - i, &c);
    show_char_into(&b, c, 1, &st);
  }
  sb_puts(&b, "\"");
  weir_drop(s);
  return sb_finish(&b);
}
