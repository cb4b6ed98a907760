// Runtime, rules: the size of keyed state (runtime/rule/state.cpp) and MQTT 5 properties
// between Weir values, C++ and replay records (runtime/rule/props.cpp).
#include <catch2/catch.hpp>

#include <simdjson.h>

#include <cstring>

#include "../../runtime/rule/engine.hpp"

extern "C" {
#include "../../runtime/object/values.h"
}

using namespace weir::rule;

namespace {
struct Init {
  Init() { weir_rt_init(0, nullptr); }
} init;

weir_obj* S(const std::string& s) { return weir_string_new(s.data(), s.size()); }
}  // namespace

TEST_CASE("keyed state: immortal values cost nothing, each object counts once", "[runtime][rule]") {
  CHECK(graph_bytes(weir_nil()) == 0);
  CHECK(graph_bytes(weir_box_int(7)) == 0);   // the small-Int cache
  weir_obj* big = weir_box_int(1 << 20);
  CHECK(graph_bytes(big) == 16);
  weir_obj* s = S("hello");                    // header 8 + length 8 + 5 bytes + NUL, rounded to 8
  CHECK(graph_bytes(s) == 24);
  weir_obj* l = weir_cons(big, weir_cons(s, weir_nil()));   // two cells of 2 fields: 24 each
  CHECK(graph_bytes(l) == 24 + 24 + 16 + 24);
  // The same list twice in a pair: the pair, and the list once (it has two references now).
  weir_dup(l);
  weir_obj* p = weir_pair(l, l);
  CHECK(graph_bytes(p) == 24 + 24 + 24 + 16 + 24);
  weir_drop(p);
}

TEST_CASE("keyed state grows linearly with a list's length", "[runtime][rule]") {
  weir_obj* l = weir_nil();
  for (int i = 0; i < 1000; i++) l = weir_cons(weir_box_int(100000 + i), l);
  CHECK(graph_bytes(l) == 1000 * (24 + 16));
  weir_drop(l);
}

TEST_CASE("properties: none is NoProps without an allocation, a value round-trips", "[runtime][rule]") {
  MsgProps none;
  weir_obj* v = props_value(none);
  CHECK(v->tag == 0);
  CHECK(v->rc == 0);   // the static nullary constructor
  MsgProps p;
  p.user = {{"k", "v"}, {"k", "w"}};
  p.content_type = "application/json";
  p.expiry = 60;
  p.response_topic = "resp/1";
  p.correlation_data = std::string("\0\1", 2);
  p.utf8 = true;
  weir_obj* w = props_value(p);
  MsgProps q = props_of(w);
  CHECK(q.user == p.user);
  CHECK(q.content_type == p.content_type);
  CHECK(q.expiry == p.expiry);
  CHECK(q.response_topic == p.response_topic);
  CHECK(q.correlation_data == p.correlation_data);
  CHECK(q.utf8);
  weir_drop(w);
}

TEST_CASE("properties of a replay record: names of weir-mqtt sub -F %j, problems named", "[runtime][rule]") {
  simdjson::dom::parser parser;
  auto read = [&](const char* json, MsgProps& out) {
    simdjson::dom::element e = parser.parse(json, std::strlen(json));
    return props_from_json(e, out);
  };
  MsgProps p;
  CHECK(read(R"({"content_type": "text/plain", "message_expiry_interval": 5, "payload_format_indicator": 1,
                 "user_properties": [["a", "1"], ["a", "2"]]})", p) == "");
  CHECK(p.content_type == "text/plain");
  CHECK(p.expiry == 5u);
  CHECK(p.utf8);
  CHECK(p.user == std::vector<std::pair<std::string, std::string>>{{"a", "1"}, {"a", "2"}});
  MsgProps o;
  CHECK(read(R"({"user_properties": {"x": "y"}})", o) == "");
  CHECK(o.user.size() == 1);
  MsgProps none;
  CHECK(read("null", none) == "");
  CHECK(read("{}", none) == "");
  CHECK(none.empty());
  MsgProps bad;
  CHECK(read(R"({"message_expiry_interval": "soon"})", bad).find("message_expiry_interval") != std::string::npos);
  CHECK(read(R"({"payload_format_indicator": 2})", bad).find("0 or 1") != std::string::npos);
  CHECK(read(R"({"user_properties": [["only-key"]]})", bad).find("[\"key\", \"value\"]") != std::string::npos);
  CHECK(read(R"({"qos": 1})", bad).find("unknown property \"qos\"") != std::string::npos);
  CHECK(read(R"([1])", bad).find("not an object") != std::string::npos);
  CHECK(props_text(p) == ", content-type=text/plain, expiry=5s, utf-8, a=1, a=2");
  MsgProps c;
  c.correlation_data = std::string("\x01\xff", 2);
  CHECK(props_text(c) == ", correlation-data=0x01ff");
}

extern "C" weir_obj* weir_rule_state_bytes(weir_obj* rule, weir_obj* token, weir_obj* state);

TEST_CASE("keyed state: a large state is walked once per (size / 4 kB) changes", "[runtime][rule]") {
  auto list = [](int n) {
    weir_obj* l = weir_nil();
    for (int i = 0; i < n; i++) l = weir_cons(weir_box_int(100000 + i), l);
    return l;
  };
  auto size = [](std::int64_t token) { return token & ((std::int64_t(1) << 40) - 1); };
  // Small: measured at every change.
  std::int64_t t = weir_take_int(weir_rule_state_bytes(weir_box_int(-1), weir_box_int(0), list(10)));
  CHECK(size(t) == 400);
  t = weir_take_int(weir_rule_state_bytes(weir_box_int(-1), weir_box_int(t), list(11)));
  CHECK(size(t) == 440);
  // 1,000 values are 40,000 bytes: the next 9 changes pass without a walk, the 10th walks.
  t = weir_take_int(weir_rule_state_bytes(weir_box_int(-1), weir_box_int(t), list(1000)));
  CHECK(size(t) == 40000);
  for (int i = 0; i < 9; i++) {
    t = weir_take_int(weir_rule_state_bytes(weir_box_int(-1), weir_box_int(t), list(1001 + i)));
    CHECK(size(t) == 40000);
  }
  t = weir_take_int(weir_rule_state_bytes(weir_box_int(-1), weir_box_int(t), list(2000)));
  CHECK(size(t) == 80000);
}
