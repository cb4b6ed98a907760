// weir-mqtt: publish, subscribe and measure with the Weir MQTT client library.
//   weir-mqtt pub   -t topic [-m msg|-f file|-l|-s size] [-n count] [-q qos] [--rate N] ...
//   weir-mqtt sub   -t filter [-t filter ...] [-q qos] [-C count] [-v] [-F format] ...
//   weir-mqtt bench latency -t topic [-q qos] [-s size] [-n count] [--rate N] ...
// Run `weir-mqtt help` (or `weir-mqtt pub --help`) for every option.
//
// Exit status: 0 done; 1 a runtime failure (connection refused or lost without reconnect, a
// message refused by the broker or too large for it, a subscription refused); 2 `sub
// --timeout` expired; 64 an invalid command line (options, topics, filters, CONNECT fields).
#include <asio.hpp>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>
#include "weir/mqtt/client.hpp"
#include "weir/mqtt/reason.hpp"
#include "weir/mqtt/topic.hpp"
#include "weir/mqtt/validate.hpp"
#include "weir/mqtt/wire.hpp"

using namespace weir::mqtt;
using namespace std::chrono;

namespace {

constexpr int exit_failure = 1, exit_timeout = 2, exit_usage = 64;

[[noreturn]] void die(const std::string& m, int code = exit_failure) {
  std::fprintf(stderr, "weir-mqtt: %s\n", m.c_str());
  std::exit(code);
}

void print_stats(const Client& c, std::uint64_t messages) {
  auto& s = c.stats();
  std::fprintf(stderr, "stats: messages=%llu reads=%llu writes=%llu bytes_in=%llu bytes_out=%llu "
               "connects=%llu\n", (unsigned long long)messages, (unsigned long long)s.reads,
               (unsigned long long)s.writes, (unsigned long long)s.bytes_in,
               (unsigned long long)s.bytes_out, (unsigned long long)s.connects);
}

std::string reason_text(std::uint8_t r, PacketType t) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s (0x%02X)", reason_name(r, t), unsigned(r));
  return buf;
}

struct Args {
  ClientOptions co;
  // connection
  std::string url, protocol;
  bool v311 = false, persistent = false, clean_first = false, quiet = false, stats = false;
  std::uint32_t session_expiry = 0;
  std::string will_topic, will_payload;
  int will_qos = 0;
  bool will_retain = false;
  bool tls = false, insecure = false;
  std::string cafile, cert, key, sni;
  long connect_timeout = 5000, backoff_min = 100, backoff_max = 5000, healthy_after = 5000;
  long ack_timeout = 30000, packet_timeout = 30000;
  int inflight = 65535;
  std::size_t queue = 100000;
  bool no_reconnect = false, fallback = false;
  // messages
  std::vector<std::string> topics;
  std::string message, file;
  bool has_message = false, lines = false;
  std::uint64_t size = 0, count = 1;
  int qos = 0;
  bool retain = false, stay = false;
  double rate = 0;
  std::vector<std::string> user_props;
  std::string content_type, response_topic, correlation_data;
  std::uint32_t message_expiry = 0;
  bool payload_utf8 = false;
  // sub
  bool verbose = false, count_only = false, ready = false, no_local = false, rap = false;
  std::string format;
  int retain_handling = 0;
  double timeout = 0;
};

void add_connection(CLI::App* app, Args& a) {
  app->add_option("-h,--host", a.co.host, "broker host")->default_str("127.0.0.1");
  app->add_option("-p,--port", a.co.port, "port (1883, 8883 with TLS)")->check(CLI::Range(1, 65535));
  app->add_option("-L,--url", a.url, "broker URL: mqtt://host[:port] or mqtts://host[:port]");
  app->add_option("-i,--id", a.co.session.client_id, "client identifier");
  app->add_option("-k,--keepalive", a.co.session.keep_alive, "keep-alive in seconds (60; 0 = off)")
      ->check(CLI::Range(0, 65535));
  app->add_option("-u,--username", a.co.session.username, "user name");
  app->add_option("-P,--pw", a.co.session.password, "password");
  app->add_option("-V,--protocol-version", a.protocol, "5 (default) or 311")
      ->check(CLI::IsMember({"5", "311", "mqttv5", "mqttv311"}));
  app->add_flag("--v311", a.v311, "speak MQTT 3.1.1");
  app->add_flag("--v311-fallback", a.fallback,
                "if the broker refuses MQTT 5.0 for its protocol version, use 3.1.1");
  app->add_flag("-c,--persistent", a.persistent,
                "persistent session: Clean Start 0 (after the first connection with --clean-first); "
                "Session Expiry 3600 s unless -x");
  app->add_option("-x,--session-expiry", a.session_expiry, "Session Expiry Interval in seconds")
      ->check(CLI::Range(0.0, 4294967295.0));
  app->add_flag("--clean-first", a.clean_first, "with -c: start the first connection clean");
  app->add_option("--will-topic", a.will_topic, "will topic");
  app->add_option("--will-payload", a.will_payload, "will payload");
  app->add_option("--will-qos", a.will_qos, "will QoS")->check(CLI::Range(0, 2));
  app->add_flag("--will-retain", a.will_retain, "retain the will");
  app->add_flag("--tls", a.tls, "TLS (port 8883 by default)");
  app->add_option("--cafile", a.cafile, "CA certificates (PEM); implies --tls")->check(CLI::ExistingFile);
  app->add_option("--cert", a.cert, "client certificate (PEM); implies --tls")->check(CLI::ExistingFile);
  app->add_option("--key", a.key, "client key (PEM); implies --tls")->check(CLI::ExistingFile);
  app->add_option("--sni", a.sni, "server name sent and verified (default: the host)");
  app->add_flag("--insecure", a.insecure, "do not verify the server certificate (tests only)");
  app->add_option("--connect-timeout", a.connect_timeout, "ms for resolve + TCP + TLS + CONNACK (5000)")
      ->check(CLI::Range(1, 3600000));
  app->add_flag("--no-reconnect", a.no_reconnect, "exit after the first failure or lost connection");
  app->add_option("--backoff-min", a.backoff_min, "first reconnect delay in ms (100)")
      ->check(CLI::Range(1, 3600000));
  app->add_option("--backoff-max", a.backoff_max, "largest reconnect delay in ms (5000)")
      ->check(CLI::Range(1, 3600000));
  app->add_option("--healthy-after", a.healthy_after,
                  "ms a connection must stay up before the backoff starts again (5000)")
      ->check(CLI::Range(0, 3600000));
  app->add_option("--ack-timeout", a.ack_timeout,
                  "ms to wait for PUBACK/PUBCOMP/SUBACK before reconnecting (30000; 0 = forever)")
      ->check(CLI::Range(0, 3600000));
  app->add_option("--packet-timeout", a.packet_timeout,
                  "ms an incoming packet may take to arrive completely (30000; 0 = forever)")
      ->check(CLI::Range(0, 3600000));
  app->add_option("--inflight", a.inflight, "max QoS 1/2 messages in flight (65535)")
      ->check(CLI::Range(1, 65535));
  app->add_option("--queue", a.queue, "max messages waiting to be sent (100000)")
      ->check(CLI::Range(1, 100000000));
  app->add_flag("--quiet", a.quiet, "no progress on stderr (errors are always shown)");
  app->add_flag("--stats", a.stats, "system calls and bytes on stderr at exit");
}

void add_message_options(CLI::App* app, Args& a) {
  app->add_option("-q,--qos", a.qos, "QoS (0)")->check(CLI::Range(0, 2));
  app->add_option("-s,--size", a.size, "payload bytes (padded with 'x')")
      ->check(CLI::Range(0.0, 4294967295.0));
  app->add_option("--rate", a.rate, "messages per second (0: as fast as possible)")
      ->check(CLI::NonNegativeNumber);
}

// Applies the parsed options to the library's options, then validates them with the
// library (CONNECT fields, will) before anything connects.
void finish_connection(Args& a) {
  auto& s = a.co.session;
  if (!a.url.empty())
    if (auto why = apply_url(a.co, a.url); !why.empty()) die(why, exit_usage);
  if (a.v311 || a.protocol == "311" || a.protocol == "mqttv311") s.version = Version::v311;
  a.co.fallback_v311 = a.fallback;
  if (a.tls || !a.cafile.empty() || !a.cert.empty() || !a.key.empty()) {
    if (!a.co.tls.enabled && a.url.empty() && a.co.port == 1883) a.co.port = 8883;
    a.co.tls.enabled = true;
  }
  a.co.tls.ca_file = a.cafile;
  a.co.tls.cert_file = a.cert;
  a.co.tls.key_file = a.key;
  a.co.tls.server_name = a.sni;
  a.co.tls.verify = !a.insecure;
  a.co.connect_timeout = milliseconds(a.connect_timeout);
  a.co.reconnect = !a.no_reconnect;
  a.co.reconnect_min = milliseconds(a.backoff_min);
  a.co.reconnect_max = milliseconds(std::max(a.backoff_max, a.backoff_min));
  a.co.healthy_after = milliseconds(a.healthy_after);
  s.ack_timeout = milliseconds(a.ack_timeout);
  s.packet_timeout = milliseconds(a.packet_timeout);
  s.max_inflight = std::uint16_t(a.inflight);
  s.max_queued = a.queue;
  s.session_expiry = a.session_expiry;
  if (!a.will_topic.empty() || !a.will_payload.empty() || a.will_qos || a.will_retain) {
    if (a.will_topic.empty()) die("--will-payload/--will-qos/--will-retain need --will-topic", exit_usage);
    s.will = Will{a.will_topic, a.will_payload, std::uint8_t(a.will_qos), a.will_retain, {}};
  }
  if (a.persistent) {
    s.clean_start = a.clean_first;
    if (a.session_expiry == 0 && s.version == Version::v5) s.session_expiry = 3600;
    if (s.client_id.empty()) die("-c needs a client identifier (-i)", exit_usage);
  }
  if (s.client_id.empty() && (s.version == Version::v311 || a.fallback))
    s.client_id = "weir-mqtt-" + std::to_string(::getpid());
  if (auto why = options_problem(a.co); !why.empty()) die(why, exit_usage);
}

Properties publish_properties(const Args& a) {
  Properties p;
  if (a.payload_utf8) p.add(PropId::payload_format_indicator, 1);
  if (a.message_expiry) p.add(PropId::message_expiry_interval, a.message_expiry);
  if (!a.content_type.empty()) p.add(PropId::content_type, a.content_type);
  if (!a.response_topic.empty()) p.add(PropId::response_topic, a.response_topic);
  if (!a.correlation_data.empty()) p.add(PropId::correlation_data, a.correlation_data);
  for (auto& kv : a.user_props) {
    auto eq = kv.find('=');
    if (eq == kv.npos) die("--user-property '" + kv + "': expected KEY=VALUE", exit_usage);
    p.add_user(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return p;
}

std::string payload_for(const Args& a, const std::string& file_payload, std::uint64_t n) {
  std::string p;
  if (!a.file.empty()) p = file_payload;
  else if (a.has_message) {
    p = a.message;
    auto at = p.find("{n}");
    if (at != p.npos) p.replace(at, 3, std::to_string(n));
  }
  if (p.size() < a.size) p.resize(a.size, 'x');
  return p;
}

// Lines from stdin for `pub -l`, read by a thread so that a pipe kept open does not block the
// I/O thread; bounded, so a large file is not read ahead into memory.
struct LineFeed {
  std::mutex m;
  std::condition_variable room;
  std::deque<std::string> lines;
  bool eof = false;
  static constexpr std::size_t limit = 4096;

  void start(asio::io_context& io, std::function<void()> wake) {
    std::thread([this, &io, wake = std::move(wake)] {
      std::string line;
      char* buf = nullptr;
      std::size_t cap = 0;
      ssize_t got;
      while ((got = ::getline(&buf, &cap, stdin)) >= 0) {  // POSIX getline: no per-char locking
        line.assign(buf, std::size_t(got) - (got > 0 && buf[got - 1] == '\n' ? 1 : 0));
        std::unique_lock lk(m);
        room.wait(lk, [&] { return lines.size() < limit; });
        const bool was_empty = lines.empty();
        lines.push_back(std::move(line));
        lk.unlock();
        if (was_empty) asio::post(io, wake);
      }
      std::free(buf);
      { std::lock_guard lk(m); eof = true; }
      asio::post(io, wake);
    }).detach();
  }
  // Takes the next line; false when none is ready. `done` is set at the end of the input.
  bool take(std::string& out, bool& done) {
    std::lock_guard lk(m);
    done = eof && lines.empty();
    if (lines.empty()) return false;
    out = std::move(lines.front());
    lines.pop_front();
    room.notify_one();
    return true;
  }
};

int run_pub(Args& a) {
  if (a.topics.size() != 1) die("pub needs exactly one -t TOPIC", exit_usage);
  if (auto why = topic_name_problem(a.topics[0]); !why.empty()) die("-t: " + why, exit_usage);
  const int sources = int(a.has_message) + int(!a.file.empty()) + int(a.lines);
  if (sources > 1) die("-m, -f and -l exclude each other", exit_usage);
  std::string file_payload;
  if (!a.file.empty()) {
    std::ifstream f(a.file, std::ios::binary | std::ios::ate);
    if (!f) die("-f: cannot read '" + a.file + "'", exit_usage);
    const auto bytes = std::uint64_t(f.tellg());
    if (auto why = payload_size_problem(bytes, a.topics[0], max_packet_size_limit, false); !why.empty())
      die("-f " + a.file + ": " + why, exit_usage);
    f.seekg(0);
    file_payload.assign(std::istreambuf_iterator<char>(f), {});
  }
  if (auto why = payload_size_problem(a.size, a.topics[0], max_packet_size_limit, false); !why.empty())
    die("-s: " + why, exit_usage);
  const Properties props = publish_properties(a);
  {
    Publish probe{a.topics[0], "", std::uint8_t(a.qos), a.retain, false, 0, props};
    if (auto why = publish_problem(probe, a.co.session.version, max_packet_size_limit, false); !why.empty())
      die(why, exit_usage);
  }

  asio::io_context io;
  Client c(io, a.co);
  asio::steady_timer timer(io);
  LineFeed feed;
  std::uint64_t next = 0, done = 0, failed = 0, expected = a.lines ? 0 : a.count;
  bool input_done = !a.lines, started = false, finished = false;
  int rc = 0;
  const auto t0 = steady_clock::now();
  auto finish = [&] {
    if (finished) return;
    finished = true;
    if (failed) {
      std::fprintf(stderr, "weir-mqtt: %llu of %llu messages were not delivered\n",
                   (unsigned long long)failed, (unsigned long long)next);
      rc = exit_failure;
    }
    if (a.stay && !failed) return;
    const double secs = duration<double>(steady_clock::now() - t0).count();
    if (!a.quiet)
      std::fprintf(stderr, "published %llu messages in %.3f s (%.0f msg/s)\n",
                   (unsigned long long)next, secs, double(next) / secs);
    c.stop([&] { io.stop(); });
  };
  auto all_done = [&] { return input_done && next >= expected && (a.qos == 0 || done >= next); };
  std::function<void()> drain_qos0;
  drain_qos0 = [&] {  // QoS 0: done when nothing is queued or unwritten any more
    if (c.session().queued() == 0 && !c.session().has_output()) return finish();
    timer.expires_after(milliseconds(1));
    timer.async_wait([&](const asio::error_code& ec) { if (!ec) drain_qos0(); });
  };
  std::string pending_line;
  bool have_line = false;
  std::function<void()> pump;
  pump = [&] {
    if (finished || !started) return;
    std::uint64_t limit = a.count;
    if (a.rate > 0 && !a.lines) {
      const double secs = duration<double>(steady_clock::now() - t0).count();
      limit = std::min<std::uint64_t>(a.count, std::uint64_t(secs * a.rate) + 1);
    }
    for (;;) {
      Publish p;
      if (a.lines) {
        if (!have_line) {
          bool end = false;
          have_line = feed.take(pending_line, end);
          if (end) input_done = true;
          if (!have_line) break;
        }
        p.payload = pending_line;
      } else {
        if (next >= limit) break;
        p.payload = payload_for(a, file_payload, next);
      }
      p.topic = a.topics[0];
      p.qos = std::uint8_t(a.qos);
      p.retain = a.retain;
      p.props = props;
      auto r = c.publish(std::move(p));
      if (r.status == Accept::queue_full) return;  // on_ready calls pump again
      if (r.status != Accept::ok) {
        std::fprintf(stderr, "weir-mqtt: message %llu not sent: %s\n", (unsigned long long)next,
                     r.why.c_str());
        ++failed;
      } else if (a.qos == 0) {
        // counted as sent; QoS 0 completion is the output draining
      }
      if (r.status != Accept::ok && a.qos > 0) ++done;  // nothing to wait for
      have_line = false;
      ++next;
      if (a.lines) ++expected;
    }
    if (!a.lines && next < a.count) {
      timer.expires_at(t0 + duration_cast<steady_clock::duration>(duration<double>(double(next) / a.rate)));
      timer.async_wait([&](const asio::error_code& ec) { if (!ec) pump(); });
      return;
    }
    if (!input_done) return;  // the line reader wakes us
    if (a.qos == 0) drain_qos0();
    else if (all_done()) finish();
  };
  c.on_ready = [&] { if (a.rate == 0 || a.lines) pump(); };
  c.on_publish_done = [&](std::uint64_t, std::uint8_t reason, const std::string& why) {
    if (a.qos > 0) ++done;
    if (reason >= 0x80) {
      ++failed;
      std::fprintf(stderr, "weir-mqtt: message refused: %s\n",
                   why.empty() ? reason_text(reason, PacketType::puback).c_str() : why.c_str());
    }
    if (a.qos > 0 && all_done()) finish();
  };
  c.on_connected = [&](bool sp) {
    if (!a.quiet) std::fprintf(stderr, "connected (session present: %d)\n", int(sp));
    if (!started) {
      started = true;
      if (a.lines) feed.start(io, [&] { pump(); });
      pump();
    }
  };
  c.on_disconnected = [&](const Disconnection& d) {
    if (d.permanent || !d.retrying) {
      if (finished && d.why == "stopped") return;
      std::fprintf(stderr, "weir-mqtt: %s\n", d.why.c_str());
      rc = exit_failure;
      io.stop();
      return;
    }
    if (!a.quiet)
      std::fprintf(stderr, "disconnected: %s (retrying in %lld ms)\n", d.why.c_str(),
                   (long long)d.retry_in.count());
  };
  c.start();
  io.run();
  if (a.stats) print_stats(c, next);
  std::fflush(stderr);
  return rc;
}

// ---- sub: output -----------------------------------------------------------------------------

void json_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char ch : s) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (ch < 0x20) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", ch);
          out += b;
        } else {
          out += char(ch);
        }
    }
  }
  out += '"';
}

std::string hex(std::string_view s) {
  static const char* d = "0123456789abcdef";
  std::string r;
  for (unsigned char c : s) { r += d[c >> 4]; r += d[c & 15]; }
  return r;
}

void append_json(std::string& out, const Publish& p) {
  out += "{\"topic\":";
  json_string(out, p.topic);
  out += ",\"qos\":" + std::to_string(p.qos) + ",\"retain\":" + (p.retain ? "true" : "false");
  out += ",\"mid\":" + std::to_string(p.packet_id);
  if (is_valid_utf8(p.payload)) { out += ",\"payload\":"; json_string(out, p.payload); }
  else out += ",\"payload_hex\":\"" + hex(p.payload) + "\"";
  if (!p.props.empty()) {
    out += ",\"properties\":{";
    bool first = true;
    auto key = [&](const char* k) { out += first ? "\"" : ",\""; out += k; out += "\":"; first = false; };
    if (auto v = p.props.num(PropId::payload_format_indicator)) { key("payload_format_indicator"); out += std::to_string(*v); }
    if (auto v = p.props.num(PropId::message_expiry_interval)) { key("message_expiry_interval"); out += std::to_string(*v); }
    if (auto v = p.props.str(PropId::content_type)) { key("content_type"); json_string(out, *v); }
    if (auto v = p.props.str(PropId::response_topic)) { key("response_topic"); json_string(out, *v); }
    if (auto v = p.props.str(PropId::correlation_data)) {
      key("correlation_data");
      if (is_valid_utf8(*v)) json_string(out, *v);
      else out += "\"" + hex(*v) + "\"";
    }
    bool any_user = false;
    for (auto& pr : p.props.items) {
      if (pr.id != PropId::user_property) continue;
      if (!any_user) { key("user_properties"); out += '['; any_user = true; } else out += ',';
      out += '[';
      json_string(out, pr.str);
      out += ',';
      json_string(out, pr.str2);
      out += ']';
    }
    if (any_user) out += ']';
    out += '}';
  }
  out += '}';
}

// mosquitto_sub's -F: %t topic, %p payload, %q QoS, %r retain, %l length, %m message id,
// %C content type, %E message expiry, %R response topic, %D correlation data, %P user
// properties (key:value, space separated), %F payload format, %j the whole message as JSON,
// %% a '%'; \n \t \r \\ \0 escapes. A newline ends each message.
void append_formatted(std::string& out, const std::string& fmt, const Publish& p) {
  for (std::size_t i = 0; i < fmt.size(); ++i) {
    const char c = fmt[i];
    if ((c != '%' && c != '\\') || i + 1 == fmt.size()) { out += c; continue; }
    const char k = fmt[++i];
    if (c == '\\') {
      switch (k) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case '0': out += '\0'; break;
        default: out += k;
      }
      continue;
    }
    auto str = [&](PropId id) { if (auto v = p.props.str(id)) out += *v; };
    auto num = [&](PropId id) { if (auto v = p.props.num(id)) out += std::to_string(*v); };
    switch (k) {
      case 't': out += p.topic; break;
      case 'p': out += p.payload; break;
      case 'q': out += char('0' + p.qos); break;
      case 'r': out += p.retain ? '1' : '0'; break;
      case 'l': out += std::to_string(p.payload.size()); break;
      case 'm': out += std::to_string(p.packet_id); break;
      case 'C': str(PropId::content_type); break;
      case 'E': num(PropId::message_expiry_interval); break;
      case 'R': str(PropId::response_topic); break;
      case 'D': str(PropId::correlation_data); break;
      case 'F': num(PropId::payload_format_indicator); break;
      case 'P': {
        bool first = true;
        for (auto& pr : p.props.items) {
          if (pr.id != PropId::user_property) continue;
          if (!first) out += ' ';
          out += pr.str + ":" + pr.str2;
          first = false;
        }
        break;
      }
      case 'j': append_json(out, p); break;
      case '%': out += '%'; break;
      default: out += '%'; out += k;
    }
  }
  out += '\n';
}

int run_sub(Args& a, bool count_given) {
  if (a.topics.empty()) die("sub needs -t FILTER", exit_usage);
  std::vector<Subscription> subs;
  for (auto& t : a.topics) {
    Subscription s{t, std::uint8_t(a.qos)};
    s.no_local = a.no_local;
    s.retain_as_published = a.rap;
    s.retain_handling = std::uint8_t(a.retain_handling);
    if (auto why = subscription_problem(s, a.co.session.version); !why.empty()) die("-t: " + why, exit_usage);
    subs.push_back(s);
  }
  // Each message is acknowledged only after it was written to stdout (at-least-once to the
  // output); messages beyond -C are never acknowledged, so a persistent session keeps them.
  a.co.session.manual_acks = true;
  asio::io_context io;
  Client c(io, a.co);
  std::uint64_t got = 0;
  std::string out;
  std::vector<std::uint64_t> to_ack;
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
    for (auto id : to_ack) c.ack(id);
    to_ack.clear();
  };
  auto stop = [&] {
    if (stopping) return;
    stopping = true;
    flush_out();
    c.abandon_unacked();
    if (a.count_only) { std::printf("%llu\n", (unsigned long long)got); std::fflush(stdout); }
    c.stop([&] { io.stop(); });
  };
  c.on_message = [&](Publish& p, std::uint64_t ack_id) {
    if (stopping) return;  // beyond -C: not printed, not acknowledged
    ++got;
    if (!a.count_only) {
      if (!a.format.empty()) append_formatted(out, a.format, p);
      else {
        if (a.verbose) { out += p.topic; out += ' '; }
        out += p.payload;
        out += '\n';
      }
    }
    if (ack_id) to_ack.push_back(ack_id);
    if (!flush_posted) { flush_posted = true; asio::post(io, flush_out); }
    if (count_given && got >= a.count) stop();
  };
  bool said_ready = false;
  c.on_suback = [&](std::uint16_t, const std::vector<std::uint8_t>& reasons, const std::string& why) {
    std::size_t refused = 0;
    for (std::size_t i = 0; i < reasons.size(); ++i) {
      if (reasons[i] < 0x80) continue;
      ++refused;
      std::fprintf(stderr, "weir-mqtt: subscription to '%s' refused: %s\n",
                   i < a.topics.size() ? a.topics[i].c_str() : "?",
                   why.empty() ? reason_text(reasons[i], PacketType::suback).c_str() : why.c_str());
    }
    if (refused && refused == reasons.size()) {  // nothing to wait for
      rc = exit_failure;
      return stop();
    }
    if (a.ready && !said_ready) { said_ready = true; out += "ready\n"; flush_out(); }
  };
  c.on_connected = [&](bool sp) {
    if (!a.quiet) std::fprintf(stderr, "connected (session present: %d)\n", int(sp));
    // With a resumed session the broker still has the subscription.
    if (a.ready && sp && !said_ready) { said_ready = true; out += "ready\n"; flush_out(); }
  };
  c.on_disconnected = [&](const Disconnection& d) {
    if (stopping && d.why == "stopped") return;
    if (d.permanent || !d.retrying) {
      std::fprintf(stderr, "weir-mqtt: %s\n", d.why.c_str());
      rc = exit_failure;
      io.stop();
      return;
    }
    if (!a.quiet)
      std::fprintf(stderr, "disconnected: %s (retrying in %lld ms)\n", d.why.c_str(),
                   (long long)d.retry_in.count());
  };
  if (auto r = c.subscribe(subs); !r.ok()) die(r.error, exit_usage);
  if (a.timeout > 0) {
    deadline.expires_after(duration_cast<steady_clock::duration>(duration<double>(a.timeout)));
    deadline.async_wait([&](const asio::error_code& ec) {
      if (ec) return;
      if (!a.quiet) std::fprintf(stderr, "weir-mqtt: timeout after %llu messages\n", (unsigned long long)got);
      rc = exit_timeout;
      stop();
    });
  }
  c.start();
  io.run();
  if (!stopping) flush_out();
  if (a.stats) print_stats(c, got);
  return rc;
}

int run_latency(Args& a, bool count_given) {
  if (a.topics.size() != 1) die("bench latency needs exactly one -t TOPIC", exit_usage);
  asio::io_context io;
  Client c(io, a.co);
  asio::steady_timer timer(io);
  if (a.size < 8) a.size = 8;
  if (!count_given) a.count = 1000;
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
  c.on_message = [&](Publish& p, std::uint64_t) {
    if (p.payload.size() < 8) return;
    std::int64_t ns;
    std::memcpy(&ns, p.payload.data(), 8);
    rtts.push_back(double(steady_clock::now().time_since_epoch().count() - ns) / 1000.0);
    if (rtts.size() >= a.count) stop();
  };
  c.on_disconnected = [&](const Disconnection& d) {
    if (d.permanent) { std::fprintf(stderr, "weir-mqtt: %s\n", d.why.c_str()); io.stop(); }
  };
  std::function<void()> tick;
  tick = [&] {
    const double secs = duration<double>(steady_clock::now() - t0).count();
    const std::uint64_t due = std::min<std::uint64_t>(a.count, std::uint64_t(secs * a.rate) + 1);
    while (sent < due) {
      Publish p;
      p.topic = a.topics[0];
      p.qos = std::uint8_t(a.qos);
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
  c.on_suback = [&](std::uint16_t, const std::vector<std::uint8_t>&, const std::string&) {
    if (started) return;
    started = true;
    t0 = steady_clock::now();
    tick();
  };
  if (auto r = c.subscribe({{a.topics[0], std::uint8_t(a.qos)}}); !r.ok()) die(r.error, exit_usage);
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
  Args a;
  a.co.reconnect_max = milliseconds(5000);
  CLI::App app{"weir-mqtt: publish, subscribe and measure with the Weir MQTT client library.\n"
               "Exit status: 0 done, 1 runtime failure, 2 sub --timeout, 64 invalid command line."};
  app.set_help_flag("--help", "this help");
  app.require_subcommand(1);
  std::uint64_t count_opt = 0;

  auto* pub = app.add_subcommand("pub", "publish messages");
  add_connection(pub, a);
  add_message_options(pub, a);
  pub->add_option("-t,--topic", a.topics, "topic")->required();
  pub->add_option("-m,--message", a.message, "payload; {n} is replaced by the sequence number")
      ->each([&](const std::string&) { a.has_message = true; });
  pub->add_option("-f,--file", a.file, "payload: the whole file")->check(CLI::ExistingFile);
  pub->add_flag("-l,--stdin-line", a.lines,
                "one message per line of standard input; exits after all were delivered");
  pub->add_option("-n,--count", count_opt, "messages to send (1)")->check(CLI::Range(1.0, 1e15));
  pub->add_flag("-r,--retain", a.retain, "retain");
  pub->add_flag("--stay", a.stay, "stay connected after publishing until killed");
  pub->add_option("--user-property", a.user_props, "MQTT 5 user property KEY=VALUE (repeatable)");
  pub->add_option("--content-type", a.content_type, "MQTT 5 Content Type");
  pub->add_option("--message-expiry", a.message_expiry, "MQTT 5 Message Expiry Interval (s)")
      ->check(CLI::Range(0.0, 4294967295.0));
  pub->add_option("--response-topic", a.response_topic, "MQTT 5 Response Topic");
  pub->add_option("--correlation-data", a.correlation_data, "MQTT 5 Correlation Data");
  pub->add_flag("--payload-utf8", a.payload_utf8, "MQTT 5 Payload Format Indicator 1 (UTF-8)");

  auto* sub = app.add_subcommand("sub", "subscribe and print messages");
  add_connection(sub, a);
  add_message_options(sub, a);
  sub->add_option("-t,--topic", a.topics, "filter (repeatable; $share/group/filter for shared)")->required();
  sub->add_option("-C,--count", count_opt, "exit after this many messages")->check(CLI::Range(1.0, 1e15));
  sub->add_flag("-v,--verbose", a.verbose, "print the topic before the payload");
  sub->add_option("-F,--format", a.format,
                  "output format: %t topic %p payload %q QoS %r retain %l length %m id %C content "
                  "type %E expiry %R response topic %D correlation data %P user properties %F "
                  "payload format %j JSON %% '%'");
  sub->add_flag("--count-only", a.count_only, "print only the number of messages at exit");
  sub->add_flag("--ready", a.ready, "print \"ready\" once subscribed");
  sub->add_option("--timeout", a.timeout, "exit 2 after this many seconds")->check(CLI::PositiveNumber);
  sub->add_flag("--no-local", a.no_local, "MQTT 5 No Local");
  sub->add_flag("--retain-as-published", a.rap, "MQTT 5 Retain As Published");
  sub->add_option("--retain-handling", a.retain_handling,
                  "MQTT 5 Retain Handling: 0 send retained, 1 only for new subscriptions, 2 never")
      ->check(CLI::Range(0, 2));

  auto* bench = app.add_subcommand("bench", "measurements");
  bench->require_subcommand(1);
  auto* lat = bench->add_subcommand("latency", "QoS round trip p50/p99 on one connection");
  add_connection(lat, a);
  add_message_options(lat, a);
  lat->add_option("-t,--topic", a.topics, "topic")->required();
  lat->add_option("-n,--count", count_opt, "messages (1000)")->check(CLI::Range(1.0, 1e15));

  if (argc >= 2 && (std::strcmp(argv[1], "help") == 0)) {
    std::cout << app.help() << pub->help() << sub->help() << lat->help();
    return 0;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "weir-mqtt: %s\n", e.what());
    return exit_usage;
  }
  if (count_opt) a.count = count_opt;
  try {
    finish_connection(a);
    if (*pub) return run_pub(a);
    if (*sub) return run_sub(a, count_opt != 0);
    return run_latency(a, count_opt != 0);
  } catch (const std::exception& e) {
    die(e.what());
  }
}
