// Running against a broker: one I/O thread runs Asio with the MQTT client (runtime/mqtt) and the
// metrics endpoint (metrics.cpp). A message from the broker becomes a Weir `Delivery` value and
// goes to every rule actor whose filter matches; it is acknowledged to the broker (QoS 1/2, the
// client's manual acks) only when every one of them has handled it, so a process killed at any
// moment loses nothing: the broker delivers again what was not acknowledged (at-least-once).
// Backpressure: a full rule mailbox pauses reading from the socket (TCP flow control up to the
// broker) until it has room; only QoS 0 messages are dropped then, and counted.
// What the rules publish leaves on a second connection (client id + "-out", a clean session),
// so that reading inputs can also pause while too many outputs wait for the broker: the broker
// confirms at most its receive maximum (Mosquitto: 20) of our publishes at a time, and on the
// one connection its PUBACKs would sit behind the inputs we stopped reading. Mosquitto 2.0.11
// does not keep to our own Receive Maximum when acknowledgements are slow, so without this the
// backlog (and our memory) grew with the stream: 36,000 outputs queued at 200,000 messages.
// A rule actor that is idle when its message comes runs its turn right there on the I/O thread
// (a guest turn, weir_try_send_run: crash-isolated as on a worker), so a message, its publishes
// and its acknowledgement cross no thread, as in a hand-written single-threaded client; a rule
// whose turns take long (kInlineMaxNs) goes back to the workers for a while, so that one slow
// rule does not hold up reading and the other rules.
// Threading: everything here runs on the I/O thread, except publish() and the ack sink, which
// post to it when called from a worker, and run_broker() itself (the program thread, which waits).
#include <asio.hpp>

#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <future>
#include <mutex>
#include <pthread.h>
#include <utility>

#include "engine.hpp"
#include "weir/mqtt/client.hpp"
#include "weir/mqtt/topic.hpp"

extern "C" {
#include "../object/values.h"
void weir_rt_thread_signals(void);   // runtime/object/io.c
void weir_heap_thread_exit(void);    // runtime/object/object.c
}

namespace weir::rule {

void start_metrics(asio::io_context& io, Engine& e);   // metrics.cpp

namespace {

thread_local bool on_io_thread = false;   // the Bridge's I/O thread (guest turns run there)

struct Bridge {
  Engine& e;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<mqtt::Client> client;   // subscriptions, inputs and their acknowledgements
  std::unique_ptr<mqtt::Client> out;      // what the rules publish
  asio::steady_timer retry{io};
  std::deque<Engine::Pending> blocked;   // deliveries waiting for room in a rule mailbox, in order
  std::deque<std::pair<mqtt::Publish, Hold*>> unsent;   // waiting for room in the client's queue
  std::unordered_map<std::uint64_t, Hold*> holds;        // QoS 1/2 publishes by token, until done
  bool paused = false, retrying = false;   // paused: deliveries wait for room in a mailbox
  bool out_full = false;     // too many outputs waiting for the broker
  bool reading_paused = false;   // the input connection's reading: paused || out_full
  static constexpr std::size_t kOutHigh = 1000, kOutLow = 250;   // outputs queued or unconfirmed
  bool subscribed = false;   // the client renews subscriptions itself on later connections

  // Work the workers hand to the I/O thread, drained by one posted handler per batch (a post
  // for each acknowledgement and each publish woke the I/O thread once per message).
  std::mutex inbox_mu;
  std::vector<std::uint64_t> inbox_acks, drain_acks;
  std::vector<std::pair<mqtt::Publish, Hold*>> inbox_pubs, drain_pubs;
  bool inbox_posted = false;
  std::vector<Rule*> hits_;   // on_message's matching rules

  // Guest turns, per rule id: the turn's time, smoothed (ns), and how many deliveries still go
  // to the workers after a slow one.
  struct Inline { std::uint64_t avg_ns = 0; std::uint32_t off = 0; };
  std::vector<Inline> inline_;
  static constexpr std::uint64_t kInlineMaxNs = 200'000;   // 0.2 ms: ~20 typical rule turns
  static constexpr std::uint32_t kInlineOff = 1000;         // deliveries before trying again
  static constexpr std::uint64_t kInlineStallNs = 20'000'000;   // 20 ms: one such turn is enough

  explicit Bridge(Engine& en) : e(en) {}

  // `add` puts work in the inbox (under its lock); the first since the last drain posts one.
  template <class F> void post_work(F add) {
    bool post;
    {
      std::lock_guard<std::mutex> g(inbox_mu);
      add();
      post = !std::exchange(inbox_posted, true);
    }
    if (post) asio::post(io, [this] { drain_inbox(); });
  }
  void post_ack(std::uint64_t ack_id) {
    if (on_io_thread) { ack(ack_id); return; }   // acks may leave in any order (Session::ack)
    post_work([&] { inbox_acks.push_back(ack_id); });
  }
  void post_publish(mqtt::Publish p, Hold* h) {
    if (on_io_thread) {   // a guest turn's publish: after what workers published before it
      if (inbox_pending()) drain_inbox();
      send(std::move(p), h);
      return;
    }
    post_work([&] { inbox_pubs.emplace_back(std::move(p), h); });
  }
  bool inbox_pending() {
    std::lock_guard<std::mutex> g(inbox_mu);
    return inbox_posted;
  }

  void drain_inbox() {
    {
      std::lock_guard<std::mutex> g(inbox_mu);
      drain_acks.swap(inbox_acks);
      drain_pubs.swap(inbox_pubs);
      inbox_posted = false;
    }
    for (auto& [p, h] : drain_pubs) send(std::move(p), h);
    drain_pubs.clear();
    for (auto a : drain_acks) ack(a);
    drain_acks.clear();
  }

  void on_message(mqtt::Publish& m, std::uint64_t ack_id) {
    e.received.fetch_add(1, std::memory_order_relaxed);   // relaxed: statistics
    std::vector<Rule*>& hits = hits_;   // reused: no allocation per message
    hits.clear();
    for (auto& r : e.rules)
      if (r->actor && !r->match.empty() && mqtt::topic_matches(r->match, m.topic)) hits.push_back(r.get());
    if (hits.empty()) {
      if (ack_id) ack(ack_id);
      return;
    }
    std::uint64_t id = e.begin_delivery(int(hits.size()), ack_id);
    weir_obj* raw = raw_message(m.topic, m.payload, m.qos, m.retain, props_value(m.props));
    for (std::size_t i = 0; i < hits.size(); i++) {
      if (i + 1 < hits.size()) weir_dup(raw);
      weir_obj* f[2] = {raw, weir_box_int(std::int64_t(id))};
      Engine::Pending p{hits[i]->actor, weir_con_new(0, 2, f), hits[i]->id, id, m.qos};
      if (!blocked.empty()) { blocked.push_back(p); continue; }   // keep the order behind them
      if (!deliver(p)) { blocked.push_back(p); pause(); }
    }
  }

  // False when the rule's mailbox is full and the message must wait (QoS 1/2).
  bool deliver(const Engine::Pending& p) {
    weir_dup(p.delivery);   // try_send consumes a reference even when it refuses
    int r = send_to_rule(p);
    if (r == WEIR_SEND_OK) { weir_drop(p.delivery); return true; }
    if (r == WEIR_SEND_FULL && p.qos > 0) return false;
    weir_drop(p.delivery);
    if (r == WEIR_SEND_FULL) {   // QoS 0: dropped, counted
      e.dropped_qos0.fetch_add(1, std::memory_order_relaxed);
      if (Rule* rr = e.rule(p.rule)) rr->m.dropped.fetch_add(1, std::memory_order_relaxed);
    }
    e.done(-1, p.id, 0, 0);   // nothing will handle it: it must not hold back the ack
    return true;
  }

  // The send, and the rule's turn here when its actor was idle (unless its turns are slow).
  int send_to_rule(const Engine::Pending& p) {
    if (p.rule < 0) return weir_try_send(p.actor, p.delivery);
    if (inline_.size() <= std::size_t(p.rule)) inline_.resize(std::size_t(p.rule) + 1);
    Inline& in = inline_[std::size_t(p.rule)];
    if (in.off) { in.off--; return weir_try_send(p.actor, p.delivery); }
    std::uint64_t t0 = now_ns();
    int ran = 0;
    int r = weir_try_send_run(p.actor, p.delivery, &ran);
    if (!ran) return r;
    if (Rule* rr = e.rule(p.rule)) rr->m.io_thread.fetch_add(1, std::memory_order_relaxed);   // relaxed: a count
    // Wall time: a turn that lost the CPU to another process looks slow too, so one sample
    // counts for at most twice the limit and the average is slow to move (a handler slower than
    // the limit turns it off after about a dozen turns; a preemption now and then never does).
    // One turn past kInlineStallNs (a handler that sleeps or waits for a `call`) is enough.
    std::uint64_t wall = now_ns() - t0;
    std::uint64_t t = std::min<std::uint64_t>(wall, 2 * kInlineMaxNs);
    in.avg_ns = (in.avg_ns * 15 + t) / 16;
    if (in.avg_ns > kInlineMaxNs || wall > kInlineStallNs) { in.off = kInlineOff; in.avg_ns = kInlineMaxNs / 2; }
    return r;
  }

  void pause() {
    paused = true;
    update_reading();
    if (retrying) return;
    retrying = true;
    retry.expires_after(std::chrono::milliseconds(1));
    retry.async_wait([this](const asio::error_code&) {
      retrying = false;
      while (!blocked.empty() && deliver(blocked.front())) blocked.pop_front();
      if (blocked.empty()) {
        paused = false;
        update_reading();
      } else {
        pause();
      }
    });
  }

  void ack(std::uint64_t ack_id) {
    if (client->ack(ack_id)) e.acked.fetch_add(1, std::memory_order_relaxed);
  }

  void send(mqtt::Publish p, Hold* h) {
    if (!unsent.empty()) unsent.emplace_back(std::move(p), h);
    else if (!try_send(p, h)) unsent.emplace_back(std::move(p), h);
    check_out();
  }

  std::size_t out_backlog() {
    auto c = out->counters();
    return std::size_t(c.queued + c.inflight) + unsent.size();
  }

  // Inputs wait in the broker (TCP flow control on the input connection) while the outputs
  // of those already taken in wait for it.
  void check_out() {
    if (!out_full && out_backlog() >= kOutHigh) out_full = true;
    else if (out_full && out_backlog() <= kOutLow) out_full = false;
    update_reading();
  }

  // Reading inputs is paused while either reason holds.
  void update_reading() {
    bool want = paused || out_full;
    if (want == reading_paused) return;
    reading_paused = want;
    if (want) client->pause_reading();
    else client->resume_reading();
  }

  // False when the client's queue is full (try again on_ready). A publish the client accepted
  // releases its hold when the broker acknowledges it (QoS 1/2) or at once (QoS 0); one it
  // refuses is counted, logged and released (its delivery must not wait for ever).
  bool try_send(mqtt::Publish& p, Hold* h) {
    auto r = out->publish(p);
    if (r.status == mqtt::Accept::queue_full) return false;
    if (r.status != mqtt::Accept::ok) {
      e.publish_failures.fetch_add(1, std::memory_order_relaxed);
      e.log(Level::warn, "cannot publish to `" + p.topic + "`: " + r.why);
      release_hold(h);
    } else if (h) {
      if (p.qos > 0 && r.token) holds[r.token] = h;
      else release_hold(h);
    }
    return true;
  }

  void publish_done(std::uint64_t token) {
    auto it = holds.find(token);
    if (it != holds.end()) {
      Hold* h = it->second;
      holds.erase(it);
      release_hold(h);
    }
    if (out_full) check_out();
  }

  void flush_unsent() {
    while (!unsent.empty()) {
      if (!try_send(unsent.front().first, unsent.front().second)) return;
      unsent.pop_front();
    }
    check_out();
  }

  std::vector<mqtt::Subscription> subscriptions() {
    std::vector<mqtt::Subscription> subs;
    for (auto& r : e.rules) {
      if (r->filter.empty()) continue;
      bool dup = false;
      for (auto& s : subs) if (s.filter == r->filter) { s.qos = std::max<std::uint8_t>(s.qos, std::uint8_t(r->qos)); dup = true; }
      if (!dup) subs.push_back(mqtt::Subscription{r->filter, std::uint8_t(r->qos)});
    }
    return subs;
  }
};

std::atomic<Bridge*> the_bridge{nullptr};   // set while run_broker runs (read by the workers)

std::string read_secret(const std::string& path, std::string& problem) {
  std::ifstream f(path);
  if (!f) { problem = "cannot read the password file `" + path + "`"; return ""; }
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

int run_broker(Engine& e) {
  mqtt::ClientOptions co;
  if (std::string p = mqtt::apply_url(co, e.opt.broker); !p.empty()) {
    e.log(Level::error, "--broker " + e.opt.broker + ": " + p);
    return 2;
  }
  co.session.client_id = e.opt.client_id;
  co.session.clean_start = e.opt.clean_start;
  co.session.session_expiry = std::uint32_t(e.opt.session_expiry);
  co.session.manual_acks = true;
  co.session.receive_maximum = std::uint16_t(e.opt.receive_maximum);
  co.session.announce_receive_maximum = true;
  co.session.tolerate_receive_maximum = true;   // see SessionConfig: Mosquitto 2.0.11 needs it
  if (!e.opt.username.empty()) co.session.username = e.opt.username;
  if (!e.opt.password_file.empty()) {
    std::string problem;
    std::string pw = read_secret(e.opt.password_file, problem);
    if (!problem.empty()) { e.log(Level::error, problem); return 2; }
    co.session.password = pw;
  }
  if (!e.opt.tls_ca.empty() || !e.opt.tls_cert.empty()) co.tls.enabled = true;
  co.tls.ca_file = e.opt.tls_ca;
  co.tls.cert_file = e.opt.tls_cert;
  co.tls.key_file = e.opt.tls_key;
  if (std::string p = mqtt::options_problem(co); !p.empty()) { e.log(Level::error, p); return 2; }

  // The output connection: a clean session of its own (what it has not had confirmed is sent
  // again by our session after a reconnect; the inputs waiting for it stay unacknowledged).
  mqtt::ClientOptions out_co = co;
  if (!co.session.client_id.empty()) out_co.session.client_id = co.session.client_id + "-out";
  out_co.session.clean_start = true;
  out_co.session.session_expiry = 0;
  out_co.session.manual_acks = false;
  out_co.session.announce_receive_maximum = false;
  out_co.session.tolerate_receive_maximum = false;

  Bridge b(e);
  try {
    b.client = std::make_unique<mqtt::Client>(b.io, co);
    b.out = std::make_unique<mqtt::Client>(b.io, out_co);
  } catch (const std::exception& ex) {
    e.log(Level::error, ex.what());
    return 2;
  }
  the_bridge.store(&b, std::memory_order_release);
  mqtt::Client& c = *b.client;
  c.on_message = [&b](mqtt::Publish& m, std::uint64_t ack_id) { b.on_message(m, ack_id); };
  c.on_connected = [&b, &e](bool session_present) {
    e.connected.store(true);
    e.log(Level::info, "connected to " + e.opt.broker + (session_present ? " (session resumed)" : ""));
    if (!b.subscribed) {
      b.subscribed = true;
      auto r = b.client->subscribe(b.subscriptions());
      if (!r.ok()) e.request_stop(2, "cannot subscribe: " + r.error);
    }
  };
  c.on_disconnected = [&e](const mqtt::Disconnection& d) {
    bool was = e.connected.exchange(false);
    if (e.stopping()) return;   // our own DISCONNECT
    if (d.permanent) { e.request_stop(2, "cannot go on: " + d.why); return; }
    if (was || d.retrying) e.reconnects.fetch_add(1, std::memory_order_relaxed);
    e.log(Level::warn, d.why + (d.retrying ? "; retrying in " + std::to_string(d.retry_in.count()) + " ms" : ""));
  };
  c.on_suback = [&e](std::uint16_t, const std::vector<std::uint8_t>& reasons, const std::string& why) {
    if (!why.empty()) { e.request_stop(2, "cannot subscribe: " + why); return; }
    for (auto rc : reasons)
      if (rc >= 0x80) { e.request_stop(2, "the broker refused a subscription (reason " + std::to_string(rc) + ")"); return; }
  };
  mqtt::Client& oc = *b.out;
  oc.on_disconnected = [&e](const mqtt::Disconnection& d) {
    if (e.stopping()) return;
    if (d.permanent) { e.request_stop(2, "cannot go on (publishing connection): " + d.why); return; }
    e.log(Level::warn, "publishing connection: " + d.why +
                           (d.retrying ? "; retrying in " + std::to_string(d.retry_in.count()) + " ms" : ""));
  };
  oc.on_publish_done = [&b, &e](std::uint64_t token, std::uint8_t reason, const std::string& why) {
    b.publish_done(token);
    if (reason >= 0x80) {
      e.publish_failures.fetch_add(1, std::memory_order_relaxed);
      e.log(Level::warn, "the broker refused a publish (reason " + std::to_string(reason) + ")" + (why.empty() ? "" : ": " + why));
    }
  };
  oc.on_ready = [&b] { b.flush_unsent(); };
  e.set_ack_sink([&b](std::uint64_t ack_id) {
    if (ack_id) b.post_ack(ack_id);
  });
  if (e.opt.metrics_port > 0) start_metrics(b.io, e);
  c.start();
  oc.start();
  // The I/O thread runs rules' turns too (guest turns): a worker's stack (256 MiB, committed as
  // used) and its stack-overflow handling, so a deep handler behaves the same on either thread.
  pthread_t io_thread;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, std::size_t(256) << 20);
  pthread_attr_setguardsize(&attr, 65536);
  int made = pthread_create(&io_thread, &attr, +[](void* p) -> void* {
    weir_rt_thread_signals();
    on_io_thread = true;
    static_cast<Bridge*>(p)->io.run();
    weir_heap_thread_exit();
    return nullptr;
  }, &b);
  pthread_attr_destroy(&attr);
  if (made != 0) {
    e.log(Level::error, "cannot start the I/O thread");
    the_bridge.store(nullptr, std::memory_order_release);
    return 2;
  }

  int code = e.wait_stop();
  // In order: no new messages, the in-flight ones acknowledged or left to the broker, DISCONNECT.
  std::promise<void> stopped;
  auto fut = stopped.get_future();
  // The input connection first: its last acknowledgements wait for outputs on the other one.
  asio::post(b.io, [&b, &stopped] {
    b.client->stop([&b, &stopped] { b.out->stop([&stopped] { stopped.set_value(); }); });
  });
  fut.wait_for(std::chrono::seconds(5));
  e.set_ack_sink({});
  asio::post(b.io, [&b] {
    b.retry.cancel();
    for (auto& p : b.blocked) weir_drop(p.delivery);
    b.blocked.clear();
    // Publishes the broker never confirmed: their holds go (no ack leaves: the sink is gone).
    for (auto& [token, h] : b.holds) release_hold(h);
    for (auto& [p, h] : b.unsent) release_hold(h);
    {
      std::lock_guard<std::mutex> g(b.inbox_mu);
      for (auto& [p, h] : b.inbox_pubs) release_hold(h);
      b.inbox_pubs.clear();
    }
    b.holds.clear();
    b.unsent.clear();
    b.work.reset();
    b.io.stop();
  });
  pthread_join(io_thread, nullptr);
  the_bridge.store(nullptr, std::memory_order_release);
  b.client.reset();
  b.out.reset();
  return code;
}

bool to_broker() { return the_bridge.load(std::memory_order_acquire) != nullptr; }

void publish(std::string topic, std::string payload, int qos, bool retain, MsgProps props, Hold* hold) {
  Engine& e = engine();
  if (capture_publish(topic, payload, qos, retain, props)) return;
  if (!e.opt.replay.empty()) {
    void print_publish(const std::string&, const std::string&, int, bool, const MsgProps&);
    print_publish(topic, payload, qos, retain, props);
    return;
  }
  Bridge* b = the_bridge.load(std::memory_order_acquire);
  if (!b) { release_hold(hold); return; }
  mqtt::Publish p;
  p.topic = std::move(topic);
  p.payload = std::move(payload);
  p.qos = std::uint8_t(qos < 0 ? 0 : qos > 2 ? 2 : qos);
  p.retain = retain;
  add_props(p.props, props);
  b->post_publish(std::move(p), hold);
}

}  // namespace weir::rule
