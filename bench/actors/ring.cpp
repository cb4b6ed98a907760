// Ring peer of ring.weir: spawn N actors (timed), pass a token once around; each actor forwards
// it once and quits. Prints "spawned <actors> <ns>" and "lap <hops> <ns>".
#include "caf_common.hpp"
using namespace caf;

behavior relay(event_based_actor* self, actor next) {
  return {[=](int64_t hops, int64_t t0) {
    self->send(next, hops + 1, t0);
    self->quit();
  }};
}

behavior tail(event_based_actor* self) {
  return {[=](int64_t hops, int64_t t0) {
    std::printf("lap %lld %lld\n", (long long)hops, (long long)(now_ns() - t0));
    self->quit();
  }};
}

int main(int argc, char** argv) {
  int64_t n = argc > 1 ? std::atoll(argv[1]) : 1000000;
  actor_system_config cfg;
  actor_system sys{bench_config(cfg)};
  int64_t t0 = now_ns();
  actor next = sys.spawn(tail);
  for (int64_t i = 1; i < n; i++) next = sys.spawn(relay, next);
  int64_t t1 = now_ns();
  std::printf("spawned %lld %lld\n", (long long)n, (long long)(t1 - t0));
  std::fflush(stdout);
  anon_send(next, int64_t{1}, now_ns());
}
