// --replay FILE: run the rules over recorded messages, with no broker, and print what they
// publish. Each line of the file is a JSON object {"topic": "...", "payload": <any JSON value>}
// (the payload is the value's JSON text) or {"topic": "...", "payload_base64": "..."} for a binary
// payload; "qos", "retain" and "properties" (MQTT 5: content_type, message_expiry_interval,
// response_topic, correlation_data, payload_format_indicator, user_properties, as
// `weir-mqtt sub -F %j` writes them) are optional. Messages go through the rules one at a time, and each
// rule finishes it before the next rule gets it, so the output is in a fixed order: the offline
// way to test a rule (tests/programs, examples/). A line that is not valid is reported with its
// number and skipped. Timer rules (`every`) do not run in a replay.
// Threading: the program thread sends and waits; the rules run on the workers.
#include <simdjson.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "engine.hpp"
#include "weir/mqtt/topic.hpp"

extern "C" {
#include "../object/values.h"
}

namespace weir::rule {

namespace {

int b64(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

bool base64_decode(std::string_view in, std::string& out) {
  unsigned acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=' || c == '\n' || c == '\r' || c == ' ') continue;
    int v = b64(c);
    if (v < 0) return false;
    acc = (acc << 6) | unsigned(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(char((acc >> bits) & 0xff));
    }
  }
  return true;
}

bool printable(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 && c != '\t') return false;
  return true;
}

}  // namespace

void print_publish(const std::string& topic, const std::string& payload, int qos, bool retain,
                   const MsgProps& props) {
  std::string line = topic + " ";
  if (printable(payload)) {
    line += payload;
  } else {
    static const char hex[] = "0123456789abcdef";
    line += "0x";
    for (unsigned char c : payload) { line += hex[c >> 4]; line += hex[c & 15]; }
  }
  if (qos != 1 || retain || !props.empty()) {   // QoS 1 is the default: not shown
    line += "  (qos " + std::to_string(qos) + (retain ? ", retained" : "") + props_text(props);
    line += ")";
  }
  line += "\n";
  weir_stdout_write(line.data(), line.size());
}

void replay_message(Engine& e, const std::string& topic, const std::string& payload, int qos, bool retain,
                    const MsgProps& props) {
  e.received.fetch_add(1, std::memory_order_relaxed);   // relaxed: statistics
  for (auto& r : e.rules) {
    if (!r->actor || r->match.empty() || !mqtt::topic_matches(r->match, topic)) continue;
    std::uint64_t id = e.begin_delivery(1, 0);
    weir_obj* d[2] = {raw_message(topic, payload, qos, retain, props_value(props)), weir_box_int(std::int64_t(id))};
    if (weir_send(r->actor, weir_con_new(0, 2, d)) != WEIR_SEND_OK)   // waits for room (not a worker)
      e.done(-1, id, 0, 0);                       // the rule's actor has ended: nothing will come
    e.wait_idle();                                // one rule at a time: a fixed order
  }
}

int run_replay(Engine& e) {
  std::ifstream in(e.opt.replay);
  if (!in) {
    e.log(Level::error, "cannot read " + e.opt.replay);
    return 2;
  }
  simdjson::dom::parser parser;
  std::string line;
  int lineno = 0, bad = 0;
  while (std::getline(in, line) && !e.stopping()) {
    lineno++;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    simdjson::dom::element doc;
    std::string_view topic;
    std::string payload;
    std::int64_t qos = 0;
    bool retain = false;
    auto problem = [&](const std::string& what) {
      bad++;
      e.log(Level::warn, e.opt.replay + ":" + std::to_string(lineno) + ": " + what + "; line skipped");
    };
    if (parser.parse(line).get(doc)) { problem("not valid JSON"); continue; }
    if (doc["topic"].get_string().get(topic) || topic.empty()) { problem("no \"topic\" string"); continue; }
    simdjson::dom::element p;
    std::string_view b;
    if (!doc["payload"].get(p)) {
      if (p.is_string()) payload = std::string(std::string_view(p));   // a string payload is its text
      else payload = simdjson::minify(p);
    } else if (!doc["payload_base64"].get_string().get(b)) {
      if (!base64_decode(b, payload)) { problem("\"payload_base64\" is not base64"); continue; }
    } else {
      problem("no \"payload\" or \"payload_base64\"");
      continue;
    }
    if (doc["qos"].get_int64().get(qos)) qos = 0;
    if (doc["retain"].get_bool().get(retain)) retain = false;
    MsgProps props;
    simdjson::dom::element pe;
    if (!doc["properties"].get(pe)) {
      if (std::string why = props_from_json(pe, props); !why.empty()) { problem(why); continue; }
    }
    replay_message(e, std::string(topic), payload, int(qos), retain, props);
  }
  weir_stdout_flush();
  if (bad) std::fprintf(stderr, "weir-rules: %d line%s of %s skipped\n", bad, bad == 1 ? "" : "s", e.opt.replay.c_str());
  return 0;
}

}  // namespace weir::rule
