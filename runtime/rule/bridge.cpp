// Running against a broker: one I/O thread runs Asio with the MQTT client (runtime/mqtt) and the
// metrics endpoint (metrics.cpp). A message from the broker becomes a Weir `Delivery` value and
// goes to every rule actor whose filter matches; it is acknowledged to the broker (QoS 1/2, the
// client's manual acks) only when every one of them has handled it, so a process killed at any
// moment loses nothing: the broker delivers again what was not acknowledged (at-least-once).
// Backpressure: a full rule mailbox pauses reading from the socket (TCP flow control up to the
// broker) until it has room; only QoS 0 messages are dropped then, and counted.
// Threading: everything here runs on the I/O thread, except publish() and the ack sink, which
// post to it, and run_broker() itself (the program thread, which waits).
#include <asio.hpp>

#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <future>
#include <thread>

#include "engine.hpp"
#include "weir/mqtt/client.hpp"
#include "weir/mqtt/topic.hpp"

extern "C" {
#include "../object/values.h"
}

namespace weir::rule {

void start_metrics(asio::io_context& io, Engine& e);   // metrics.cpp

namespace {

struct Bridge {
  Engine& e;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<mqtt::Client> client;
  asio::steady_timer retry{io};
  std::deque<Engine::Pending> blocked;   // deliveries waiting for room in a rule mailbox, in order
  std::deque<std::pair<mqtt::Publish, Hold*>> unsent;   // waiting for room in the client's queue
  std::unordered_map<std::uint64_t, Hold*> holds;        // QoS 1/2 publishes by token, until done
  bool paused = false, retrying = false;
  bool subscribed = false;   // the client renews subscriptions itself on later connections

  explicit Bridge(Engine& en) : e(en) {}

  // RawMessage topic payload qos retain properties arrived (stdlib/Mqtt.weir)
  static weir_obj* raw_message(const mqtt::Publish& m) {
    weir_obj* payload = weir_string_new(m.payload.data(), m.payload.size());
    payload->kind = WEIR_BYTES;
    weir_obj* f[6] = {weir_string_new(m.topic.data(), m.topic.size()), payload, weir_box_int(m.qos),
                      WEIR_BOOL(m.retain), props_value(m.props), weir_box_int(std::int64_t(now_ns()))};
    return weir_con_new(0, 6, f);
  }

  void on_message(mqtt::Publish& m, std::uint64_t ack_id) {
    e.received.fetch_add(1, std::memory_order_relaxed);   // relaxed: statistics
    std::vector<Rule*> hits;
    for (auto& r : e.rules)
      if (r->actor && !r->match.empty() && mqtt::topic_matches(r->match, m.topic)) hits.push_back(r.get());
    if (hits.empty()) {
      if (ack_id) ack(ack_id);
      return;
    }
    std::uint64_t id = e.begin_delivery(int(hits.size()), ack_id);
    weir_obj* raw = raw_message(m);
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
    int r = weir_try_send(p.actor, p.delivery);
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

  void pause() {
    if (!paused) { paused = true; client->pause_reading(); }
    if (retrying) return;
    retrying = true;
    retry.expires_after(std::chrono::milliseconds(1));
    retry.async_wait([this](const asio::error_code&) {
      retrying = false;
      while (!blocked.empty() && deliver(blocked.front())) blocked.pop_front();
      if (blocked.empty()) {
        if (paused) { paused = false; client->resume_reading(); }
      } else {
        pause();
      }
    });
  }

  void ack(std::uint64_t ack_id) {
    if (client->ack(ack_id)) e.acked.fetch_add(1, std::memory_order_relaxed);
  }

  void send(mqtt::Publish p, Hold* h) {
    if (!unsent.empty()) { unsent.emplace_back(std::move(p), h); return; }
    if (!try_send(p, h)) unsent.emplace_back(std::move(p), h);
  }

  // False when the client's queue is full (try again on_ready). A publish the client accepted
  // releases its hold when the broker acknowledges it (QoS 1/2) or at once (QoS 0); one it
  // refuses is counted, logged and released (its delivery must not wait for ever).
  bool try_send(mqtt::Publish& p, Hold* h) {
    auto r = client->publish(p);
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
    if (it == holds.end()) return;
    Hold* h = it->second;
    holds.erase(it);
    release_hold(h);
  }

  void flush_unsent() {
    while (!unsent.empty()) {
      if (!try_send(unsent.front().first, unsent.front().second)) return;
      unsent.pop_front();
    }
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

  Bridge b(e);
  try {
    b.client = std::make_unique<mqtt::Client>(b.io, co);
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
  c.on_publish_done = [&b, &e](std::uint64_t token, std::uint8_t reason, const std::string& why) {
    b.publish_done(token);
    if (reason >= 0x80) {
      e.publish_failures.fetch_add(1, std::memory_order_relaxed);
      e.log(Level::warn, "the broker refused a publish (reason " + std::to_string(reason) + ")" + (why.empty() ? "" : ": " + why));
    }
  };
  c.on_ready = [&b] { b.flush_unsent(); };
  e.set_ack_sink([&b](std::uint64_t ack_id) {
    if (ack_id) asio::post(b.io, [&b, ack_id] { b.ack(ack_id); });
  });
  if (e.opt.metrics_port > 0) start_metrics(b.io, e);
  c.start();
  std::thread io_thread([&b] { b.io.run(); });

  int code = e.wait_stop();
  // In order: no new messages, the in-flight ones acknowledged or left to the broker, DISCONNECT.
  std::promise<void> stopped;
  auto fut = stopped.get_future();
  asio::post(b.io, [&b, &stopped] { b.client->stop([&stopped] { stopped.set_value(); }); });
  fut.wait_for(std::chrono::seconds(5));
  e.set_ack_sink({});
  asio::post(b.io, [&b] {
    b.retry.cancel();
    for (auto& p : b.blocked) weir_drop(p.delivery);
    b.blocked.clear();
    // Publishes the broker never confirmed: their holds go (no ack leaves: the sink is gone).
    for (auto& [token, h] : b.holds) release_hold(h);
    for (auto& [p, h] : b.unsent) release_hold(h);
    b.holds.clear();
    b.unsent.clear();
    b.work.reset();
    b.io.stop();
  });
  io_thread.join();
  the_bridge.store(nullptr, std::memory_order_release);
  b.client.reset();
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
  asio::post(b->io, [b, p = std::move(p), hold]() mutable { b->send(std::move(p), hold); });
}

}  // namespace weir::rule
