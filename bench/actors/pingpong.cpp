// Ping-pong peer of pingpong.weir: two actors bounce a counter N times.
// Prints "pingpong <messages> <ns>".
#include "caf_common.hpp"
using namespace caf;

static int64_t N, T0;

behavior pong(event_based_actor* self) {
  return {[=](int64_t k) { self->send(actor_cast<actor>(self->current_sender()), k + 1); }};
}

behavior ping(event_based_actor* self, actor peer) {
  self->send(peer, int64_t{1});
  return {[=](int64_t k) {
    if (k >= N) {
      std::printf("pingpong %lld %lld\n", (long long)k, (long long)(now_ns() - T0));
      self->send_exit(peer, exit_reason::user_shutdown);
      self->quit();
    } else {
      self->send(peer, k + 1);
    }
  }};
}

int main(int argc, char** argv) {
  N = argc > 1 ? std::atoll(argv[1]) : 2000000;
  actor_system_config cfg;
  actor_system sys{bench_config(cfg)};
  auto p = sys.spawn(pong);
  T0 = now_ns();
  sys.spawn(ping, p);
}
