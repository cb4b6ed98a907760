// Asio transport for the MQTT session. See client.hpp and docs/runtime-mqtt.md.
#include "weir/mqtt/client.hpp"

#include <asio.hpp>
#ifdef WEIR_NO_TLS
#include "no_tls.hpp"  // `weir build --no-tls`: no OpenSSL
#else
#include <asio/ssl.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#endif
#include <charconv>
#include <cstring>
#include <deque>
#include <fstream>
#include <stdexcept>
#include "weir/mqtt/reason.hpp"
#include "weir/mqtt/validate.hpp"

namespace weir::mqtt {

using tcp = asio::ip::tcp;

// ---- options --------------------------------------------------------------------------------

std::string apply_url(ClientOptions& o, std::string_view url) {
  bool tls = false;
  std::string_view rest = url;
  if (auto at = url.find("://"); at != url.npos) {
    const std::string_view scheme = url.substr(0, at);
    if (scheme == "mqtts" || scheme == "ssl" || scheme == "tls") tls = true;
    else if (scheme != "mqtt" && scheme != "tcp")
      return "URL '" + std::string(url) + "': the scheme must be mqtt:// or mqtts://";
    rest = url.substr(at + 3);
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  std::string_view host = rest;
  std::uint16_t port = tls ? 8883 : 1883;
  std::size_t colon = rest.rfind(':');
  if (!rest.empty() && rest.front() == '[') {  // [IPv6]:port
    auto close = rest.find(']');
    if (close == rest.npos) return "URL '" + std::string(url) + "': unclosed '['";
    host = rest.substr(1, close - 1);
    colon = close + 1 < rest.size() && rest[close + 1] == ':' ? close + 1 : rest.npos;
  } else if (colon != rest.npos) {
    host = rest.substr(0, colon);
  }
  if (colon != rest.npos) {
    const std::string_view ps = rest.substr(colon + 1);
    unsigned v = 0;
    auto [end, ec] = std::from_chars(ps.data(), ps.data() + ps.size(), v);
    if (ec != std::errc{} || end != ps.data() + ps.size() || v == 0 || v > 65535)
      return "URL '" + std::string(url) + "': the port must be a number from 1 to 65535";
    port = std::uint16_t(v);
  }
  if (host.empty()) return "URL '" + std::string(url) + "': no host";
  o.host = std::string(host);
  o.port = port;
  o.tls.enabled = tls;
  return {};
}

std::string options_problem(const ClientOptions& o) {
  if (o.host.empty()) return "host must not be empty";
  if (o.port == 0) return "port must be from 1 to 65535";
  if (auto p = connect_problem(o.session); !p.empty()) return p;
  if (o.connect_timeout.count() <= 0) return "connect timeout must be positive";
  if (o.reconnect_min.count() <= 0 || o.reconnect_max < o.reconnect_min)
    return "reconnect backoff: need 0 < minimum <= maximum";
#ifdef WEIR_NO_TLS
  if (o.tls.enabled || !o.tls.ca_file.empty() || !o.tls.cert_file.empty() || !o.tls.key_file.empty())
    return kNoTlsProblem;
#endif
  for (auto* f : {&o.tls.ca_file, &o.tls.cert_file, &o.tls.key_file})
    if (!f->empty() && !std::ifstream(*f)) return "TLS file '" + *f + "' cannot be read";
  return {};
}

// ---- backoff --------------------------------------------------------------------------------

Backoff::Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max,
                 std::chrono::milliseconds healthy_after, std::uint64_t seed)
    : min_(std::max<std::chrono::milliseconds>(min, std::chrono::milliseconds(1))),
      max_(std::max(max, min_)), healthy_(healthy_after), rng_(seed) {}

std::chrono::milliseconds Backoff::next() {
  long long d = min_.count();
  for (unsigned i = 0; i < n_ && d < max_.count(); ++i) d *= 2;
  d = std::min<long long>(d, max_.count());
  std::uniform_int_distribution<long long> jitter(d / 2, d);
  ++n_;
  return std::chrono::milliseconds(std::max<long long>(jitter(rng_), 1));
}

void Backoff::connected(TimePoint now) { up_since_ = now; }

void Backoff::disconnected(TimePoint now) {
  if (up_since_ && now - *up_since_ >= healthy_) n_ = 0;
  up_since_.reset();
}

namespace {
// A resolver answer that will not change by asking again.
bool permanent_resolve_error(const asio::error_code& ec) {
  return ec == asio::error::host_not_found || ec == asio::error::service_not_found ||
         ec == asio::error::no_data;
}
bool is_tls_error(const asio::error_code& ec) { return ec.category() == asio::error::get_ssl_category(); }
}  // namespace

struct Client::Impl {
  Client& self;
  asio::io_context& io;
  ClientOptions opt;
  Session session;
  ClientStats stats;
  std::unique_ptr<asio::ssl::context> ssl_ctx;
  std::unique_ptr<tcp::socket> sock;
  std::unique_ptr<asio::ssl::stream<tcp::socket>> tls;
  // Closed connections are parked here until their cancelled handlers have run.
  std::deque<std::unique_ptr<tcp::socket>> old_socks;
  std::deque<std::unique_ptr<asio::ssl::stream<tcp::socket>>> old_tls;
  std::deque<std::vector<std::uint8_t>> old_wbufs;
  tcp::resolver resolver;
  asio::steady_timer connect_timer, keepalive_timer, reconnect_timer;
  std::vector<std::uint8_t> rbuf;
  std::size_t rlen = 0;
  std::vector<std::uint8_t> wbuf;
  std::uint64_t gen = 0;  // connection generation: stale handlers compare and return
  bool up = false;        // socket (and TLS) established
  bool started = false, stopping = false, writing = false, reading = false, paused = false;
  bool close_after_write = false;
  std::string close_why;
  bool close_permanent = false;
  std::uint8_t close_reason = 0;
  bool session_up = false;   // CONNACK accepted on this connection
  bool lingering = false;    // stop(): waiting for incoming flows before DISCONNECT
  std::string failed;        // the permanent failure that stopped the client
  std::string tls_note;      // what the certificate check found (name mismatch ...)
  Backoff backoff;
  asio::steady_timer linger_timer;
  std::optional<TimePoint> armed;  // the session timer's expiry
  std::function<void()> stop_done;
  // Subscriptions to renew when a connection starts without a session.
  struct Sub {
    std::vector<Subscription> subs;
    Properties props;
    std::uint16_t id;  // of the last SUBSCRIBE sent for it
  };
  std::vector<Sub> subs;

  Impl(Client& c, asio::io_context& i, ClientOptions o)
      : self(c), io(i), opt(std::move(o)), session(opt.session), resolver(i), connect_timer(i),
        keepalive_timer(i), reconnect_timer(i), rbuf(std::max<std::size_t>(opt.read_buffer, 4096)),
        backoff(opt.reconnect_min, opt.reconnect_max, opt.healthy_after, std::random_device{}()),
        linger_timer(i) {
    if (opt.tls.enabled) setup_tls();
  }

  void setup_tls() {
    ssl_ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    asio::error_code ec;
    ssl_ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                         asio::ssl::context::no_tlsv1_1);
    if (opt.tls.verify) {
      ssl_ctx->set_verify_mode(asio::ssl::verify_peer, ec);
      if (!opt.tls.ca_file.empty()) ssl_ctx->load_verify_file(opt.tls.ca_file, ec);
      else ssl_ctx->set_default_verify_paths(ec);
      if (ec) throw std::runtime_error("TLS CA file '" + opt.tls.ca_file + "': " + ec.message());
    } else {
      ssl_ctx->set_verify_mode(asio::ssl::verify_none);
    }
    if (!opt.tls.cert_file.empty()) {
      ssl_ctx->use_certificate_chain_file(opt.tls.cert_file, ec);
      if (ec) throw std::runtime_error("TLS certificate '" + opt.tls.cert_file + "': " + ec.message());
      ssl_ctx->use_private_key_file(opt.tls.key_file.empty() ? opt.tls.cert_file : opt.tls.key_file,
                                    asio::ssl::context::pem, ec);
      if (ec) throw std::runtime_error("TLS key '" + opt.tls.key_file + "': " + ec.message());
    }
  }

  tcp::socket& lowest() { return tls ? tls->next_layer() : *sock; }

  // ---- connecting -----------------------------------------------------------------------

  void connect() {
    const std::uint64_t g = ++gen;
    up = false;
    connect_timer.expires_after(opt.connect_timeout);
    connect_timer.async_wait([this, g](const asio::error_code& ec) {
      if (!ec && g == gen)
        close("connect timeout: no CONNACK within " + std::to_string(opt.connect_timeout.count()) +
              " ms", false);
    });
    resolver.async_resolve(opt.host, std::to_string(opt.port),
                           [this, g](const asio::error_code& ec, tcp::resolver::results_type res) {
      if (g != gen) return;
      if (ec) return close("resolve " + opt.host + ": " + ec.message(), permanent_resolve_error(ec));
      if (ssl_ctx) tls = std::make_unique<asio::ssl::stream<tcp::socket>>(io, *ssl_ctx);
      else sock = std::make_unique<tcp::socket>(io);
      asio::async_connect(lowest(), res, [this, g](const asio::error_code& ec2, const tcp::endpoint& ep) {
        if (g != gen) return;
        if (ec2)
          return close("connect to " + opt.host + " port " + std::to_string(opt.port) + ": " +
                       ec2.message(), false);
        (void)ep;
        asio::error_code ig;
        lowest().set_option(tcp::no_delay(true), ig);
        if (!tls) return established();
        const std::string name = opt.tls.server_name.empty() ? opt.host : opt.tls.server_name;
        asio::error_code addr_ec;
        asio::ip::make_address(name, addr_ec);
        if (addr_ec)  // SNI carries host names only (RFC 6066)
          SSL_set_tlsext_host_name(tls->native_handle(), name.c_str());
        tls_note.clear();
        if (opt.tls.verify) {
          tls->set_verify_callback([this, name, check = asio::ssl::host_name_verification(name)](
                                       bool preverified, asio::ssl::verify_context& vc) mutable {
            X509_STORE_CTX* ctx = vc.native_handle();
            const int depth = X509_STORE_CTX_get_error_depth(ctx);
            if (!preverified) {
              const int err = X509_STORE_CTX_get_error(ctx);
              if (tls_note.empty()) tls_note = X509_verify_cert_error_string(err);
              return false;
            }
            const bool ok = check(preverified, vc);
            if (!ok && depth == 0 && tls_note.empty())
              tls_note = "the server certificate is not valid for '" + name + "'";
            return ok;
          });
        }
        tls->async_handshake(asio::ssl::stream_base::client, [this, g](const asio::error_code& ec3) {
          if (g != gen) return;
          if (ec3) {
            // Certificate verification, protocol version, a refused client certificate: the
            // same again would fail the same way. A reset or EOF during the handshake may not.
            std::string why = "TLS handshake with " + opt.host + ": " + ec3.message();
            if (!tls_note.empty()) why += ": " + tls_note;
            return close(why, is_tls_error(ec3));
          }
          established();
        });
      });
    });
  }

  void established() {
    up = true;
    rlen = 0;
    ++stats.connects;
    session.connection_opened(Clock::now());
    process_events();  // a CONNECT that cannot be encoded fails here
    if (!up) return;
    read();
    flush();
  }

  // Ends the connection or attempt. Permanent: report and stop. Transient: report and, unless
  // stopping or reconnect is off, schedule the next attempt.
  void close(std::string why, bool permanent, std::uint8_t reason = 0) {
    ++gen;
    const bool was_up = up || sock || tls;
    const bool was_connected = session_up;
    session_up = false;
    up = false;
    writing = reading = false;
    close_after_write = false;
    connect_timer.cancel();
    keepalive_timer.cancel();
    resolver.cancel();
    asio::error_code ig;
    if (tls) {
      tls->next_layer().close(ig);
      old_tls.push_back(std::move(tls));
    }
    if (sock) {
      sock->close(ig);
      old_socks.push_back(std::move(sock));
    }
    while (old_tls.size() > 2) old_tls.pop_front();
    while (old_socks.size() > 2) old_socks.pop_front();
    old_wbufs.push_back(std::move(wbuf));
    wbuf = {};
    while (old_wbufs.size() > 2) old_wbufs.pop_front();
    linger_timer.cancel();
    lingering = false;
    armed.reset();
    session.connection_lost();
    backoff.disconnected(Clock::now());
    Disconnection d{std::move(why), permanent && !stopping, reason, was_connected, false, {}};
    if (stopping) {
      if (was_up && self.on_disconnected) self.on_disconnected(d);
      if (auto done = std::move(stop_done)) { stop_done = {}; done(); }
      return;
    }
    const bool fallback = reason == rc::unsupported_protocol_version && opt.fallback_v311 &&
                          session.config().version == Version::v5 && !was_connected;
    if (fallback) {
      session.set_version(Version::v311);
      d.permanent = false;
      d.retrying = true;
      d.why += " (trying again with MQTT 3.1.1)";
    } else if (d.permanent) {
      failed = d.why;
    } else if (opt.reconnect) {
      d.retrying = true;
      d.retry_in = backoff.next();
    }
    const auto delay = d.retry_in;
    const bool retry = d.retrying;
    if (self.on_disconnected) self.on_disconnected(d);
    if (retry && !stopping) schedule_reconnect(delay);
  }

  void schedule_reconnect(std::chrono::milliseconds delay) {
    reconnect_timer.expires_after(delay);
    reconnect_timer.async_wait([this](const asio::error_code& ec) {
      if (ec || stopping) return;
      ++stats.reconnects;
      connect();
    });
  }

  // A permanent failure before any connection (invalid options).
  void fail_now(std::string why) {
    failed = why;
    asio::post(io, [this, why = std::move(why)] {
      if (self.on_disconnected) self.on_disconnected(Disconnection{why, true, 0, false, false, {}});
    });
  }

  // ---- reading --------------------------------------------------------------------------

  template <class H>
  void read_some(asio::mutable_buffer b, H&& h) {
    if (tls) tls->async_read_some(b, std::forward<H>(h));
    else sock->async_read_some(b, std::forward<H>(h));
  }

  void read() {
    if (reading || paused || !up) return;
    if (rlen == rbuf.size()) rbuf.resize(rbuf.size() * 2);  // a packet larger than the buffer
    reading = true;
    const std::uint64_t g = gen;
    read_some(asio::buffer(rbuf.data() + rlen, rbuf.size() - rlen),
              [this, g](const asio::error_code& ec, std::size_t n) {
      if (g != gen) return;
      reading = false;
      if (ec) {
        if (ec == asio::error::eof)
          return close(session_up ? "connection closed by the server"
                                  : "connection closed by the server before CONNACK", false);
        // A TLS alert before CONNACK (TLS 1.3 reports a refused client certificate here).
        if (is_tls_error(ec))
          return close("TLS with " + opt.host + ": " + ec.message(), !session_up);
        return close("read: " + ec.message(), false);
      }
      ++stats.reads;
      stats.bytes_in += n;
      rlen += n;
      const std::size_t used = session.receive(std::span(rbuf.data(), rlen), Clock::now());
      if (used) {
        std::memmove(rbuf.data(), rbuf.data() + used, rlen - used);
        rlen -= used;
      }
      if (rlen == 0 && rbuf.size() > std::max<std::size_t>(opt.read_buffer, 4096)) {
        rbuf.resize(std::max<std::size_t>(opt.read_buffer, 4096));
        rbuf.shrink_to_fit();
      }
      process_events();
      if (g != gen) return;
      if (lingering && !session.incoming_busy()) return send_disconnect();
      flush();
      arm_timer();
      read();
    });
  }

  // ---- writing --------------------------------------------------------------------------

  void flush() {
    if (writing || !up || !session.has_output()) {
      if (!writing && up && close_after_write) close(close_why, close_permanent, close_reason);
      return;
    }
    session.take_output(wbuf);
    writing = true;
    const std::uint64_t g = gen;
    auto handler = [this, g](const asio::error_code& ec, std::size_t n) {
      if (g != gen) return;
      writing = false;
      if (ec) return close("write: " + ec.message(), false);
      ++stats.writes;
      stats.bytes_out += n;
      process_events();
      if (g != gen) return;
      flush();
    };
    if (tls) asio::async_write(*tls, asio::buffer(wbuf), std::move(handler));
    else asio::async_write(*sock, asio::buffer(wbuf), std::move(handler));
  }

  // The session's next deadline (keep-alive, acknowledgement or partial-packet timeout).
  // Re-armed only when the deadline moved earlier than the armed one (after a read or a
  // request); a timer that fires early just calls `tick`, which does nothing, and re-arms.
  void arm_timer() {
    auto d = session.next_deadline();
    if (!d || (armed && *armed <= *d)) return;
    armed = *d;
    const std::uint64_t g = gen;
    keepalive_timer.expires_at(*d);
    keepalive_timer.async_wait([this, g](const asio::error_code& ec) {
      if (ec || g != gen) return;
      armed.reset();
      session.tick(Clock::now());
      process_events();
      if (g != gen) return;
      flush();
      arm_timer();
    });
  }

  void send_disconnect() {
    lingering = false;
    linger_timer.cancel();
    session.disconnect();
    close_after_write = true;
    close_why = "stopped";
    close_permanent = false;
    close_reason = 0;
    flush();
  }

  // ---- events ---------------------------------------------------------------------------

  void process_events() {
    std::vector<Event> evs;
    while (!session.events().empty()) {
      evs.clear();
      evs.swap(session.events());
      for (auto& e : evs) {
        if (auto* m = std::get_if<MessageEvent>(&e)) {
          if (self.on_message) self.on_message(m->msg, m->ack_id);
        } else if (auto* d = std::get_if<PublishDoneEvent>(&e)) {
          if (self.on_publish_done) self.on_publish_done(d->token, d->reason, d->why);
        } else if (auto* c = std::get_if<ConnectedEvent>(&e)) {
          connect_timer.cancel();
          session_up = true;
          backoff.connected(Clock::now());
          if (!c->session_present && stats.connects > 1) {
            // A new session: renew what was subscribed (the session resends unacknowledged
            // SUBSCRIBEs itself, so only those already acknowledged).
            for (auto& s : subs)
              if (!session.subscribe_pending(s.id)) s.id = session.subscribe(s.subs, s.props).packet_id;
          }
          arm_timer();
          if (self.on_connected) self.on_connected(c->session_present);
        } else if (auto* s = std::get_if<SubackEvent>(&e)) {
          if (self.on_suback) self.on_suback(s->packet_id, s->reasons, s->why);
        } else if (std::get_if<ReadyEvent>(&e)) {
          if (self.on_ready) self.on_ready();
        } else if (auto* cl = std::get_if<ClosedEvent>(&e)) {
          // Write what is pending (DISCONNECT), then close.
          close_after_write = true;
          close_why = cl->why;
          close_permanent = cl->permanent;
          close_reason = cl->reason;
        }
      }
    }
    if (close_after_write && up && !writing && !session.has_output())
      close(close_why, close_permanent, close_reason);
  }
};

Client::Client(asio::io_context& io, ClientOptions opt)
    : impl_(std::make_unique<Impl>(*this, io, std::move(opt))) {}

Client::~Client() {
  impl_->stopping = true;
  impl_->stop_done = {};
  asio::error_code ig;
  if (impl_->tls) impl_->tls->next_layer().close(ig);
  if (impl_->sock) impl_->sock->close(ig);
}

void Client::start() {
  if (impl_->started) return;
  impl_->started = true;
  if (auto why = options_problem(impl_->opt); !why.empty()) return impl_->fail_now(std::move(why));
  impl_->connect();
}

PublishResult Client::publish(Publish msg) {
  PublishResult r = impl_->session.publish(std::move(msg));
  impl_->flush();
  impl_->arm_timer();
  return r;
}

RequestResult Client::subscribe(std::vector<Subscription> subs, Properties props) {
  auto r = impl_->session.subscribe(subs, props);
  if (!r.ok()) return r;
  impl_->subs.push_back({std::move(subs), std::move(props), r.packet_id});
  impl_->flush();
  impl_->arm_timer();
  return r;
}

RequestResult Client::unsubscribe(std::vector<std::string> filters) {
  auto r = impl_->session.unsubscribe(filters);
  if (!r.ok()) return r;
  for (auto& f : filters)
    for (auto& e : impl_->subs)
      std::erase_if(e.subs, [&](const Subscription& s) { return s.filter == f; });
  std::erase_if(impl_->subs, [](auto& e) { return e.subs.empty(); });
  impl_->flush();
  impl_->arm_timer();
  return r;
}

bool Client::ack(std::uint64_t ack_id, std::uint8_t reason) {
  const bool ok = impl_->session.ack(ack_id, reason);
  if (ok) {
    impl_->flush();
    if (impl_->lingering && !impl_->session.incoming_busy()) impl_->send_disconnect();
  }
  return ok;
}

void Client::abandon_unacked() {
  impl_->session.abandon_unacked();
  impl_->flush();
}

void Client::stop(std::function<void()> done) {
  auto& d = *impl_;
  d.stopping = true;
  d.stop_done = std::move(done);
  d.reconnect_timer.cancel();
  if (d.up && d.session.state() == SessionState::connected) {
    d.session.drain();
    if (!d.session.incoming_busy()) return d.send_disconnect();
    // Incoming QoS 2 flows (PUBREL) or deferred acknowledgements are still open: the read
    // loop sends DISCONNECT once they are done, or the linger timer does.
    d.lingering = true;
    const std::uint64_t g = d.gen;
    d.linger_timer.expires_after(d.opt.stop_linger);
    d.linger_timer.async_wait([&d, g](const asio::error_code& ec) {
      if (!ec && g == d.gen && d.lingering) d.send_disconnect();
    });
  } else {
    d.close("stopped", false);
  }
}

void Client::pause_reading() { impl_->paused = true; }
void Client::resume_reading() {
  impl_->paused = false;
  impl_->read();
}
bool Client::connected() const noexcept {
  return impl_->up && impl_->session.state() == SessionState::connected;
}
Session& Client::session() noexcept { return impl_->session; }
const ClientStats& Client::stats() const noexcept { return impl_->stats; }
const std::string& Client::failure() const noexcept { return impl_->failed; }

ClientCounters Client::counters() const noexcept {
  const auto& s = impl_->session;
  const auto& ss = s.stats();
  ClientCounters c;
  c.connects = impl_->stats.connects;
  c.reconnects = impl_->stats.reconnects;
  c.inflight = s.inflight();
  c.queued = s.queued();
  c.unacked_in = s.unacked_incoming();
  c.published = ss.published;
  c.received = ss.received;
  c.resent = ss.resent;
  c.requeued = ss.requeued;
  c.dropped_qos0 = ss.dropped_qos0;
  return c;
}

}  // namespace weir::mqtt
