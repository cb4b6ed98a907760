/* Unicode character properties for Data.Char, from utf8proc (Debian libutf8proc-dev, linked
 * into libweir_rt: runtime/CMakeLists.txt): general categories and simple case mappings, as
 * GHC's Data.Char has them. Every function takes an owned Char and returns an owned value. */
#include <utf8proc.h>

#include "weir/rt.h"

weir_obj* weir_char_category(weir_obj* c);
weir_obj* weir_char_to_upper(weir_obj* c);
weir_obj* weir_char_to_lower(weir_obj* c);
weir_obj* weir_char_to_title(weir_obj* c);
uint32_t weir_unicode_upper(uint32_t c);
uint32_t weir_unicode_lower(uint32_t c);

/* The index of GHC's GeneralCategory constructor (UppercaseLetter = 0 ... NotAssigned = 29):
 * utf8proc numbers the same categories in the same order, starting with Cn (unassigned). */
weir_obj* weir_char_category(weir_obj* c) {
  utf8proc_category_t k = utf8proc_category((utf8proc_int32_t)weir_unbox_char(c));
  weir_drop(c);
  return weir_box_int(k == UTF8PROC_CATEGORY_CN ? 29 : (int64_t)k - 1);
}

/* UnicodeData.txt's simple mappings, which GHC uses. utf8proc (2.8) differs in one place:
 * it upper-cases 'ß' to 'ẞ' (U+1E9E), which has no simple upper-case mapping. */
uint32_t weir_unicode_upper(uint32_t c) { return c == 0xDF ? c : (uint32_t)utf8proc_toupper((utf8proc_int32_t)c); }
uint32_t weir_unicode_lower(uint32_t c) { return (uint32_t)utf8proc_tolower((utf8proc_int32_t)c); }

weir_obj* weir_char_to_upper(weir_obj* c) {
  uint32_t v = weir_unbox_char(c);
  weir_drop(c);
  return weir_box_char(weir_unicode_upper(v));
}

weir_obj* weir_char_to_lower(weir_obj* c) {
  uint32_t v = weir_unbox_char(c);
  weir_drop(c);
  return weir_box_char(weir_unicode_lower(v));
}

weir_obj* weir_char_to_title(weir_obj* c) {
  uint32_t v = weir_unbox_char(c);
  weir_drop(c);
  return weir_box_char((uint32_t)utf8proc_totitle((utf8proc_int32_t)v));
}
