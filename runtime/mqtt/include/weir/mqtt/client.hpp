// The Asio transport: one MQTT connection (TCP or TLS) driving a Session, with connect timeout,
// reconnect with exponential backoff and jitter, batched reads and writes, keep-alive timers.
// All member functions must be called on the thread running the io_context.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>
#include "weir/mqtt/session.hpp"

namespace asio {
class io_context;
}

namespace weir::mqtt {

struct TlsOptions {
  bool enabled = false;
  std::string ca_file;      // empty: the system's default trust store
  std::string cert_file;    // optional client certificate (PEM, may hold the chain)
  std::string key_file;     // its private key (PEM)
  std::string server_name;  // SNI and the name verified; empty: the host (SNI only for names)
  bool verify = true;       // verify the server certificate and its name
};

struct ClientOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 1883;
  TlsOptions tls;
  SessionConfig session;
  std::chrono::milliseconds connect_timeout{5000};  // resolve + TCP + TLS + CONNACK
  bool reconnect = true;                            // after transient failures only
  std::chrono::milliseconds reconnect_min{100};     // first retry delay
  std::chrono::milliseconds reconnect_max{30000};   // cap of the exponential backoff
  // The backoff starts again from reconnect_min only after a connection stayed up this long
  // (a broker that accepts and then drops us at once must not cause a reconnect storm).
  std::chrono::milliseconds healthy_after{10000};
  // A 5.0 CONNECT refused for the protocol version (0x84, or a 3.1.1 server's return code 1):
  // connect again at once with MQTT 3.1.1 instead of failing.
  bool fallback_v311 = false;
  // stop(): how long to wait for incoming QoS 2 flows (PUBREL) and deferred acknowledgements
  // to finish before DISCONNECT.
  std::chrono::milliseconds stop_linger{2000};
  std::size_t read_buffer = 64 * 1024;              // one read takes up to this many bytes
};

// Parses "mqtt://host[:port]" or "mqtts://host[:port]" (also "tcp://", "ssl://", a bare
// "host[:port]") into host, port and TLS. Returns the problem, or "" when it was applied.
std::string apply_url(ClientOptions& o, std::string_view url);
// Everything start() checks before connecting: CONNECT fields (validate.hpp), host, port,
// TLS file names, timeouts. "" when valid.
std::string options_problem(const ClientOptions& o);

struct ClientStats {
  std::uint64_t connects = 0, reconnects = 0, reads = 0, writes = 0, bytes_in = 0, bytes_out = 0;
};

// Counters for metrics (a snapshot).
struct ClientCounters {
  std::uint64_t connects = 0;     // connections that reached CONNACK accepted or refused
  std::uint64_t reconnects = 0;   // attempts after the first
  std::uint64_t inflight = 0;     // outgoing QoS 1/2 messages awaiting PUBACK/PUBCOMP
  std::uint64_t queued = 0;       // accepted by publish(), not yet sent
  std::uint64_t unacked_in = 0;   // incoming messages awaiting ack() (manual_acks)
  std::uint64_t published = 0, received = 0, resent = 0, requeued = 0, dropped_qos0 = 0;
};

// Why a connection ended or an attempt failed (on_disconnected).
struct Disconnection {
  std::string why;            // the real cause: "connection refused: Not authorized (...)",
                              // "resolve no.such.host: Host not found", "TLS handshake: ..."
  bool permanent = false;     // a retry cannot succeed: the client stopped (failure() says why)
  std::uint8_t reason = 0;    // MQTT reason code when the server or the session gave one
  bool was_connected = false; // CONNACK had been accepted on this connection
  bool retrying = false;      // a reconnect is scheduled, after `retry_in`
  std::chrono::milliseconds retry_in{0};
};

// Reconnect delays, without I/O: exponential backoff with jitter (a random delay in [d/2, d],
// d = min · 2^n capped at max), where n only goes back to 0 after a connection stayed up
// for `healthy_after`.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max,
          std::chrono::milliseconds healthy_after, std::uint64_t seed);
  std::chrono::milliseconds next();        // delay before the next attempt; n grows
  void connected(TimePoint now);           // CONNACK accepted
  void disconnected(TimePoint now);        // resets n if the connection was healthy
  unsigned attempt() const noexcept { return n_; }

 private:
  std::chrono::milliseconds min_, max_, healthy_;
  std::mt19937_64 rng_;
  unsigned n_ = 0;
  std::optional<TimePoint> up_since_;
};

class Client {
 public:
  Client(asio::io_context& io, ClientOptions opt);  // throws std::runtime_error on bad TLS files
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Callbacks (all optional), called on the io_context thread.
  // A received message. The callee may move from `msg`. With session.manual_acks, `ack_id` is
  // non-zero for QoS 1/2 and the message is acknowledged only when ack(ack_id) is called;
  // otherwise it is acknowledged after the callback returns (ack_id is 0).
  std::function<void(Publish& msg, std::uint64_t ack_id)> on_message;
  std::function<void(bool session_present)> on_connected;
  // Every lost connection and every failed attempt (DNS, TCP, TLS, refused CONNACK, timeouts).
  std::function<void(const Disconnection&)> on_disconnected;
  // A publish finished: QoS 1/2 acknowledged (reason < 0x80) or refused by the server
  // (reason >= 0x80); any QoS that could not be sent (reason 0x95 or 0x83, `why` set).
  std::function<void(std::uint64_t token, std::uint8_t reason, const std::string& why)> on_publish_done;
  // SUBACK reason codes (>= 0x80: refused), or a SUBSCRIBE that could not be sent (`why`).
  std::function<void(std::uint16_t id, const std::vector<std::uint8_t>& reasons,
                     const std::string& why)> on_suback;
  std::function<void()> on_ready;  // publish() may be called again after queue_full

  // Connect (and reconnect after transient failures until stop()). Invalid options are a
  // permanent failure reported through on_disconnected (posted, not called from start()).
  void start();
  // Validated first (topic, QoS, properties, size against the server's Maximum Packet Size):
  // an invalid message is refused here, the connection is not touched.
  PublishResult publish(Publish msg);
  // Validated first (filters, options); an invalid request is refused here and never sent.
  // Remembered: when a connection comes up without a session, the subscriptions are renewed.
  RequestResult subscribe(std::vector<Subscription> subs, Properties props = {});
  RequestResult unsubscribe(std::vector<std::string> filters);
  // Acknowledge a message delivered with a non-zero ack_id (session.manual_acks). False when
  // the connection it came on is gone: the server will deliver it again.
  bool ack(std::uint64_t ack_id, std::uint8_t reason = 0);
  // Session::abandon_unacked(), then writes what it released.
  void abandon_unacked();
  // Graceful: stop taking new incoming messages, let incoming QoS 2 flows finish (up to
  // stop_linger), DISCONNECT, flush, close; `done` runs afterwards. No reconnect after this.
  void stop(std::function<void()> done = {});
  // Backpressure towards the broker: stop / restart reading from the socket.
  void pause_reading();
  void resume_reading();

  bool connected() const noexcept;
  // The permanent failure that stopped the client, or "" while it is running or retrying.
  const std::string& failure() const noexcept;
  Session& session() noexcept;
  const ClientStats& stats() const noexcept;
  ClientCounters counters() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace weir::mqtt
