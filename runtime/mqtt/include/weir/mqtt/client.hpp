// The Asio transport: one MQTT connection (TCP or TLS) driving a Session, with connect timeout,
// reconnect with exponential backoff and jitter, batched reads and writes, keep-alive timers.
// All member functions must be called on the thread running the io_context.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
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
  std::chrono::milliseconds connect_timeout{5000};  // TCP + TLS + CONNACK
  bool reconnect = true;
  std::chrono::milliseconds reconnect_min{100};     // first retry delay
  std::chrono::milliseconds reconnect_max{30000};   // cap of the exponential backoff
  std::size_t read_buffer = 64 * 1024;              // one read takes up to this many bytes
};

struct ClientStats {
  std::uint64_t connects = 0, reconnects = 0, reads = 0, writes = 0, bytes_in = 0, bytes_out = 0;
};

class Client {
 public:
  Client(asio::io_context& io, ClientOptions opt);  // throws std::runtime_error on bad TLS files
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Callbacks (all optional), called on the io_context thread.
  std::function<void(const Publish&)> on_message;
  std::function<void(bool session_present)> on_connected;
  std::function<void(const std::string& why)> on_disconnected;  // every lost or refused connection
  std::function<void(std::uint64_t token, std::uint8_t reason)> on_publish_done;
  std::function<void(std::uint16_t id, const std::vector<std::uint8_t>& reasons)> on_suback;
  std::function<void()> on_ready;  // publish() may be called again after queue_full

  void start();  // connect (and keep reconnecting until stop())
  PublishResult publish(Publish msg);
  // Remembered: when a connection comes up without a session, the subscriptions are renewed.
  std::uint16_t subscribe(std::vector<Subscription> subs, Properties props = {});
  std::uint16_t unsubscribe(std::vector<std::string> filters);
  // Graceful: DISCONNECT, flush, close; `done` runs afterwards. No reconnect after this.
  void stop(std::function<void()> done = {});
  // Backpressure towards the broker: stop / restart reading from the socket.
  void pause_reading();
  void resume_reading();

  bool connected() const noexcept;
  Session& session() noexcept;
  const ClientStats& stats() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace weir::mqtt
