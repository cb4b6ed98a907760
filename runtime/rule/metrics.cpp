// The metrics endpoint of a rule binary (--metrics-port): a minimal HTTP/1.0 server on the I/O
// thread. GET /metrics answers the Prometheus text format (engine.cpp, metrics_text); GET
// /health answers 200 "ok" while connected to the broker and 503 otherwise, for supervisors
// (systemd, Kubernetes probes). Bound to 127.0.0.1 unless --metrics-bind says otherwise.
// Threading: the I/O thread only.
#include <asio.hpp>

#include <memory>

#include "engine.hpp"

namespace weir::rule {

namespace {

void answer(std::shared_ptr<asio::ip::tcp::socket> sock, Engine& e) {
  auto buf = std::make_shared<std::string>(4096, '\0');
  sock->async_read_some(asio::buffer(*buf), [sock, buf, &e](const asio::error_code& ec, std::size_t n) {
    if (ec) return;
    std::string req = buf->substr(0, n);
    std::string status = "200 OK", type = "text/plain; version=0.0.4", body;
    if (req.rfind("GET /metrics", 0) == 0) {
      body = e.metrics_text();
    } else if (req.rfind("GET /health", 0) == 0) {
      bool ok = e.connected.load() && !e.stopping();
      status = ok ? "200 OK" : "503 Service Unavailable";
      type = "text/plain";
      body = ok ? "ok\n" : "not connected\n";
    } else {
      status = "404 Not Found";
      type = "text/plain";
      body = "try /metrics or /health\n";
    }
    auto out = std::make_shared<std::string>("HTTP/1.0 " + status + "\r\nContent-Type: " + type +
                                             "\r\nContent-Length: " + std::to_string(body.size()) +
                                             "\r\nConnection: close\r\n\r\n" + body);
    asio::async_write(*sock, asio::buffer(*out), [sock, out](const asio::error_code&, std::size_t) {
      asio::error_code ignore;
      sock->shutdown(asio::ip::tcp::socket::shutdown_both, ignore);
    });
  });
}

void accept(std::shared_ptr<asio::ip::tcp::acceptor> acc, Engine& e) {
  auto sock = std::make_shared<asio::ip::tcp::socket>(acc->get_executor());
  acc->async_accept(*sock, [acc, sock, &e](const asio::error_code& ec) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) answer(sock, e);
    accept(acc, e);
  });
}

}  // namespace

void start_metrics(asio::io_context& io, Engine& e) {
  asio::error_code ec;
  auto addr = asio::ip::make_address(e.opt.metrics_bind, ec);
  if (ec) {
    e.log(Level::error, "--metrics-bind " + e.opt.metrics_bind + ": not an IP address");
    return;
  }
  auto acc = std::make_shared<asio::ip::tcp::acceptor>(io);
  asio::ip::tcp::endpoint ep(addr, std::uint16_t(e.opt.metrics_port));
  acc->open(ep.protocol(), ec);
  if (!ec) acc->set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) acc->bind(ep, ec);
  if (!ec) acc->listen(16, ec);
  if (ec) {
    e.log(Level::error, "cannot serve metrics on " + e.opt.metrics_bind + ":" + std::to_string(e.opt.metrics_port) +
                            ": " + ec.message());
    return;
  }
  e.log(Level::info, "metrics on http://" + e.opt.metrics_bind + ":" + std::to_string(e.opt.metrics_port) + "/metrics");
  accept(acc, e);
}

}  // namespace weir::rule
