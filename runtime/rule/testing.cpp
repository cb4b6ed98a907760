// Rule.replay: the rules of a program run over messages given by a test, with no broker, and
// what they publish comes back as a value (what `--replay FILE` prints). The engine is the one
// `runRules` uses; between weir_rule_test_open and weir_rule_test_close it holds the rules of one
// replay and publishing is captured instead of printed or sent. Messages go through the rules one
// at a time, each rule finishing a message before the next rule gets it, so the result is in a
// fixed order. Threading: the program thread opens, sends and closes; handlers publish from workers.
#include <mutex>
#include <string>
#include <vector>

#include "engine.hpp"
#include "weir/mqtt/topic.hpp"

extern "C" {
#include "../object/values.h"
}

namespace weir::rule {

namespace {

struct Captured {
  std::string topic, payload;
  int qos;
  bool retain;
  MsgProps props;
};

std::mutex capture_mu;
bool capturing = false;                 // guarded by capture_mu
std::vector<Captured> captured;         // guarded by capture_mu

void stop_rules(Engine& e) {
  for (auto& r : e.rules)
    if (r->actor) { weir_actor_stop(r->actor); weir_actor_release(r->actor); r->actor = nullptr; }
  e.rules.clear();
}

std::string take_string(weir_obj* s) {
  std::string r(weir_string_data(s), weir_string_len(s));
  weir_drop(s);
  return r;
}

}  // namespace

bool capture_publish(const std::string& topic, const std::string& payload, int qos, bool retain,
                     const MsgProps& props) {
  std::lock_guard<std::mutex> g(capture_mu);
  if (!capturing) return false;
  captured.push_back(Captured{topic, payload, qos, retain, props});
  return true;
}

}  // namespace weir::rule

using namespace weir::rule;

extern "C" {

// replayOpen :: IO () -- a fresh set of rules, publishing captured.
weir_obj* weir_rule_test_open(void) {
  Engine& e = engine();
  e.wait_idle();
  stop_rules(e);
  std::lock_guard<std::mutex> g(capture_mu);
  capturing = true;
  captured.clear();
  return WEIR_UNIT;
}

// replaySend :: String -> Bytes -> IO () -- one message through every rule it matches, in order.
weir_obj* weir_rule_test_send(weir_obj* topic, weir_obj* payload) {
  Engine& e = engine();
  std::string t = take_string(topic);
  std::string p = take_string(payload);
  replay_message(e, t, p, 1, false, MsgProps{});
  return WEIR_UNIT;
}

// replayClose :: IO [(String, Bytes, Int, Bool, RawProps)] -- what was published, in order (with
// its MQTT 5 properties); the rules stop.
weir_obj* weir_rule_test_close(void) {
  Engine& e = engine();
  e.wait_idle();
  stop_rules(e);
  std::vector<Captured> out;
  {
    std::lock_guard<std::mutex> g(capture_mu);
    capturing = false;
    out.swap(captured);
  }
  weir_obj* list = weir_nil();
  for (auto it = out.rbegin(); it != out.rend(); ++it) {
    weir_obj* bytes = weir_string_new(it->payload.data(), it->payload.size());
    bytes->kind = WEIR_BYTES;
    weir_obj* f[5] = {weir_string_new(it->topic.data(), it->topic.size()), bytes, weir_box_int(it->qos),
                      WEIR_BOOL(it->retain), props_value(it->props)};
    list = weir_cons(weir_con_new(0, 5, f), list);
  }
  return list;
}

}  // extern "C"
