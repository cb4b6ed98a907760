/* The language's side of actors: the `foreign import ccall` entry points of stdlib/Actor.weir
 * and stdlib/Time.weir. Every argument is an OWNED weir_obj* and every result an owned one
 * (docs/language.md); IO actions are called when they run.
 *
 * Representations (the newtypes of Actor.weir are these objects):
 *   Pid m    a WEIR_EXTERNAL holding one reference to the weir_actor (released when freed)
 *   Reply a  the WEIR_EXTERNAL reply handle of sched.h's call
 *   Timer    a WEIR_EXTERNAL holding a weir_timer reference
 *   actor state slot: a 2-field constructor [handler, s]; the handler is the Weir closure
 *            `s -> m -> IO (Next s)`; s is taken out for the turn and the next state put back.
 *   Next s   Continue s = tag 0 with one field, Stop = tag 1 (declaration order in Actor.weir)
 *   Down     Stopped = tag 0, Crashed String = tag 1, NotRunning = tag 2
 * Threading: handlers run on workers (the scheduler's rules); the other entry points from any
 * thread. The scheduler starts on the first spawn and the program waits for it at the end of
 * main (weir_rt_main, runtime/object/io.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../object/values.h"
#include "actor.h"

/* Defined by every compiled program (rt.h); weak so that the runtime's own tests link without one. */
weir_obj* weir_apply1(weir_obj* f, weir_obj* a) __attribute__((weak));
weir_obj* weir_apply2(weir_obj* f, weir_obj* a, weir_obj* b) __attribute__((weak));
weir_obj* weir_apply3(weir_obj* f, weir_obj* a, weir_obj* b, weir_obj* c) __attribute__((weak));

/* weir_rt_main's hooks: the worker count from --workers (0 = default) and whether actors ran. */
int weir_lang_workers;

/* A Pid's finalizer; also how actor.c recognises a Pid (weir_share_for_send copies them). */
void weir_pid_finalize(void* a) { weir_actor_release((weir_actor*)a); }
static void release_timer(void* t) { weir_timer_release((weir_timer*)t); }

static weir_obj* pid_new(weir_actor* a) { return weir_external_new(weir_pid_finalize, a); }
static weir_actor* pid_actor(weir_obj* pid) { return (weir_actor*)weir_external_ptr(pid); }
weir_actor* weir_lang_pid_actor(weir_obj* pid) { return pid_actor(pid); }   /* borrowed; runtime/rule */

static void ensure_running(void) {
  if (weir_sched_workers() > 0) return;
  if (weir_sched_init(weir_lang_workers) < 0)
    weir_rt_panic("cannot start the actor scheduler (out of threads or memory)", "");
}

/* An immortal marker in the state slot of a spawnSelf actor that has not run its init yet. */
static weir_con init_pending = {{0, WEIR_CON, 0, 0xfffe}, {0}};
#define INIT_PENDING ((weir_obj*)&init_pending)

static void behaviour(weir_actor* self, weir_obj* msg) {
  weir_con* slot = (weir_con*)weir_actor_state(self);
  weir_obj* handler = slot->fields[0];
  weir_obj* s = slot->fields[1];
  slot->fields[1] = WEIR_UNIT;   /* the turn owns s; a crash leaves the slot consistent */
  weir_dup(handler);
  /* Build and run the action at once (IO is world-passing): one direct call of a handler the
   * compiler gave its world parameter (compiler/core/ioarity.hpp), no action closure. */
  weir_obj* next = weir_apply3(handler, s, msg, WEIR_UNIT);
  if (next->tag == 0) {
    weir_obj* s2 = ((weir_con*)next)->fields[0];
    weir_unpack(next);   /* own the field, give up the cell */
    slot->fields[1] = s2;
  } else {
    weir_drop(next);
    weir_actor_stop(self);
  }
}

/* spawnSelf: the first message is the init marker; init (Pid m -> IO s) computes the state. */
static void behaviour_self(weir_actor* self, weir_obj* msg) {
  weir_con* slot = (weir_con*)weir_actor_state(self);
  if (slot->fields[1] == INIT_PENDING && msg == INIT_PENDING) {
    weir_obj* init = slot->fields[2];
    slot->fields[2] = WEIR_UNIT;
    weir_actor_retain(self);
    slot->fields[1] = weir_apply2(init, pid_new(self), WEIR_UNIT);   /* build and run the action */
    return;
  }
  behaviour(self, msg);
}

static weir_actor* spawn_slot(weir_behaviour b, weir_obj* slot) {
  ensure_running();
  weir_actor* a = weir_spawn(b, slot, 0);
  if (!a) weir_rt_panic("cannot spawn an actor: the scheduler is not running", "");
  return a;
}

/* spawn :: s -> (s -> m -> IO (Next s)) -> IO (Pid m) */
weir_obj* weir_actor_spawn(weir_obj* state, weir_obj* handler) {
  weir_obj* f[2] = {handler, state};
  return pid_new(spawn_slot(behaviour, weir_con_new(0, 2, f)));
}

/* spawnSelf :: (Pid m -> IO s) -> (s -> m -> IO (Next s)) -> IO (Pid m) */
weir_obj* weir_actor_spawn_self(weir_obj* init, weir_obj* handler) {
  weir_obj* f[3] = {handler, INIT_PENDING, init};
  weir_actor* a = spawn_slot(behaviour_self, weir_con_new(0, 3, f));
  /* The init message goes first, past the bound (the mailbox is empty), and is not counted. */
  atomic_fetch_add_explicit(&a->sent, 1, memory_order_relaxed);   /* relaxed: a is not published */
  weir_envelope* e = weir_env_new(ENV_USER, INIT_PENDING);
  weir_mq_push(&a->mq, &e->node);
  weir_actor_wake(a, ST_IDLE);
  return pid_new(a);
}

/* send :: Pid m -> m -> IO () -- a full mailbox or a dead actor drops the message (counted). */
weir_obj* weir_actor_send(weir_obj* pid, weir_obj* msg) {
  weir_send(pid_actor(pid), msg);
  weir_drop(pid);
  return WEIR_UNIT;
}

/* trySend :: Pid m -> m -> IO Bool -- never blocks; False when refused. */
weir_obj* weir_actor_try_send(weir_obj* pid, weir_obj* msg) {
  int r = weir_try_send(pid_actor(pid), msg);
  weir_drop(pid);
  return WEIR_BOOL(r == WEIR_SEND_OK);
}

/* stop :: Pid m -> IO () */
weir_obj* weir_actor_stop_pid(weir_obj* pid) {
  weir_actor_stop(pid_actor(pid));
  weir_drop(pid);
  return WEIR_UNIT;
}

/* isAlive :: Pid m -> IO Bool */
weir_obj* weir_actor_alive(weir_obj* pid) {
  int dead = weir_actor_is_dead(pid_actor(pid));
  weir_drop(pid);
  return WEIR_BOOL(!dead);
}

static weir_obj* make_request(weir_obj* reply, void* env) {
  return weir_apply1((weir_obj*)env, reply);   /* mk :: Reply a -> m, consumed */
}

/* call :: Pid m -> (Reply a -> m) -> Duration -> IO (Maybe a)
 * In a handler: the request goes out; if this worker holds the callee (it was idle), its turn
 * runs here and the answer is usually in when it returns (worker.c, weir_sched_run_callee); if
 * the callee ended there without answering, Nothing at once;
 * else this thread waits and a spare worker stands in for it, until the answer, the timeout, or
 * the callee's end (weir_call_watch: Nothing at once). Outside handlers: waits likewise. */
weir_obj* weir_actor_call(weir_obj* pid, weir_obj* mk, weir_obj* timeout) {
  int64_t ns = weir_take_int(timeout);
  uint64_t t = ns > 0 ? (uint64_t)ns : 1;
  weir_actor* target = pid_actor(pid);
  weir_obj* r = NULL;
  if (weir_current_worker()) {
    struct timespec deadline;
    weir_call_deadline(&deadline, t);
    weir_call_rec* c = weir_call_start(target, make_request, mk);
    if (c) {
      /* A callee that ended in its nested turn (crashed, stopped) without answering never
       * will (as Erlang's call fails when the callee dies): Nothing now, not at the timeout. */
      int gone = weir_sched_run_callee(target) && !weir_call_rec_ready(c) && weir_actor_is_dead(target);
      if (gone) weir_call_deadline(&deadline, 0);   /* expired: finish does not wait */
      if (gone || weir_call_rec_ready(c)) {
        r = weir_call_finish(c, &deadline, 1);
      } else {
        weir_call_watch(target, c);   /* if the callee ends first: Nothing then, not at the timeout */
        void* token = weir_sched_block_begin();
        r = weir_call_finish(c, &deadline, 1);
        weir_sched_block_end(token);
      }
    }
  } else {
    r = weir_call_blocking(target, make_request, mk, t);
  }
  weir_drop(pid);
  return r ? weir_just(r) : weir_nothing();
}

/* reply :: Reply a -> a -> IO Bool -- False when the call had already timed out. */
weir_obj* weir_actor_reply(weir_obj* reply, weir_obj* value) {
  return WEIR_BOOL(weir_reply(reply, value));
}

static weir_obj* make_down(weir_obj* ctx, weir_down_reason why, const char* detail) {
  weir_obj* down;
  if (why == WEIR_DOWN_CRASH) {
    weir_obj* text = weir_string_new(detail ? detail : "", detail ? strlen(detail) : 0);
    down = weir_con_new(1, 1, &text);
  } else {
    down = (weir_obj*)&weir_nullary[why == WEIR_DOWN_STOP ? 0 : 2];
  }
  return weir_apply1(ctx, down);   /* the watcher's message type: mk :: Down -> n */
}

/* monitor :: Pid m -> Pid n -> (Down -> n) -> IO () */
weir_obj* weir_actor_monitor(weir_obj* watched, weir_obj* watcher, weir_obj* mk) {
  weir_monitor(pid_actor(watched), pid_actor(watcher), make_down, mk);
  weir_drop(watched);
  weir_drop(watcher);
  return WEIR_UNIT;
}

/* sendAfter :: Duration -> Pid m -> m -> IO Timer */
weir_obj* weir_actor_send_after(weir_obj* delay, weir_obj* pid, weir_obj* msg) {
  int64_t ns = weir_take_int(delay);
  ensure_running();
  weir_timer* t = weir_send_after(pid_actor(pid), ns > 0 ? (uint64_t)ns : 0, msg);
  weir_drop(pid);
  if (!t) weir_rt_panic("cannot start a timer", "");
  return weir_external_new(release_timer, t);
}

/* cancel :: Timer -> IO Bool -- True when it was cancelled before it fired. */
weir_obj* weir_actor_cancel(weir_obj* timer) {
  int r = weir_timer_cancel((weir_timer*)weir_external_ptr(timer));
  weir_drop(timer);
  return WEIR_BOOL(r);
}

/* exit :: Int -> IO () -- from a handler: the program ends after the current turns, with this
 * status; from main: at once. */
weir_obj* weir_actor_exit(weir_obj* code) {
  int64_t c = weir_take_int(code);
  if (weir_current_worker()) { weir_sched_exit((int)c); return WEIR_UNIT; }
  if (weir_sched_workers() > 0) weir_sched_exit((int)c);
  weir_stdout_flush();
  exit((int)c);
}

/* workers :: IO Int */
weir_obj* weir_actor_workers(void) {
  ensure_running();
  return weir_box_int(weir_sched_workers());
}

/* ---- Time ---- */
static int64_t clock_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* now :: IO Time -- wall clock, nanoseconds since 1970-01-01 UTC. */
weir_obj* weir_time_now(void) { return weir_box_int(clock_ns(CLOCK_REALTIME)); }

/* monotonic :: IO Duration -- since an arbitrary point; never jumps. */
weir_obj* weir_time_monotonic(void) { return weir_box_int(clock_ns(CLOCK_MONOTONIC)); }

/* sleep :: Duration -> IO () -- inside a handler a spare worker runs the other actors meanwhile. */
weir_obj* weir_time_sleep(weir_obj* d) {
  int64_t ns = weir_take_int(d);
  if (ns > 0) {
    void* token = weir_sched_block_begin();
    struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
    while (nanosleep(&ts, &ts) != 0) {}
    weir_sched_block_end(token);
  }
  return WEIR_UNIT;
}

/* formatTime :: Time -> String -- ISO 8601 in UTC with milliseconds: 2026-12-05T23:19:16.123Z */
weir_obj* weir_time_format(weir_obj* t) {
  int64_t ns = weir_take_int(t);
  int64_t secs = ns >= 0 ? ns / 1000000000 : -((-ns + 999999999) / 1000000000);
  int64_t ms = (ns - secs * 1000000000) / 1000000;
  time_t tt = (time_t)secs;
  struct tm tm;
  gmtime_r(&tt, &tm);
  char buf[64];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  n += (size_t)snprintf(buf + n, sizeof buf - n, ".%03dZ", (int)ms);
  return weir_string_new(buf, n);
}
