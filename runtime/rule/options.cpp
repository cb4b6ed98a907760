// The command line and environment of a compiled rule program. Every option also reads an
// environment variable (WEIR_BROKER, ...); the command line wins. Secrets are never printed: the
// password comes from a file (--password-file), and the help shows no values.
//
// Parsed by hand, not with CLI11: CLI11 and the iostreams it brings were 190 KB of a 2.2 MB
// static rule binary (docs/performance.md, "Executable sizes"). Accepts `--opt VALUE` and
// `--opt=VALUE`; a wrong value or an unknown argument prints the problem and "Run with --help
// for more information." to stderr, and the program exits with status 2.
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "engine.hpp"

namespace weir::rule {

namespace {

struct Opt {
  std::string name;      // --broker
  const char* arg;       // what the value is, in the help; nullptr for a flag
  std::string shown;     // the default (or allowed values), in the help
  const char* help;
  bool env = true;       // also read from WEIR_NAME
  std::function<std::string(const std::string&)> set;  // "" or what is wrong with the value

  std::string envName() const {
    std::string e = "WEIR_";
    for (char c : name.substr(2)) e += c == '-' ? '_' : char(c >= 'a' && c <= 'z' ? c - 32 : c);
    return e;
  }
};

std::function<std::string(const std::string&)> text(std::string& out) {
  return [&out](const std::string& v) { out = v; return std::string(); };
}

std::function<std::string(const std::string&)> integer(int& out, long lo, long hi) {
  return [&out, lo, hi](const std::string& v) {
    long n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || end != v.data() + v.size() || v.empty()) return "Value " + v + " is not an integer";
    if (n < lo || n > hi) return "Value " + v + " not in range " + std::to_string(lo) + " to " + std::to_string(hi);
    out = int(n);
    return std::string();
  };
}

void printHelp(const std::string& prog, const std::vector<Opt>& opts) {
  std::printf("%s: a Weir rule processor (MQTT in, rules, MQTT out)\nUsage: %s [OPTIONS]\n\nOptions:\n",
              prog.c_str(), prog.c_str());
  std::printf("  -h,--help                   Print this help message and exit\n");
  for (auto& o : opts) {
    std::string head = o.name + (o.arg ? std::string(" ") + o.arg : "") + o.shown;
    if (o.env) head += " (Env:" + o.envName() + ")";
    std::printf("  %s\n                              %s\n", head.c_str(), o.help);
  }
}

int usageError(const std::string& what) {
  std::fprintf(stderr, "%s\nRun with --help for more information.\n", what.c_str());
  return 2;
}

}  // namespace

bool parse_options(int argc, char** argv, Options& o, int* code) {
  std::string prog = argc > 0 && argv[0] ? argv[0] : "rules";
  if (auto slash = prog.rfind('/'); slash != std::string::npos) prog = prog.substr(slash + 1);
  int workers = 0;  // read by the scheduler (runtime/sched); checked here
  std::vector<Opt> opts = {
      {"--broker", "TEXT", "=" + o.broker, "The broker: mqtt://host[:port] or mqtts://host[:port] (TLS)", true,
       text(o.broker)},
      {"--client-id", "TEXT", "",
       "MQTT client id; keep it the same across restarts so the broker keeps the session "
       "(default: weir-PROGRAM-HOSTNAME)", true, text(o.client_id)},
      {"--username", "TEXT", "", "User name for the broker", true, text(o.username)},
      {"--password-file", "TEXT", "", "A file holding the password (never given on the command line)", true,
       text(o.password_file)},
      {"--tls-ca", "TEXT", "", "CA certificate (PEM) to verify the broker; turns TLS on", true, text(o.tls_ca)},
      {"--tls-cert", "TEXT", "", "Client certificate (PEM) for mutual TLS", true, text(o.tls_cert)},
      {"--tls-key", "TEXT", "", "Private key (PEM) of the client certificate", true, text(o.tls_key)},
      {"--clean-start", nullptr, "", "Start a new session (the broker forgets what it kept for this client id)", true,
       [&o](const std::string& v) {
         for (const char* t : {"1", "true", "on", "yes"}) if (v == t) return o.clean_start = true, std::string();
         for (const char* f : {"0", "false", "off", "no"}) if (v == f) return o.clean_start = false, std::string();
         return "Value " + v + " is not true or false";
       }},
      {"--session-expiry", "INT", ":INT in [0 - 2147483647]=" + std::to_string(o.session_expiry),
       "Seconds the broker keeps the session (and undelivered QoS 1/2 messages) after a disconnect", true,
       integer(o.session_expiry, 0, 0x7fffffff)},
      {"--receive-maximum", "INT", ":INT in [1 - 65535]=" + std::to_string(o.receive_maximum),
       "QoS 1/2 messages the broker may send before we acknowledge (MQTT 5 Receive Maximum)", true,
       integer(o.receive_maximum, 1, 65535)},
      {"--metrics-port", "INT", ":INT in [0 - 65535]", "Serve Prometheus metrics and /health on this port (0: off)",
       true, integer(o.metrics_port, 0, 65535)},
      {"--metrics-bind", "TEXT", "=" + o.metrics_bind, "Address of the metrics endpoint", true, text(o.metrics_bind)},
      {"--log-level", "TEXT", ":{error,warn,info,debug}=" + o.log_level, "error, warn, info or debug", true,
       [&o](const std::string& v) {
         for (const char* l : {"error", "warn", "info", "debug"})
           if (v == l) return o.log_level = v, std::string();
         return v + " not in {error,warn,info,debug}";
       }},
      {"--replay", "TEXT", ":FILE",
       "Run the rules over a JSON-lines file of {\"topic\": ..., \"payload\": <JSON>} (or \"payload_base64\") "
       "with no broker, printing what they publish", true,
       [&o](const std::string& v) {
         struct stat st;
         if (stat(v.c_str(), &st) != 0) return "File does not exist: " + v;
         if (S_ISDIR(st.st_mode)) return "File is actually a directory: " + v;
         o.replay = v;
         return std::string();
       }},
      {"--workers", "INT", "", "Worker threads running the rules (default: one per core; also WEIR_WORKERS)", false,
       integer(workers, 0, 1 << 20)},
  };
  auto find = [&](const std::string& name) -> Opt* {
    for (auto& op : opts)
      if (op.name == name) return &op;
    return nullptr;
  };
  // The environment first, so that the command line wins.
  for (auto& op : opts) {
    if (!op.env) continue;
    const char* v = std::getenv(op.envName().c_str());
    if (!v) continue;
    if (std::string p = op.set(v); !p.empty()) return *code = usageError(op.name + ": " + p), false;
  }
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      printHelp(prog, opts);
      *code = 0;
      return false;
    }
    std::string name = a, value;
    bool inlineValue = false;
    if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      inlineValue = true;
    }
    Opt* op = find(name);
    if (!op) return *code = usageError("The following argument was not expected: " + a), false;
    if (!op->arg) {  // a flag
      if (std::string p = op->set(inlineValue ? value : "true"); !p.empty())
        return *code = usageError(op->name + ": " + p), false;
      continue;
    }
    if (!inlineValue) {
      if (i + 1 >= argc) return *code = usageError(op->name + ": 1 required " + op->arg + " missing"), false;
      value = argv[++i];
    }
    if (std::string p = op->set(value); !p.empty()) return *code = usageError(op->name + ": " + p), false;
  }
  if (o.client_id.empty()) {
    char host[256] = "host";
    gethostname(host, sizeof host - 1);
    o.client_id = "weir-" + prog + "-" + host;
    if (o.client_id.size() > 64) o.client_id.resize(64);
  }
  return true;
}

}  // namespace weir::rule
