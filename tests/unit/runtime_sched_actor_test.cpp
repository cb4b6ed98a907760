// Actors on real workers: ring, fairness, call with timeout, monitors, bounded mailboxes,
// timers, idle parking. Each test starts and ends its own scheduler (weir_sched_wait).
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "runtime_sched_support.hpp"

using namespace schedtest;
using namespace std::chrono_literals;

namespace {
Init init;

// Stop every actor, drop our references, wait for quiescence; returns the exit code.
int finish(std::vector<weir_actor*>& actors) {
  for (auto* a : actors) weir_actor_stop(a);
  int code = weir_sched_wait();
  for (auto* a : actors) weir_actor_release(a);
  actors.clear();
  return code;
}

// ---- ring ----
std::atomic<int64_t> ring_hops;
Latch* ring_done;
void ring_node(weir_actor* self, weir_obj* msg) {
  auto* next = static_cast<weir_actor*>(ptr_of(weir_actor_state(self)));
  int64_t left = unbig(msg);
  weir_drop(msg);
  ring_hops.fetch_add(1, std::memory_order_relaxed);
  if (left == 0) ring_done->signal();
  else weir_send(next, big(left - 1));
}
}  // namespace

TEST_CASE("a ring of 1,000 actors passes a token 100 times around", "[sched][actors]") {
  int64_t live0 = weir_live_objects_all();
  REQUIRE(weir_sched_init(2) == 2);
  const int N = 1000;
  const int64_t hops = schedtest::scaled(100) * N;
  Latch done;
  ring_done = &done;
  ring_hops = 0;
  std::vector<weir_actor*> ring(N);
  // Build back to front so each actor's state points at its successor (a borrowed pointer:
  // the test holds every reference until the end).
  ring[N - 1] = weir_spawn(ring_node, ptr_obj(nullptr), 0);
  for (int i = N - 2; i >= 0; i--) ring[i] = weir_spawn(ring_node, ptr_obj(ring[i + 1]), 0);
  // Close the ring: the last one's state is replaced from outside before any message (safe:
  // it has never run, and the spawn published it).
  reinterpret_cast<weir_external*>(weir_actor_state(ring[N - 1]))->data = ring[0];
  weir_send(ring[0], big(hops - 1));
  REQUIRE(done.wait());
  CHECK(ring_hops.load() == hops);
  CHECK(finish(ring) == 0);
  weir_sched_counters c;
  weir_sched_get_counters(&c);
  CHECK(c.spawned == uint64_t(N));
  CHECK(c.actors_freed == uint64_t(N));
  CHECK(c.sent == uint64_t(hops));
  CHECK(c.delivered == uint64_t(hops));
  CHECK(weir_live_objects_all() == live0);
}

// ---- a worker never parks holding a lingering actor ----
// A lingering actor stays RUNNING for its worker's next (hand-off slot) turn. When the slot's
// actor had its WEIR_BATCH turns in a row it goes to the run queue; a thief could take it from
// there, and the worker then parked with the linger unresolved: the lingering actor stayed
// RUNNING forever, so the token that later reached it was never run (golden/actor_ring under
// qemu, 1 run in ~600; natively with --workers 3 on 2 cores, ~1 in 400). Several tokens in
// small rings, more workers than cores: thieves are always about, and each ring must finish.
namespace {
Latch* rings_done;
weir_actor* rings_sink;
void sink_node(weir_actor*, weir_obj* msg) { weir_drop(msg); }
// Every 7th hop also wakes the sink first, so the token's successor goes to the run queue with a
// sleeper woken: thieves are about while the hand-off chains run.
void small_ring_node(weir_actor* self, weir_obj* msg) {
  auto* next = static_cast<weir_actor*>(ptr_of(weir_actor_state(self)));
  int64_t left = unbig(msg);
  weir_drop(msg);
  if (left % 7 == 0) weir_send(rings_sink, big(0));
  if (left == 0) rings_done->signal();
  else weir_send(next, big(left - 1));
}
}  // namespace

TEST_CASE("a worker never parks while an actor lingers on it (tokens in rings, stealing workers)",
          "[sched][actors]") {
  const int W = 6, RINGS = 6, N = 50, ROUNDS = int(schedtest::scaled(20));
  for (int round = 0; round < ROUNDS; round++) {
    REQUIRE(weir_sched_init(W) == W);
    Latch done;
    rings_done = &done;
    std::vector<weir_actor*> all;
    std::vector<weir_actor*> firsts;
    rings_sink = weir_spawn(sink_node, nullptr, 0);
    all.push_back(rings_sink);
    for (int r = 0; r < RINGS; r++) {
      std::vector<weir_actor*> ring(N);
      ring[N - 1] = weir_spawn(small_ring_node, ptr_obj(nullptr), 0);
      for (int i = N - 2; i >= 0; i--) ring[i] = weir_spawn(small_ring_node, ptr_obj(ring[i + 1]), 0);
      reinterpret_cast<weir_external*>(weir_actor_state(ring[N - 1]))->data = ring[0];
      firsts.push_back(ring[0]);
      all.insert(all.end(), ring.begin(), ring.end());
    }
    for (auto* f : firsts) weir_send(f, big(20000));
    INFO("round " << round);
    REQUIRE(done.wait(RINGS, 20000));
    CHECK(finish(all) == 0);
  }
}

// ---- fairness ----
namespace {
std::atomic<bool> busy_go;
std::atomic<int64_t> busy_count;
Latch* other_done;
void busy(weir_actor* self, weir_obj* msg) {
  busy_count.fetch_add(1, std::memory_order_relaxed);
  if (busy_go.load(std::memory_order_relaxed)) weir_send(self, msg);   // forever busy
  else weir_drop(msg);
}
void other(weir_actor*, weir_obj* msg) {
  weir_drop(msg);
  other_done->signal();
}
}  // namespace

TEST_CASE("fairness: an always-busy actor does not starve another, even with one worker",
          "[sched][actors]") {
  REQUIRE(weir_sched_init(1) == 1);
  Latch done;
  other_done = &done;
  busy_go = true;
  busy_count = 0;
  std::vector<weir_actor*> as{weir_spawn(busy, nullptr, 0), weir_spawn(other, nullptr, 0)};
  for (int i = 0; i < 4; i++) weir_send(as[0], big(i));
  while (busy_count.load() < 1000) std::this_thread::sleep_for(1ms);
  auto t0 = std::chrono::steady_clock::now();
  weir_send(as[1], big(1));
  REQUIRE(done.wait(1, 2000));
  CHECK(std::chrono::steady_clock::now() - t0 < 500ms);
  busy_go = false;
  CHECK(finish(as) == 0);
}

// ---- a long mailbox gets longer turns ----
namespace {
std::atomic<int64_t> backlog_taken;
std::vector<int64_t> witness_saw;   // what the sink had taken, at each witness turn
Latch* backlog_done;
void backlog_sink(weir_actor*, weir_obj* msg) { weir_drop(msg); backlog_taken++; }
// Busy: sends itself a message per message (so it takes 64 per turn, then goes behind the sink)
// and notes what the sink has taken whenever that changed, until the sink has everything.
void backlog_witness(weir_actor* self, weir_obj* msg) {
  int64_t t = backlog_taken.load();
  if (witness_saw.empty() || witness_saw.back() != t) witness_saw.push_back(t);
  if (t == 5000) { weir_drop(msg); backlog_done->signal(); return; }
  weir_send(self, msg);
}
// One turn: 5,000 messages to the sink, then wakes the witness (both queued on this worker).
void backlog_flooder(weir_actor* self, weir_obj* msg) {
  weir_con* targets = reinterpret_cast<weir_con*>(weir_actor_state(self));
  auto* sink = static_cast<weir_actor*>(ptr_of(targets->fields[0]));
  auto* witness = static_cast<weir_actor*>(ptr_of(targets->fields[1]));
  for (int i = 0; i < 5000; i++) weir_send(sink, big(i));
  weir_send(witness, msg);
}
}  // namespace

TEST_CASE("a mailbox holding more than 4,096 messages is served 1,024 per turn instead of 64",
          "[sched][actors]") {
  int64_t live0 = weir_live_objects_all();
  REQUIRE(weir_sched_init(1) == 1);   // one worker: the turns alternate deterministically
  backlog_taken = 0;
  witness_saw.clear();
  Latch done;
  backlog_done = &done;
  weir_actor* sink = weir_spawn(backlog_sink, nullptr, 0);
  weir_actor* witness = weir_spawn(backlog_witness, nullptr, 0);
  weir_actor* flooder = weir_spawn(backlog_flooder, pair(ptr_obj(sink), ptr_obj(witness)), 0);
  std::vector<weir_actor*> as{sink, witness, flooder};
  weir_send(flooder, big(0));
  REQUIRE(done.wait());
  // Between two witness turns the sink had one turn: 1,024 messages while more than 4,096
  // waited (5,000, 3,976 is not), then 64 at a time.
  REQUIRE(witness_saw.size() >= 4);
  CHECK(witness_saw[0] == 0);
  CHECK(witness_saw[1] == 1024);
  CHECK(witness_saw[2] == 1024 + 64);
  CHECK(witness_saw[3] == 1024 + 128);
  CHECK(witness_saw.back() == 5000);
  CHECK(finish(as) == 0);
  CHECK(weir_live_objects_all() == live0);
}

// ---- a Pid the sender keeps is copied when it crosses ----
extern "C" void weir_pid_finalize(void* actor);   // runtime/sched/lang.c: how a Pid is recognised
namespace {
std::atomic<int> pid_private{-1};
Latch* pid_done;
void idle_target(weir_actor*, weir_obj* msg) { weir_drop(msg); }
// msg = (pid, n): is the Pid this handler received its own (count 1, plain)?
void pid_receiver(weir_actor*, weir_obj* msg) {
  weir_obj* pid = reinterpret_cast<weir_con*>(msg)->fields[0];
  pid_private = weir_rc(pid) == 1;
  weir_drop(msg);
  pid_done->signal();
}
}  // namespace

TEST_CASE("a Pid that the sender keeps is copied when it crosses, not shared", "[sched][actors]") {
  int64_t live0 = weir_live_objects_all();
  REQUIRE(weir_sched_init(2) == 2);
  weir_actor* target = weir_spawn(idle_target, nullptr, 0);
  weir_actor_retain(target);
  weir_obj* pid = weir_external_new(weir_pid_finalize, target);   // our Pid (one reference)
  // In a spawn state: the new actor holds its own copy; ours stays plain (not shared).
  weir_dup(pid);
  weir_actor* holder = weir_spawn(idle_target, pair(pid, big(1)), 0);
  weir_obj* held = reinterpret_cast<weir_con*>(weir_actor_state(holder))->fields[0];   // idle: safe to look
  CHECK(held != pid);
  CHECK(weir_rc(held) == 1);
  CHECK(weir_external_ptr(held) == target);
  CHECK(weir_rc(pid) == 1);
  // In a message: the receiver's Pid has a plain count of 1 while we keep ours.
  Latch done;
  pid_done = &done;
  weir_actor* receiver = weir_spawn(pid_receiver, nullptr, 0);
  weir_dup(pid);
  weir_send(receiver, pair(pid, big(2)));
  REQUIRE(done.wait());
  CHECK(pid_private == 1);
  CHECK(weir_rc(pid) == 1);
  weir_drop(pid);
  std::vector<weir_actor*> as{target, holder, receiver};
  CHECK(finish(as) == 0);
  CHECK(weir_live_objects_all() == live0);
}

// ---- call ----
namespace {
// Server: msg = (reply, n) -> reply n + 1.
void server(weir_actor*, weir_obj* msg) {
  weir_obj* reply = reinterpret_cast<weir_con*>(msg)->fields[0];
  weir_obj* n = reinterpret_cast<weir_con*>(msg)->fields[1];
  weir_dup(reply);
  int64_t v = unbig(n);
  weir_drop(msg);
  weir_reply(reply, big(v + 1));
}
// A server that never answers but keeps the last request (so someone could still answer it).
void mute(weir_actor* self, weir_obj* msg) { weir_actor_set_state(self, msg); }
// A server that drops the request, and with it the reply handle: nobody can ever answer.
void dropper(weir_actor*, weir_obj* msg) { weir_drop(msg); }

weir_obj* make_req(weir_obj* reply, void* env) { return pair(reply, big(reinterpret_cast<intptr_t>(env))); }

struct CallResult { std::atomic<int64_t> value{-999}; Latch latch; };
CallResult* call_result;
std::atomic<int> other_msgs_during_call;

void got_reply(weir_actor*, weir_obj* result, void*) {
  call_result->value = result ? unbig(result) : -1;
  if (result) weir_drop(result);
  call_result->latch.signal();
}
// Client: state = the target; any message starts a call with the message's number.
void client(weir_actor* self, weir_obj* msg) {
  int64_t v = unbig(msg);
  weir_drop(msg);
  if (v < 0) { other_msgs_during_call++; return; }
  auto* target = static_cast<weir_actor*>(ptr_of(weir_actor_state(self)));
  uint64_t timeout = v == 5 ? 5'000'000'000 : 200'000'000;   // 5: a call to `dropper`
  int r = weir_call(self, target, make_req, reinterpret_cast<void*>(intptr_t(v)), timeout, got_reply, nullptr);
  if (r != WEIR_SEND_OK) { call_result->value = -2; call_result->latch.signal(); }
}
}  // namespace

TEST_CASE("call: reply and timeout, with one worker, without blocking the worker", "[sched][actors][call]") {
  int64_t live0 = weir_live_objects_all();
  for (int workers : {1, 2}) {
    REQUIRE(weir_sched_init(workers) == workers);
    std::vector<weir_actor*> as;
    weir_actor* srv = weir_spawn(server, nullptr, 0);
    weir_actor* silent = weir_spawn(mute, nullptr, 0);
    weir_actor* c1 = weir_spawn(client, ptr_obj(srv), 0);
    weir_actor* c2 = weir_spawn(client, ptr_obj(silent), 0);
    weir_actor* drops = weir_spawn(dropper, nullptr, 0);
    weir_actor* c3 = weir_spawn(client, ptr_obj(drops), 0);
    as = {srv, silent, c1, c2, drops, c3};

    CallResult r1;
    call_result = &r1;
    weir_send(c1, big(41));
    REQUIRE(r1.latch.wait());
    CHECK(r1.value == 42);

    CallResult r2;
    call_result = &r2;
    other_msgs_during_call = 0;
    auto t0 = std::chrono::steady_clock::now();
    weir_send(c2, big(7));
    weir_send(c2, big(-1));   // waits in the mailbox while c2 is suspended
    REQUIRE(r2.latch.wait());
    auto took = std::chrono::steady_clock::now() - t0;
    CHECK(r2.value == -1);    // timed out
    CHECK(took >= 190ms);
    CHECK(took < 2000ms);
    std::this_thread::sleep_for(20ms);
    CHECK(other_msgs_during_call == 1);   // handled after the continuation

    // The request (and its reply handle) dropped unanswered: the call fails at once, not at its
    // 5 s timeout (nobody can answer any more).
    CallResult r3;
    call_result = &r3;
    t0 = std::chrono::steady_clock::now();
    weir_send(c3, big(5));
    REQUIRE(r3.latch.wait());
    CHECK(r3.value == -1);
    CHECK(std::chrono::steady_clock::now() - t0 < 2000ms);

    // From a thread that is not a worker: blocks only this thread.
    weir_obj* v = weir_call_blocking(srv, make_req, reinterpret_cast<void*>(intptr_t(9)), 1'000'000'000);
    REQUIRE(v);
    CHECK(unbig(v) == 10);
    weir_drop(v);
    CHECK(weir_call_blocking(silent, make_req, nullptr, 50'000'000) == nullptr);
    t0 = std::chrono::steady_clock::now();
    CHECK(weir_call_blocking(drops, make_req, nullptr, 5'000'000'000) == nullptr);
    CHECK(std::chrono::steady_clock::now() - t0 < 2000ms);
    CHECK(finish(as) == 0);
  }
  CHECK(weir_live_objects_all() == live0);
}

// ---- Weir's direct-style call from a handler (runtime/sched/lang.c, weir_actor_call) ----
extern "C" {
struct weir_call_rec;
weir_call_rec* weir_call_start(weir_actor* target, weir_call_make make, void* env);
int weir_call_rec_ready(weir_call_rec* c);
void weir_call_deadline(struct timespec* deadline, uint64_t timeout_ns);
weir_obj* weir_call_finish(weir_call_rec* c, const struct timespec* deadline, int timeout);
int weir_sched_run_callee(weir_actor* target);
}
namespace {
struct Direct { std::atomic<int> nested{-1}, ready{-1}; std::atomic<int64_t> value{-999}; Latch latch; };
Direct* direct;
// What lang.c's weir_actor_call does: send, run the callee here if this worker holds it, and
// wait (a spare standing in) only if the answer is not in.
void direct_client(weir_actor* self, weir_obj* msg) {
  int64_t v = unbig(msg);
  weir_drop(msg);
  auto* target = static_cast<weir_actor*>(ptr_of(weir_actor_state(self)));
  timespec deadline;
  weir_call_deadline(&deadline, 100'000'000);
  weir_call_rec* c = weir_call_start(target, make_req, reinterpret_cast<void*>(intptr_t(v)));
  REQUIRE(c);
  direct->nested = weir_sched_run_callee(target);
  direct->ready = weir_call_rec_ready(c);
  weir_obj* r;
  if (direct->ready) {
    r = weir_call_finish(c, &deadline, 1);
  } else {
    void* token = weir_sched_block_begin();
    r = weir_call_finish(c, &deadline, 1);
    weir_sched_block_end(token);
  }
  direct->value = r ? unbig(r) : -1;
  if (r) weir_drop(r);
  direct->latch.signal();
}
void crash_server(weir_actor*, weir_obj*) { weir_rt_panic("boom", "callee.weir:1:1"); }  // leaks the request
}  // namespace

TEST_CASE("a handler's direct call runs an idle callee's turn nested; a crash there ends the callee only",
          "[sched][actors][call]") {
  for (int workers : {1, 2}) {
    REQUIRE(weir_sched_init(workers) == workers);
    weir_actor* srv = weir_spawn(server, nullptr, 0);
    weir_actor* bad = weir_spawn(crash_server, nullptr, 0);
    weir_actor* c1 = weir_spawn(direct_client, ptr_obj(srv), 0);
    weir_actor* c2 = weir_spawn(direct_client, ptr_obj(bad), 0);
    std::vector<weir_actor*> as = {srv, bad, c1, c2};
    for (int i = 0; i < 100; i++) {   // idle between calls: every one runs nested
      Direct d;
      direct = &d;
      weir_send(c1, big(i));
      REQUIRE(d.latch.wait());
      CHECK(d.nested == 1);
      CHECK(d.ready == 1);
      CHECK(d.value == i + 1);
    }
    Direct d;
    direct = &d;
    weir_send(c2, big(5));
    REQUIRE(d.latch.wait());
    CHECK(d.nested == 1);
    CHECK(d.ready == 0);      // the callee crashed in the nested turn: no answer
    CHECK(d.value == -1);     // no answer (the test's client waits for its deadline); the caller's turn went on
    CHECK(weir_actor_is_dead(bad));
    CHECK_FALSE(weir_actor_is_dead(c2));
    CHECK(finish(as) == 0);
  }
}

// ---- monitors and crashes ----
namespace {
struct Downs { std::mutex mu; std::vector<std::pair<int, std::string>> got; Latch latch; };
Downs* downs;
weir_obj* make_down(weir_obj* ctx, weir_down_reason why, const char* detail) {
  weir_drop(ctx);
  return pair(big(why), weir_string_new(detail ? detail : "", detail ? strlen(detail) : 0));
}
void watcher(weir_actor*, weir_obj* msg) {
  auto* c = reinterpret_cast<weir_con*>(msg);
  {
    std::lock_guard<std::mutex> l(downs->mu);
    downs->got.push_back({int(unbig(c->fields[0])),
                          std::string(weir_string_data(c->fields[1]), weir_string_len(c->fields[1]))});
  }
  weir_drop(msg);
  downs->latch.signal();
}
void crasher(weir_actor*, weir_obj* msg) {
  // msg is leaked: a C handler has no landing pad to drop it (compiled ones do, README)
  if (unbig(msg) == 13) weir_rt_panic("boom", "crash.weir:3:5");
  weir_drop(msg);
}
}  // namespace

TEST_CASE("monitors: the watcher learns of a stop, a crash, and an already dead actor", "[sched][actors][monitor]") {
  REQUIRE(weir_sched_init(2) == 2);
  Downs d;
  downs = &d;
  weir_actor* w = weir_spawn(watcher, nullptr, 0);
  weir_actor* stopped = weir_spawn(mute, nullptr, 0);
  weir_actor* crashy = weir_spawn(crasher, nullptr, 0);
  weir_monitor(stopped, w, make_down, WEIR_UNIT);
  weir_monitor(crashy, w, make_down, WEIR_UNIT);
  weir_actor_stop(stopped);
  REQUIRE(d.latch.wait(1));
  weir_send(crashy, big(1));
  weir_send(crashy, big(13));
  REQUIRE(d.latch.wait(2));
  CHECK(weir_actor_is_dead(crashy));
  CHECK(weir_send(crashy, big(2)) == WEIR_SEND_DEAD);
  weir_monitor(stopped, w, make_down, WEIR_UNIT);   // already dead
  REQUIRE(d.latch.wait(3));
  {
    std::lock_guard<std::mutex> l(d.mu);
    REQUIRE(d.got.size() == 3);
    CHECK(d.got[0].first == WEIR_DOWN_STOP);
    CHECK(d.got[1].first == WEIR_DOWN_CRASH);
    CHECK(d.got[1].second == "crash.weir:3:5: runtime error: boom");
    CHECK(d.got[2].first == WEIR_DOWN_NOPROC);
  }
  std::vector<weir_actor*> as{w, stopped, crashy};
  CHECK(finish(as) == 0);
  weir_sched_counters c;
  weir_sched_get_counters(&c);
  CHECK(c.crashes == 1);
  CHECK(c.crash_leaked == 0);   // counts the crashes not unwound (the stack-overflow backstop) only
  CHECK(c.dead_letters >= 1);
}

namespace {
void overflower(weir_actor*, weir_obj* msg) {
  // what compiled code's stack check calls (compiler/codegen/stackcheck.hpp)
  if (unbig(msg) == 13) weir_rt_stack_overflow("depth", "deep.weir:7:1");
  weir_drop(msg);
}
}  // namespace

TEST_CASE("monitors: a stack overflow found by the stack check is a crash that is unwound", "[sched][actors][monitor]") {
  REQUIRE(weir_sched_init(2) == 2);
  Downs d;
  downs = &d;
  weir_actor* w = weir_spawn(watcher, nullptr, 0);
  weir_actor* deep = weir_spawn(overflower, nullptr, 0);
  weir_monitor(deep, w, make_down, WEIR_UNIT);
  weir_send(deep, big(13));
  REQUIRE(d.latch.wait(1));
  CHECK(weir_actor_is_dead(deep));
  {
    std::lock_guard<std::mutex> l(d.mu);
    REQUIRE(d.got.size() == 1);
    CHECK(d.got[0].first == WEIR_DOWN_CRASH);
    CHECK(d.got[0].second == "deep.weir:7:1: runtime error: stack overflow in `depth` (recursion too deep)");
  }
  std::vector<weir_actor*> as{w, deep};
  CHECK(finish(as) == 0);
  weir_sched_counters c;
  weir_sched_get_counters(&c);
  CHECK(c.crashes == 1);
  CHECK(c.crash_leaked == 0);   // unwound like `error`: only the SIGSEGV backstop counts here
}

// ---- bounded mailboxes ----
namespace {
std::atomic<int64_t> sink_count;
Latch* flood_done;
void sink(weir_actor*, weir_obj* msg) { weir_drop(msg); sink_count++; }
void flooder(weir_actor* self, weir_obj* msg) {
  auto* target = static_cast<weir_actor*>(ptr_of(weir_actor_state(self)));
  int64_t n = unbig(msg);
  weir_drop(msg);
  for (int64_t i = 0; i < n; i++) weir_send(target, big(i));   // from a worker: fails when full
  flood_done->signal();
}
}  // namespace

TEST_CASE("bounded mailbox: a flood from an actor is refused and counted; other threads block",
          "[sched][actors][bound]") {
  int64_t live0 = weir_live_objects_all();
  REQUIRE(weir_sched_init(1) == 1);
  sink_count = 0;
  weir_actor* s = weir_spawn(sink, nullptr, 16);
  weir_actor* f = weir_spawn(flooder, ptr_obj(s), 0);
  Latch flooded;
  flood_done = &flooded;
  weir_send(f, big(1000));   // one worker: the sink cannot run while the flooder's handler runs
  REQUIRE(flooded.wait());
  std::vector<weir_actor*> as{s, f};
  // From this (non-worker) thread: every send gets through, waiting for space when needed.
  for (int i = 0; i < 2000; i++) REQUIRE(weir_send(s, big(i)) == WEIR_SEND_OK);
  CHECK(finish(as) == 0);
  weir_sched_counters c;
  weir_sched_get_counters(&c);
  CHECK(c.refused_full == 984);
  CHECK(sink_count == 16 + 2000);
  CHECK(c.blocked_sends > 0);
  CHECK(weir_live_objects_all() == live0);
}

// ---- timers ----
namespace {
std::atomic<int64_t> tick_value;
Latch* tick_latch;
void ticker(weir_actor*, weir_obj* msg) { tick_value = unbig(msg); weir_drop(msg); tick_latch->signal(); }
}  // namespace

TEST_CASE("send_after delivers after the delay; cancel stops it; pending timers keep the program alive",
          "[sched][actors][timer]") {
  int64_t live0 = weir_live_objects_all();
  REQUIRE(weir_sched_init(2) == 2);
  Latch l;
  tick_latch = &l;
  tick_value = 0;
  weir_actor* a = weir_spawn(ticker, nullptr, 0);
  auto t0 = std::chrono::steady_clock::now();
  weir_timer* cancelled = weir_send_after(a, 20'000'000, big(1));
  weir_timer* t = weir_send_after(a, 40'000'000, big(2));
  CHECK(weir_timer_cancel(cancelled) == 1);
  CHECK(weir_timer_cancel(cancelled) == 0);
  weir_timer_release(cancelled);
  REQUIRE(l.wait(1, 5000));
  CHECK(std::chrono::steady_clock::now() - t0 >= 40ms);
  CHECK(tick_value == 2);
  CHECK(weir_timer_cancel(t) == 0);   // already fired
  weir_timer_release(t);
  // The program stays alive while a timer is pending: wait returns only after it fired.
  weir_timer* last = weir_send_after(a, 30'000'000, big(3));
  weir_timer_release(last);
  auto t1 = std::chrono::steady_clock::now();
  CHECK(weir_sched_wait() == 0);
  CHECK(std::chrono::steady_clock::now() - t1 >= 25ms);
  CHECK(tick_value == 3);
  weir_sched_counters c;
  weir_sched_get_counters(&c);
  CHECK(c.timers_fired == 2);
  // The actor is still alive (never stopped): start again only to stop it cleanly.
  weir_actor_release(a);
  CHECK(weir_live_objects_all() >= live0);
}

// ---- idle parking ----
namespace {
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
}  // namespace

TEST_CASE("idle workers park: no CPU used while nothing happens", "[sched][actors][park]") {
  REQUIRE(weir_sched_init(2) == 2);
  sink_count = 0;
  weir_actor* s = weir_spawn(sink, nullptr, 0);
  for (int i = 0; i < 1000; i++) weir_send(s, big(i));
  weir_sched_hold();   // keep the program open while it idles
  while (sink_count < 1000) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(20ms);
  double c0 = cpu_seconds();
  auto w0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(200ms);
  double used = cpu_seconds() - c0;
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
  CHECK(used < 0.02 + 0.05 * wall);   // spinning 2 workers would use ~2 x wall
  weir_sched_counters c;
  weir_sched_get_counters(&c);
  CHECK(c.parks >= 2);
  weir_sched_unhold();
  std::vector<weir_actor*> as{s};
  CHECK(finish(as) == 0);
}

TEST_CASE("explicit exit ends the program with its code", "[sched][actors]") {
  REQUIRE(weir_sched_init(1) == 1);
  weir_actor* s = weir_spawn(sink, nullptr, 0);
  weir_sched_hold();   // would never be quiescent
  std::thread t([] { std::this_thread::sleep_for(10ms); weir_sched_exit(3); });
  CHECK(weir_sched_wait() == 3);
  t.join();
  weir_actor_release(s);
}

// ---- guest turns (weir_try_send_run) ----
namespace {
struct Guest {
  std::mutex mu;
  std::vector<std::pair<int64_t, std::thread::id>> ran;   // message, thread that handled it
  int self_ok = 0;
  Latch latch;              // a message was handled
  std::atomic<int> gate{0};  // the blocking actor's first turn waits for this
  std::atomic<int> in_gate{0};
};
Guest* guest;
weir_actor* guest_sink;
void guest_record(weir_actor* self, int64_t v) {
  {
    std::lock_guard<std::mutex> l(guest->mu);
    guest->ran.push_back({v, std::this_thread::get_id()});
    guest->self_ok += weir_self() == self;
  }
  guest->latch.signal();
}
void guest_rule(weir_actor* self, weir_obj* msg) {
  int64_t v = unbig(msg);
  weir_drop(msg);
  if (v == 13) weir_rt_panic("boom", "guest.weir:1:1");
  if (v == 7) weir_send(guest_sink, big(70));   // woken by a guest turn: runs on a worker
  guest_record(self, v);
}
void guest_blocker(weir_actor* self, weir_obj* msg) {
  int64_t v = unbig(msg);
  weir_drop(msg);
  if (v == 1) {
    guest->in_gate = 1;
    while (!guest->gate) std::this_thread::sleep_for(1ms);
  }
  guest_record(self, v);
}
std::thread::id guest_thread_of(int64_t v) {
  std::lock_guard<std::mutex> l(guest->mu);
  for (auto& [m, t] : guest->ran)
    if (m == v) return t;
  return {};
}
}  // namespace

TEST_CASE("guest turns: weir_try_send_run runs an idle actor's turn on the calling thread; a crash "
          "there ends that actor only; a busy actor just gets the message", "[sched][actors][guest]") {
  REQUIRE(weir_sched_init(1) == 1);
  Guest g;
  guest = &g;
  weir_actor* r = weir_spawn(guest_rule, nullptr, 0);
  guest_sink = weir_spawn(guest_rule, nullptr, 0);
  weir_actor* b = weir_spawn(guest_blocker, nullptr, 0);
  const auto me = std::this_thread::get_id();
  for (int i = 0; i < 100; i++) {
    int ran = 0;
    REQUIRE(weir_try_send_run(r, big(100 + i), &ran) == WEIR_SEND_OK);
    CHECK(ran == 1);
    std::lock_guard<std::mutex> l(g.mu);
    REQUIRE(g.ran.size() == std::size_t(i + 1));   // handled before the send returned
    CHECK(g.ran.back().second == me);               // on this thread
  }
  CHECK(g.self_ok == 100);   // weir_self() is the actor inside a guest turn
  // What a guest turn wakes runs on a worker.
  REQUIRE(weir_try_send_run(r, big(7), nullptr) == WEIR_SEND_OK);
  REQUIRE(g.latch.wait(102));
  CHECK(guest_thread_of(7) == me);
  CHECK(guest_thread_of(70) != me);
  CHECK(guest_thread_of(70) != std::thread::id{});
  // A busy actor (its turn runs on the worker): the message waits for that worker.
  REQUIRE(weir_send(b, big(1)) == WEIR_SEND_OK);
  while (!g.in_gate) std::this_thread::sleep_for(1ms);
  int ran = 1;
  REQUIRE(weir_try_send_run(b, big(2), &ran) == WEIR_SEND_OK);   // returns at once: not run here
  CHECK(ran == 0);
  g.gate = 1;
  REQUIRE(g.latch.wait(104));
  CHECK(guest_thread_of(1) != me);
  CHECK(guest_thread_of(2) != me);
  // A crash in a guest turn ends that actor; this thread goes on.
  REQUIRE(weir_try_send_run(r, big(13), nullptr) == WEIR_SEND_OK);
  CHECK(weir_actor_is_dead(r));
  CHECK(weir_try_send_run(r, big(14), nullptr) == WEIR_SEND_DEAD);
  REQUIRE(weir_try_send_run(guest_sink, big(15), nullptr) == WEIR_SEND_OK);
  CHECK(guest_thread_of(15) == me);
  std::vector<weir_actor*> as{r, guest_sink, b};
  CHECK(finish(as) == 0);
  weir_sched_counters c;
  weir_sched_get_counters(&c);
  CHECK(c.crashes == 1);
  CHECK(c.delivered >= 105);   // guest turns count like a worker's (not the crashed one)
}
