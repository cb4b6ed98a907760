/* weir/sched.h -- the C ABI of actors, the scheduler and timers (runtime/sched/).
 *
 * Life cycle, threading and the overflow policy are described in runtime/sched/README.md.
 * Ownership is in the types: a `weir_owned` argument is consumed by the callee (one reference
 * moves in), a `weir_owned` result gives the caller one reference; a `weir_borrowed` argument is
 * only valid for the call. The same holds for actors (`weir_actor_owned`/`weir_actor_borrowed`)
 * and timers. Errors are values; nothing here throws, longjmps into the caller, or exits, except
 * that a run-time error inside a handler ends that actor (see weir_sched_on_panic).
 * Every function may be called from any thread unless it says "owner only" (the worker
 * currently running that actor's handler).
 */
#ifndef WEIR_SCHED_H
#define WEIR_SCHED_H

#include <pthread.h>
#include <stdint.h>

#include "weir/rt.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef weir_obj* weir_owned;     /* one reference moves across the call */
typedef weir_obj* weir_borrowed;  /* no count changes; valid for the call only */

typedef struct weir_actor weir_actor;
typedef weir_actor* weir_actor_owned;
typedef weir_actor* weir_actor_borrowed;
typedef struct weir_timer weir_timer;   /* a send_after handle, reference counted */

/* ---- Scheduler ---- */
/* Start the workers. workers <= 0: $WEIR_WORKERS if set, else the number of online cores.
 * Returns the number of workers started, or a negative errno-style value. Calls weir_rt_init
 * is NOT done here (the program's main does it first). */
int weir_sched_init(int workers);
int weir_sched_workers(void);              /* 0 when not running */
/* The main body has returned: wait until the program is quiescent (README "Program lifetime")
 * or weir_sched_exit was called, then stop and join every worker and the timer thread.
 * Returns the exit code (0 for quiescence). After it, weir_sched_init may be called again. */
int weir_sched_wait(void);
void weir_sched_exit(int code);            /* end the program after the current turns */
void weir_sched_hold(void);                /* an external source (I/O thread) may still send */
void weir_sched_unhold(void);

typedef struct weir_sched_counters {
  uint64_t sent;          /* user messages accepted into a mailbox */
  uint64_t delivered;     /* user messages handed to a handler */
  uint64_t refused_full;  /* sends that failed on a full mailbox (dropped, counted) */
  uint64_t blocked_sends; /* non-worker sends that waited for space */
  uint64_t dead_letters;  /* messages sent to, or left in the mailbox of, a dead actor */
  uint64_t late_replies;  /* replies arriving after their call timed out */
  uint64_t crashes;       /* handlers ended by a run-time error */
  uint64_t crash_leaked;  /* crashes not unwound (an overflow the SIGSEGV backstop caught): values stay */
  uint64_t timers_fired;
  uint64_t steals;        /* actors taken from another worker's queue */
  uint64_t parks;         /* times a worker went to sleep */
  uint64_t spawned;
  uint64_t actors_freed;
} weir_sched_counters;
void weir_sched_get_counters(weir_sched_counters* out);   /* sums per-worker counters */

/* ---- Actors ---- */
/* A handler: runs on a worker, one message at a time, never concurrently with itself. */
typedef void (*weir_behaviour)(weir_actor_borrowed self, weir_owned msg);
#define WEIR_MAILBOX_DEFAULT 65536u
/* New IDLE actor with the given handler and state (consumed). mailbox_cap 0 = default.
 * Returns one reference for the caller (release it with weir_actor_release), or NULL when the
 * scheduler is not running. */
weir_actor_owned weir_spawn(weir_behaviour behaviour, weir_owned state, uint32_t mailbox_cap);
void weir_actor_retain(weir_actor_borrowed a);
void weir_actor_release(weir_actor_owned a);
weir_borrowed weir_actor_state(weir_actor_borrowed self);            /* owner only */
void weir_actor_set_state(weir_actor_borrowed self, weir_owned state);/* owner only; drops the old */
weir_actor_borrowed weir_self(void);       /* the actor whose handler runs on this thread, or NULL */
int weir_actor_is_dead(weir_actor_borrowed a);
uint64_t weir_actor_dropped(weir_actor_borrowed a);   /* sends refused by a's full mailbox */
/* A smaller (or larger) mailbox for an actor no one has sent to yet (0 = the default). */
void weir_actor_set_mailbox_cap(weir_actor_borrowed a, uint32_t cap);

enum weir_send_result { WEIR_SEND_OK = 0, WEIR_SEND_FULL = 1, WEIR_SEND_DEAD = 2 };
/* Marks msg shared (weir_mark_shared) and enqueues it. Full mailbox: from a worker the message
 * is dropped and WEIR_SEND_FULL returned; from any other thread the call blocks until there is
 * space (or the actor dies). A dead target drops the message (WEIR_SEND_DEAD, counted). */
int weir_send(weir_actor_borrowed to, weir_owned msg);
int weir_try_send(weir_actor_borrowed to, weir_owned msg);   /* never blocks */
/* weir_try_send from a thread that is not a worker (an I/O thread): when this send made `to`
 * runnable (it was idle), its turn runs here and now, crash-isolated as on a worker, instead of
 * waking a worker (runtime/sched/worker.c, "Guest turns"); *ran (if not NULL) says whether it
 * did. The caller keeps the program alive. */
int weir_try_send_run(weir_actor_borrowed to, weir_owned msg, int* ran);
/* Starts a thread that runs turns (a worker, a spare, the rule engine's I/O thread): a worker's
 * stack (WEIR_WORKER_STACK, 256 MiB, or WEIR_WORKER_STACK_SIZE=<n>[K|M|G]; reserved and committed
 * as used, since handlers may recurse deeply) and guard. The body calls weir_rt_thread_signals first. pthread_create's result. */
int weir_turn_thread_create(pthread_t* thread, void* (*body)(void*), void* arg);
/* Stop a after the messages sent to it before this call (self: at the end of this turn). */
void weir_actor_stop(weir_actor_borrowed a);

/* ---- Monitors ---- */
typedef enum weir_down_reason {
  WEIR_DOWN_STOP = 0,    /* weir_actor_stop or the handler asked to stop */
  WEIR_DOWN_CRASH = 1,   /* a run-time error in a handler; detail = the message */
  WEIR_DOWN_NOPROC = 2,  /* already dead when the monitor was set */
} weir_down_reason;
/* Builds the watcher's message; runs on the thread that ends the watched actor.
 * detail is borrowed (NULL unless a crash). */
typedef weir_owned (*weir_down_fn)(weir_owned ctx, weir_down_reason reason, const char* detail);
/* When `watched` ends, send mk(ctx, reason, detail) to `watcher` (bypassing its bound). */
void weir_monitor(weir_actor_borrowed watched, weir_actor_borrowed watcher, weir_down_fn mk, weir_owned ctx);

/* ---- call: request/response with a timeout ----
 * The reply handle is a WEIR_EXTERNAL object: put it in the request; the target answers with
 * weir_reply (at most once; dropping the handle without replying lets the call time out). */
typedef weir_owned (*weir_call_make)(weir_owned reply, void* env);
typedef void (*weir_call_k)(weir_actor_borrowed self, weir_owned result /* NULL: timed out */, void* kenv);
/* Owner only (inside self's handler). Sends make(reply, env) to target; when the handler returns,
 * self is suspended (AWAITING) until the reply or the timeout (0 = none), then k runs as self's
 * next turn, before any other message. At most one call per turn. Returns WEIR_SEND_*; on
 * failure k is not called. */
int weir_call(weir_actor_borrowed self, weir_actor_borrowed target, weir_call_make make, void* env,
              uint64_t timeout_ns, weir_call_k k, void* kenv);
/* From a thread that is not a worker: blocks this thread (not the scheduler). NULL on timeout. */
weir_owned weir_call_blocking(weir_actor_borrowed target, weir_call_make make, void* env, uint64_t timeout_ns);
/* Answer a call: consumes both. Returns 1 if delivered, 0 if the call had already timed out. */
int weir_reply(weir_owned reply, weir_owned value);

/* Owner only: the handler is about to block its thread (Weir's direct-style `call`, `sleep`).
 * A spare thread runs actors until weir_sched_block_end(token), so the scheduler never loses a
 * worker (README "Blocking inside a handler"). Outside a worker it does nothing (NULL token). */
void* weir_sched_block_begin(void);
void weir_sched_block_end(void* token);

/* ---- Timers ---- */
/* Send msg to `to` after delay_ns (millisecond resolution). Returns a handle (owned). */
weir_timer* weir_send_after(weir_actor_borrowed to, uint64_t delay_ns, weir_owned msg);
int weir_timer_cancel(weir_timer* t);      /* borrowed; 1 if cancelled before it fired */
void weir_timer_release(weir_timer* t);    /* owned; does not cancel */

/* ---- Crash isolation ----
 * Installed as weir_rt_panic's hook by weir_sched_init. Inside a handler on a worker it ends the
 * current actor (never returns); anywhere else it returns and the process exits as before. */
void weir_sched_on_panic(const char* message, const char* location);

#ifdef __cplusplus
}
#endif
#endif /* WEIR_SCHED_H */
