/* Internal: the actor struct, ordered by who touches it, and the functions the files of
 * runtime/sched/ call on each other. States and threading rules: README.md beside this file. */
#ifndef WEIR_SCHED_ACTOR_H
#define WEIR_SCHED_ACTOR_H

#include <pthread.h>
#include <setjmp.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "weir/sched.h"

void weir_heap_attach(void);        /* runtime/object/shared.c */
void weir_heap_thread_exit(void);   /* runtime/object/object.c */

#define WEIR_CACHE_LINE 64
#define WEIR_BATCH 64   /* messages per turn at most (fairness) */
/* A turn whose mailbox holds more than WEIR_BACKLOG messages may take WEIR_BATCH_BACKLOG: a sink
 * fed by many senders (each of whose turns can send far more than 64) keeps up with them
 * instead of filling up and refusing (bench/actors fan-in). Still a bound: nobody starves. */
#define WEIR_BACKLOG 4096
#define WEIR_BATCH_BACKLOG 1024

/* ---- Mailbox (mailbox.c): Vyukov's intrusive MPSC queue ---- */
typedef struct weir_mq_node { _Atomic(struct weir_mq_node*) next; } weir_mq_node;
/* The producers' side: head (exchanged by every push) and the stub node (its next is written by
 * the producer that pushes onto an empty queue). The consumer's side is one pointer, `tail`,
 * kept elsewhere (the owner's cache line). */
typedef struct weir_mq_in { _Atomic(weir_mq_node*) head; weir_mq_node stub; } weir_mq_in;
void weir_mq_init(weir_mq_in* q, weir_mq_node** tail);
weir_mq_node* weir_mq_push(weir_mq_in* q, weir_mq_node* n);           /* any thread; returns the previous head */
/* Consumer only. The node returned is the message: read its envelope, do NOT free it (it is the
 * mailbox's dummy until the next pop, which frees it). */
weir_mq_node* weir_mq_pop(weir_mq_in* q, weir_mq_node** tail);
int weir_mq_empty(weir_mq_in* q, weir_mq_node* const* tail);          /* consumer only; seq_cst */
/* Consumer only, before the actor goes idle (or is freed): the inline stub becomes the dummy again
 * and the last envelope is freed. 1: empty (seq_cst check, as weir_mq_empty); 0: messages wait. */
int weir_mq_park(weir_mq_in* q, weir_mq_node** tail);

/* A message envelope is a 24-byte runtime cell (a fake 2-field constructor, so weir_alloc and
 * weir_free_cell size it): it is allocated by the sender and freed by the receiver's thread. */
enum { ENV_USER = 0,      /* a message for the handler, counted against the bound */
       ENV_DOWN = 1,      /* a monitor's notice for the handler, not counted */
       ENV_STOP = 2,      /* weir_actor_stop from another actor or thread */
       ENV_MONITOR = 3,   /* payload: a weir_monitor_rec* to add */
       ENV_WAITER = 4 };  /* payload: a weir_call_rec* whose caller waits (one reference) */
typedef struct weir_envelope { weir_obj h; weir_mq_node node; weir_obj* payload; } weir_envelope;
_Static_assert(sizeof(weir_envelope) == 24, "envelope = header + two words");
_Static_assert(offsetof(weir_envelope, node) == 8, "the header comes first (weir_free_cell reads it)");
weir_envelope* weir_env_new(unsigned kind, weir_obj* payload);
static inline weir_envelope* weir_env_of(weir_mq_node* n) {
  return (weir_envelope*)((char*)n - offsetof(weir_envelope, node));
}

/* ---- Actor states (README "Actor life cycle") ---- */
enum {
  ST_IDLE = 0, ST_QUEUED = 1, ST_RUNNING = 2, ST_AWAITING = 3,
  ST_DEAD = 4,   /* flag, combined with IDLE, QUEUED, RUNNING */
};
enum { FL_STOPPING = 1u };  /* owner flags */

typedef struct weir_monitor_rec {
  struct weir_monitor_rec* next;
  weir_actor* watcher;   /* one reference */
  weir_down_fn mk;
  weir_obj* ctx;         /* owned */
} weir_monitor_rec;

typedef struct weir_call_rec weir_call_rec;   /* actor.c */

struct weir_actor {
  /* ---- line 0: written by other threads (senders, the replier, the releaser) ---- */
  weir_mq_in mq;                 /*  0 (16) senders: exchange head; link the stub */
  _Atomic uint32_t state;        /* 16 (4)  senders CAS IDLE->QUEUED; holder stores (README) */
  _Atomic int32_t rc;            /* 20 (4)  references: any thread */
  _Atomic uint32_t sent;         /* 24 (4)  user messages reserved against cap: senders add (wraps) */
  uint32_t cap;                  /* 28 (4)  mailbox capacity; immutable after spawn */
  _Atomic uint32_t dropped;      /* 32 (4)  sends refused because full: senders add */
  _Atomic uint32_t blocked;      /* 36 (4)  non-worker senders waiting for space: they add/sub */
  _Atomic uint32_t taken;        /* 40 (4)  user messages taken out: the holder only stores (wraps);
                                  *         in the mailbox: sent - taken (mailbox_len, actor.c) */
  char pad0[WEIR_CACHE_LINE - 44];
  /* ---- line 1: owner only (the worker holding the actor; README "Which thread") ---- */
  weir_mq_node* mq_tail;         /* 64 (8)  the consumer's end of the mailbox */
  weir_behaviour behaviour;      /* 72 (8)  immutable after spawn */
  weir_obj* state_obj;           /* 80 (8)  owned: weir_actor_state / weir_actor_set_state */
  weir_monitor_rec* monitors;    /* 88 (8)  who to tell when this actor ends */
  weir_call_rec* call;           /* 96 (8)  the pending call while AWAITING (one reference) */
  struct weir_actor* next;       /* 104 (8) link in the inject queue: written by the queue holding it */
  uint32_t flags;                /* 112 (4) FL_* */
  uint32_t id;                   /* 116 (4) spawn number, for messages (immutable) */
  weir_call_rec* waiters;        /* 120 (8) blocked calls to fail if this actor ends (actor.c) */
};
_Static_assert(offsetof(weir_actor, state) == 16, "sender-side fields on line 0");
_Static_assert(offsetof(weir_actor, taken) + 4 <= WEIR_CACHE_LINE, "line 0 holds every sender-read field");
_Static_assert(offsetof(weir_actor, mq_tail) == WEIR_CACHE_LINE, "owner-only state starts line 1");
_Static_assert(sizeof(weir_actor) == 2 * WEIR_CACHE_LINE, "an actor is two cache lines (128 bytes)");

/* ---- Run queues (runq.c) ---- */
typedef struct weir_runq weir_runq;
weir_runq* weir_runq_new(void);
void weir_runq_free(weir_runq* q);
int weir_runq_push(weir_runq* q, weir_actor* a);    /* owner only; 0 when full */
weir_actor* weir_runq_take(weir_runq* q);           /* any thread; FIFO */
int weir_runq_empty(weir_runq* q);                  /* any thread; seq_cst snapshot */
uint64_t weir_runq_size(weir_runq* q);              /* any thread; a hint */
void weir_inject_push(weir_actor* a);               /* any thread */
weir_actor* weir_inject_take(void);                 /* any thread */
int weir_inject_empty(void);                        /* seq_cst snapshot */
void weir_inject_reset(void);

/* ---- Workers (worker.c) ---- */
enum { C_SENT, C_DELIVERED, C_REFUSED, C_BLOCKED, C_DEAD, C_LATE, C_CRASH, C_CRASH_LEAK,
       C_TIMERS, C_STEALS, C_PARKS, C_SPAWNED, C_FREED, C_COUNT };
typedef struct weir_worker {
  /* Owner-only (the worker's thread), except `counters` (read by weir_sched_get_counters). */
  int id;
  unsigned tick;                /* turns run; every 61st looks at the inject queue first */
  weir_runq* q;
  pthread_t thread;
  weir_actor* current;          /* the actor whose turn runs now */
  int in_handler;               /* a panic now ends `current` */
  jmp_buf crash;                /* set once per thread (worker_main, spare_duty) */
  char crash_detail[256];       /* "location: message" of the last crash */
  _Atomic uint64_t counters[C_COUNT];  /* owner: relaxed load + store; readers: relaxed loads */
  int spare;                    /* a stand-in for a worker blocked in a handler (worker.c) */
  weir_actor* next;             /* woken by this worker's current handler: runs next (worker.c) */
  unsigned next_runs;           /* turns in a row taken from `next` (fairness bound) */
  weir_actor* linger;           /* ended its turn idle but kept RUNNING: `next` runs first (worker.c) */
  uint32_t taken;               /* user messages taken this turn, their slots not yet given back */
} weir_worker;
/* The worker (or spare) running on this thread; NULL on other threads. Inline: on every send. */
extern _Thread_local weir_worker* weir_self_worker_;
static inline weir_worker* weir_current_worker(void) { return weir_self_worker_; }
void weir_schedule(weir_actor* a);                  /* a just became QUEUED: put it on a queue */
void weir_wake_one(void);                           /* a parked worker, if any, looks for work */
int weir_workers_start(int n);
void weir_workers_stop(void);                       /* join them all */
void weir_workers_wake_all(void);
int weir_quiescent_locked(void);                    /* caller holds the park mutex */
void weir_workers_free(void);                       /* after stop: free the queues */
void weir_actors_reap_all(void);                    /* actor.c: at shutdown, end every actor left */
void weir_park_lock(void);
pthread_mutex_t* weir_park_mutex(void);
void weir_park_unlock(void);
void weir_park_broadcast(void);                     /* caller holds the park mutex */
/* A per-worker counter, or the global ones on other threads and spares. Inline: on every send. */
extern _Atomic uint64_t weir_global_counters_[C_COUNT];
static inline void weir_count_local(int which, uint64_t n) {
  weir_worker* w = weir_self_worker_;
  if (w && !w->spare) {
    /* relaxed load + store: only this thread writes it; readers want a recent value, not order. */
    uint64_t v = atomic_load_explicit(&w->counters[which], memory_order_relaxed);
    atomic_store_explicit(&w->counters[which], v + n, memory_order_relaxed);
  } else {
    atomic_fetch_add_explicit(&weir_global_counters_[which], n, memory_order_relaxed);  /* relaxed: a statistic */
  }
}
void weir_counters_sum(uint64_t out[C_COUNT]);      /* workers + other threads */
void weir_counters_global(uint64_t out[C_COUNT]);   /* other threads only */

/* ---- Actors (actor.c) ---- */
void weir_pid_finalize(void* actor);                 /* lang.c: a Pid's external finalizer */
void weir_share_for_send(weir_obj* v);               /* owner only: v is about to cross (README) */
void weir_actor_wake(weir_actor* a, uint32_t from);  /* CAS from -> QUEUED and schedule */
void weir_send_system(weir_actor* to, unsigned kind, weir_obj* payload);
void weir_space_notify(weir_actor* a);              /* after the holder freed mailbox space */
void weir_mailbox_taken(weir_actor* a, uint32_t n); /* the holder took n user messages out */
uint32_t weir_mailbox_len(weir_actor* a);           /* an estimate of the messages waiting */
void weir_space_wake_all(void);                     /* exit: blocked senders give up */
/* The holder's side of a turn (worker.c runs the loop): */
void weir_actor_system(weir_actor* a, unsigned kind, weir_obj* payload);  /* stop, monitor, waiter */
int weir_actor_call_ready(weir_actor* a);           /* a->call has a result or timed out */
void weir_actor_call_resume(weir_actor* a);         /* run the continuation (in a handler) */
void weir_actor_die(weir_actor* a, weir_down_reason why, const char* detail);
void weir_actor_drain_dead(weir_actor* a);          /* a DEAD|QUEUED turn */
void weir_call_timed_out(weir_call_rec* c);         /* timer thread; consumes the timer's reference */
void weir_call_rec_release(weir_call_rec* c);
/* Weir's direct-style call (lang.c): start (send), maybe run the callee here, then finish. */
weir_call_rec* weir_call_start(weir_actor* target, weir_call_make make, void* env);
int weir_call_rec_ready(weir_call_rec* c);
/* The caller is about to wait for c: if the target ends (crash, stop) before answering, the call
 * fails at once instead of at its timeout (a system envelope; the holder keeps c in `waiters`). */
void weir_call_watch(weir_actor* target, weir_call_rec* c);
struct timespec;
void weir_call_deadline(struct timespec* deadline, uint64_t timeout_ns);
weir_obj* weir_call_finish(weir_call_rec* c, const struct timespec* deadline, int timeout);
int weir_sched_run_callee(weir_actor* target);      /* worker.c: run its turn nested, if we can */
/* actor.c: weir_try_send, but a live IDLE `to` is made QUEUED and stored in *claim instead of
 * being scheduled: the caller holds it and must run its turn (worker.c, weir_try_send_run). */
int weir_try_send_claim(weir_actor* to, weir_obj* msg, weir_actor** claim);

/* ---- Timers (timer.c) ---- */
int weir_timers_start(void);
void weir_timers_stop(void);
int weir_timers_pending(void);                      /* pending sends and call timeouts */
struct weir_timer* weir_timer_call_timeout(weir_call_rec* c, uint64_t timeout_ns);

/* ---- Scheduler-wide (start.c) ---- */
extern _Atomic int weir_sched_running;
extern _Atomic int weir_sched_exiting;              /* weir_sched_exit was called */
void weir_check_quiescence(void);                   /* takes the park mutex */
void weir_check_quiescence_locked(void);            /* caller holds it */
#endif
