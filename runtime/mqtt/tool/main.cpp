// weir-mqtt: publish, subscribe and measure with the Weir MQTT client library.
//   weir-mqtt pub   -t topic [-m msg|-s size] [-n count] [-q qos] [--rate N] ...
//   weir-mqtt sub   -t filter [-t filter ...] [-q qos] [-C count] [-v] [--count-only] ...
//   weir-mqtt bench latency -t topic [-q qos] [-s size] [-n count] [--rate N] ...
// Run `weir-mqtt help` for every option.
#include <asio.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>
#include "weir/mqtt/client.hpp"
#include "weir/mqtt/reason.hpp"
#include "weir/mqtt/topic.hpp"

using namespace weir::mqtt;
using namespace std::chrono;

namespace {

void print_stats(const Client& c, std::uint64_t messages) {
  auto& s = c.stats();
  std::fprintf(stderr, "stats: messages=%llu reads=%llu writes=%llu bytes_in=%llu bytes_out=%llu "
               "connects=%llu\n", (unsigned long long)messages, (unsigned long long)s.reads,
               (unsigned long long)s.writes, (unsigned long long)s.bytes_in,
               (unsigned long long)s.bytes_out, (unsigned long long)s.connects);
}

const char* usage = R"(usage: weir-mqtt <pub|sub|bench latency> [options]
connection:
  -h HOST            broker host (127.0.0.1)          -p PORT   port (1883, 8883 with --tls)
  -i ID              client identifier                 -k SECS   keep-alive (60)
  -u USER -P PASS    user name and password            --v311    speak MQTT 3.1.1 (default 5.0)
  -c                 persistent session (clean start off after the first connection;
                     Session Expiry 3600 s unless -x)   -x SECS   Session Expiry Interval
  --clean-first      with -c: start the first connection clean
  --will-topic T --will-payload P --will-qos Q --will-retain
  --tls --cafile F --cert F --key F --sni NAME --insecure
  --connect-timeout MS (5000)   --no-reconnect   --backoff-min MS (100)  --backoff-max MS (5000)
  --inflight N       max QoS 1/2 messages in flight (65535)
  --queue N          max messages waiting to be sent (100000)
pub:
  -t TOPIC -m MSG (MSG may contain {n}, the sequence number 0..count-1)  -s SIZE (payload bytes)
  -n COUNT (1)  -q QOS (0)  -r (retain)  --rate MSGS_PER_SEC (0: as fast as possible)
  --stay (after publishing, stay connected until killed)
sub:
  -t FILTER (repeatable; $share/group/filter for shared subscriptions)  -q QOS
  -C COUNT (exit after COUNT messages)  -v (print the topic too)  --count-only  --ready
  (print "ready" once subscribed)  --timeout SECS (exit 2 if COUNT not reached)
  --no-local --retain-handling N
bench latency:
  -t TOPIC -q QOS -s SIZE (>= 8) -n COUNT --rate MSGS_PER_SEC; prints p50/p99/max round trip
common: --quiet (no progress on stderr)  --stats (system calls and bytes on stderr at exit)
)";

struct Args {
  std::string cmd, sub;
  ClientOptions co;
  std::vector<std::string> topics;
  std::string message;
  bool has_message = false;
  std::size_t size = 0;
  std::uint64_t count = 1;
  bool count_given = false;
  std::uint8_t qos = 0;
  bool retain = false;
  double rate = 0;
  bool stay = false, verbose = false, count_only = false, ready = false, quiet = false;
  bool stats = false;
  bool no_local = false;
  std::uint8_t retain_handling = 0;
  double timeout = 0;
  bool persistent = false, clean_first = false, expiry_given = false;
  bool port_given = false;
};

[[noreturn]] void die(const std::string& m) {
  std::fprintf(stderr, "weir-mqtt: %s\n", m.c_str());
  std::exit(1);
}

Args parse(int argc, char** argv) {
  Args a;
  a.co.session.client_id = "";
  a.co.reconnect_max = milliseconds(5000);
  if (argc < 2) { std::fputs(usage, stderr); std::exit(1); }
  a.cmd = argv[1];
  int i = 2;
  if (a.cmd == "help" || a.cmd == "--help") { std::fputs(usage, stdout); std::exit(0); }
  if (a.cmd == "bench") {
    if (argc < 3) die("bench needs a mode: latency");
    a.sub = argv[2];
    i = 3;
  }
  auto need = [&](const char* opt) -> std::string {
    if (i + 1 >= argc) die(std::string("option ") + opt + " needs a value");
    return argv[++i];
  };
  auto num = [&](const char* opt) { return std::stod(need(opt)); };
  auto& s = a.co.session;
  for (; i < argc; ++i) {
    std::string o = argv[i];
    if (o == "-h") a.co.host = need("-h");
    else if (o == "-p") { a.co.port = std::uint16_t(num("-p")); a.port_given = true; }
    else if (o == "-i") s.client_id = need("-i");
    else if (o == "-k") s.keep_alive = std::uint16_t(num("-k"));
    else if (o == "-u") s.username = need("-u");
    else if (o == "-P") s.password = need("-P");
    else if (o == "--v311") s.version = Version::v311;
    else if (o == "-c") a.persistent = true;
    else if (o == "--clean-first") a.clean_first = true;
    else if (o == "-x") { s.session_expiry = std::uint32_t(num("-x")); a.expiry_given = true; }
    else if (o == "--will-topic") { if (!s.will) s.will.emplace(); s.will->topic = need(o.c_str()); }
    else if (o == "--will-payload") { if (!s.will) s.will.emplace(); s.will->payload = need(o.c_str()); }
    else if (o == "--will-qos") { if (!s.will) s.will.emplace(); s.will->qos = std::uint8_t(num(o.c_str())); }
    else if (o == "--will-retain") { if (!s.will) s.will.emplace(); s.will->retain = true; }
    else if (o == "--tls") a.co.tls.enabled = true;
    else if (o == "--cafile") { a.co.tls.enabled = true; a.co.tls.ca_file = need(o.c_str()); }
    else if (o == "--cert") { a.co.tls.enabled = true; a.co.tls.cert_file = need(o.c_str()); }
    else if (o == "--key") { a.co.tls.enabled = true; a.co.tls.key_file = need(o.c_str()); }
    else if (o == "--sni") a.co.tls.server_name = need(o.c_str());
    else if (o == "--insecure") a.co.tls.verify = false;
    else if (o == "--connect-timeout") a.co.connect_timeout = milliseconds(long(num(o.c_str())));
    else if (o == "--no-reconnect") a.co.reconnect = false;
    else if (o == "--backoff-min") a.co.reconnect_min = milliseconds(long(num(o.c_str())));
    else if (o == "--backoff-max") a.co.reconnect_max = milliseconds(long(num(o.c_str())));
    else if (o == "--inflight") s.max_inflight = std::uint16_t(num(o.c_str()));
    else if (o == "--queue") s.max_queued = std::size_t(num(o.c_str()));
    else if (o == "-t") a.topics.push_back(need("-t"));
    else if (o == "-m") { a.message = need("-m"); a.has_message = true; }
    else if (o == "-s") a.size = std::size_t(num("-s"));
    else if (o == "-n" || o == "-C") { a.count = std::uint64_t(num(o.c_str())); a.count_given = true; }
    else if (o == "-q") a.qos = std::uint8_t(num("-q"));
    else if (o == "-r") a.retain = true;
    else if (o == "--rate") a.rate = num("--rate");
    else if (o == "--stay") a.stay = true;
    else if (o == "-v") a.verbose = true;
    else if (o == "--count-only") a.count_only = true;
    else if (o == "--ready") a.ready = true;
    else if (o == "--timeout") a.timeout = num("--timeout");
    else if (o == "--quiet") a.quiet = true;
    else if (o == "--stats") a.stats = true;
    else if (o == "--no-local") a.no_local = true;
    else if (o == "--retain-handling") a.retain_handling = std::uint8_t(num(o.c_str()));
    else die("unknown option " + o + " (see weir-mqtt help)");
  }
  if (a.co.tls.enabled && !a.port_given) a.co.port = 8883;
  if (a.persistent) {
    s.clean_start = a.clean_first;
    if (!a.expiry_given && s.version == Version::v5) s.session_expiry = 3600;
    if (s.client_id.empty()) die("-c needs a client identifier (-i)");
  }
  if (s.will && s.will->topic.empty()) die("--will-* needs --will-topic");
  if (a.qos > 2) die("-q must be 0, 1 or 2");
  if (a.topics.empty()) die("-t is required");
  if (s.client_id.empty() && s.version == Version::v311)
    s.client_id = "weir-mqtt-" + std::to_string(::getpid());
  return a;
}

std::string payload_for(const Args& a, std::uint64_t n) {
  std::string p;
  if (a.has_message) {
    p = a.message;
    auto at = p.find("{n}");
    if (at != p.npos) p.replace(at, 3, std::to_string(n));
  }
  if (p.size() < a.size) p.resize(a.size, 'x');
  return p;
}

int run_pub(Args& a) {
  asio::io_context io;
  Client c(io, a.co);
  asio::steady_timer timer(io);
  std::uint64_t next = 0, done = 0;
  bool started = false, finished = false;
  int rc = 0;
  const auto t0 = steady_clock::now();
  auto finish = [&] {
    if (finished) return;
    finished = true;
    if (a.stay) return;
    const double secs = duration<double>(steady_clock::now() - t0).count();
    if (!a.quiet)
      std::fprintf(stderr, "published %llu messages in %.3f s (%.0f msg/s)\n",
                   (unsigned long long)next, secs, double(next) / secs);
    c.stop([&] { io.stop(); });
  };
  std::function<void()> drain_qos0;
  drain_qos0 = [&] {  // QoS 0: done when nothing is queued or unwritten any more
    if (c.session().queued() == 0 && !c.session().has_output()) return finish();
    timer.expires_after(milliseconds(1));
    timer.async_wait([&](const asio::error_code& ec) { if (!ec) drain_qos0(); });
  };
  std::function<void()> pump;
  pump = [&] {
    std::uint64_t limit = a.count;
    if (a.rate > 0) {
      const double secs = duration<double>(steady_clock::now() - t0).count();
      limit = std::min<std::uint64_t>(a.count, std::uint64_t(secs * a.rate) + 1);
    }
    while (next < limit) {
      Publish p;
      p.topic = a.topics[0];
      p.payload = payload_for(a, next);
      p.qos = a.qos;
      p.retain = a.retain;
      auto r = c.publish(std::move(p));
      if (r.status == Accept::queue_full) return;  // on_ready calls pump again
      if (r.status != Accept::ok) {
        std::fprintf(stderr, "weir-mqtt: publish rejected: %s\n", r.error.message().c_str());
        rc = 1;
        return finish();
      }
      ++next;
    }
    if (next < a.count) {
      timer.expires_at(t0 + duration_cast<steady_clock::duration>(duration<double>(double(next) / a.rate)));
      timer.async_wait([&](const asio::error_code& ec) { if (!ec) pump(); });
      return;
    }
    if (a.qos == 0) drain_qos0();
    else if (done >= a.count) finish();
  };
  c.on_ready = [&] { if (next < a.count && a.rate == 0) pump(); };
  c.on_publish_done = [&](std::uint64_t, std::uint8_t reason) {
    ++done;
    if (reason >= 0x80 && !a.quiet)
      std::fprintf(stderr, "weir-mqtt: publish failed: %s\n", reason_name(reason, PacketType::puback));
    if (done >= a.count && next >= a.count) finish();
  };
  c.on_connected = [&](bool sp) {
    if (!a.quiet) std::fprintf(stderr, "connected (session present: %d)\n", int(sp));
    if (!started) { started = true; pump(); }
  };
  c.on_disconnected = [&](const std::string& why) {
    if (!a.quiet) std::fprintf(stderr, "disconnected: %s\n", why.c_str());
    if (!a.co.reconnect && !finished) { rc = 1; io.stop(); }
  };
  c.start();
  io.run();
  if (a.stats) print_stats(c, next);
  return rc;
}

int run_sub(Args& a) {
  asio::io_context io;
  Client c(io, a.co);
  std::uint64_t got = 0;
  std::string out;
  bool flush_posted = false, stopping = false;
  int rc = 0;
  asio::steady_timer deadline(io);
  auto flush_out = [&] {
    flush_posted = false;
    if (!out.empty()) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      std::fflush(stdout);
      out.clear();
    }
  };
  auto stop = [&] {
    if (stopping) return;
    stopping = true;
    flush_out();
    if (a.count_only) { std::printf("%llu\n", (unsigned long long)got); std::fflush(stdout); }
    c.stop([&] { io.stop(); });
  };
  c.on_message = [&](const Publish& p) {
    ++got;
    if (!a.count_only) {
      if (a.verbose) { out += p.topic; out += ' '; }
      out += p.payload;
      out += '\n';
      if (!flush_posted) { flush_posted = true; asio::post(io, flush_out); }
    }
    if (a.count_given && got >= a.count) stop();
  };
  std::vector<Subscription> subs;
  for (auto& t : a.topics) {
    Subscription s{t, a.qos};
    s.no_local = a.no_local;
    s.retain_handling = a.retain_handling;
    subs.push_back(s);
  }
  bool said_ready = false;
  c.on_suback = [&](std::uint16_t, const std::vector<std::uint8_t>& reasons) {
    for (auto r : reasons)
      if (r >= 0x80) { std::fprintf(stderr, "weir-mqtt: subscription refused: 0x%02x\n", r); rc = 1; }
    if (a.ready && !said_ready) { said_ready = true; out += "ready\n"; flush_out(); }
  };
  c.on_connected = [&](bool sp) {
    if (!a.quiet) std::fprintf(stderr, "connected (session present: %d)\n", int(sp));
    // With a resumed session the broker still has the subscription.
    if (a.ready && sp && !said_ready) { said_ready = true; out += "ready\n"; flush_out(); }
  };
  c.on_disconnected = [&](const std::string& why) {
    if (!a.quiet) std::fprintf(stderr, "disconnected: %s\n", why.c_str());
    if (!a.co.reconnect && !stopping) { rc = 1; io.stop(); }
  };
  c.subscribe(subs);
  if (a.timeout > 0) {
    deadline.expires_after(duration_cast<steady_clock::duration>(duration<double>(a.timeout)));
    deadline.async_wait([&](const asio::error_code& ec) {
      if (ec) return;
      if (!a.quiet) std::fprintf(stderr, "weir-mqtt: timeout after %llu messages\n", (unsigned long long)got);
      rc = 2;
      stop();
    });
  }
  c.start();
  io.run();
  flush_out();
  if (a.stats) print_stats(c, got);
  return rc;
}

int run_latency(Args& a) {
  asio::io_context io;
  Client c(io, a.co);
  asio::steady_timer timer(io);
  if (a.size < 8) a.size = 8;
  if (!a.count_given) a.count = 1000;
  if (a.rate <= 0) a.rate = 1000;
  std::vector<double> rtts;
  rtts.reserve(a.count);
  std::uint64_t sent = 0;
  steady_clock::time_point t0;
  bool stopping = false;
  auto stop = [&] {
    if (stopping) return;
    stopping = true;
    c.stop([&] { io.stop(); });
  };
  c.on_message = [&](const Publish& p) {
    if (p.payload.size() < 8) return;
    std::int64_t ns;
    std::memcpy(&ns, p.payload.data(), 8);
    rtts.push_back(double(steady_clock::now().time_since_epoch().count() - ns) / 1000.0);
    if (rtts.size() >= a.count) stop();
  };
  std::function<void()> tick;
  tick = [&] {
    const double secs = duration<double>(steady_clock::now() - t0).count();
    const std::uint64_t due = std::min<std::uint64_t>(a.count, std::uint64_t(secs * a.rate) + 1);
    while (sent < due) {
      Publish p;
      p.topic = a.topics[0];
      p.qos = a.qos;
      p.payload.assign(a.size, 'x');
      std::int64_t ns = steady_clock::now().time_since_epoch().count();
      std::memcpy(p.payload.data(), &ns, 8);
      c.publish(std::move(p));
      ++sent;
    }
    if (sent < a.count) {
      timer.expires_at(t0 + duration_cast<steady_clock::duration>(duration<double>(double(sent) / a.rate)));
      timer.async_wait([&](const asio::error_code& ec) { if (!ec) tick(); });
    } else {
      timer.expires_after(seconds(5));  // stragglers
      timer.async_wait([&](const asio::error_code& ec) { if (!ec) stop(); });
    }
  };
  bool started = false;
  c.on_suback = [&](std::uint16_t, const std::vector<std::uint8_t>&) {
    if (started) return;
    started = true;
    t0 = steady_clock::now();
    tick();
  };
  c.subscribe({{a.topics[0], a.qos}});
  c.start();
  io.run();
  if (rtts.empty()) die("no messages came back");
  std::sort(rtts.begin(), rtts.end());
  auto pct = [&](double q) { return rtts[std::min(rtts.size() - 1, std::size_t(q * double(rtts.size())))]; };
  std::printf("latency_us n=%zu lost=%llu p50=%.1f p99=%.1f max=%.1f\n", rtts.size(),
              (unsigned long long)(a.count - rtts.size()), pct(0.50), pct(0.99), rtts.back());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Args a = parse(argc, argv);
    if (a.cmd == "pub") return run_pub(a);
    if (a.cmd == "sub") return run_sub(a);
    if (a.cmd == "bench" && a.sub == "latency") return run_latency(a);
    die("unknown command '" + a.cmd + (a.sub.empty() ? "" : " " + a.sub) + "' (see weir-mqtt help)");
  } catch (const std::exception& e) {
    die(e.what());
  }
}
