/* Starting and ending the scheduler: N workers (argument, else $WEIR_WORKERS, else the online
 * cores), the timer thread, the crash hook; quiescence detection (README "Program lifetime"),
 * explicit exit, shutdown, and the counters.
 * Threading: weir_sched_init and weir_sched_wait on the program's thread (not a worker); exit,
 * hold/unhold and the counters from any thread. The flags below are guarded by the park mutex
 * (worker.c) so that the quiescence check sees a consistent picture. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "actor.h"

_Atomic int weir_sched_running;
_Atomic int weir_sched_exiting;

static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static int main_done;        /* park mutex: the main body returned (weir_sched_wait) */
static int holds;            /* park mutex: external sources */
static int done;             /* park mutex: quiescent or exit requested */
static int exit_code;        /* park mutex */
static int nworkers;
static uint64_t final_counters[C_COUNT];   /* the last run's workers', after weir_sched_wait */

static int workers_wanted(int workers) {
  if (workers > 0) return workers;
  const char* env = getenv("WEIR_WORKERS");
  if (env && *env) {
    long n = strtol(env, NULL, 10);
    if (n > 0) return n > 1024 ? 1024 : (int)n;
  }
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  return cores > 0 ? (int)cores : 1;
}

int weir_sched_init(int workers) {
  /* acquire: see a previous run's shutdown completely. */
  if (atomic_load_explicit(&weir_sched_running, memory_order_acquire)) return -EBUSY;
  int n = workers_wanted(workers);
  main_done = holds = done = exit_code = 0;
  /* relaxed: no other scheduler thread exists yet; thread creation orders it. */
  atomic_store_explicit(&weir_sched_exiting, 0, memory_order_relaxed);
  weir_inject_reset();
  weir_heap_attach();
  weir_rt_panic_hook = weir_sched_on_panic;
  weir_rt_handler_boundary = weir_sched_handler_boundary;
  /* release: spawns and sends on other threads that see `running` see the state above. */
  atomic_store_explicit(&weir_sched_running, 1, memory_order_release);
  if (weir_timers_start() != 0) { atomic_store(&weir_sched_running, 0); return -EAGAIN; }
  if (weir_workers_start(n) < 0) { atomic_store(&weir_sched_running, 0); return -EAGAIN; }
  nworkers = n;
  return n;
}

int weir_sched_workers(void) {
  /* acquire: pairs with init's release. */
  return atomic_load_explicit(&weir_sched_running, memory_order_acquire) ? nworkers : 0;
}

void weir_check_quiescence_locked(void) {
  if (done || !main_done || holds > 0) return;
  if (weir_timers_pending() > 0) return;
  if (!weir_quiescent_locked()) return;
  done = 1;
  pthread_cond_broadcast(&done_cv);
}

void weir_check_quiescence(void) {
  weir_park_lock();
  weir_check_quiescence_locked();
  weir_park_unlock();
}

int weir_sched_wait(void) {
  weir_park_lock();
  main_done = 1;
  weir_check_quiescence_locked();
  while (!done) pthread_cond_wait(&done_cv, weir_park_mutex());
  int code = exit_code;
  weir_park_unlock();
  weir_workers_stop();
  weir_timers_stop();
  weir_actors_reap_all();
  uint64_t g[C_COUNT];
  weir_counters_sum(final_counters);
  weir_counters_global(g);
  for (int i = 0; i < C_COUNT; i++) final_counters[i] -= g[i];
  weir_workers_free();
  weir_inject_reset();   /* after an explicit exit, queued actors are abandoned */
  weir_rt_panic_hook = NULL;
  weir_rt_handler_boundary = NULL;
  /* release: the next init (acquire) sees the shutdown complete. */
  atomic_store_explicit(&weir_sched_running, 0, memory_order_release);
  return code;
}

void weir_sched_exit(int code) {
  weir_park_lock();
  if (!done) exit_code = code;
  done = 1;
  /* release: workers stop after their turn; nothing else is published through it. */
  atomic_store_explicit(&weir_sched_exiting, 1, memory_order_release);
  pthread_cond_broadcast(&done_cv);
  weir_park_broadcast();
  weir_park_unlock();
  weir_space_wake_all();
}

void weir_sched_hold(void) {
  weir_park_lock();
  holds++;
  weir_park_unlock();
}

void weir_sched_unhold(void) {
  weir_park_lock();
  if (holds > 0) holds--;
  weir_check_quiescence_locked();
  weir_park_unlock();
}

void weir_sched_get_counters(weir_sched_counters* out) {
  uint64_t c[C_COUNT];
  /* acquire: pairs with init's release. */
  if (atomic_load_explicit(&weir_sched_running, memory_order_acquire)) weir_counters_sum(c);
  else {   /* stopped: the last run's workers plus what other threads counted since */
    weir_counters_global(c);
    for (int i = 0; i < C_COUNT; i++) c[i] += final_counters[i];
  }
  out->sent = c[C_SENT];
  out->delivered = c[C_DELIVERED];
  out->refused_full = c[C_REFUSED];
  out->blocked_sends = c[C_BLOCKED];
  out->dead_letters = c[C_DEAD];
  out->late_replies = c[C_LATE];
  out->crashes = c[C_CRASH];
  out->crash_leaked = c[C_CRASH_LEAK];
  out->timers_fired = c[C_TIMERS];
  out->steals = c[C_STEALS];
  out->parks = c[C_PARKS];
  out->spawned = c[C_SPAWNED];
  out->actors_freed = c[C_FREED];
}
