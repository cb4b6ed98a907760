// The mailbox (Vyukov MPSC queue) under stress: 8 producers, one consumer.
#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "runtime_sched_support.hpp"

extern "C" {
void* weir_mq_test_new(void);
void weir_mq_test_free(void* q);
void weir_mq_test_push(void* q, void* node);
void* weir_mq_test_pop(void* q);
int weir_mq_test_empty(void* q);
}

namespace {
struct Node {
  void* link;   // the queue's link word
  uint32_t producer;
  uint32_t seq;
};
}  // namespace

TEST_CASE("mailbox: 8 producers x 1M messages, none lost, none duplicated, order kept per sender",
          "[sched][mailbox]") {
  const int P = 8;
  const uint32_t N = static_cast<uint32_t>(schedtest::scaled(1000000));
  void* q = weir_mq_test_new();
  CHECK(weir_mq_test_empty(q));
  std::vector<std::vector<Node>> nodes(P, std::vector<Node>(N));
  std::vector<std::thread> producers;
  for (int p = 0; p < P; p++)
    producers.emplace_back([&, p] {
      for (uint32_t i = 0; i < N; i++) {
        nodes[p][i].producer = p;
        nodes[p][i].seq = i;
        weir_mq_test_push(q, &nodes[p][i]);
      }
    });
  std::vector<uint32_t> next(P, 0);
  uint64_t got = 0, bad = 0;
  while (got < uint64_t(P) * N) {
    auto* n = static_cast<Node*>(weir_mq_test_pop(q));
    if (!n) { std::this_thread::yield(); continue; }
    if (n->seq != next[n->producer]) bad++;
    next[n->producer] = n->seq + 1;
    got++;
  }
  for (auto& t : producers) t.join();
  CHECK(bad == 0);
  CHECK(weir_mq_test_pop(q) == nullptr);
  CHECK(weir_mq_test_empty(q));
  for (int p = 0; p < P; p++) CHECK(next[p] == N);
  weir_mq_test_free(q);
}
