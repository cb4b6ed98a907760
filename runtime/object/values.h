/* Building Weir values from C (internal to the runtime): the Prelude's constructors as the
 * compiler lays them out (tags in declaration order: Nothing 0 / Just 1, [] 0 / (:) 1,
 * tuples tag 0), and reading owned boxed arguments. Shared by string.c, text.c, bytes.c. */
#ifndef WEIR_RUNTIME_VALUES_H
#define WEIR_RUNTIME_VALUES_H
#include "weir/rt.h"

/* Reads an owned boxed Int / Float and releases it. */
static inline int64_t weir_take_int(weir_obj* o) { int64_t v = weir_unbox_int(o); weir_drop(o); return v; }
static inline double weir_take_float(weir_obj* o) { double v = weir_unbox_float(o); weir_drop(o); return v; }

/* A constructor object with n fields (owned by it). */
static inline weir_obj* weir_con_new(uint16_t tag, uint8_t n, weir_obj** fields) {
  weir_con* c = (weir_con*)weir_alloc(WEIR_HEADER_SIZE + 8u * (n ? n : 1));
  c->h.rc = 1; c->h.kind = WEIR_CON; c->h.nfields = n; c->h.tag = tag;
  for (uint8_t i = 0; i < n; i++) c->fields[i] = fields[i];
  return &c->h;
}
static inline weir_obj* weir_nothing(void) { return (weir_obj*)&weir_nullary[0]; }
static inline weir_obj* weir_just(weir_obj* x) { return weir_con_new(1, 1, &x); }
static inline weir_obj* weir_nil(void) { return (weir_obj*)&weir_nullary[0]; }
static inline weir_obj* weir_cons(weir_obj* x, weir_obj* xs) { weir_obj* f[2] = {x, xs}; return weir_con_new(1, 2, f); }
static inline weir_obj* weir_pair(weir_obj* a, weir_obj* b) { weir_obj* f[2] = {a, b}; return weir_con_new(0, 2, f); }

/* UTF-8 encoding of a code point into out (4 bytes of room); returns the length. string.c. */
size_t weir_utf8_encode(uint32_t c, char* out);
#endif
