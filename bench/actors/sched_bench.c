/* Micro benchmarks of the actor runtime (plain C against libweir_rt): ping-pong, spawn cost and
 * memory per idle actor, fan-in from 4 sender threads, call round trips. Prints one table row
 * per measurement: name, workers, value, unit. Run through bench/actors/run.
 * Usage: sched_bench [scale-divisor] [workers] */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "weir/rt.h"
#include "weir/sched.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
static double cpu_s(void) {   /* the whole process: user + system */
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
static long rss_bytes(void) {
  long pages = 0, rss = 0;
  FILE* f = fopen("/proc/self/statm", "r");
  if (!f) return 0;
  if (fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = 0;
  fclose(f);
  return rss * sysconf(_SC_PAGESIZE);
}
static void row(const char* name, int workers, double v, const char* unit) {
  printf("%-28s %7d %14.3f  %s\n", name, workers, v, unit);
  fflush(stdout);
}

/* ---- ping-pong: two actors bounce an immortal message (no allocation but the envelope) ---- */
static long pp_target;
static _Atomic long pp_count;
static weir_actor* pp_peer[2];
static void pp(weir_actor* self, weir_obj* msg) {
  /* relaxed load + store, not fetch_add: the two handlers never run at the same time (each runs
   * on the other's message, which orders them), so a locked add would only measure itself. */
  long n = atomic_load_explicit(&pp_count, memory_order_relaxed) + 1;
  atomic_store_explicit(&pp_count, n, memory_order_relaxed);
  if (n < pp_target) weir_send(self == pp_peer[0] ? pp_peer[1] : pp_peer[0], msg);
}
static void ping_pong(int workers, long n) {
  weir_sched_init(workers);
  pp_target = n;
  atomic_store(&pp_count, 0);
  pp_peer[0] = weir_spawn(pp, NULL, 0);
  pp_peer[1] = weir_spawn(pp, NULL, 0);
  double t0 = now_s(), c0 = cpu_s();
  weir_send(pp_peer[0], weir_box_int(1));
  weir_sched_wait();   /* quiescent once the count is reached (both idle) */
  double t = now_s() - t0, c = cpu_s() - c0;
  row("ping-pong msgs/s", workers, (double)atomic_load(&pp_count) / t / 1e6, "M msgs/s");
  row("ping-pong CPU per msg", workers, c / (double)atomic_load(&pp_count) * 1e9, "ns (process CPU time)");
  weir_actor_release(pp_peer[0]);
  weir_actor_release(pp_peer[1]);
}

/* ---- spawn 1M idle actors ---- */
static void idle(weir_actor* self, weir_obj* msg) { (void)self; weir_drop(msg); }
static void spawn_many(int workers, long n) {
  weir_sched_init(workers);
  weir_actor** as = (weir_actor**)malloc(sizeof *as * (size_t)n);
  long rss0 = rss_bytes();
  double t0 = now_s();
  for (long i = 0; i < n; i++) as[i] = weir_spawn(idle, NULL, 0);
  double t = now_s() - t0;
  long rss1 = rss_bytes();
  row("spawn time per actor", workers, t / (double)n * 1e6, "us");
  row("bytes per idle actor", workers, (double)(rss1 - rss0) / (double)n, "bytes (RSS, 1M actors)");
  for (long i = 0; i < n; i++) { weir_actor_stop(as[i]); weir_actor_release(as[i]); }
  weir_sched_wait();
  free(as);
}

/* ---- fan-in: 4 threads send to one actor ---- */
static _Atomic long fan_count;
static void fan_sink(weir_actor* self, weir_obj* msg) {
  (void)self;
  weir_drop(msg);
  atomic_fetch_add_explicit(&fan_count, 1, memory_order_relaxed);
}
static weir_actor* fan_target;
static long fan_each;
static void* fan_sender(void* p) {
  (void)p;
  for (long i = 0; i < fan_each; i++) weir_send(fan_target, weir_box_int(i & 511));
  return NULL;
}
static void fan_in(int workers, long each) {
  weir_sched_init(workers);
  atomic_store(&fan_count, 0);
  fan_target = weir_spawn(fan_sink, NULL, 0);
  fan_each = each;
  pthread_t ts[4];
  double t0 = now_s();
  for (int i = 0; i < 4; i++) pthread_create(&ts[i], NULL, fan_sender, NULL);
  for (int i = 0; i < 4; i++) pthread_join(ts[i], NULL);
  weir_actor_stop(fan_target);
  weir_sched_wait();
  double t = now_s() - t0;
  row("fan-in 4 senders msgs/s", workers, (double)atomic_load(&fan_count) / t / 1e6, "M msgs/s");
  weir_actor_release(fan_target);
}

/* ---- call round trips: a client calls a server again from each continuation ---- */
static weir_actor* call_server;
static long call_target;
static _Atomic long call_done;
static void serve(weir_actor* self, weir_obj* msg) {
  (void)self;
  weir_reply(msg, weir_box_int(7));   /* the request is the reply handle itself */
}
static weir_obj* make_req(weir_obj* reply, void* env) { (void)env; return reply; }
static void again(weir_actor* self, weir_obj* result, void* kenv);
static void start_call(weir_actor* self) {
  weir_call(self, call_server, make_req, NULL, 1000000000ull, again, NULL);
}
static void again(weir_actor* self, weir_obj* result, void* kenv) {
  (void)kenv;
  if (result) weir_drop(result);
  if (atomic_fetch_add_explicit(&call_done, 1, memory_order_relaxed) + 1 < call_target) start_call(self);
}
static void client(weir_actor* self, weir_obj* msg) { weir_drop(msg); start_call(self); }
static void calls(int workers, long n) {
  weir_sched_init(workers);
  call_target = n;
  atomic_store(&call_done, 0);
  call_server = weir_spawn(serve, NULL, 0);
  weir_actor* c = weir_spawn(client, NULL, 0);
  double t0 = now_s();
  weir_send(c, weir_box_int(0));
  weir_sched_wait();
  double t = now_s() - t0;
  row("call round trips/s", workers, (double)atomic_load(&call_done) / t / 1e6, "M calls/s");
  weir_actor_release(c);
  weir_actor_release(call_server);
}

int main(int argc, char** argv) {
  weir_rt_init(argc, argv);
  long scale = argc > 1 ? atol(argv[1]) : 1;
  if (scale < 1) scale = 1;
  /* argv[2]: one worker count only (bench/actors/run uses the machine's cores); default 1 and 2. */
  int w0 = 1, w1 = 2;
  if (argc > 2 && atoi(argv[2]) > 0) w0 = w1 = atoi(argv[2]);
  printf("%-28s %7s %14s  %s\n", "benchmark", "workers", "value", "unit");
  for (int w = w0; w <= w1; w++) ping_pong(w, 20000000 / scale);
  spawn_many(w1, 1000000 / scale);
  for (int w = w0; w <= w1; w++) fan_in(w, 2000000 / scale);
  for (int w = w0; w <= w1; w++) calls(w, 2000000 / scale);
  return 0;
}
