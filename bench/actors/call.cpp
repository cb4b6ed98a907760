// call peer of call.weir: a client actor makes N requests in a row to a server (request/then,
// timeout 5 s) and sums the answers. Prints "call <answered> <ns>".
#include "caf_common.hpp"
using namespace caf;

static int64_t T0;

behavior server(event_based_actor*) {
  return {[=](int64_t) -> int64_t { return 1; }};
}

static void next_call(event_based_actor* self, actor srv, int64_t left, int64_t acc) {
  if (left == 0) {
    std::printf("call %lld %lld\n", (long long)acc, (long long)(now_ns() - T0));
    self->send_exit(srv, exit_reason::user_shutdown);
    self->quit();
    return;
  }
  self->request(srv, std::chrono::seconds(5), int64_t{0}).then([=](int64_t v) {
    next_call(self, srv, left - 1, acc + v);
  });
}

behavior client(event_based_actor* self, actor srv, int64_t n) {
  next_call(self, srv, n, 0);
  return {[](int64_t) {}};
}

int main(int argc, char** argv) {
  int64_t n = argc > 1 ? std::atoll(argv[1]) : 200000;
  actor_system_config cfg;
  actor_system sys{bench_config(cfg)};
  auto s = sys.spawn(server);
  T0 = now_ns();
  sys.spawn(client, s, n);
}
