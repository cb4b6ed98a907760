/* The speeding rule hand-written on libmosquitto + simdjson, the baseline of bench/rules/run:
 * subscribe to bench/+/telemetry (QoS 1), decode {device, speed, fuel, ts}, and when speed > 120
 * publish {"device":...,"speed":...,"ts":...} on bench/alerts (QoS 1). A payload that does not
 * decode is counted and skipped. Ends cleanly on SIGTERM/SIGINT.
 *
 * C in style, compiled as C++ because simdjson has only a C++ interface (bench/rules/run):
 *   c++ -O2 -x c++ speeding.c -lmosquitto -lsimdjson -o speeding-c
 *   ./speeding-c HOST PORT
 */
#include <mosquitto.h>
#include <simdjson.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop_requested = 0;
static unsigned long long handled = 0, alerts = 0, bad = 0;
static simdjson::ondemand::parser parser;

static void on_signal(int sig) { (void)sig; stop_requested = 1; }

static void on_connect(struct mosquitto *m, void *ud, int rc) {
  (void)ud;
  if (rc != 0) { fprintf(stderr, "speeding-c: connection refused (%d)\n", rc); stop_requested = 1; return; }
  mosquitto_subscribe(m, NULL, "bench/+/telemetry", 1);
}

/* JSON string body with the escapes JSON requires. Returns the bytes written (or cap). */
static size_t escape(char *out, size_t cap, const char *s, size_t n) {
  size_t o = 0;
  for (size_t i = 0; i < n && o + 7 < cap; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') { out[o++] = '\\'; out[o++] = (char)c; }
    else if (c < 0x20) o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
    else out[o++] = (char)c;
  }
  return o;
}

/* The shortest of %.15g / %.17g that reads back as the same double. */
static int number(char *out, size_t cap, double v) {
  int n = snprintf(out, cap, "%.15g", v);
  if (strtod(out, NULL) != v) n = snprintf(out, cap, "%.17g", v);
  return n;
}

static void on_message(struct mosquitto *m, void *ud, const struct mosquitto_message *msg) {
  (void)ud;
  handled++;
  simdjson::padded_string buf((const char *)msg->payload, (size_t)msg->payloadlen);
  simdjson::ondemand::document doc;
  std::string_view device;
  double speed, fuel;
  int64_t ts;
  if (parser.iterate(buf).get(doc) || doc["device"].get_string().get(device) ||
      doc["speed"].get_double().get(speed) || doc["fuel"].get_double().get(fuel) ||
      doc["ts"].get_int64().get(ts)) {
    bad++;
    return;
  }
  if (!(speed > 120.0)) return;
  char out[512], num[32];
  size_t o = 0;
  memcpy(out, "{\"device\":\"", 11);
  o = 11;
  o += escape(out + o, sizeof out - 64 - o, device.data(), device.size());
  number(num, sizeof num, speed);
  o += (size_t)snprintf(out + o, sizeof out - o, "\",\"speed\":%s,\"ts\":%lld}", num, (long long)ts);
  mosquitto_publish(m, NULL, "bench/alerts", (int)o, out, 1, false);
  alerts++;
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: speeding-c HOST PORT\n"); return 2; }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  mosquitto_lib_init();
  struct mosquitto *m = mosquitto_new("speeding-c", true, NULL);
  if (!m) { fprintf(stderr, "speeding-c: mosquitto_new failed\n"); return 1; }
  mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
  mosquitto_connect_callback_set(m, on_connect);
  mosquitto_message_callback_set(m, on_message);
  if (mosquitto_connect(m, argv[1], atoi(argv[2]), 60) != MOSQ_ERR_SUCCESS) {
    fprintf(stderr, "speeding-c: cannot connect to %s:%s\n", argv[1], argv[2]);
    return 1;
  }
  while (!stop_requested) {
    int rc = mosquitto_loop(m, 100, 1);
    if (rc != MOSQ_ERR_SUCCESS && !stop_requested) mosquitto_reconnect(m);
  }
  mosquitto_disconnect(m);
  mosquitto_loop(m, 100, 1);
  fprintf(stderr, "speeding-c: %llu handled, %llu alerts, %llu not decoded\n", handled, alerts, bad);
  mosquitto_destroy(m);
  mosquitto_lib_cleanup();
  return 0;
}
