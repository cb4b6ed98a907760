// Asio transport for the MQTT session. See client.hpp and docs/runtime-mqtt.md.
#include "weir/mqtt/client.hpp"

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <openssl/ssl.h>
#include <cstring>
#include <deque>
#include <stdexcept>

namespace weir::mqtt {

using tcp = asio::ip::tcp;

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
  unsigned attempt = 0;
  std::mt19937_64 rng{std::random_device{}()};
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
        keepalive_timer(i), reconnect_timer(i), rbuf(std::max<std::size_t>(opt.read_buffer, 4096)) {
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
      if (!ec && g == gen) close("connect timeout", true);
    });
    resolver.async_resolve(opt.host, std::to_string(opt.port),
                           [this, g](const asio::error_code& ec, tcp::resolver::results_type res) {
      if (g != gen) return;
      if (ec) return close("resolve " + opt.host + ": " + ec.message(), true);
      if (ssl_ctx) tls = std::make_unique<asio::ssl::stream<tcp::socket>>(io, *ssl_ctx);
      else sock = std::make_unique<tcp::socket>(io);
      asio::async_connect(lowest(), res, [this, g](const asio::error_code& ec2, const tcp::endpoint&) {
        if (g != gen) return;
        if (ec2) return close("connect: " + ec2.message(), true);
        asio::error_code ig;
        lowest().set_option(tcp::no_delay(true), ig);
        if (!tls) return established();
        const std::string name = opt.tls.server_name.empty() ? opt.host : opt.tls.server_name;
        asio::error_code addr_ec;
        asio::ip::make_address(name, addr_ec);
        if (addr_ec)  // SNI carries host names only (RFC 6066)
          SSL_set_tlsext_host_name(tls->native_handle(), name.c_str());
        if (opt.tls.verify) tls->set_verify_callback(asio::ssl::host_name_verification(name));
        tls->async_handshake(asio::ssl::stream_base::client, [this, g](const asio::error_code& ec3) {
          if (g != gen) return;
          if (ec3) return close("TLS handshake: " + ec3.message(), true);
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
    read();
    flush();
  }

  void close(std::string why, bool allow_reconnect) {
    ++gen;
    const bool was_up = up || sock || tls;
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
    session.connection_lost();
    if (was_up && self.on_disconnected) self.on_disconnected(why);
    if (stopping) {
      if (auto done = std::move(stop_done)) { stop_done = {}; done(); }
      return;
    }
    if (allow_reconnect && opt.reconnect) schedule_reconnect();
  }

  void schedule_reconnect() {
    // Exponential backoff with jitter: a random delay in [d/2, d], d = min * 2^attempt <= max.
    auto d = opt.reconnect_min.count() << std::min(attempt, 20u);
    d = std::min<long long>(d, opt.reconnect_max.count());
    d = std::max<long long>(d, 1);
    std::uniform_int_distribution<long long> jitter(d / 2, d);
    ++attempt;
    reconnect_timer.expires_after(std::chrono::milliseconds(jitter(rng)));
    reconnect_timer.async_wait([this](const asio::error_code& ec) {
      if (ec || stopping) return;
      ++stats.reconnects;
      connect();
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
        return close(ec == asio::error::eof ? std::string("connection closed by the server")
                                            : "read: " + ec.message(), true);
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
      flush();
      read();
    });
  }

  // ---- writing --------------------------------------------------------------------------

  void flush() {
    if (writing || !up || !session.has_output()) {
      if (!writing && up && close_after_write) close(close_why, !stopping);
      return;
    }
    session.take_output(wbuf);
    writing = true;
    const std::uint64_t g = gen;
    auto handler = [this, g](const asio::error_code& ec, std::size_t n) {
      if (g != gen) return;
      writing = false;
      if (ec) return close("write: " + ec.message(), true);
      ++stats.writes;
      stats.bytes_out += n;
      process_events();
      if (g != gen) return;
      flush();
    };
    if (tls) asio::async_write(*tls, asio::buffer(wbuf), std::move(handler));
    else asio::async_write(*sock, asio::buffer(wbuf), std::move(handler));
  }

  // Armed when the session connects and re-armed by its own handler: the deadline only moves
  // later as packets are sent, so the timer fires early at worst and `tick` does nothing then.
  void arm_keepalive() {
    auto d = session.next_deadline();
    if (!d) return;
    const std::uint64_t g = gen;
    keepalive_timer.expires_at(*d);
    keepalive_timer.async_wait([this, g](const asio::error_code& ec) {
      if (ec || g != gen) return;
      session.tick(Clock::now());
      process_events();
      if (g != gen) return;
      flush();
      arm_keepalive();
    });
  }

  // ---- events ---------------------------------------------------------------------------

  void process_events() {
    std::vector<Event> evs;
    while (!session.events().empty()) {
      evs.clear();
      evs.swap(session.events());
      for (auto& e : evs) {
        if (auto* m = std::get_if<MessageEvent>(&e)) {
          if (self.on_message) self.on_message(m->msg);
        } else if (auto* d = std::get_if<PublishDoneEvent>(&e)) {
          if (self.on_publish_done) self.on_publish_done(d->token, d->reason);
        } else if (auto* c = std::get_if<ConnectedEvent>(&e)) {
          connect_timer.cancel();
          attempt = 0;
          if (!c->session_present && stats.connects > 1) {
            // A new session: renew what was subscribed (the session resends unacknowledged
            // SUBSCRIBEs itself, so only those already acknowledged).
            for (auto& s : subs)
              if (!session.subscribe_pending(s.id)) s.id = session.subscribe(s.subs, s.props);
          }
          arm_keepalive();
          if (self.on_connected) self.on_connected(c->session_present);
        } else if (auto* s = std::get_if<SubackEvent>(&e)) {
          if (self.on_suback) self.on_suback(s->packet_id, s->reasons);
        } else if (std::get_if<ReadyEvent>(&e)) {
          if (self.on_ready) self.on_ready();
        } else if (auto* cl = std::get_if<ClosedEvent>(&e)) {
          // Write what is pending (DISCONNECT), then close.
          close_after_write = true;
          close_why = cl->why;
        }
      }
    }
    if (close_after_write && up && !writing && !session.has_output()) close(close_why, !stopping);
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
  impl_->connect();
}

PublishResult Client::publish(Publish msg) {
  PublishResult r = impl_->session.publish(std::move(msg));
  impl_->flush();
  return r;
}

std::uint16_t Client::subscribe(std::vector<Subscription> subs, Properties props) {
  auto id = impl_->session.subscribe(subs, props);
  impl_->subs.push_back({std::move(subs), std::move(props), id});
  impl_->flush();
  return id;
}

std::uint16_t Client::unsubscribe(std::vector<std::string> filters) {
  for (auto& f : filters)
    for (auto& e : impl_->subs)
      std::erase_if(e.subs, [&](const Subscription& s) { return s.filter == f; });
  std::erase_if(impl_->subs, [](auto& e) { return e.subs.empty(); });
  auto id = impl_->session.unsubscribe(std::move(filters));
  impl_->flush();
  return id;
}

void Client::stop(std::function<void()> done) {
  auto& d = *impl_;
  d.stopping = true;
  d.stop_done = std::move(done);
  d.reconnect_timer.cancel();
  if (d.up && d.session.state() == SessionState::connected) {
    d.session.disconnect();
    d.close_after_write = true;
    d.close_why = "stopped";
    d.flush();
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

}  // namespace weir::mqtt
