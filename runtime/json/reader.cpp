// JSON decoding on simdjson: parse once into simdjson's DOM (its compact tape, not a tree of
// Weir objects), then let the FromJson instances walk it. A typed decode therefore builds only
// the target value: no intermediate generic `Json` tree (that one is built only on request,
// by the dynamic `Json` instance).
//
// A parsed document is a WEIR_EXTERNAL object (a `JsonDoc` in stdlib/Json.weir) holding the
// simdjson document and a table of elements; Weir code names an element by its index in that
// table (an Int; 0 is the root). Looking up a field or listing an array appends the children to
// the table and returns their indices. Nothing here throws (simdjson's error-code API).
//
// Every function follows the `foreign import ccall` convention: arguments OWNED, results owned.
// Threading: a document belongs to the code that parsed it; the parser is per thread.
#include <simdjson.h>

#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "../object/values.h"
#include "weir/rt.h"
}

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

struct Doc {
  simdjson::dom::document doc;
  std::vector<element> elems;
};

void finalizeDoc(void* p) { delete static_cast<Doc*>(p); }

simdjson::dom::parser& threadParser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

Doc* docOf(weir_obj* o) { return static_cast<Doc*>(weir_external_ptr(o)); }

// Index i of an owned doc object, or nullptr when i is out of range (-1 = a missing field).
const element* at(weir_obj* doc, weir_obj* idx) {
  int64_t i = weir_take_int(idx);
  Doc* d = docOf(doc);
  return i >= 0 && static_cast<size_t>(i) < d->elems.size() ? &d->elems[static_cast<size_t>(i)] : nullptr;
}

weir_obj* str(const std::string& s) { return weir_string_new(s.data(), s.size()); }
weir_obj* left(weir_obj* e) { weir_obj* f[1] = {e}; return weir_con_new(0, 1, f); }
weir_obj* right(weir_obj* v) { weir_obj* f[1] = {v}; return weir_con_new(1, 1, f); }

}  // namespace

extern "C" {

// weir_json_parse(text :: String or Bytes) -> Either String JsonDoc
weir_obj* weir_json_parse(weir_obj* text) {
  auto* d = new Doc();
  size_t len = weir_string_len(text);
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: copy into a padded buffer.
  simdjson::padded_string padded(weir_string_data(text), len);
  weir_drop(text);
  element root;
  auto err = threadParser().parse_into_document(d->doc, padded).get(root);
  if (err) {
    delete d;
    std::string msg = std::string("not valid JSON: ") + simdjson::error_message(err);
    return left(str(msg));
  }
  d->elems.reserve(16);
  d->elems.push_back(root);
  return right(weir_external_new(finalizeDoc, d));
}

// weir_json_type(doc, i) -> Int: 0 missing, 1 null, 2 bool, 3 int, 4 float, 5 string, 6 array, 7 object
weir_obj* weir_json_type(weir_obj* doc, weir_obj* idx) {
  const element* e = at(doc, idx);
  int64_t t = 0;
  if (e) {
    switch (e->type()) {
      case element_type::NULL_VALUE: t = 1; break;
      case element_type::BOOL: t = 2; break;
      case element_type::INT64: t = 3; break;
      case element_type::UINT64: t = 4; break;   // above 2^63: only as a Float
      case element_type::DOUBLE: t = 4; break;
      case element_type::STRING: t = 5; break;
      case element_type::ARRAY: t = 6; break;
      case element_type::OBJECT: t = 7; break;
    }
  }
  weir_drop(doc);
  return weir_box_int(t);
}

weir_obj* weir_json_bool(weir_obj* doc, weir_obj* idx) {
  const element* e = at(doc, idx);
  bool b = false;
  if (e && e->get_bool().get(b)) b = false;
  weir_drop(doc);
  return WEIR_BOOL(b);
}

weir_obj* weir_json_int(weir_obj* doc, weir_obj* idx) {
  const element* e = at(doc, idx);
  int64_t v = 0;
  if (e && e->get_int64().get(v)) v = 0;
  weir_drop(doc);
  return weir_box_int(v);
}

// A number as a Float: ints convert.
weir_obj* weir_json_float(weir_obj* doc, weir_obj* idx) {
  const element* e = at(doc, idx);
  double v = 0;
  if (e) {
    if (e->is_int64()) v = static_cast<double>(int64_t(*e));
    else if (e->is_uint64()) v = static_cast<double>(uint64_t(*e));
    else if (e->get_double().get(v)) v = 0;
  }
  weir_drop(doc);
  return weir_box_float(v);
}

weir_obj* weir_json_string(weir_obj* doc, weir_obj* idx) {
  const element* e = at(doc, idx);
  std::string_view s;
  if (e && e->get_string().get(s)) s = {};
  weir_obj* r = weir_string_new(s.data(), s.size());
  weir_drop(doc);
  return r;
}

// weir_json_field(doc, i, name) -> Int: the field's element index, -1 when absent (or i is
// not an object: the caller checked the type).
weir_obj* weir_json_field(weir_obj* doc, weir_obj* idx, weir_obj* name) {
  const element* e = at(doc, idx);
  int64_t r = -1;
  if (e && e->is_object()) {
    std::string_view key(weir_string_data(name), weir_string_len(name));
    element child;
    if (!e->get_object().value_unsafe().at_key(key).get(child)) {
      Doc* d = docOf(doc);
      d->elems.push_back(child);
      r = static_cast<int64_t>(d->elems.size() - 1);
    }
  }
  weir_drop(name);
  weir_drop(doc);
  return weir_box_int(r);
}

// weir_json_items(doc, i) -> [Int]: the elements of an array, in order.
weir_obj* weir_json_items(weir_obj* doc, weir_obj* idx) {
  const element* e = at(doc, idx);
  Doc* d = docOf(doc);
  size_t first = d->elems.size(), n = 0;
  if (e && e->is_array()) {
    simdjson::dom::array a = e->get_array().value_unsafe();  // a copy: pushing moves the table
    for (element x : a) { d->elems.push_back(x); n++; }
  }
  weir_obj* list = weir_nil();
  for (size_t k = n; k-- > 0;) list = weir_cons(weir_box_int(static_cast<int64_t>(first + k)), list);
  weir_drop(doc);
  return list;
}

// weir_json_fields(doc, i) -> [(String, Int)]: an object's fields, in document order.
weir_obj* weir_json_fields(weir_obj* doc, weir_obj* idx) {
  const element* e = at(doc, idx);
  Doc* d = docOf(doc);
  std::vector<std::pair<std::string_view, size_t>> kv;
  if (e && e->is_object()) {
    simdjson::dom::object o = e->get_object().value_unsafe();  // a copy: pushing moves the table
    for (auto field : o) {
      d->elems.push_back(field.value);
      kv.push_back({field.key, d->elems.size() - 1});
    }
  }
  weir_obj* list = weir_nil();
  for (size_t k = kv.size(); k-- > 0;)
    list = weir_cons(weir_pair(weir_string_new(kv[k].first.data(), kv[k].first.size()),
                               weir_box_int(static_cast<int64_t>(kv[k].second))), list);
  weir_drop(doc);
  return list;
}

// weir_json_describe(doc, i) -> String: what is there, for error messages: `String "fast"`,
// `Float 1.5`, `an object`, `null`, `nothing` (a missing field).
weir_obj* weir_json_describe(weir_obj* doc, weir_obj* idx) {
  const element* e = at(doc, idx);
  std::string s;
  if (!e) s = "nothing (the field is missing)";
  else {
    switch (e->type()) {
      case element_type::NULL_VALUE: s = "null"; break;
      case element_type::BOOL: s = std::string("Bool ") + (bool(*e) ? "true" : "false"); break;
      case element_type::INT64: s = "Int " + std::to_string(int64_t(*e)); break;
      case element_type::UINT64: s = "a number " + std::to_string(uint64_t(*e)) + " (too large for an Int)"; break;
      case element_type::DOUBLE: s = "Float " + simdjson::minify(*e); break;
      case element_type::STRING: {
        std::string m = simdjson::minify(*e);
        if (m.size() > 40) m = m.substr(0, 37) + "...\"";
        s = "String " + m;
        break;
      }
      case element_type::ARRAY: s = "an array"; break;
      case element_type::OBJECT: s = "an object"; break;
    }
  }
  weir_drop(doc);
  return str(s);
}

}  // extern "C"
