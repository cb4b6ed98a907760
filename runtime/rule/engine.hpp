// The rule engine's runtime (what `Rule.runRules` stands on): the rules a program registered,
// the dispatcher (an incoming message -> the rule actors whose filter matches, one lookup per
// message), acknowledgement after every matching rule has handled a message (at-least-once end
// to end), publishing from any actor, per-rule metrics, and the two ways to run: against a
// broker (bridge.cpp) or over a recorded file (replay.cpp).
// Threading: registration on the program thread before run(); deliveries are built on the I/O
// thread (or the program thread when replaying); done() and publish() come from workers; the
// counters are atomics read by the metrics endpoint.
#pragma once
#include <atomic>
#include <condition_variable>
#include <functional>
#include <cstdint>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "props.hpp"

extern "C" {
#include "weir/rt.h"
#include "weir/sched.h"
}

namespace weir::rule {

// Mailbox capacity of a rule's actor (the one the engine delivers to).
inline constexpr std::uint32_t kRuleMailbox = 1024;

// Latency buckets (upper bounds, microseconds) of the processing-time histogram.
inline constexpr std::uint64_t kLatencyBuckets[] = {10, 50, 100, 500, 1000, 5000, 10000, 50000, 100000, 500000, 1000000};
inline constexpr std::size_t kBucketCount = sizeof(kLatencyBuckets) / sizeof(kLatencyBuckets[0]) + 1;

struct RuleMetrics {
  std::atomic<std::uint64_t> matched{0}, passed{0}, failed{0}, decode_errors{0}, published{0}, dropped{0};
  std::atomic<std::uint64_t> io_thread{0};   // deliveries handled on the I/O thread (bridge.cpp)
  std::atomic<std::uint64_t> latency[kBucketCount] = {};
  std::atomic<std::uint64_t> latency_sum_us{0};
  std::atomic<std::int64_t> keys{0};
  std::atomic<std::int64_t> state_bytes{0};   // keyed state of all keys (state.cpp)
  std::atomic<std::uint64_t> late{0};         // event-time values dropped as late
  std::atomic<std::uint64_t> logged{0};   // errors written to the log (rate-limited)
  void observe_us(std::uint64_t us);
};

struct Rule {
  int id = 0;
  std::string name;     // for metrics and logs: "onJson fleet/+/telemetry"
  std::string kind;     // on, onJson, onBinary, keyed, windowed, every
  std::string filter;   // as subscribed ("$share/g/a/+"); empty for timers
  std::string match;    // the filter without the $share prefix
  int qos = 1;
  weir_actor* actor = nullptr;   // one reference; nullptr for timers
  RuleMetrics m;
};

// Options of the compiled rule binary (options.cpp).
struct Options {
  std::string broker = "mqtt://127.0.0.1:1883";
  std::string client_id, username, password_file, tls_ca, tls_cert, tls_key;
  bool clean_start = false;
  int session_expiry = 3600;
  // QoS 1/2 messages the broker may have in flight to us. Each stays unacknowledged until its
  // rules handled it and the broker confirmed what they published, so the window must cover
  // that round trip or the broker holds messages back (queued in the broker, not yet ours;
  // Mosquitto 2.0.11 lost one at that boundary across a SIGKILL in our tests). Our memory
  // stays bounded either way: a full rule mailbox stops reading from the socket.
  int receive_maximum = 65535;
  int metrics_port = 0;              // 0: no endpoint
  std::string metrics_bind = "127.0.0.1";
  std::string log_level = "info";    // error, warn, info, debug
  std::string replay;                // a JSON-lines file: run offline
  bool help = false;
};

enum class Level { error = 0, warn = 1, info = 2, debug = 3 };

// What one handling of a delivery published at QoS 1/2 and is not yet acknowledged by the
// broker. The delivery is complete (and acknowledged upstream) only when its handler has ended
// and every such publish is done, so a SIGKILL between the two loses no output. One count for
// the handler itself plus one per publish; whoever brings it to zero completes the delivery.
struct Hold {
  std::atomic<int> outstanding{1};
  std::uint64_t delivery = 0;   // set when the handler ends; 0: nothing to complete (timers)
};
void release_hold(Hold* h);          // one count less; at zero completes h->delivery and frees h

class Engine {
 public:
  Options opt;
  Level level = Level::info;
  std::vector<std::unique_ptr<Rule>> rules;

  int add(std::string kind, std::string filter, int qos, weir_actor* actor);   // returns the id
  Rule* rule(int id) { return id >= 0 && std::size_t(id) < rules.size() ? rules[std::size_t(id)].get() : nullptr; }

  // A message arrived (I/O or replay thread). ack: called once when every matching rule has
  // handled it (or at once when none matches). Returns the number of rules it went to.
  // A delivery on its way to one rule actor.
  struct Pending { weir_actor* actor; weir_obj* delivery; int rule; std::uint64_t id; int qos; };
  std::uint64_t begin_delivery(int rules_count, std::uint64_t ack_id);
  // A rule actor finished a delivery (worker thread). outcome: 0 passed, 1 failed, 2 decode error.
  void done(int rule, std::uint64_t delivery, int outcome, std::uint64_t arrived_ns);
  // Called (on the thread given to set_ack_sink) when a delivery is complete.
  void set_ack_sink(std::function<void(std::uint64_t ack_id)> sink) { ack_sink_ = std::move(sink); }
  bool idle();                            // no delivery outstanding
  void wait_idle();                       // replay: until every delivery is done

  void log(Level l, const std::string& text);
  // Rate-limited per rule: the first 20 errors, then one line per 1,000.
  void log_rule_error(Rule& r, const std::string& what);

  // Shutdown: requested by a signal, a permanent connection failure or the end of a replay.
  void request_stop(int code, const std::string& why);
  int wait_stop();                        // the exit code
  bool stopping() const { return stop_.load(); }

  std::string metrics_text();             // Prometheus text format
  std::string summary();                  // printed at shutdown
  std::atomic<std::uint64_t> reconnects{0}, received{0}, acked{0}, dropped_qos0{0}, publish_failures{0};
  std::atomic<bool> connected{false};

 private:
  struct Delivery { int remaining; std::uint64_t ack_id; };
  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<std::uint64_t, Delivery> deliveries_;
  std::uint64_t next_delivery_ = 1;
  int idle_waiters_ = 0;   // threads in wait_idle
  std::function<void(std::uint64_t)> ack_sink_;
  std::atomic<bool> stop_{false};
  int stop_code_ = 0;
  std::string stop_why_;
};

Engine& engine();
std::uint64_t now_ns();   // monotonic
// A Weir `RawMessage topic payload qos retain properties arrived` (stdlib/Mqtt.weir), arrived
// now; `props` is an owned RawProps value (props_value).
weir_obj* raw_message(std::string_view topic, std::string_view payload, int qos, bool retain, weir_obj* props);

// options.cpp: parses the program's command line and environment; prints help or an error and
// returns false when the program must end (exit code in *code).
bool parse_options(int argc, char** argv, Options& o, int* code);

// bridge.cpp / replay.cpp: run until stopped; return the exit code.
int run_broker(Engine& e);
int run_replay(Engine& e);
// replay.cpp: one recorded message through every rule it matches, one rule at a time (each
// finishes it before the next gets it: a fixed order of what they publish). --replay and
// Rule.replay (testing.cpp).
void replay_message(Engine& e, const std::string& topic, const std::string& payload, int qos, bool retain,
                    const MsgProps& props);
// state.cpp: the keyed-state and late-value lines of metrics_text and summary; the bytes of a
// value's object graph (borrowed; each object once, immortal ones free) as keyed state counts them.
std::uint64_t graph_bytes(const weir_obj* root);
void state_metrics_text(std::ostringstream& o, Engine& e);
std::string state_summary(Engine& e);
// Rule.replay (testing.cpp): true when a replay in a test captured the message.
bool capture_publish(const std::string& topic, const std::string& payload, int qos, bool retain,
                     const MsgProps& props);
// publish from any thread (bridge.cpp: to the broker; replay: printed).
// hold: released when the broker acknowledged the publish (or it failed); may be null, and is
// null unless to_broker() (running against a broker, not a replay or Rule.replay).
bool to_broker();
void publish(std::string topic, std::string payload, int qos, bool retain, MsgProps props, Hold* hold = nullptr);

}  // namespace weir::rule
