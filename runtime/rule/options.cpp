// The command line and environment of a compiled rule program (CLI11). Every option also reads
// an environment variable (WEIR_BROKER, ...); the command line wins. Secrets are never printed:
// the password comes from a file (--password-file), and the help shows no values.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <unistd.h>

#include "engine.hpp"

namespace weir::rule {

bool parse_options(int argc, char** argv, Options& o, int* code) {
  std::string prog = argc > 0 && argv[0] ? argv[0] : "rules";
  if (auto slash = prog.rfind('/'); slash != std::string::npos) prog = prog.substr(slash + 1);
  CLI::App app{prog + ": a Weir rule processor (MQTT in, rules, MQTT out)", prog};
  app.add_option("--broker", o.broker, "The broker: mqtt://host[:port] or mqtts://host[:port] (TLS)")
      ->envname("WEIR_BROKER")->capture_default_str();
  app.add_option("--client-id", o.client_id,
                 "MQTT client id; keep it the same across restarts so the broker keeps the session "
                 "(default: weir-PROGRAM-HOSTNAME)")->envname("WEIR_CLIENT_ID");
  app.add_option("--username", o.username, "User name for the broker")->envname("WEIR_USERNAME");
  app.add_option("--password-file", o.password_file, "A file holding the password (never given on the command line)")
      ->envname("WEIR_PASSWORD_FILE");
  app.add_option("--tls-ca", o.tls_ca, "CA certificate (PEM) to verify the broker; turns TLS on")->envname("WEIR_TLS_CA");
  app.add_option("--tls-cert", o.tls_cert, "Client certificate (PEM) for mutual TLS")->envname("WEIR_TLS_CERT");
  app.add_option("--tls-key", o.tls_key, "Private key (PEM) of the client certificate")->envname("WEIR_TLS_KEY");
  app.add_flag("--clean-start", o.clean_start,
               "Start a new session (the broker forgets what it kept for this client id)")->envname("WEIR_CLEAN_START");
  app.add_option("--session-expiry", o.session_expiry,
                 "Seconds the broker keeps the session (and undelivered QoS 1/2 messages) after a disconnect")
      ->envname("WEIR_SESSION_EXPIRY")->check(CLI::Range(0, 0x7fffffff))->capture_default_str();
  app.add_option("--receive-maximum", o.receive_maximum,
                 "QoS 1/2 messages the broker may send before we acknowledge (MQTT 5 Receive Maximum)")
      ->envname("WEIR_RECEIVE_MAXIMUM")->check(CLI::Range(1, 65535))->capture_default_str();
  app.add_option("--metrics-port", o.metrics_port, "Serve Prometheus metrics and /health on this port (0: off)")
      ->envname("WEIR_METRICS_PORT")->check(CLI::Range(0, 65535));
  app.add_option("--metrics-bind", o.metrics_bind, "Address of the metrics endpoint")
      ->envname("WEIR_METRICS_BIND")->capture_default_str();
  app.add_option("--log-level", o.log_level, "error, warn, info or debug")
      ->envname("WEIR_LOG_LEVEL")->check(CLI::IsMember({"error", "warn", "info", "debug"}))->capture_default_str();
  app.add_option("--replay", o.replay,
                 "Run the rules over a JSON-lines file of {\"topic\": ..., \"payload\": <JSON>} (or "
                 "\"payload_base64\") with no broker, printing what they publish")
      ->envname("WEIR_REPLAY")->check(CLI::ExistingFile);
  int workers = 0;
  app.add_option("--workers", workers, "Worker threads running the rules (default: one per core; also WEIR_WORKERS)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    *code = app.exit(e) == 0 ? 0 : 2;
    return false;
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
