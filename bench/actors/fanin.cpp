// Fan-in peer of fanin.weir: 4 actors each send N/4 messages to one sink, which counts them.
// Prints "fanin <received> <ns> <sum>".
#include "caf_common.hpp"
using namespace caf;

static int64_t N, T0;

struct sink_state { int64_t count = 0, sum = 0; };

behavior sink(stateful_actor<sink_state>* self) {
  return {[=](int64_t k) {
    self->state.count++;
    self->state.sum += k;
    if (self->state.count == N) {
      std::printf("fanin %lld %lld %lld\n", (long long)self->state.count,
                  (long long)(now_ns() - T0), (long long)self->state.sum);
      self->quit();
    }
  }};
}

behavior sender(event_based_actor* self, actor to, int64_t n) {
  for (int64_t i = 0; i < n; i++) self->send(to, int64_t{1});
  return {};   // done: the actor ends
}

int main(int argc, char** argv) {
  N = argc > 1 ? std::atoll(argv[1]) : 4000000;
  actor_system_config cfg;
  actor_system sys{bench_config(cfg)};
  T0 = now_ns();
  auto s = sys.spawn(sink);
  for (int i = 0; i < 4; i++) sys.spawn(sender, s, N / 4);
}
