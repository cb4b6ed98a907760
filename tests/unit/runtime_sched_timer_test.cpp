// The timing wheel with a fake clock: no sleeping, exact ticks.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <vector>

#include "../../runtime/sched/wheel.h"

namespace {
struct Fired {
  std::vector<std::pair<uint64_t, uint64_t>> log;   // (entry's deadline, wheel time at firing)
  weir_wheel* w = nullptr;
};
void record(weir_wheel_entry* e, void* ctx) {
  auto* f = static_cast<Fired*>(ctx);
  f->log.push_back({e->deadline, f->w->now});
}
}  // namespace

TEST_CASE("wheel: a timer fires exactly at its tick, not before", "[sched][timer]") {
  weir_wheel w;
  weir_wheel_init(&w, 100);
  Fired f; f.w = &w;
  weir_wheel_entry a{}, b{}, c{};
  weir_wheel_add(&w, &a, 105);
  weir_wheel_add(&w, &b, 100 + 64 * 3 + 7);   // level 1
  weir_wheel_add(&w, &c, 100 + 70000);        // level 2
  CHECK(weir_wheel_advance(&w, 104, record, &f) == 0);
  CHECK(weir_wheel_advance(&w, 105, record, &f) == 1);
  CHECK(weir_wheel_advance(&w, 100 + 64 * 3 + 6, record, &f) == 0);
  CHECK(weir_wheel_advance(&w, 100 + 64 * 3 + 7, record, &f) == 1);
  CHECK(weir_wheel_advance(&w, 100 + 69999, record, &f) == 0);
  CHECK(weir_wheel_advance(&w, 100 + 70000, record, &f) == 1);
  for (auto& [d, at] : f.log) CHECK(d == at);
  CHECK(w.count == 0);
}

TEST_CASE("wheel: cancel removes a timer in O(1); past deadlines fire on the next tick", "[sched][timer]") {
  weir_wheel w;
  weir_wheel_init(&w, 0);
  Fired f; f.w = &w;
  weir_wheel_entry a{}, b{}, late{};
  weir_wheel_add(&w, &a, 10);
  weir_wheel_add(&w, &b, 5000);
  weir_wheel_remove(&w, &a);
  weir_wheel_remove(&w, &b);
  CHECK(w.count == 0);
  CHECK(weir_wheel_next(&w) == UINT64_MAX);
  CHECK(weir_wheel_advance(&w, 10000, record, &f) == 0);
  weir_wheel_add(&w, &late, 3);   // already past
  CHECK(weir_wheel_advance(&w, 10001, record, &f) == 1);
  CHECK(f.log.at(0).second == 10001);
}

TEST_CASE("wheel: random timers fire once each, at their deadline, in order", "[sched][timer]") {
  std::mt19937_64 rng(42);
  const uint64_t start = 123456;
  weir_wheel w;
  weir_wheel_init(&w, start);
  Fired f; f.w = &w;
  std::vector<weir_wheel_entry> es(20000);
  std::vector<bool> cancelled(es.size());
  for (size_t i = 0; i < es.size(); i++) {
    uint64_t span = (i % 4 == 0) ? 100 : (i % 4 == 1) ? 5000 : (i % 4 == 2) ? 400000 : 30000000;
    weir_wheel_add(&w, &es[i], start + 1 + rng() % span);
  }
  for (size_t i = 0; i < es.size(); i += 7) { weir_wheel_remove(&w, &es[i]); cancelled[i] = true; }
  uint64_t now = start;
  while (w.count) {
    uint64_t next = weir_wheel_next(&w);
    REQUIRE(next > now);
    now = std::min<uint64_t>(next + rng() % 3000, start + 40000000);
    weir_wheel_advance(&w, now, record, &f);
  }
  size_t expected = 0;
  for (bool c : cancelled) expected += !c;
  CHECK(f.log.size() == expected);
  for (size_t i = 1; i < f.log.size(); i++) CHECK(f.log[i - 1].first <= f.log[i].first);
  for (auto& [d, at] : f.log) CHECK(at == std::max<uint64_t>(d, at));   // never early
  bool all_on_time = std::all_of(f.log.begin(), f.log.end(), [](auto& p) { return p.second >= p.first; });
  CHECK(all_on_time);
}

TEST_CASE("wheel: next() never overshoots the earliest deadline", "[sched][timer]") {
  weir_wheel w;
  weir_wheel_init(&w, 0);
  weir_wheel_entry e{};
  weir_wheel_add(&w, &e, 1000);
  Fired f; f.w = &w;
  uint64_t now = 0;
  int wakeups = 0;
  while (w.count) {
    uint64_t n = weir_wheel_next(&w);
    REQUIRE(n <= 1000);
    now = n;
    weir_wheel_advance(&w, now, record, &f);
    wakeups++;
  }
  CHECK(f.log.at(0).second == 1000);
  CHECK(wakeups <= 1000 / 64 + 2);   // sleeps a level-0 block at a time at worst
}

TEST_CASE("wheel: entries of one tick fire in the order they were added, cascaded or not",
          "[sched][timer]") {
  weir_wheel w;
  weir_wheel_init(&w, 0);
  std::vector<weir_wheel_entry> es(12);
  std::vector<weir_wheel_entry*> order;
  // Six for tick 5000 (level 2 at first: they cascade twice), then six for tick 7 (level 0);
  // some of the later tick-5000 ones are added after time moved, from a lower level.
  for (int i = 0; i < 4; i++) weir_wheel_add(&w, &es[i], 5000);
  for (int i = 6; i < 12; i++) weir_wheel_add(&w, &es[i], 7);
  struct Ctx { std::vector<weir_wheel_entry*>* order; } ctx{&order};
  auto log = [](weir_wheel_entry* e, void* c) { static_cast<Ctx*>(c)->order->push_back(e); };
  CHECK(weir_wheel_advance(&w, 4500, log, &ctx) == 6);
  for (int i = 4; i < 6; i++) weir_wheel_add(&w, &es[i], 5000);
  CHECK(weir_wheel_advance(&w, 6000, log, &ctx) == 6);
  REQUIRE(order.size() == 12);
  for (int i = 0; i < 6; i++) CHECK(order[i] == &es[6 + i]);
  for (int i = 0; i < 6; i++) CHECK(order[6 + i] == &es[i]);
}
