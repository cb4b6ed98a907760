// Runtime: allocator, reference counting, non-recursive freeing, strings and show.
#include <catch2/catch.hpp>

extern "C" {
#include "../../runtime/object/values.h"
}

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_set>
#include <vector>

#include "weir/rt.h"

namespace {
struct Init {
  Init() { weir_rt_init(0, nullptr); }
} init;

std::string str(weir_obj* s) {
  std::string r(weir_string_data(s), weir_string_len(s));
  weir_drop(s);
  return r;
}
std::string showF(double d) { return str(weir_show_float(weir_box_float(d))); }
weir_obj* S(const std::string& s) { return weir_string_new(s.data(), s.size()); }

// A list cell as the runtime builds one (runtime/object/values.h).
weir_obj* cons(weir_obj* h, weir_obj* t) { return weir_cons(h, t); }
}  // namespace

TEST_CASE("small ints, ASCII chars and nullary constructors are immortal", "[runtime]") {
  weir_obj* a = weir_box_int(5);
  CHECK(a == weir_box_int(5));
  CHECK(a->rc == 0);
  weir_drop(a);
  CHECK(weir_unbox_int(a) == 5);
  weir_obj* big = weir_box_int(1 << 20);
  CHECK(big->rc == 1);
  weir_drop(big);
  CHECK(weir_box_char('a')->rc == 0);
  CHECK(WEIR_TRUE->tag == 1);
  CHECK(WEIR_FALSE->tag == 0);
}

TEST_CASE("freeing a ten-million-element list does not recurse", "[runtime]") {
  int64_t before = weir_live_objects();
  weir_obj* l = &weir_nullary[0].h;
  for (int64_t i = 0; i < 10000000; i++) l = cons(weir_box_int(i + 100000), l);
  CHECK(weir_live_objects() - before == 20000000);
  weir_drop(l);
  CHECK(weir_live_objects() == before);
}

namespace {
// A constructor with n fields, as generated code builds one.
weir_obj* con(uint16_t tag, std::initializer_list<weir_obj*> fs) {
  auto* c = static_cast<weir_con*>(weir_alloc(WEIR_HEADER_SIZE + 8 * fs.size()));
  c->h = weir_obj{1, WEIR_CON, static_cast<uint8_t>(fs.size()), tag};
  size_t i = 0;
  for (weir_obj* f : fs) c->fields[i++] = f;
  return &c->h;
}
weir_obj* tree(int depth) {   // binarytrees' Node l r, Nil the static nullary
  if (depth == 0) return &weir_nullary[0].h;
  return con(1, {tree(depth - 1), tree(depth - 1)});
}
}  // namespace

TEST_CASE("freeing a deep binary tree gives every cell back to its size class", "[runtime]") {
  int64_t before = weir_live_objects();
  weir_obj* t = tree(20);
  CHECK(weir_live_objects() - before == (1 << 20) - 1);
  std::unordered_set<void*> cells;
  std::vector<weir_obj*> walk{t};
  while (!walk.empty()) {
    weir_obj* o = walk.back();
    walk.pop_back();
    if (o->rc == 0) continue;
    cells.insert(o);
    for (int i = 0; i < 2; i++) walk.push_back(reinterpret_cast<weir_con*>(o)->fields[i]);
  }
  weir_drop(t);
  CHECK(weir_live_objects() == before);
  // Every cell went back to the 24-byte class: the next 2^20 - 1 allocations of that size are
  // exactly those cells (no new memory, none lost to another class).
  std::vector<void*> again;
  for (size_t i = 0; i < cells.size(); i++) again.push_back(weir_alloc(24));
  size_t reused = 0;
  for (void* c : again) reused += cells.count(c);
  CHECK(reused == cells.size());
  for (void* c : again) {
    *static_cast<weir_obj*>(c) = weir_obj{1, WEIR_CON, 2, 1};   // weir_free_cell reads the size
    weir_free_cell(static_cast<weir_obj*>(c));
  }
  CHECK(weir_live_objects() == before);
}

TEST_CASE("freeing constructors meets every kind of child", "[runtime]") {
  int64_t before = weir_live_objects();
  auto* clo = static_cast<weir_closure*>(weir_alloc(WEIR_CLOSURE_HEADER_SIZE + 8));
  clo->h = weir_obj{1, WEIR_CLOSURE, 0, 0};
  clo->code = nullptr;
  clo->arity = 2;
  clo->ncaptured = 1;
  clo->captured[0] = con(3, {weir_box_int(1 << 20)});
  weir_obj* arg = con(4, {S("pap arg")});
  weir_obj* pap = weir_pap_make(&clo->h, 1, &arg);
  weir_obj* kept = con(5, {S("kept")});          // another owner holds it: only decremented
  weir_dup(kept);
  weir_obj* sent = con(6, {S("shared")});        // crossed to another actor: atomic count
  weir_dup(sent);
  weir_mark_shared(sent);
  // 40 fields: past the small classes (8 + 320 bytes), a malloc block.
  auto* wide = static_cast<weir_con*>(weir_alloc(WEIR_HEADER_SIZE + 8 * 40));
  wide->h = weir_obj{1, WEIR_CON, 40, 7};
  for (int i = 0; i < 40; i++) wide->fields[i] = i == 7 ? tree(3) : weir_box_int(i);
  weir_obj* root = con(1, {pap, kept, sent, &wide->h, weir_box_float(2.5), S("a string"), tree(4)});
  weir_drop(root);
  CHECK(kept->rc == 1);
  CHECK(weir_rc(sent) == -1);
  weir_drop(kept);
  weir_drop(sent);
  CHECK(weir_live_objects() == before);
}

TEST_CASE("shared structure is freed once its last owner drops it", "[runtime]") {
  int64_t before = weir_live_objects();
  weir_obj* tail = cons(S("shared"), &weir_nullary[0].h);
  weir_dup(tail);
  weir_obj* a = cons(weir_box_int(1), tail);
  weir_obj* b = cons(weir_box_int(2), tail);
  weir_drop(a);
  CHECK(tail->rc == 1);
  weir_drop(b);
  CHECK(weir_live_objects() == before);
}

TEST_CASE("partial applications own their arguments", "[runtime]") {
  int64_t before = weir_live_objects();
  auto* clo = static_cast<weir_closure*>(weir_alloc(WEIR_CLOSURE_HEADER_SIZE + 8));
  clo->h = weir_obj{1, WEIR_CLOSURE, 0, 0};
  clo->code = nullptr;
  clo->arity = 3;
  clo->ncaptured = 1;
  clo->captured[0] = S("env");
  weir_obj* args[2] = {S("a"), S("b")};
  weir_obj* p = weir_pap_make(&clo->h, 1, args);
  weir_dup(p);
  weir_obj* q = weir_pap_extend(p, 1, args + 1);  // p shared: args are copied and dup'ed
  CHECK(reinterpret_cast<weir_pap*>(q)->nargs == 2);
  weir_drop(p);
  weir_drop(q);
  CHECK(weir_live_objects() == before);
}

TEST_CASE("mark immortal makes a whole structure immortal", "[runtime]") {
  weir_obj* l = cons(S("x"), cons(weir_box_int(1 << 30), &weir_nullary[0].h));
  weir_mark_immortal(l);
  CHECK(l->rc == 0);
  CHECK(reinterpret_cast<weir_con*>(l)->fields[0]->rc == 0);
  weir_drop(l);  // no-op
  CHECK(l->rc == 0);
}

TEST_CASE("show Float like Haskell", "[runtime]") {
  CHECK(showF(1.5) == "1.5");
  CHECK(showF(0.1) == "0.1");
  CHECK(showF(0.01) == "1.0e-2");
  CHECK(showF(1.0e7) == "1.0e7");
  CHECK(showF(9999999.0) == "9999999.0");
  CHECK(showF(12345678.9) == "1.23456789e7");
  CHECK(showF(100.0) == "100.0");
  CHECK(showF(-0.5) == "-0.5");
  CHECK(showF(-0.0) == "-0.0");
  CHECK(showF(5.0e-324) == "5.0e-324");
  CHECK(showF(1.7976931348623157e308) == "1.7976931348623157e308");
  CHECK(showF(0.30000000000000004) == "0.30000000000000004");
  CHECK(showF(NAN) == "NaN");
  CHECK(showF(-INFINITY) == "-Infinity");
}

TEST_CASE("show Int, Char and String", "[runtime]") {
  CHECK(str(weir_show_int(weir_box_int(INT64_MIN))) == "-9223372036854775808");
  CHECK(str(weir_show_char(weir_box_char('a'))) == "'a'");
  CHECK(str(weir_show_char(weir_box_char('"'))) == "'\"'");
  CHECK(str(weir_show_char(weir_box_char('\n'))) == "'\\n'");
  CHECK(str(weir_show_char(weir_box_char(0x80))) == "'\\128'");
  CHECK(str(weir_show_char(weir_box_char(0x1F600))) == "'\xF0\x9F\x98\x80'");
  CHECK(str(weir_show_string(S("a\"b\n"))) == "\"a\\\"b\\n\"");
  CHECK(str(weir_show_string(S("\x0EH"))) == "\"\\SO\\&H\"");
  CHECK(str(weir_show_string(S("\xC2\x80" "1"))) == "\"\\128\\&1\"");
  CHECK(str(weir_show_string(S("it's \x7F"))) == "\"it's \\DEL\"");
}

TEST_CASE("string operations", "[runtime]") {
  CHECK(str(weir_string_append(S("foo"), S("bar"))) == "foobar");
  CHECK(weir_string_eq(S("a"), S("a")) == WEIR_TRUE);
  CHECK(weir_string_eq(S("a"), S("ab")) == WEIR_FALSE);
  CHECK(weir_string_compare(S("ab"), S("b"))->tag == 0);
  CHECK(weir_string_compare(S("b"), S("b"))->tag == 1);
  CHECK(weir_string_compare(S("ba"), S("b"))->tag == 2);
  weir_obj* n = weir_string_length(S("h\xC3\xA9llo \xE2\x98\x83"));
  CHECK(weir_unbox_int(n) == 7);
  CHECK(str(weir_string_from_char(weir_box_char(0x2603))) == "\xE2\x98\x83");
}

TEST_CASE("appending to a unique long string grows it in place", "[runtime]") {
  int64_t before = weir_live_objects();
  weir_obj* acc = S("");
  std::string expect;
  for (int i = 0; i < 20000; i++) {
    std::string piece = std::to_string(i) + ",";
    expect += piece;
    acc = weir_string_append(acc, S(piece));
  }
  weir_dup(acc);  // shared: the next append must copy
  weir_obj* other = weir_string_append(acc, S("!"));
  CHECK(str(other) == expect + "!");
  CHECK(str(acc) == expect);
  CHECK(weir_live_objects() == before);
}

extern "C" {
#include "../../runtime/object/heap.h"
}
#include <thread>
#include <vector>

TEST_CASE("the leak checker's list mode is safe with several threads", "[runtime][leakcheck]") {
  // WEIR_LEAK_CHECK=2 links every object into one list; actors allocate and free on several
  // workers at once, and an unlocked list tore (malloc(): unaligned tcache chunk, segfaults).
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([] {
      std::vector<void*> mine;
      for (int round = 0; round < 600; ++round) {
        for (int i = 0; i < 500; ++i) mine.push_back(weir_track_alloc(16 + 8 * (i % 8)));
        for (size_t i = 0; i < mine.size(); i += 2) mine[i] = weir_track_realloc(mine[i], 256);
        for (void* p : mine) weir_track_free(p);
        mine.clear();
      }
    });
  for (auto& t : ts) t.join();
  SUCCEED("4 threads x 300,000 tracked allocations, reallocations and frees");
}

extern "C" int weir_json_format_double(char* buf, double v);   // runtime/json/writer.c

// The JSON writer's fast path for short decimals must write exactly what the general path
// (the first of %.15g, %.16g, %.17g that reads back) writes.
TEST_CASE("JSON floats: the short-decimal fast path writes what %.15g/%.16g/%.17g would", "[runtime][json]") {
  auto reference = [](double v) {
    char b[40];
    int n = 0;
    if (v == std::floor(v) && std::fabs(v) < 1e15) {
      n = std::snprintf(b, sizeof b, "%.1f", v);
    } else {
      for (int prec = 15; prec <= 17; prec++) {
        n = std::snprintf(b, sizeof b, "%.*g", prec, v);
        if (std::strtod(b, nullptr) == v) break;
      }
    }
    return std::string(b, std::size_t(n));
  };
  std::uint64_t x = 88172645463325252ull;   // xorshift64
  auto next = [&] { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x; };
  static const double p10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
  int checked = 0;
  for (int i = 0; i < 300000; i++) {
    double v;
    switch (i % 4) {
      case 0: v = double(next() % 1000000000000000ull) / p10[next() % 9]; break;   // decimals
      case 1: v = double(next() % 100000) / p10[next() % 7]; break;                 // readings
      case 2: { std::uint64_t bits = next(); std::memcpy(&v, &bits, 8); break; }    // anything
      default: v = std::ldexp(double(next() >> 11), int(next() % 80) - 60); break;  // 1e-18..1e24
    }
    if (next() & 1) v = -v;
    char b[40];
    int n = weir_json_format_double(b, v);
    if (!std::isfinite(v)) { CHECK(n == 0); continue; }
    std::string got(b, std::size_t(n)), want = reference(v);
    if (got != want) FAIL("value " << want << ": fast path wrote " << got);
    checked++;
  }
  char b[40];
  CHECK(std::string(b, std::size_t(weir_json_format_double(b, 72.5))) == "72.5");
  CHECK(std::string(b, std::size_t(weir_json_format_double(b, -0.001234))) == "-0.001234");
  CHECK(std::string(b, std::size_t(weir_json_format_double(b, 120.3))) == "120.3");
  CHECK(std::string(b, std::size_t(weir_json_format_double(b, 0.1 + 0.2))) == "0.30000000000000004");
  CHECK(checked > 290000);
}
