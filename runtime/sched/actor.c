/* Actors: spawn, reference counts, send (with the mailbox bound), stop, monitors, call/reply,
 * and the holder's side of system messages and of dying. README.md has the state machine.
 * Threading: functions taking `self` or named *_locked/holder run on the worker holding the
 * actor; everything else from any thread. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actor.h"

/* ---- Actor memory: 128-byte blocks carved from 1 MiB chunks, per-thread free lists (like the
 * object allocator): spawn costs no malloc, and 1 M idle actors cost 128 MB. Chunks are never
 * returned; a global list keeps them reachable (leak checkers). ---- */
#define ACTOR_CHUNK (1u << 20)
typedef struct actor_chunk {
  struct actor_chunk* next;
  uint32_t used;   /* slots carved so far: written by the carving thread, read at shutdown */
} actor_chunk;
static pthread_mutex_t chunk_mu = PTHREAD_MUTEX_INITIALIZER;
static actor_chunk* chunks;               /* guarded by chunk_mu */
static _Thread_local weir_actor* free_actors;   /* linked through ->next */
static _Thread_local actor_chunk* bump_chunk;
static _Thread_local char* bump;
static _Thread_local char* bump_end;

static weir_actor* actor_alloc(void) {
  weir_actor* a = free_actors;
  if (a) { free_actors = a->next; return a; }
  if (!bump || bump + sizeof(weir_actor) > bump_end) {
    actor_chunk* c = (actor_chunk*)aligned_alloc(WEIR_CACHE_LINE, ACTOR_CHUNK);
    if (!c) return NULL;
    pthread_mutex_lock(&chunk_mu);
    c->next = chunks;
    c->used = 0;
    chunks = c;
    pthread_mutex_unlock(&chunk_mu);
    bump_chunk = c;
    bump = (char*)c + WEIR_CACHE_LINE;
    bump_end = (char*)c + ACTOR_CHUNK;
  }
  a = (weir_actor*)bump;
  bump += sizeof(weir_actor);
  bump_chunk->used++;
  return a;
}

static void actor_free(weir_actor* a) {
  a->next = free_actors;
  free_actors = a;
}

/* ---- Handing a value to another actor ----
 * A value crosses to another actor (a message, a spawn state, a reply). A cell whose count is 1
 * and that is reachable only through cells whose counts are 1 is held by the sender alone: the
 * sender gives that reference up with the send, so the cell simply changes owner and its count
 * stays plain (the mailbox's seq_cst exchange orders the sender's writes before the receiver's
 * reads, exactly as for the envelope). Only a cell with other references (count > 1: the sender
 * or someone else keeps it) must become shared, and with it everything below it
 * (weir_mark_shared). So a freshly built message (`Ball (k + 1)`) costs no atomic counts at
 * either end, and a large value the sender keeps is still shared, not copied.
 * Walks the uniquely held top of the value only: the first unique child continues the walk, the
 * others wait on a small stack; past its depth a subtree is marked shared (always safe).
 * A `Pid` that others hold too (a child of a cell that moves) is not shared but COPIED: a new
 * 24-byte Pid for the receiver, one more reference to the actor (one atomic increment, once).
 * Pids are what handlers use on every message (the peer captured by `pong back`, the client in
 * a request); a shared Pid costs an atomic increment and decrement each time the handler passes
 * it to `send`, a private one two plain stores. */
#define SHARE_STACK 64

/* Replaces *slot (a Pid held elsewhere too: count > 1, or shared) by a private copy. */
static void pid_copy_into(weir_obj** slot) {
  weir_obj* old = *slot;
  weir_actor* a = (weir_actor*)weir_external_ptr(old);
  weir_actor_retain(a);
  *slot = weir_external_new(weir_pid_finalize, a);
  weir_drop(old);   /* ours; a shared one may be the last: it goes, the actor stays (retained) */
}
void weir_share_for_send(weir_obj* root) {
  weir_obj* stack[SHARE_STACK];
  size_t n = 0;
  weir_obj* o = root;
  for (;;) {
    int32_t rc = weir_rc(o);
    if (rc > 1) weir_mark_shared(o);   /* others hold it: shared from now on */
    if (rc == 1) {                     /* ours alone: it moves; look at its children */
      weir_obj** a = NULL;
      weir_obj** b = NULL;
      size_t na = 0, nb = 0;
      switch (WEIR_KIND(o)) {
        case WEIR_CON: a = ((weir_con*)o)->fields; na = o->nfields; break;
        case WEIR_CLOSURE: a = ((weir_closure*)o)->captured; na = ((weir_closure*)o)->ncaptured; break;
        case WEIR_PAP: a = &((weir_pap*)o)->fn; na = 1; b = ((weir_pap*)o)->args; nb = ((weir_pap*)o)->nargs; break;
        default: break;
      }
      weir_obj* next = NULL;
      for (size_t k = 0; k < na + nb; k++) {
        weir_obj** slot = k < na ? &a[k] : &b[k - na];
        weir_obj* c = *slot;
        if (c->kind == WEIR_EXTERNAL && weir_rc(c) != 1 && weir_rc(c) != 0 &&
            ((weir_external*)c)->finalize == weir_pid_finalize) {
          pid_copy_into(slot);   /* private for the receiver; nothing below it */
          continue;
        }
        if (weir_rc(c) <= 0) continue;   /* immortal or already shared */
        if (!next) next = c;
        else if (n < SHARE_STACK) stack[n++] = c;
        else weir_mark_shared(c);
      }
      if (next) { o = next; continue; }
    }
    if (n == 0) return;
    o = stack[--n];
  }
}

/* ---- Spawn and references ---- */
/* 0: the default; at most 2^31 - 1, since send_user compares counts as signed. */
static uint32_t mailbox_cap_of(uint32_t cap) {
  if (cap == 0) return WEIR_MAILBOX_DEFAULT;
  return cap > (uint32_t)INT32_MAX ? (uint32_t)INT32_MAX : cap;
}

weir_actor* weir_spawn(weir_behaviour behaviour, weir_obj* state, uint32_t mailbox_cap) {
  /* acquire: pairs with weir_sched_init's release store. */
  if (!atomic_load_explicit(&weir_sched_running, memory_order_acquire)) {
    if (state) weir_drop(state);
    return NULL;
  }
  weir_actor* a = actor_alloc();
  if (!a) { if (state) weir_drop(state); return NULL; }
  memset(a, 0, sizeof *a);
  weir_mq_init(&a->mq, &a->mq_tail);
  /* relaxed (all): `a` is not visible to another thread until the caller publishes it. */
  atomic_store_explicit(&a->state, ST_IDLE, memory_order_relaxed);
  atomic_store_explicit(&a->rc, 2, memory_order_relaxed);   /* the caller's + the alive one */
  a->cap = mailbox_cap_of(mailbox_cap);
  a->behaviour = behaviour;
  static _Atomic uint32_t next_id;
  a->id = atomic_fetch_add_explicit(&next_id, 1, memory_order_relaxed) + 1;   /* relaxed: a name */
  if (state) weir_share_for_send(state);   /* the spawner may keep parts of it */
  a->state_obj = state;
  weir_count_local(C_SPAWNED, 1);
  return a;
}

void weir_actor_retain(weir_actor* a) {
  /* relaxed: the caller already holds a reference (as shared_ptr's increment). */
  atomic_fetch_add_explicit(&a->rc, 1, memory_order_relaxed);
}

static void drain_all(weir_actor* a, int answer_monitors);
static void waiters_fail(weir_actor* a);

/* The actor's state goes (it is ending). */
static void drop_state(weir_actor* a) {
  weir_obj* st = a->state_obj;
  a->state_obj = NULL;
  if (st) weir_drop(st);
}

/* A monitor that will never fire (both ends are going: shutdown). */
static void forget_monitor(weir_monitor_rec* r) {
  weir_drop(r->ctx);
  weir_actor_release(r->watcher);
  free(r);
}

void weir_actor_release(weir_actor* a) {
  if (!a) return;
  /* acq_rel: every holder's use of the actor happens before the free below. */
  if (atomic_fetch_sub_explicit(&a->rc, 1, memory_order_acq_rel) != 1) return;
  /* No reference left: no sender can exist. The alive reference is gone, so it died and its
   * dying turn drained the mailbox; drain again in case a late sender raced that turn. */
  drain_all(a, 1);
  weir_mq_park(&a->mq, &a->mq_tail);   /* frees the last envelope (nobody pushes any more) */
  weir_count_local(C_FREED, 1);
  actor_free(a);
}

weir_obj* weir_actor_state(weir_actor* self) { return self->state_obj; }
void weir_actor_set_state(weir_actor* self, weir_obj* state) {
  weir_obj* old = self->state_obj;
  self->state_obj = state;
  if (old) weir_drop(old);
}

weir_actor* weir_self(void) {
  weir_worker* w = weir_current_worker();
  return w ? w->current : NULL;
}

int weir_actor_is_dead(weir_actor* a) {
  /* acquire: a caller that sees DEAD may rely on the dying turn's effects (monitors sent). */
  return (atomic_load_explicit(&a->state, memory_order_acquire) & ST_DEAD) != 0;
}

/* Before any send (the owner of the only reference, e.g. the rule engine at registration, which
 * happens before the threads that send to it start): `cap` is read without synchronisation. */
void weir_actor_set_mailbox_cap(weir_actor* a, uint32_t cap) {
  a->cap = mailbox_cap_of(cap);
}

uint64_t weir_actor_dropped(weir_actor* a) {
  return atomic_load_explicit(&a->dropped, memory_order_relaxed);   /* relaxed: a statistic */
}

/* ---- Scheduling a woken actor ---- */
void weir_actor_wake(weir_actor* a, uint32_t from) {
  uint32_t expected = from;
  uint32_t to = (from & ST_DEAD) ? (ST_DEAD | ST_QUEUED) : ST_QUEUED;
  /* seq_cst: the sender's half of the lost-wake-up rule (after its seq_cst push); the CAS picks
   * one waker when several try. */
  if (!atomic_compare_exchange_strong_explicit(&a->state, &expected, to, memory_order_seq_cst,
                                               memory_order_relaxed))
    return;
  if (from & ST_DEAD) weir_actor_retain(a);   /* the queue's reference to a dead actor */
  weir_schedule(a);
}

/* After a push: schedule the receiver if it was idle (or dead and idle: someone must drain).
 * With `claim` (weir_try_send_run), a live IDLE receiver is not put on a run queue: the CAS makes
 * it QUEUED and the caller holds it, as a worker holds what it took from a queue, to run its turn
 * itself. The CAS is the one weir_actor_wake does, so exactly one waker wins as before. */
static void kick(weir_actor* to, weir_actor** claim) {
  /* seq_cst: read after the push's seq_cst exchange (README lost-wake-up rule). */
  uint32_t s = atomic_load_explicit(&to->state, memory_order_seq_cst);
  if (claim && s == ST_IDLE) {
    uint32_t expected = ST_IDLE;
    /* seq_cst: as in weir_actor_wake. */
    if (atomic_compare_exchange_strong_explicit(&to->state, &expected, ST_QUEUED, memory_order_seq_cst,
                                                memory_order_relaxed))
      *claim = to;
    return;
  }
  if (s == ST_IDLE || s == (ST_DEAD | ST_IDLE)) weir_actor_wake(to, s);
}

/* ---- Send ---- */
static pthread_mutex_t space_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t space_cv;   /* CLOCK_MONOTONIC (space_init) */
static pthread_once_t space_once = PTHREAD_ONCE_INIT;
static void space_init(void) {
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&space_cv, &ca);
  pthread_condattr_destroy(&ca);
}
#define WAIT_SPACE_RECHECK_NS 1000000   /* 1 ms: see weir_space_notify */

/* The holder (or the last releaser) took n user messages out of the mailbox: the only writer
 * of `taken`, so a plain (relaxed) store and no locked instruction. */
void weir_mailbox_taken(weir_actor* a, uint32_t n) {
  /* relaxed: one writer; senders read it only to bound the mailbox (a stale value refuses or
   * blocks a send that could have gone, never lets one more through than the bound allows). */
  uint32_t t = atomic_load_explicit(&a->taken, memory_order_relaxed);
  atomic_store_explicit(&a->taken, t + n, memory_order_relaxed);
}

/* Messages in the mailbox (reserved and not yet taken); unsigned arithmetic survives the wrap. */
uint32_t weir_mailbox_len(weir_actor* a) {
  /* relaxed (both): an estimate for the bound (see weir_mailbox_taken) and for the size of a
   * turn (worker.c). */
  uint32_t sent = atomic_load_explicit(&a->sent, memory_order_relaxed);
  uint32_t taken = atomic_load_explicit(&a->taken, memory_order_relaxed);
  return (int32_t)(sent - taken) > 0 ? sent - taken : 0;   /* taken read later may be ahead */
}

/* Wakes the senders blocked on a full mailbox of `a` (after the holder took messages out).
 * Not a Dekker pair (that would cost the holder a locked instruction per turn): the holder's
 * store of `taken` may still sit in its store buffer when it reads `blocked` as 0 while a sender
 * just went to sleep; the sender then wakes by itself within WAIT_SPACE_RECHECK_NS (wait_space).
 * Blocked senders are rare (outside threads facing a full mailbox). */
void weir_space_notify(weir_actor* a) {
  /* relaxed: see above. */
  if (atomic_load_explicit(&a->blocked, memory_order_relaxed) == 0) return;
  pthread_mutex_lock(&space_mu);
  pthread_cond_broadcast(&space_cv);
  pthread_mutex_unlock(&space_mu);
}

void weir_space_wake_all(void) {
  pthread_once(&space_once, space_init);
  pthread_mutex_lock(&space_mu);
  pthread_cond_broadcast(&space_cv);
  pthread_mutex_unlock(&space_mu);
}

/* A thread that is not a worker waits for room in `to`'s mailbox. 0: it died or the program ends. */
static int wait_space(weir_actor* to) {
  pthread_once(&space_once, space_init);
  /* relaxed: a hint for weir_space_notify, which may miss it (then the timed wait re-checks). */
  atomic_fetch_add_explicit(&to->blocked, 1, memory_order_relaxed);
  pthread_mutex_lock(&space_mu);
  int ok;
  for (;;) {
    /* acquire (state, exiting): decisions only. */
    if (atomic_load_explicit(&to->state, memory_order_acquire) & ST_DEAD) { ok = 0; break; }
    if (atomic_load_explicit(&weir_sched_exiting, memory_order_acquire)) { ok = 0; break; }
    if (weir_mailbox_len(to) < to->cap) { ok = 1; break; }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += WAIT_SPACE_RECHECK_NS;
    if (ts.tv_nsec >= 1000000000) { ts.tv_sec++; ts.tv_nsec -= 1000000000; }
    pthread_cond_timedwait(&space_cv, &space_mu, &ts);
  }
  pthread_mutex_unlock(&space_mu);
  atomic_fetch_sub_explicit(&to->blocked, 1, memory_order_relaxed);  /* relaxed: a hint for notify */
  return ok;
}

static int send_user(weir_actor* to, weir_obj* msg, int may_block, weir_actor** claim) {
  /* acquire: pairs with weir_sched_init's release; relaxed would do for the DEAD hint below. */
  if (!atomic_load_explicit(&weir_sched_running, memory_order_acquire) ||
      (atomic_load_explicit(&to->state, memory_order_relaxed) & ST_DEAD)) {
    weir_drop(msg);
    weir_count_local(C_DEAD, 1);
    return WEIR_SEND_DEAD;
  }
  int waited = 0;
  for (;;) {
    /* relaxed: a reservation; fetch_add hands out distinct counts, so at most `cap` succeed
     * against one value of `taken` (a stale `taken` only refuses more). */
    uint32_t s = atomic_fetch_add_explicit(&to->sent, 1, memory_order_relaxed);
    /* Signed: `taken` is read after our reservation, and by then the holder may have taken more
     * than s messages (later senders pushed before us), so s - taken can be "negative": room.
     * Unsigned, that wrapped to ~4e9 and refused a send to a nearly empty mailbox: an actor's
     * message was dropped as if the mailbox were full (actor_counter lost 1 in ~300 runs). */
    if ((int32_t)(s - atomic_load_explicit(&to->taken, memory_order_relaxed)) < (int32_t)to->cap) break;
    atomic_fetch_sub_explicit(&to->sent, 1, memory_order_relaxed);   /* relaxed: as above */
    if (!may_block) {
      atomic_fetch_add_explicit(&to->dropped, 1, memory_order_relaxed); /* relaxed: a statistic */
      weir_count_local(C_REFUSED, 1);
      weir_drop(msg);
      return WEIR_SEND_FULL;
    }
    if (!waited) { weir_count_local(C_BLOCKED, 1); waited = 1; }
    if (!wait_space(to)) {
      weir_drop(msg);
      weir_count_local(C_DEAD, 1);
      return WEIR_SEND_DEAD;
    }
  }
  weir_share_for_send(msg);
  weir_envelope* e = weir_env_new(ENV_USER, msg);
  weir_mq_push(&to->mq, &e->node);
  weir_count_local(C_SENT, 1);
  kick(to, claim);
  return WEIR_SEND_OK;
}

int weir_send(weir_actor* to, weir_obj* msg) { return send_user(to, msg, weir_current_worker() == NULL, NULL); }
int weir_try_send(weir_actor* to, weir_obj* msg) { return send_user(to, msg, 0, NULL); }
int weir_try_send_claim(weir_actor* to, weir_obj* msg, weir_actor** claim) { return send_user(to, msg, 0, claim); }

void weir_send_system(weir_actor* to, unsigned kind, weir_obj* payload) {
  if (kind == ENV_DOWN) weir_mark_shared(payload);
  weir_envelope* e = weir_env_new(kind, payload);
  weir_mq_push(&to->mq, &e->node);
  kick(to, NULL);
}

void weir_actor_stop(weir_actor* a) {
  weir_worker* w = weir_current_worker();
  if (w && w->current == a) { a->flags |= FL_STOPPING; return; }
  weir_send_system(a, ENV_STOP, NULL);
}

/* ---- Monitors ---- */
static void notify_down(weir_monitor_rec* r, weir_down_reason why, const char* detail) {
  weir_obj* msg = r->mk(r->ctx, why, detail);
  if (msg) weir_send_system(r->watcher, ENV_DOWN, msg);
  weir_actor_release(r->watcher);
  free(r);
}

void weir_monitor(weir_actor* watched, weir_actor* watcher, weir_down_fn mk, weir_obj* ctx) {
  weir_monitor_rec* r = (weir_monitor_rec*)malloc(sizeof *r);
  if (!r) { weir_drop(ctx); return; }
  weir_actor_retain(watcher);
  weir_mark_shared(ctx);
  r->next = NULL;
  r->watcher = watcher;
  r->mk = mk;
  r->ctx = ctx;
  if (weir_actor_is_dead(watched)) { notify_down(r, WEIR_DOWN_NOPROC, NULL); return; }
  /* Through the mailbox, so only the holder touches the list; a death in between answers it. */
  weir_send_system(watched, ENV_MONITOR, (weir_obj*)(void*)r);
}

static void waiter_add(weir_actor* a, weir_call_rec* c);

void weir_actor_system(weir_actor* a, unsigned kind, weir_obj* payload) {
  if (kind == ENV_STOP) {
    a->flags |= FL_STOPPING;
  } else if (kind == ENV_MONITOR) {
    weir_monitor_rec* r = (weir_monitor_rec*)(void*)payload;
    r->next = a->monitors;
    a->monitors = r;
  } else if (kind == ENV_WAITER) {
    waiter_add(a, (weir_call_rec*)(void*)payload);
  }
}

/* ---- call / reply ---- */
enum { CALL_PENDING, CALL_REPLYING, CALL_REPLIED, CALL_TIMED_OUT };

struct weir_call_rec {
  _Atomic int32_t rc;        /* the caller side, the reply handle, the timeout timer */
  _Atomic uint32_t status;   /* CALL_*: the first of reply and timeout wins with a CAS */
  weir_obj* result;          /* written by the winning replier before status = REPLIED */
  weir_actor* caller;        /* NULL for a blocking caller; else one reference */
  weir_call_k k;
  void* kenv;
  weir_timer* timer;
  int blocking;
  weir_call_rec* wnext;      /* link in the target's `waiters` (its holder only) */
  pthread_mutex_t mu;        /* blocking callers only */
  pthread_cond_t cv;
};

void weir_call_rec_release(weir_call_rec* c) {
  /* acq_rel: all holders' writes (result) happen before the free. */
  if (atomic_fetch_sub_explicit(&c->rc, 1, memory_order_acq_rel) != 1) return;
  if (c->result) weir_drop(c->result);   /* replied, never taken (the caller died) */
  if (c->timer) weir_timer_release(c->timer);
  if (c->caller) weir_actor_release(c->caller);
  if (c->blocking) { pthread_mutex_destroy(&c->mu); pthread_cond_destroy(&c->cv); }
  free(c);
}

static void call_wake(weir_call_rec* c);

/* The call can never be answered (the reply handle is gone, or the actor called ended): the
 * caller gets Nothing now instead of at its timeout. The first of reply, timeout and this wins. */
static void call_abandon(weir_call_rec* c) {
  uint32_t expected = CALL_PENDING;
  /* seq_cst: as the replier's store of REPLIED, then the wake (README lost-wake-up rule). */
  if (atomic_compare_exchange_strong_explicit(&c->status, &expected, CALL_TIMED_OUT,
                                              memory_order_seq_cst, memory_order_relaxed))
    call_wake(c);
}

/* The last reference to the reply handle is dropped: if nobody replied, nobody ever can (the
 * request was dropped unread, drained from an ended actor's mailbox, or let go by its handler). */
static void handle_finalize(void* data) {
  weir_call_rec* c = (weir_call_rec*)data;
  call_abandon(c);
  weir_call_rec_release(c);
}

static weir_call_rec* call_new(int blocking) {
  weir_call_rec* c = (weir_call_rec*)calloc(1, sizeof *c);
  if (!c) return NULL;
  atomic_init(&c->rc, 2);
  atomic_init(&c->status, CALL_PENDING);
  c->blocking = blocking;
  if (blocking) {
    pthread_mutex_init(&c->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->cv, &ca);
    pthread_condattr_destroy(&ca);
  }
  return c;
}

static weir_obj* handle_new(weir_call_rec* c) {
  weir_external* h = (weir_external*)weir_alloc(sizeof *h);
  h->h.rc = 1; h->h.kind = WEIR_EXTERNAL; h->h.nfields = 0; h->h.tag = 0;
  h->finalize = handle_finalize;
  h->data = c;
  return &h->h;
}

/* The result is in (or the time is up): wake whoever waits. */
static void call_wake(weir_call_rec* c) {
  if (c->blocking) {
    pthread_mutex_lock(&c->mu);
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
  } else {
    weir_actor_wake(c->caller, ST_AWAITING);
  }
}

int weir_reply(weir_obj* reply, weir_obj* value) {
  weir_call_rec* c = (weir_call_rec*)((weir_external*)reply)->data;
  uint32_t expected = CALL_PENDING;
  /* acquire: claim the result slot; only the winner writes it. */
  int won = atomic_compare_exchange_strong_explicit(&c->status, &expected, CALL_REPLYING,
                                                    memory_order_acquire, memory_order_relaxed);
  if (won) {
    weir_share_for_send(value);
    c->result = value;
    /* seq_cst: release publishes result; seq_cst against the caller storing AWAITING and then
     * reading status (README lost-wake-up rule), before our CAS on its state in call_wake. */
    atomic_store_explicit(&c->status, CALL_REPLIED, memory_order_seq_cst);
    call_wake(c);
  } else {
    weir_drop(value);
    weir_count_local(C_LATE, 1);
  }
  weir_drop(reply);
  return won;
}

void weir_call_timed_out(weir_call_rec* c) {
  call_abandon(c);
  weir_call_rec_release(c);   /* the timer's reference */
}

/* ---- Waiters: blocked calls that fail when the actor called ends ----
 * A caller that waits for a callee busy elsewhere (Weir's `call`, weir_call_blocking) sends it an
 * ENV_WAITER envelope holding one reference to the call. The holder keeps it in `waiters`
 * (owner-only, like the monitors); when the actor ends (crash, stop) every call still pending
 * there is abandoned (Nothing at once); a dead actor's drain answers a late waiter the same way.
 * Answered calls are pruned when the next waiter comes, so the list holds about the number of
 * callers waiting at once. */
static int call_pending(weir_call_rec* c) {
  /* acquire: a decision only (prune or keep). */
  return atomic_load_explicit(&c->status, memory_order_acquire) == CALL_PENDING;
}

static void waiter_add(weir_actor* a, weir_call_rec* c) {
  weir_call_rec** p = &a->waiters;
  while (*p) {
    weir_call_rec* w = *p;
    if (call_pending(w)) { p = &w->wnext; continue; }
    *p = w->wnext;
    weir_call_rec_release(w);
  }
  if (!call_pending(c)) { weir_call_rec_release(c); return; }
  c->wnext = a->waiters;
  a->waiters = c;
}

/* The actor ends: nobody will answer the calls waiting for it. */
static void waiters_fail(weir_actor* a) {
  weir_call_rec* w = a->waiters;
  a->waiters = NULL;
  while (w) {
    weir_call_rec* n = w->wnext;
    call_abandon(w);
    weir_call_rec_release(w);
    w = n;
  }
}

void weir_call_watch(weir_actor* target, weir_call_rec* c) {
  atomic_fetch_add_explicit(&c->rc, 1, memory_order_relaxed);   /* relaxed: we hold one */
  weir_send_system(target, ENV_WAITER, (weir_obj*)(void*)c);
}

int weir_actor_call_ready(weir_actor* a) {
  /* seq_cst: the caller's half of the rule (after storing AWAITING); acquire for result. */
  uint32_t s = atomic_load_explicit(&a->call->status, memory_order_seq_cst);
  return s == CALL_REPLIED || s == CALL_TIMED_OUT;
}

void weir_actor_call_resume(weir_actor* a) {
  weir_call_rec* c = a->call;
  a->call = NULL;
  weir_obj* result = c->result;   /* NULL when timed out */
  c->result = NULL;
  if (c->timer) weir_timer_cancel(c->timer);
  weir_call_k k = c->k;
  void* kenv = c->kenv;
  weir_call_rec_release(c);
  k(a, result, kenv);
}

int weir_call(weir_actor* self, weir_actor* target, weir_call_make make, void* env,
              uint64_t timeout_ns, weir_call_k k, void* kenv) {
  weir_worker* w = weir_current_worker();
  if (!w || w->current != self || self->call) return WEIR_SEND_DEAD;
  weir_call_rec* c = call_new(0);
  if (!c) return WEIR_SEND_DEAD;
  weir_actor_retain(self);
  c->caller = self;
  c->k = k;
  c->kenv = kenv;
  weir_obj* req = make(handle_new(c), env);
  if (timeout_ns) {
    atomic_fetch_add_explicit(&c->rc, 1, memory_order_relaxed);  /* relaxed: not yet shared */
    c->timer = weir_timer_call_timeout(c, timeout_ns);
    if (!c->timer) weir_call_rec_release(c);
  }
  self->call = c;
  int r = weir_try_send(target, req);
  if (r != WEIR_SEND_OK) {
    self->call = NULL;
    if (c->timer) weir_timer_cancel(c->timer);
    weir_call_rec_release(c);   /* the caller's; the handle went with the dropped request */
  }
  return r;
}

/* A blocking call in two halves (weir_call_blocking; Weir's `call`, lang.c, runs the callee's
 * turn in between when it can, weir_sched_run_callee). Start: the request is sent; NULL when it
 * could not be (dead, full, out of memory). */
weir_call_rec* weir_call_start(weir_actor* target, weir_call_make make, void* env) {
  weir_call_rec* c = call_new(1);
  if (!c) return NULL;
  weir_obj* req = make(handle_new(c), env);
  if (weir_send(target, req) != WEIR_SEND_OK) { weir_call_rec_release(c); return NULL; }
  return c;
}

int weir_call_rec_ready(weir_call_rec* c) {
  /* acquire: a REPLIED status publishes the result. */
  uint32_t s = atomic_load_explicit(&c->status, memory_order_acquire);
  return s == CALL_REPLIED || s == CALL_TIMED_OUT;
}

/* Wait: until the reply or the deadline (CLOCK_MONOTONIC; timeout 0: none); then the result
 * (NULL: timed out) and the caller's reference to c is gone. Not on a worker unless the reply
 * is already in (weir_call_rec_ready): a worker must never block. */
weir_obj* weir_call_finish(weir_call_rec* c, const struct timespec* deadline, int timeout) {
  pthread_mutex_lock(&c->mu);
  for (;;) {
    /* acquire: a REPLIED status publishes the result. */
    uint32_t s = atomic_load_explicit(&c->status, memory_order_acquire);
    if (s == CALL_REPLIED || s == CALL_TIMED_OUT) break;
    if (s == CALL_PENDING && timeout &&
        pthread_cond_timedwait(&c->cv, &c->mu, deadline) == ETIMEDOUT) {
      uint32_t expected = CALL_PENDING;
      /* acq_rel: against the replier's claim; whoever wins decides the outcome. */
      atomic_compare_exchange_strong_explicit(&c->status, &expected, CALL_TIMED_OUT,
                                              memory_order_acq_rel, memory_order_acquire);
      continue;
    }
    if (s != CALL_PENDING || !timeout) pthread_cond_wait(&c->cv, &c->mu);
  }
  pthread_mutex_unlock(&c->mu);
  weir_obj* result = c->result;
  c->result = NULL;
  weir_call_rec_release(c);
  return result;
}

void weir_call_deadline(struct timespec* deadline, uint64_t timeout_ns) {
  clock_gettime(CLOCK_MONOTONIC, deadline);
  uint64_t ns = (uint64_t)deadline->tv_nsec + timeout_ns;
  deadline->tv_sec += (time_t)(ns / 1000000000ull);
  deadline->tv_nsec = (long)(ns % 1000000000ull);
}

weir_obj* weir_call_blocking(weir_actor* target, weir_call_make make, void* env, uint64_t timeout_ns) {
  if (weir_current_worker()) return NULL;   /* a worker must never block: use weir_call */
  struct timespec deadline;
  weir_call_deadline(&deadline, timeout_ns);
  weir_call_rec* c = weir_call_start(target, make, env);
  if (!c) return NULL;
  if (!weir_call_rec_ready(c)) weir_call_watch(target, c);
  return weir_call_finish(c, &deadline, timeout_ns != 0);
}

/* ---- Shutdown: every actor still alive ends, so the program frees everything ----
 * After the workers and the timer thread have stopped (single-threaded from here): the program
 * was quiescent (every actor idle, its state held) or exited explicitly (some still queued).
 * Each actor still holding a reference (rc > 0; a freed slot has rc 0) that is not dead gives up
 * its state, its monitors (no notices: the watchers end too), its pending call and its mailbox,
 * then its alive reference. Pids held in the states are released on the way; the snapshot keeps
 * every listed actor's memory until the end. */
static void reap(weir_actor* a) {
  if (atomic_load_explicit(&a->state, memory_order_relaxed) & ST_DEAD) return;   /* relaxed: one thread */
  atomic_store_explicit(&a->state, ST_DEAD | ST_RUNNING, memory_order_relaxed);
  if (a->call) {
    weir_call_rec* c = a->call;
    a->call = NULL;
    atomic_store_explicit(&c->status, CALL_TIMED_OUT, memory_order_relaxed);
    weir_call_rec_release(c);
  }
  drop_state(a);
  waiters_fail(a);
  weir_monitor_rec* r = a->monitors;
  a->monitors = NULL;
  while (r) { weir_monitor_rec* n = r->next; forget_monitor(r); r = n; }
  drain_all(a, 0);
  atomic_store_explicit(&a->state, ST_DEAD | ST_IDLE, memory_order_relaxed);
  weir_actor_release(a);   /* the alive reference */
}

void weir_actors_reap_all(void) {
  size_t n = 0, cap = 0;
  weir_actor** live = NULL;
  pthread_mutex_lock(&chunk_mu);
  for (actor_chunk* c = chunks; c; c = c->next) {
    weir_actor* first = (weir_actor*)((char*)c + WEIR_CACHE_LINE);
    for (uint32_t i = 0; i < c->used; i++) {
      weir_actor* a = &first[i];
      if (atomic_load_explicit(&a->rc, memory_order_relaxed) <= 0) continue;   /* relaxed: one thread */
      if (n == cap) {
        cap = cap ? cap * 2 : 64;
        weir_actor** g = (weir_actor**)realloc(live, cap * sizeof *g);
        if (!g) break;
        live = g;
      }
      weir_actor_retain(a);
      live[n++] = a;
    }
  }
  pthread_mutex_unlock(&chunk_mu);
  for (size_t i = 0; i < n; i++) reap(live[i]);
  for (size_t i = 0; i < n; i++) weir_actor_release(live[i]);
  free(live);
}

/* ---- Dying ---- */
static void drain_all(weir_actor* a, int answer_monitors) {
  weir_mq_node* n;
  while ((n = weir_mq_pop(&a->mq, &a->mq_tail))) {
    weir_envelope* e = weir_env_of(n);   /* the dummy now: read, not freed */
    unsigned kind = e->h.tag;
    weir_obj* payload = e->payload;
    if (kind == ENV_USER || kind == ENV_DOWN) {
      if (kind == ENV_USER) weir_mailbox_taken(a, 1);
      weir_drop(payload);
      weir_count_local(C_DEAD, 1);
    } else if (kind == ENV_MONITOR) {
      weir_monitor_rec* m = (weir_monitor_rec*)(void*)payload;
      if (answer_monitors) notify_down(m, WEIR_DOWN_NOPROC, NULL);
      else forget_monitor(m);
    } else if (kind == ENV_WAITER) {
      weir_call_rec* c = (weir_call_rec*)(void*)payload;
      call_abandon(c);
      weir_call_rec_release(c);
    }
  }
}

/* The holder of a DEAD|RUNNING actor: drain, then leave it DEAD|IDLE (or queue it again if a
 * sender is half-way through a push). */
static void drain_and_idle(weir_actor* a) {
  drain_all(a, 1);
  weir_space_notify(a);
  if (!weir_mq_park(&a->mq, &a->mq_tail)) {
    /* relaxed: we hold it; the queue publishes it. */
    atomic_store_explicit(&a->state, ST_DEAD | ST_QUEUED, memory_order_relaxed);
    weir_actor_retain(a);
    weir_schedule(a);
    return;
  }
  /* seq_cst: store, then re-read head (README lost-wake-up rule). */
  atomic_store_explicit(&a->state, ST_DEAD | ST_IDLE, memory_order_seq_cst);
  if (atomic_load_explicit(&a->mq.head, memory_order_seq_cst) != &a->mq.stub)
    weir_actor_wake(a, ST_DEAD | ST_IDLE);
}

void weir_actor_drain_dead(weir_actor* a) {
  /* relaxed: we hold it. */
  atomic_store_explicit(&a->state, ST_DEAD | ST_RUNNING, memory_order_relaxed);
  drain_and_idle(a);
  weir_actor_release(a);   /* the queue's reference */
}

void weir_actor_die(weir_actor* a, weir_down_reason why, const char* detail) {
  /* seq_cst: senders that read DEAD from here on drop their message at once. */
  atomic_store_explicit(&a->state, ST_DEAD | ST_RUNNING, memory_order_seq_cst);
  if (a->call) {
    weir_call_rec* c = a->call;
    a->call = NULL;
    uint32_t expected = CALL_PENDING;
    /* acq_rel: cancel against a replier; a late reply is counted there. */
    atomic_compare_exchange_strong_explicit(&c->status, &expected, CALL_TIMED_OUT,
                                            memory_order_acq_rel, memory_order_acquire);
    if (c->timer) weir_timer_cancel(c->timer);
    weir_call_rec_release(c);
  }
  drop_state(a);
  waiters_fail(a);
  weir_monitor_rec* r = a->monitors;
  a->monitors = NULL;
  while (r) { weir_monitor_rec* n = r->next; notify_down(r, why, detail); r = n; }
  drain_and_idle(a);
  weir_actor_release(a);   /* the alive reference */
}
