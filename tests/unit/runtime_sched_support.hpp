// Helpers shared by the scheduler tests (tests/unit/runtime_sched_*.cpp).
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "weir/rt.h"
#include "weir/sched.h"

namespace schedtest {
// WEIR_TEST_SCALE=n divides the big loop counts (the sanitizer builds use it).
inline long scaled(long n) {
  const char* s = std::getenv("WEIR_TEST_SCALE");
  long d = s ? std::atol(s) : 1;
  return d > 1 ? (n / d > 0 ? n / d : 1) : n;
}

struct Init {
  Init() { weir_rt_init(0, nullptr); }
};

// A one-shot flag a handler sets and the test thread waits for (with a deadline).
struct Latch {
  std::mutex mu;
  std::condition_variable cv;
  int count = 0;
  void signal() { std::lock_guard<std::mutex> l(mu); count++; cv.notify_all(); }
  bool wait(int n = 1, int ms = 10000) {
    std::unique_lock<std::mutex> l(mu);
    return cv.wait_for(l, std::chrono::milliseconds(ms), [&] { return count >= n; });
  }
};

// An external object holding a plain pointer (no finalizer work).
inline void no_finalize(void*) {}
inline weir_obj* ptr_obj(void* p) {
  auto* e = static_cast<weir_external*>(weir_alloc(sizeof(weir_external)));
  e->h.rc = 1; e->h.kind = WEIR_EXTERNAL; e->h.nfields = 0; e->h.tag = 0;
  e->finalize = no_finalize;
  e->data = p;
  return &e->h;
}
inline void* ptr_of(weir_obj* o) { return reinterpret_cast<weir_external*>(o)->data; }

inline weir_obj* pair(weir_obj* a, weir_obj* b) {
  auto* c = static_cast<weir_con*>(weir_alloc(8 + 16));
  c->h.rc = 1; c->h.kind = WEIR_CON; c->h.nfields = 2; c->h.tag = 0;
  c->fields[0] = a;
  c->fields[1] = b;
  return &c->h;
}
// Big enough never to be a cached small Int: every message allocates.
inline weir_obj* big(int64_t v) { return weir_box_int(v + 1000000); }
inline int64_t unbig(const weir_obj* o) { return weir_unbox_int(o) - 1000000; }
}  // namespace schedtest
