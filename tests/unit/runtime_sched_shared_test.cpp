// Shared (atomic) reference counts: values crossing threads are freed exactly once.
#include <catch2/catch.hpp>

extern "C" {
#include "../../runtime/object/values.h"
}

#include <thread>
#include <vector>

#include "runtime_sched_support.hpp"

using namespace schedtest;

namespace {
Init init;
// A list cell as the runtime builds one (runtime/object/values.h).
weir_obj* cons(weir_obj* h, weir_obj* t) { return weir_cons(h, t); }
}  // namespace

TEST_CASE("mark_shared makes every reachable count negative, once", "[sched][shared]") {
  weir_obj* x = big(1);
  weir_dup(x);   // reachable twice below
  weir_obj* l = cons(x, cons(x, cons(big(2), WEIR_FALSE)));
  weir_mark_shared(l);
  CHECK(l->rc == -1);
  CHECK(x->rc == -2);
  CHECK(WEIR_FALSE->rc == 0);
  weir_mark_shared(l);   // idempotent
  CHECK(x->rc == -2);
  weir_dup(l);
  CHECK(l->rc == -2);
  int64_t before = weir_live_objects_all();
  weir_drop(l);
  CHECK(weir_live_objects_all() == before);
  weir_drop(l);
  CHECK(weir_live_objects_all() == before - 5);   // 3 cells, x, 2
}

TEST_CASE("a shared list dropped by 8 threads is freed exactly once, by whoever drops last",
          "[sched][shared]") {
  int64_t live0 = weir_live_objects_all();
  const int T = 8;
  const long len = schedtest::scaled(100000);
  weir_obj* l = WEIR_FALSE;
  for (long i = 0; i < len; i++) l = cons(big(i), l);
  weir_mark_shared(l);
  for (int i = 1; i < T; i++) weir_dup(l);
  std::vector<std::thread> ts;
  for (int t = 0; t < T; t++)
    ts.emplace_back([l] {
      for (int k = 0; k < 20000; k++) { weir_dup(l); weir_drop(l); }   // churn on the same count
      weir_drop(l);
    });
  for (auto& t : ts) t.join();   // the threads' heaps are folded into the registry on exit
  CHECK(weir_live_objects_all() == live0);
}

TEST_CASE("a shared count past the sticky limit is never freed", "[sched][shared]") {
  weir_obj* x = big(5);
  weir_mark_shared(x);
  x->rc = WEIR_RC_STICKY;
  weir_dup(x);
  weir_drop(x);
  weir_drop(x);
  CHECK(x->rc == WEIR_RC_STICKY);
  CHECK(weir_unbox_int(x) == 1000005);
}
