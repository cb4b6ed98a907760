/* Workers: one thread each, running actors. A worker takes an actor from its own FIFO run
 * queue (every 61st turn from the inject queue first, so outside work is never starved), else
 * from the inject queue, else steals from the other workers; with nothing anywhere it parks on
 * a condition variable (no timeout, no spinning), so an idle program uses no CPU.
 * A turn runs one actor for at most WEIR_BATCH messages, then re-queues it at the back if its
 * mailbox is not empty (fairness), suspends it (a pending call), or makes it IDLE.
 * Crash isolation: one setjmp per worker thread; weir_sched_on_panic longjmps back to it.
 * Threading: each weir_worker is written only by its own thread (its counters are atomics read
 * by weir_sched_get_counters); the park state is guarded by park_mu. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actor.h"

#include <signal.h>

#define WEIR_WORKER_STACK ((size_t)256 << 20)
void weir_rt_thread_signals(void);                       /* io.c */
void weir_heap_donate(void);                             /* object.c */
extern void (*weir_rt_overflow_hook)(const char* message);  /* io.c */

static weir_worker* workers;
static int nworkers;
_Thread_local weir_worker* weir_self_worker_;   /* actor.h: weir_current_worker */
#define self_worker weir_self_worker_

static pthread_mutex_t park_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t park_cv = PTHREAD_COND_INITIALIZER;
static _Atomic int nparked;          /* workers (and spares) inside park(); written under park_mu */
static _Atomic int nspares;          /* spare threads standing in for blocked workers */
static int stopping;                 /* guarded by park_mu */
_Atomic uint64_t weir_global_counters_[C_COUNT];   /* events on threads that are not workers */
#define global_counters weir_global_counters_
void weir_park_lock(void) { pthread_mutex_lock(&park_mu); }
pthread_mutex_t* weir_park_mutex(void) { return &park_mu; }
void weir_park_unlock(void) { pthread_mutex_unlock(&park_mu); }
void weir_park_broadcast(void) { pthread_cond_broadcast(&park_cv); }

void weir_counters_global(uint64_t out[C_COUNT]) {
  for (int c = 0; c < C_COUNT; c++)   /* relaxed: statistics */
    out[c] = atomic_load_explicit(&global_counters[c], memory_order_relaxed);
}

void weir_counters_sum(uint64_t out[C_COUNT]) {
  for (int c = 0; c < C_COUNT; c++) {
    uint64_t v = atomic_load_explicit(&global_counters[c], memory_order_relaxed);  /* statistic */
    for (int i = 0; i < nworkers; i++)
      v += atomic_load_explicit(&workers[i].counters[c], memory_order_relaxed);    /* statistic */
    out[c] = v;
  }
}

void weir_wake_one(void) {
  /* seq_cst: the pusher's half of the wake-up rule: this load follows its seq_cst push, the
   * parker's re-check of the queues follows its seq_cst increment of nparked. */
  if (atomic_load_explicit(&nparked, memory_order_seq_cst) == 0) return;
  pthread_mutex_lock(&park_mu);
  pthread_cond_signal(&park_cv);
  pthread_mutex_unlock(&park_mu);
}

void weir_workers_wake_all(void) {
  pthread_mutex_lock(&park_mu);
  pthread_cond_broadcast(&park_cv);
  pthread_mutex_unlock(&park_mu);
}

/* Hand-off: an actor made runnable by the handler running on this worker (a send, a reply)
 * goes into the worker's private `next` slot and runs right after the current turn, without
 * touching a run queue (a push and a CAS saved per wake-up: ping-pong and request/response stay
 * on one core and in its cache). A second wake-up in the same turn moves the older one to the
 * run queue. Fairness: find_work takes `next` at most WEIR_BATCH times in a row before looking
 * at the run queue. The slot is invisible to thieves and to the spare threads: a handler about
 * to block flushes it (weir_sched_block_begin), and a worker never parks with it full. */
void weir_schedule(weir_actor* a) {
  weir_worker* w = self_worker;
  if (w && w->q && w->current) {
    weir_actor* old = w->next;
    w->next = a;
    if (!old) return;
    a = old;
    if (weir_runq_push(w->q, a)) {
      /* Two actors wait on this worker now: a sleeper may take the one on the run queue. */
      weir_wake_one();
      return;
    }
  } else if (w && w->q && weir_runq_push(w->q, a)) {
    /* This worker will reach a soon (turns are bounded); wake a sleeper only when a second actor
     * waits, so a ping-pong pair stays on one core instead of bouncing through futexes. */
    if (weir_runq_size(w->q) >= 2) weir_wake_one();
    return;
  }
  weir_inject_push(a);
  weir_wake_one();
}

static int all_queues_empty(void) {
  if (!weir_inject_empty()) return 0;
  for (int i = 0; i < nworkers; i++)
    if (!weir_runq_empty(workers[i].q)) return 0;
  return 1;
}

int weir_quiescent_locked(void) {
  /* relaxed: written under park_mu, which we hold. A worker blocked in a handler is not parked,
   * so the program is never quiescent while a call waits. */
  return atomic_load_explicit(&nparked, memory_order_relaxed) ==
             nworkers + atomic_load_explicit(&nspares, memory_order_relaxed) &&
         all_queues_empty();
}

static void linger_resolve(weir_worker* w);
static weir_actor* find_work(weir_worker* w) {
  weir_actor* a;
  if (!w->next) linger_resolve(w);   /* no slot turn follows: the linger ends (maybe into the slot) */
  if ((a = w->next)) {
    w->next = NULL;
    if (++w->next_runs <= WEIR_BATCH) return a;
    /* The hand-off chain has had its share: behind everything queued, like an ended batch. */
    w->next_runs = 0;
    if (!weir_runq_push(w->q, a)) weir_inject_push(a);
    /* The slot's turn is not next after all (a thief may even take `a`): the linger ends now,
     * else this worker could park holding an actor that stays RUNNING, which no send would ever
     * schedule again. An actor it puts in the slot goes behind the others too. */
    linger_resolve(w);
    if ((a = w->next)) {
      w->next = NULL;
      if (!weir_runq_push(w->q, a)) weir_inject_push(a);
    }
  }
  w->next_runs = 0;
  if (++w->tick % 61 == 0 && (a = weir_inject_take())) return a;
  /* Every 1,024 turns the free lists go to the shared pool (object.c): cells of messages from a
   * producer thread go back to it instead of piling up here. */
  if (w->tick % 1024 == 0) weir_heap_donate();
  if ((a = weir_runq_take(w->q))) return a;
  if ((a = weir_inject_take())) return a;
  for (int i = 1; i < nworkers; i++) {
    weir_worker* v = &workers[(w->id + i) % nworkers];
    if ((a = weir_runq_take(v->q))) { weir_count_local(C_STEALS, 1); return a; }
  }
  return NULL;
}

/* 0: stop the worker. */
static int park(weir_worker* w) {
  weir_heap_donate();   /* idle: what this worker freed is of use to the others */
  pthread_mutex_lock(&park_mu);
  /* seq_cst: the parker's half of the wake-up rule (then the queues are re-read). */
  atomic_fetch_add_explicit(&nparked, 1, memory_order_seq_cst);
  int go_on = 1;
  for (;;) {
    if (stopping) { go_on = 0; break; }
    if (!all_queues_empty()) break;
    weir_check_quiescence_locked();
    weir_count_local(C_PARKS, 1);
    pthread_cond_wait(&park_cv, &park_mu);
  }
  /* seq_cst: as above. */
  atomic_fetch_sub_explicit(&nparked, 1, memory_order_seq_cst);
  pthread_mutex_unlock(&park_mu);
  (void)w;
  return go_on;
}

/* The holder gives up an actor whose mailbox looked empty: the stub back as the dummy (the last
 * envelope freed), IDLE, then the re-check. */
static void go_idle(weir_actor* a) {
  if (!weir_mq_park(&a->mq, &a->mq_tail)) {
    /* Messages came meanwhile: another turn. relaxed: we hold it; the queue publishes it. */
    atomic_store_explicit(&a->state, ST_QUEUED, memory_order_relaxed);
    weir_schedule(a);
    return;
  }
  /* seq_cst: store IDLE, then re-read head (README lost-wake-up rule). From here on `a` is
   * not ours: only line-0 fields may be read. The tail is the stub (weir_mq_park). */
  atomic_store_explicit(&a->state, ST_IDLE, memory_order_seq_cst);
  if (atomic_load_explicit(&a->mq.head, memory_order_seq_cst) != &a->mq.stub)
    weir_actor_wake(a, ST_IDLE);
}

/* Lingering (README "Lingering"): an actor whose turn ends with an empty mailbox while the
 * hand-off slot holds the actor it just woke stays RUNNING (held by this worker) instead of
 * going IDLE, for exactly one more turn, the slot's. If that turn sends to it (a reply: ping-pong,
 * request/response), the sender sees RUNNING and neither CASes nor schedules, and the lingering
 * actor runs next from the slot: per message, the IDLE store and the IDLE->QUEUED CAS (two
 * locked instructions) are gone. After that turn (or before this worker looks for other work,
 * blocks in a handler, parks or exits) the linger is resolved: messages -> it runs next (or
 * queued); none -> IDLE with the usual re-check. A message from elsewhere to a lingering actor
 * waits at most the one turn, as for an actor in the slot. */
static void linger_resolve(weir_worker* w) {
  weir_actor* l = w->linger;
  if (!l) return;
  w->linger = NULL;
  if (weir_mq_empty(&l->mq, &l->mq_tail)) { go_idle(l); return; }
  /* relaxed: we hold it; the slot is ours, a run queue push publishes it. */
  atomic_store_explicit(&l->state, ST_QUEUED, memory_order_relaxed);
  if (!w->next) { w->next = l; return; }
  if (!weir_runq_push(w->q, l)) weir_inject_push(l);
  weir_wake_one();   /* two actors wait on this worker now */
}

/* The end of a live actor's turn: hand it on (README transitions out of RUNNING). */
static void end_turn(weir_worker* w, weir_actor* a) {
  linger_resolve(w);   /* the previous turn's linger had its one turn */
  if (a->call) {
    /* seq_cst: store AWAITING, then read the call's status (the replier writes status, then
     * reads state with its CAS): one of us sees the other. */
    atomic_store_explicit(&a->state, ST_AWAITING, memory_order_seq_cst);
    if (weir_actor_call_ready(a)) weir_actor_wake(a, ST_AWAITING);
  } else if (!weir_mq_empty(&a->mq, &a->mq_tail)) {
    /* relaxed: we hold the actor; the run queue's push publishes it. */
    atomic_store_explicit(&a->state, ST_QUEUED, memory_order_relaxed);
    weir_schedule(a);
  } else if (w->q && w->next && w->next != a) {
    w->linger = a;   /* stays RUNNING for the slot's turn */
  } else {
    go_idle(a);
  }
}

/* Return the mailbox slots of the messages this turn took (once per turn, not per message; a
 * plain store, see weir_mailbox_taken) and wake blocked senders. */
static void give_back(weir_worker* w, weir_actor* a) {
  if (!w->taken) return;
  weir_mailbox_taken(a, w->taken);
  w->taken = 0;
  weir_space_notify(a);
}

/* A handler hit a run-time error (weir_sched_on_panic longjmps to the setjmp of the loop that
 * runs turns: worker_main or spare_duty, one setjmp per thread instead of one per turn). The
 * turn's locals are gone; w->current and w->taken are not. */
static void turn_crashed(weir_worker* w) {
  weir_actor* a = w->current;
  w->in_handler = 0;
  w->current = NULL;
  give_back(w, a);
  /* The crash is reported, the program goes on (LANGUAGE.md section 7). */
  weir_stdout_flush();
  fprintf(stderr, "actor %u crashed: %s\n", a->id, w->crash_detail);
  weir_count_local(C_CRASH, 1);
  if (!w->crash_unwound) weir_count_local(C_CRASH_LEAK, 1);   /* the overflow backstop: values stay */
  weir_actor_die(a, WEIR_DOWN_CRASH, w->crash_detail);
  linger_resolve(w);
}

/* One turn. The caller has set w->crash (turn_crashed). */
static void run_turn(weir_worker* w, weir_actor* a) {
  /* relaxed: the queue we took it from published it (acquire); we are its only holder. */
  uint32_t s = atomic_load_explicit(&a->state, memory_order_relaxed);
  if (s & ST_DEAD) { weir_actor_drain_dead(a); linger_resolve(w); return; }
  atomic_store_explicit(&a->state, ST_RUNNING, memory_order_relaxed);  /* relaxed: held by us */
  w->current = a;
  uint32_t user = 0;   /* user messages taken (their mailbox slots are given back at the end) */
  w->taken = 0;
  if (a->call && weir_actor_call_ready(a)) {
    w->in_handler = 1;
    weir_actor_call_resume(a);
    w->in_handler = 0;
  }
  unsigned batch = WEIR_BATCH;
  if (weir_mailbox_len(a) > WEIR_BACKLOG) batch = WEIR_BATCH_BACKLOG;   /* actor.h */
  for (unsigned n = 0; n < batch && !a->call && !(a->flags & FL_STOPPING); n++) {
    weir_mq_node* node = weir_mq_pop(&a->mq, &a->mq_tail);
    if (!node) break;
    weir_envelope* env = weir_env_of(node);   /* the mailbox's dummy now: read, not freed */
    unsigned kind = env->h.tag;
    weir_obj* payload = env->payload;
    if (kind == ENV_USER || kind == ENV_DOWN) {
      if (kind == ENV_USER) {
        /* The mailbox slot is given back once per turn (give_back); w->taken survives a
         * crash's longjmp, so a crash gives them back too. */
        w->taken++;
        user++;
      }
      w->in_handler = 1;
      a->behaviour(a, payload);
      w->in_handler = 0;
    } else {
      weir_actor_system(a, kind, payload);
    }
  }
  w->current = NULL;
  give_back(w, a);
  if (user) weir_count_local(C_DELIVERED, user);
  if (a->flags & FL_STOPPING) { weir_actor_die(a, WEIR_DOWN_STOP, NULL); linger_resolve(w); }
  else end_turn(w, a);
}

/* ---- Weir's `call`: the callee's turn nested in the caller's ----
 * A handler calling an actor that is free runs that actor's turn right here, on the caller's
 * stack, instead of blocking its thread while a spare thread runs the callee and two condition
 * variables hand the answer back (several futex wake-ups per call). "Free" means this worker
 * holds it: the request's send found it IDLE and put it in the hand-off slot, or it lingers
 * here. The caller's actor stays RUNNING (held, its mailbox filling) meanwhile. A crash in the
 * nested turn ends the callee only: the nested turn has its own setjmp, and the caller's turn
 * state (current actor, messages taken, the outer setjmp) is put back afterwards. A call cycle
 * (the callee calls the caller) finds the caller RUNNING, not free: that inner call blocks and
 * times out, as before. Nesting is bounded (NEST_MAX) to bound the stack. */
#define NEST_MAX 32
static _Thread_local int nest_depth;

static void run_nested(weir_worker* w, weir_actor* b) {
  jmp_buf saved;
  memcpy(saved, w->crash, sizeof saved);
  void* const saved_boundary = w->crash_boundary;
  weir_actor* const cur = w->current;
  uint32_t const taken = w->taken;
  int const inh = w->in_handler;
  nest_depth++;
  w->crash_boundary = __builtin_frame_address(0);
  if (setjmp(w->crash) == 0) run_turn(w, b);
  else turn_crashed(w);
  nest_depth--;
  memcpy(w->crash, saved, sizeof saved);
  w->crash_boundary = saved_boundary;
  w->current = cur;
  w->taken = taken;
  w->in_handler = inh;
}

int weir_sched_run_callee(weir_actor* target) {
  weir_worker* w = self_worker;
  if (!w || !w->q || !w->current || w->current == target || nest_depth >= NEST_MAX) return 0;
  if (w->next == target) w->next = NULL;
  else if (w->linger == target) w->linger = NULL;
  else return 0;
  run_nested(w, target);
  return 1;
}

/* ---- Guest turns: a thread that is not a worker runs the turn its own send made runnable ----
 * The rule engine's I/O thread delivers each MQTT message to a rule actor that is usually idle;
 * waking a parked worker for it, and the worker handing the acknowledgement and the publishes
 * back, cost two thread hand-offs (futex wake-ups, context switches) per message, more than the
 * rule itself (docs/performance.md "Thread hand-offs"). weir_try_send_run sends, and when that
 * send is the one that made the actor runnable (it was IDLE: no worker holds it, none has it
 * queued), this thread takes it as a worker takes an actor from a run queue and runs its turn
 * here, with the same turn code and the same crash isolation: a per-thread guest weir_worker
 * whose setjmp catches a panic (or, on a thread set up by weir_rt_thread_signals, a stack
 * overflow) in the handler, which ends that actor only. The guest has no run queue and no
 * hand-off slot: what its handler wakes goes to the inject queue and a worker, as from a spare;
 * its counters are the global ones. A handler that blocks (Weir's `call`, `sleep`) gets a spare
 * standing in, as on a worker. An actor busy or queued elsewhere just gets the message.
 * The caller must keep the program alive meanwhile (an I/O thread of a running program does).
 * Not from a worker or inside a turn: there it is weir_try_send. */
static _Thread_local weir_worker guest;
static _Thread_local int guest_ready;

int weir_try_send_run(weir_actor* to, weir_obj* msg, int* ran) {
  if (ran) *ran = 0;
  if (self_worker) return weir_try_send(to, msg);
  weir_actor* a = NULL;
  int r = weir_try_send_claim(to, msg, &a);
  if (!a) return r;
  if (ran) *ran = 1;
  weir_worker* w = &guest;
  if (!guest_ready) {
    guest_ready = 1;
    w->id = -1;
    w->spare = 1;   /* counts into the global counters (weir_count_local) */
  }
  self_worker = w;
  w->tick++;
  if (setjmp(w->crash) == 0) run_turn(w, a);
  else turn_crashed(w);
  self_worker = NULL;
  return r;
}

/* A stack overflow inside a handler that compiled code's stack check did not catch (io.c's
 * signal handler, on the alternate stack: an overflow inside C code, or WEIR_STACK_CHECK=0): the
 * actor crashes like any run-time error, but without unwinding (counted in C_CRASH_LEAK). SIGSEGV is blocked while its handler runs: unblock it, since
 * the turn's setjmp does not save the signal mask (that would cost a system call per turn). */
static void on_overflow(const char* text) {
  weir_worker* w = self_worker;
  if (!w || !w->in_handler) return;
  snprintf(w->crash_detail, sizeof w->crash_detail - 1, "%s", text);
  w->crash_unwound = 0;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGSEGV);
  sigaddset(&set, SIGBUS);
  pthread_sigmask(SIG_UNBLOCK, &set, NULL);
  longjmp(w->crash, 1);
}

void weir_sched_on_panic(const char* message, const char* location) {
  weir_worker* w = self_worker;
  if (!w || !w->in_handler) return;   /* not inside a handler: the process ends as before */
  snprintf(w->crash_detail, sizeof w->crash_detail - 1, "%s%sruntime error: %s",
           location && *location ? location : "", location && *location ? ": " : "", message);
  w->crash_unwound = 1;
  weir_unwind_to(&w->crash, w->crash_boundary);   /* the landing pads drop what the turn held */
}

/* weir_rt_handler_boundary (rt.h): this thread's innermost turn boundary inside a handler. */
void* weir_sched_handler_boundary(void) {
  weir_worker* w = self_worker;
  return w && w->in_handler ? w->crash_boundary : NULL;
}

/* Handlers may recurse deeply (a non-tail `map` over a long list): a large stack, reserved and
 * committed only as used, as the program thread has (WEIR_WORKER_STACK_SIZE overrides it; at
 * least 1 MiB). */
size_t weir_rt_env_size(const char* name, size_t dflt);   /* io.c */
int weir_turn_thread_create(pthread_t* thread, void* (*body)(void*), void* arg) {
  size_t size = weir_rt_env_size("WEIR_WORKER_STACK_SIZE", WEIR_WORKER_STACK);
  if (size < ((size_t)1 << 20)) size = (size_t)1 << 20;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, size);
  pthread_attr_setguardsize(&attr, 65536);
  int err = pthread_create(thread, &attr, body, arg);
  pthread_attr_destroy(&attr);
  return err;
}

static void* worker_main(void* p) {
  weir_worker* w = (weir_worker*)p;
  self_worker = w;
  weir_rt_thread_signals();
  weir_heap_attach();
  /* Crash isolation: a panic in a handler comes back here (w is not modified after setjmp). */
  w->crash_boundary = __builtin_frame_address(0);
  if (setjmp(w->crash)) turn_crashed(w);
  for (;;) {
    /* acquire: pairs with weir_sched_exit's release store (nothing is read from it though). */
    if (atomic_load_explicit(&weir_sched_exiting, memory_order_acquire)) break;
    weir_actor* a = find_work(w);
    if (a) { run_turn(w, a); continue; }
    /* find_work found nothing with the slot empty, so no actor lingers here (see find_work). */
    if (!park(w)) break;
  }
  linger_resolve(w);   /* exit: leave no actor held */
  weir_heap_thread_exit();
  self_worker = NULL;
  return NULL;
}

/* ---- Blocking inside a handler ----
 * Weir's `call` returns the answer to the next line of the handler, so the turn cannot be
 * suspended as a continuation (weir_call); the handler's thread waits instead. While it waits,
 * a spare thread stands in for it: the number of threads running actors never drops, so the
 * actor being called runs even with one worker, and nested calls nest spares. A spare has no
 * run queue (what it schedules goes to the inject queue; it takes outside work and steals from
 * every worker, the blocked one included), counts into the global counters, and goes off duty
 * after its current turn once the wait is over. The blocked thread acts as an outside thread for
 * the wait (self_worker is NULL): its sends go to the inject queue and wake a sleeper.
 * Spares are pooled: one that goes off duty waits (on its own condition variable, so it never
 * takes a wake-up meant for a parked worker) for the next block_begin, instead of a thread
 * being created per call; weir_workers_stop ends and joins them all.
 * Counting: `nspares` is the number ON DUTY (quiescence needs each of them parked); a spare that
 * goes off duty re-checks quiescence (the program may have been waiting only for it). */
typedef struct spare_thread {
  weir_worker w;
  pthread_t thread;
  pthread_cond_t cv;               /* off duty: waits here for the next block_begin */
  _Atomic int on_duty;             /* set by block_begin, cleared by block_end (under park_mu) */
  int pooled;                      /* park_mu: on the idle list (not assigned to a stint) */
  struct spare_thread* next_idle;  /* park_mu */
  struct spare_thread* next_all;   /* park_mu: every spare thread of this run, joined at stop */
} spare_thread;
static spare_thread* spare_idle;   /* park_mu */
static spare_thread* spare_all;    /* park_mu */
static _Thread_local weir_worker* blocked_self;

static weir_actor* spare_find_work(void) {
  weir_actor* a = weir_inject_take();
  if (a) return a;
  for (int i = 0; i < nworkers; i++)
    if ((a = weir_runq_take(workers[i].q))) return a;
  return NULL;
}

/* One stint standing in for a blocked worker: run actors until block_end (or exit). */
static void spare_duty(spare_thread* s) {
  /* Crash isolation, as in worker_main (s is not modified after setjmp). */
  s->w.crash_boundary = __builtin_frame_address(0);
  if (setjmp(s->w.crash)) turn_crashed(&s->w);
  for (;;) {
    /* acquire: block_end's store; the blocked thread's writes before it are not read here. */
    if (!atomic_load_explicit(&s->on_duty, memory_order_acquire)) return;
    if (atomic_load_explicit(&weir_sched_exiting, memory_order_acquire)) return;
    weir_actor* a = spare_find_work();
    if (a) { run_turn(&s->w, a); continue; }
    pthread_mutex_lock(&park_mu);
    /* seq_cst: the parker's half of the wake-up rule, as in park(). */
    atomic_fetch_add_explicit(&nparked, 1, memory_order_seq_cst);
    while (atomic_load_explicit(&s->on_duty, memory_order_relaxed) && !stopping && all_queues_empty()) {
      weir_check_quiescence_locked();
      pthread_cond_wait(&park_cv, &park_mu);
    }
    atomic_fetch_sub_explicit(&nparked, 1, memory_order_seq_cst);   /* seq_cst: as above */
    int stop = stopping;
    pthread_mutex_unlock(&park_mu);
    if (stop) return;
  }
}

static void* spare_main(void* p) {
  spare_thread* s = (spare_thread*)p;
  self_worker = &s->w;
  weir_rt_thread_signals();
  weir_heap_attach();
  pthread_mutex_lock(&park_mu);
  for (;;) {
    /* In the pool until a block_begin takes it (a new spare starts assigned: its stint may
     * even be over before it runs, then spare_duty returns at once). */
    while (s->pooled && !stopping) pthread_cond_wait(&s->cv, &park_mu);
    if (stopping) break;
    pthread_mutex_unlock(&park_mu);
    spare_duty(s);
    pthread_mutex_lock(&park_mu);
    /* Off duty (or the program ends): wait for block_end if exit cut the stint short, so that
     * a later block_begin never finds a half-finished spare on the idle list. */
    while (atomic_load_explicit(&s->on_duty, memory_order_relaxed) && !stopping)
      pthread_cond_wait(&s->cv, &park_mu);
    atomic_fetch_sub_explicit(&nspares, 1, memory_order_relaxed);   /* relaxed: under park_mu */
    if (stopping) break;
    s->pooled = 1;
    s->next_idle = spare_idle;
    spare_idle = s;
    weir_check_quiescence_locked();   /* the program may have waited for this spare only */
  }
  pthread_mutex_unlock(&park_mu);
  weir_heap_thread_exit();
  self_worker = NULL;
  return NULL;
}

void* weir_sched_block_begin(void) {
  weir_worker* w = self_worker;
  if (!w) return NULL;   /* not a worker (or a spare's blocked handler already blocked): nothing to hand over */
  /* What only this worker could run must be visible to the spare: the hand-off slot goes to the
   * run queue (spares steal from it), and the mailbox slots taken so far are given back. */
  linger_resolve(w);
  if (w->next) {
    weir_actor* a = w->next;
    w->next = NULL;
    if (!w->q || !weir_runq_push(w->q, a)) weir_inject_push(a);
  }
  if (w->current) give_back(w, w->current);
  pthread_mutex_lock(&park_mu);
  spare_thread* s = spare_idle;
  if (s) { spare_idle = s->next_idle; s->pooled = 0; }
  atomic_fetch_add_explicit(&nspares, 1, memory_order_relaxed);   /* relaxed: under park_mu */
  if (s) {
    atomic_store_explicit(&s->on_duty, 1, memory_order_relaxed);  /* relaxed: under park_mu */
    pthread_cond_signal(&s->cv);
  }
  pthread_mutex_unlock(&park_mu);
  if (!s) {
    s = (spare_thread*)calloc(1, sizeof *s);
    int err = !s;
    if (s) {
      s->w.id = -1;
      s->w.spare = 1;
      pthread_cond_init(&s->cv, NULL);
      atomic_init(&s->on_duty, 1);
      pthread_mutex_lock(&park_mu);
      err = weir_turn_thread_create(&s->thread, spare_main, s);
      if (!err) { s->next_all = spare_all; spare_all = s; }
      pthread_mutex_unlock(&park_mu);
    }
    if (err) {
      pthread_mutex_lock(&park_mu);
      atomic_fetch_sub_explicit(&nspares, 1, memory_order_relaxed);
      pthread_mutex_unlock(&park_mu);
      if (s) pthread_cond_destroy(&s->cv);
      free(s);
      return NULL;
    }
  }
  blocked_self = w;
  self_worker = NULL;
  return s;
}

void weir_sched_block_end(void* token) {
  spare_thread* s = (spare_thread*)token;
  if (!s) return;
  self_worker = blocked_self;
  blocked_self = NULL;
  pthread_mutex_lock(&park_mu);
  /* release: pairs with the spare's acquire load; it goes off duty after its current turn. */
  atomic_store_explicit(&s->on_duty, 0, memory_order_release);
  pthread_cond_broadcast(&park_cv);
  pthread_cond_signal(&s->cv);
  pthread_mutex_unlock(&park_mu);
}

/* weir_workers_stop: end every spare thread (they see `stopping`) and join them. */
static void spares_join(void) {
  pthread_mutex_lock(&park_mu);
  spare_thread* all = spare_all;
  spare_all = spare_idle = NULL;
  for (spare_thread* s = all; s; s = s->next_all) pthread_cond_signal(&s->cv);
  pthread_mutex_unlock(&park_mu);
  while (all) {
    spare_thread* n = all->next_all;
    pthread_join(all->thread, NULL);
    pthread_cond_destroy(&all->cv);
    free(all);
    all = n;
  }
}

int weir_workers_start(int n) {
  workers = (weir_worker*)calloc((size_t)n, sizeof *workers);
  if (!workers) return -1;
  nworkers = n;
  stopping = 0;
  for (int c = 0; c < C_COUNT; c++)   /* relaxed: no worker runs yet */
    atomic_store_explicit(&global_counters[c], 0, memory_order_relaxed);
  for (int i = 0; i < n; i++) {
    workers[i].id = i;
    workers[i].q = weir_runq_new();
    if (!workers[i].q) return -1;
  }
  weir_rt_overflow_hook = on_overflow;
  for (int i = 0; i < n; i++)
    if (weir_turn_thread_create(&workers[i].thread, worker_main, &workers[i]) != 0) return -1;
  return n;
}

void weir_workers_stop(void) {
  pthread_mutex_lock(&park_mu);
  stopping = 1;
  pthread_cond_broadcast(&park_cv);
  pthread_mutex_unlock(&park_mu);
  for (int i = 0; i < nworkers; i++) pthread_join(workers[i].thread, NULL);
  spares_join();
}

/* After weir_workers_stop: the counters stay readable until the next start. */
void weir_workers_free(void) {
  for (int i = 0; i < nworkers; i++) weir_runq_free(workers[i].q);
  free(workers);
  workers = NULL;
  nworkers = 0;
}
