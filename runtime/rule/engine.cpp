// The rule engine: registration, dispatch bookkeeping, metrics, logging, shutdown, and the
// `foreign import ccall` entry points of stdlib/Rule.weir and stdlib/Mqtt.weir. See engine.hpp.
#include "engine.hpp"
#include "weir/mqtt/topic.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <sstream>

extern "C" {
#include "../object/values.h"
weir_actor* weir_lang_pid_actor(weir_obj* pid);   // runtime/sched/lang.c (borrowed)
extern void (*weir_rt_shutdown_hook)(int code);   // runtime/object/io.c
extern char** weir_argv;
extern int weir_argc;
}

namespace weir::rule {

std::uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::uint64_t(ts.tv_sec) * 1000000000u + std::uint64_t(ts.tv_nsec);
}

weir_obj* raw_message(std::string_view topic, std::string_view payload, int qos, bool retain, weir_obj* props) {
  weir_obj* bytes = weir_string_new(payload.data(), payload.size());
  bytes->kind = WEIR_BYTES;
  weir_obj* f[6] = {weir_string_new(topic.data(), topic.size()), bytes, weir_box_int(qos), WEIR_BOOL(retain),
                    props, weir_box_int(std::int64_t(now_ns()))};
  return weir_con_new(0, 6, f);
}

Engine& engine() {
  static Engine e;
  return e;
}

void RuleMetrics::observe_us(std::uint64_t us) {
  std::size_t b = 0;
  while (b < kBucketCount - 1 && us > kLatencyBuckets[b]) b++;
  latency[b].fetch_add(1, std::memory_order_relaxed);      // relaxed: statistics
  latency_sum_us.fetch_add(us, std::memory_order_relaxed);
}

int Engine::add(std::string kind, std::string filter, int qos, weir_actor* actor) {
  auto r = std::make_unique<Rule>();
  r->id = int(rules.size());
  r->kind = std::move(kind);
  r->filter = std::move(filter);
  r->match = r->filter;
  if (r->match.rfind("$share/", 0) == 0) {
    auto slash = r->match.find('/', 7);
    r->match = slash == std::string::npos ? "" : r->match.substr(slash + 1);
  }
  r->name = r->kind + (r->filter.empty() ? "" : " " + r->filter);
  r->qos = qos;
  r->actor = actor;
  rules.push_back(std::move(r));
  return rules.back()->id;
}

std::uint64_t Engine::begin_delivery(int count, std::uint64_t ack_id) {
  std::lock_guard<std::mutex> g(mu_);
  std::uint64_t id = next_delivery_++;
  deliveries_[id] = Delivery{count, ack_id};
  return id;
}

void Engine::done(int rule_id, std::uint64_t id, int outcome, std::uint64_t arrived_ns) {
  if (Rule* r = rule(rule_id)) {
    auto& m = r->m;
    (outcome == 0 ? m.passed : outcome == 1 ? m.failed : m.decode_errors).fetch_add(1, std::memory_order_relaxed);
    std::uint64_t now = now_ns();
    m.observe_us(now > arrived_ns ? (now - arrived_ns) / 1000 : 0);
  }
  if (id == 0) return;   // not a tracked delivery (a timer, a message of a keyed rule's key actor)
  std::uint64_t ack = 0;
  bool wake = false;
  {
    std::lock_guard<std::mutex> g(mu_);
    auto it = deliveries_.find(id);
    if (it == deliveries_.end()) return;
    if (--it->second.remaining > 0) return;
    ack = it->second.ack_id;
    deliveries_.erase(it);
    // Only wait_idle waits for this (a replay's end); waking the program thread, which sleeps
    // in wait_stop on the same condition, for every message cost a context switch each.
    wake = idle_waiters_ > 0 && deliveries_.empty();
  }
  if (ack_sink_) ack_sink_(ack);
  if (wake) cv_.notify_all();
}

bool Engine::idle() {
  std::lock_guard<std::mutex> g(mu_);
  return deliveries_.empty();
}

void Engine::wait_idle() {
  std::unique_lock<std::mutex> g(mu_);
  idle_waiters_++;
  cv_.wait(g, [&] { return deliveries_.empty() || stop_.load(); });
  idle_waiters_--;
}

void Engine::log(Level l, const std::string& text) {
  if (int(l) > int(level)) return;
  static const char* names[] = {"error", "warn", "info", "debug"};
  weir_stdout_flush();
  std::fprintf(stderr, "weir-rules %s: %s\n", names[int(l)], text.c_str());
}

void Engine::log_rule_error(Rule& r, const std::string& what) {
  std::uint64_t n = r.m.logged.fetch_add(1, std::memory_order_relaxed) + 1;   // relaxed: a count
  if (n <= 20 || n % 1000 == 0)
    log(Level::warn, "rule `" + r.name + "`: " + what + (n == 20 ? " (further errors: one line per 1,000)" : ""));
}

void Engine::request_stop(int code, const std::string& why) {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (stop_.load()) return;
    stop_code_ = code;
    stop_why_ = why;
    stop_.store(true);
  }
  cv_.notify_all();
}

int Engine::wait_stop() {
  std::unique_lock<std::mutex> g(mu_);
  cv_.wait(g, [&] { return stop_.load(); });
  if (!stop_why_.empty()) log(stop_code_ == 0 ? Level::info : Level::error, stop_why_);
  return stop_code_;
}

static void label(std::ostringstream& o, const Rule& r) {
  std::string n = r.name;
  std::string esc;
  for (char c : n) {
    if (c == '"' || c == '\\') esc += '\\';
    esc += c;
  }
  o << "{rule=\"" << esc << "\"}";
}

std::string Engine::metrics_text() {
  std::ostringstream o;
  auto counter = [&](const char* name, const char* help, auto get) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n";
    for (auto& r : rules) {
      o << name;
      label(o, *r);
      o << " " << get(*r) << "\n";
    }
  };
  counter("weir_rule_matched_total", "Messages delivered to the rule.", [](Rule& r) { return r.m.matched.load(); });
  counter("weir_rule_passed_total", "Messages the rule handled without an error.", [](Rule& r) { return r.m.passed.load(); });
  counter("weir_rule_failed_total", "Messages whose handler hit a run-time error.", [](Rule& r) { return r.m.failed.load(); });
  counter("weir_rule_decode_errors_total", "Payloads that did not decode into the rule's type.",
          [](Rule& r) { return r.m.decode_errors.load(); });
  counter("weir_rule_published_total", "Messages the rule published.", [](Rule& r) { return r.m.published.load(); });
  counter("weir_rule_io_thread_total",
          "Messages the rule handled on the I/O thread (its actor was idle and its turns short) instead of a worker.",
          [](Rule& r) { return r.m.io_thread.load(); });
  counter("weir_rule_dropped_total", "QoS 0 messages dropped because the rule's mailbox was full.",
          [](Rule& r) { return r.m.dropped.load(); });
  o << "# HELP weir_rule_keys Live keys of a keyed rule.\n# TYPE weir_rule_keys gauge\n";
  for (auto& r : rules) { o << "weir_rule_keys"; label(o, *r); o << " " << r->m.keys.load() << "\n"; }
  state_metrics_text(o, *this);
  o << "# HELP weir_rule_latency_seconds Time from a message's arrival to the end of its handling.\n"
       "# TYPE weir_rule_latency_seconds histogram\n";
  for (auto& r : rules) {
    std::uint64_t cum = 0;
    std::string lab;
    {
      std::ostringstream l;
      label(l, *r);
      lab = l.str();
      lab = lab.substr(1, lab.size() - 2);   // rule="..."
    }
    for (std::size_t b = 0; b < kBucketCount; b++) {
      cum += r->m.latency[b].load();
      o << "weir_rule_latency_seconds_bucket{" << lab << ",le=\"";
      if (b < kBucketCount - 1) o << double(kLatencyBuckets[b]) / 1e6;
      else o << "+Inf";
      o << "\"} " << cum << "\n";
    }
    o << "weir_rule_latency_seconds_sum{" << lab << "} " << double(r->m.latency_sum_us.load()) / 1e6 << "\n";
    o << "weir_rule_latency_seconds_count{" << lab << "} " << cum << "\n";
  }
  weir_sched_counters c;
  weir_sched_get_counters(&c);
  o << "# TYPE weir_mqtt_connected gauge\nweir_mqtt_connected " << (connected.load() ? 1 : 0) << "\n";
  o << "# TYPE weir_mqtt_reconnects_total counter\nweir_mqtt_reconnects_total " << reconnects.load() << "\n";
  o << "# TYPE weir_mqtt_received_total counter\nweir_mqtt_received_total " << received.load() << "\n";
  o << "# TYPE weir_mqtt_acked_total counter\nweir_mqtt_acked_total " << acked.load() << "\n";
  o << "# TYPE weir_mqtt_dropped_qos0_total counter\nweir_mqtt_dropped_qos0_total " << dropped_qos0.load() << "\n";
  o << "# TYPE weir_mqtt_publish_failures_total counter\nweir_mqtt_publish_failures_total " << publish_failures.load() << "\n";
  o << "# TYPE weir_actor_messages_total counter\nweir_actor_messages_total " << c.delivered << "\n";
  o << "# TYPE weir_actor_refused_total counter\nweir_actor_refused_total " << c.refused_full << "\n";
  o << "# TYPE weir_actor_crashes_total counter\nweir_actor_crashes_total " << c.crashes << "\n";
  {
    std::lock_guard<std::mutex> g(mu_);
    o << "# TYPE weir_rule_in_flight gauge\nweir_rule_in_flight " << deliveries_.size() << "\n";
  }
  return o.str();
}

std::string Engine::summary() {
  std::ostringstream o;
  o << "rule                                  matched   passed   failed  decode-err  published\n";
  for (auto& r : rules) {
    char line[256];
    std::snprintf(line, sizeof line, "%-36s %8llu %8llu %8llu %11llu %10llu\n", r->name.substr(0, 36).c_str(),
                  (unsigned long long)r->m.matched.load(), (unsigned long long)r->m.passed.load(),
                  (unsigned long long)r->m.failed.load(), (unsigned long long)r->m.decode_errors.load(),
                  (unsigned long long)r->m.published.load());
    o << line;
  }
  o << state_summary(*this);
  return o.str();
}

}  // namespace weir::rule

// ---------------------------------------------------------------- the ccall entry points
using namespace weir::rule;

void weir::rule::release_hold(Hold* h) {
  if (!h || h->outstanding.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  if (h->delivery) engine().done(-1, h->delivery, 0, 0);   // the ack may leave now
  delete h;
}

namespace {
thread_local int current_rule = -1;   // the rule whose handler runs on this thread
thread_local Hold* current_hold = nullptr;   // its QoS 1/2 publishes not yet acknowledged

// A handler starts on this thread: a hold left by one that never reached ruleDone completes nothing.
void drop_hold() {
  if (Hold* h = current_hold) { current_hold = nullptr; release_hold(h); }
}

weir_obj* str(const std::string& s) { return weir_string_new(s.data(), s.size()); }
std::string take_string(weir_obj* s) {
  std::string r(weir_string_data(s), weir_string_len(s));
  weir_drop(s);
  return r;
}
bool take_bool(weir_obj* b) {
  bool v = b->tag == 1;
  weir_drop(b);
  return v;
}
// A Weir [(String, String)]: cons cells (tag 1, head, tail) of pairs (tag 0, a, b). Borrowed.
std::vector<std::pair<std::string, std::string>> string_pairs(const weir_obj* list) {
  std::vector<std::pair<std::string, std::string>> out;
  while (list->tag == 1) {
    const weir_con* cell = (const weir_con*)list;
    const weir_con* pair = (const weir_con*)cell->fields[0];
    out.emplace_back(std::string(weir_string_data(pair->fields[0]), weir_string_len(pair->fields[0])),
                     std::string(weir_string_data(pair->fields[1]), weir_string_len(pair->fields[1])));
    list = cell->fields[1];
  }
  return out;
}
}  // namespace

extern "C" {

// Rule.weir: ruleStart :: IO Int -- parses the command line; -1 to go on, else the exit status
// the program must end with (0 after --help).
weir_obj* weir_rule_start(void) {
  Engine& e = engine();
  int code = 0;
  if (!parse_options(weir_argc, weir_argv, e.opt, &code)) return weir_box_int(code);
  const std::string& l = e.opt.log_level;
  e.level = l == "error" ? Level::error : l == "warn" ? Level::warn : l == "debug" ? Level::debug : Level::info;
  weir_rt_shutdown_hook = [](int code) { engine().request_stop(code, ""); };
  return weir_box_int(-1);
}

// ruleAdd :: String -> String -> Int -> Pid Delivery -> IO Int
weir_obj* weir_rule_add(weir_obj* kind, weir_obj* filter, weir_obj* qos, weir_obj* pid) {
  weir_actor* a = weir_lang_pid_actor(pid);
  weir_actor_retain(a);
  // Deliveries waiting for a busy (or descheduled) rule: at ~300 bytes each the default of
  // 65,536 let one stall of the worker take 20 MB; when this is full, reading from the broker
  // pauses (QoS 0 messages are dropped and counted, as before, only sooner).
  weir_actor_set_mailbox_cap(a, kRuleMailbox);
  weir_drop(pid);
  int64_t q = weir_take_int(qos);
  return weir_box_int(engine().add(take_string(kind), take_string(filter), int(q), a));
}

// ruleAddTimer :: String -> IO Int
weir_obj* weir_rule_add_timer(weir_obj* name) {
  return weir_box_int(engine().add("every " + take_string(name), "", 0, nullptr));
}

// ruleBegin :: Int -> IO () -- the handler of rule r starts on this thread (for `publish`).
weir_obj* weir_rule_begin(weir_obj* rule) {
  current_rule = int(weir_take_int(rule));
  drop_hold();
  if (Rule* r = engine().rule(current_rule)) r->m.matched.fetch_add(1, std::memory_order_relaxed);
  return WEIR_UNIT;
}

// ruleEnter :: Int -> IO () -- more of rule r's work runs on this thread (a keyed rule's key
// actor): what it publishes counts for r. Does not count a match.
weir_obj* weir_rule_enter(weir_obj* rule) {
  current_rule = int(weir_take_int(rule));
  drop_hold();
  return WEIR_UNIT;
}

// ruleDone :: Int -> Int -> Int -> Int -> IO () -- rule, delivery, outcome, arrival (ns)
weir_obj* weir_rule_done(weir_obj* rule, weir_obj* delivery, weir_obj* outcome, weir_obj* arrived) {
  int r = int(weir_take_int(rule));
  std::uint64_t d = std::uint64_t(weir_take_int(delivery));
  int o = int(weir_take_int(outcome));
  std::uint64_t at = std::uint64_t(weir_take_int(arrived));
  current_rule = -1;
  if (Hold* h = current_hold) {   // the ack waits for what the handler published
    current_hold = nullptr;
    engine().done(r, 0, o, at);   // the rule's counters now
    h->delivery = d;
    release_hold(h);
  } else {
    engine().done(r, d, o, at);
  }
  return WEIR_UNIT;
}

// ruleError :: Int -> String -> IO () -- logged (rate-limited) under the rule's name.
weir_obj* weir_rule_error(weir_obj* rule, weir_obj* text) {
  Rule* r = engine().rule(int(weir_take_int(rule)));
  std::string t = take_string(text);
  if (r) engine().log_rule_error(*r, t);
  return WEIR_UNIT;
}

// ruleKeys :: Int -> Int -> IO () -- a keyed rule's live keys.
weir_obj* weir_rule_keys(weir_obj* rule, weir_obj* n) {
  Rule* r = engine().rule(int(weir_take_int(rule)));
  int64_t k = weir_take_int(n);
  if (r) r->m.keys.store(k, std::memory_order_relaxed);   // relaxed: a gauge
  return WEIR_UNIT;
}

// ruleRun :: IO Int -- connects (or replays) and runs until stopped; the exit status.
weir_obj* weir_rule_run(void) {
  Engine& e = engine();
  int code = e.opt.replay.empty() ? run_broker(e) : run_replay(e);
  weir_stdout_flush();   // a replay too: its decode errors, late values, keys at the end
  std::fprintf(stderr, "%s", e.summary().c_str());
  for (auto& r : e.rules) {
    if (r->actor) { weir_actor_stop(r->actor); weir_actor_release(r->actor); r->actor = nullptr; }
  }
  weir_rt_shutdown_hook = nullptr;
  return weir_box_int(code);
}

}  // extern "C"

namespace {
// A publish from Weir code: counted for the rule running on this thread, and (QoS 1/2 to a
// broker) added to its hold so that the delivery's ack waits for the broker's confirmation.
void publish_from_rule(weir_obj* topic, weir_obj* payload, weir_obj* qos, weir_obj* retain, MsgProps props) {
  std::string t = take_string(topic);
  std::string p(weir_string_data(payload), weir_string_len(payload));
  weir_drop(payload);
  int q = int(weir_take_int(qos));
  bool ret = take_bool(retain);
  Hold* h = nullptr;
  if (Rule* r = engine().rule(current_rule)) {
    r->m.published.fetch_add(1, std::memory_order_relaxed);
    if (q > 0 && to_broker()) {   // only a broker confirms; replays and tests hold nothing
      if (!current_hold) current_hold = new Hold;
      current_hold->outstanding.fetch_add(1, std::memory_order_relaxed);
      h = current_hold;
    }
  }
  publish(std::move(t), std::move(p), q, ret, std::move(props), h);
}
}  // namespace

extern "C" {

// Mqtt.weir: publishRaw :: String -> Bytes -> Int -> Bool -> [(String, String)] -> IO ()
weir_obj* weir_mqtt_publish(weir_obj* topic, weir_obj* payload, weir_obj* qos, weir_obj* retain, weir_obj* props) {
  MsgProps mp;
  mp.user = string_pairs(props);
  weir_drop(props);
  publish_from_rule(topic, payload, qos, retain, std::move(mp));
  return WEIR_UNIT;
}

// Mqtt.weir: publishProps :: String -> Bytes -> Int -> Bool -> RawProps -> IO ()
weir_obj* weir_mqtt_publish_props(weir_obj* topic, weir_obj* payload, weir_obj* qos, weir_obj* retain, weir_obj* props) {
  MsgProps mp = props_of(props);
  weir_drop(props);
  publish_from_rule(topic, payload, qos, retain, std::move(mp));
  return WEIR_UNIT;
}

// Mqtt.weir: topicMatches :: String -> String -> Bool (an invalid filter matches nothing)
weir_obj* weir_mqtt_topic_matches(weir_obj* filter, weir_obj* topic) {
  std::string_view f(weir_string_data(filter), weir_string_len(filter));
  std::string_view t(weir_string_data(topic), weir_string_len(topic));
  bool m = weir::mqtt::is_valid_topic_filter(f) && weir::mqtt::topic_matches(f, t);
  weir_drop(filter);
  weir_drop(topic);
  return WEIR_BOOL(m);
}

}  // extern "C"

extern "C" {
// ruleReplaying :: IO Bool -- running over a file (--replay), not a broker: timers do not run.
weir_obj* weir_rule_replaying(void) { return WEIR_BOOL(!engine().opt.replay.empty()); }
}
