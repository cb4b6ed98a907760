/* Timers. Two parts:
 *  1. The hierarchical timing wheel (pure; wheel.h): 6 levels of 64 slots, O(1) add and cancel,
 *     time passed in as ticks, so the unit tests drive it with a fake clock.
 *  2. The timer thread, which owns the one wheel of the scheduler (1 ms ticks), sleeps on a
 *     condition variable until the wheel's next deadline (no polling) and delivers what fired:
 *     weir_send_after messages (try-send: the timer thread never blocks on a full mailbox) and
 *     call timeouts (actor.c).
 * Threading: the wheel functions are not synchronised (the caller serialises them); the timer
 * API (weir_send_after, weir_timer_cancel, ...) may be called from any thread (timer_mu). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "actor.h"
#include "wheel.h"

/* ---- 1. The wheel ----------------------------------------------------------------------------- */
#define FAR_LIST ((uint16_t)(WEIR_WHEEL_NOWHERE - 1))
#define LEVEL_SHIFT(l) ((unsigned)(l) * WEIR_WHEEL_BITS)

void weir_wheel_init(weir_wheel* w, uint64_t now) {
  *w = (weir_wheel){0};
  w->now = now;
}

static void link_into(weir_wheel_entry** head, weir_wheel_entry* e) {
  e->next = *head;
  if (e->next) e->next->pprev = &e->next;
  e->pprev = head;
  *head = e;
}

/* Place e relative to `base`, the first tick not yet processed: the lowest level whose blocks
 * above it agree for deadline and base. Its slot is then visited at or after base, never early. */
static void place(weir_wheel* w, weir_wheel_entry* e, uint64_t base) {
  uint64_t d = e->deadline < base ? base : e->deadline;
  for (unsigned l = 0; l < WEIR_WHEEL_LEVELS; l++) {
    unsigned up = LEVEL_SHIFT(l + 1);
    if ((d >> up) == (base >> up)) {
      unsigned s = (unsigned)(d >> LEVEL_SHIFT(l)) & (WEIR_WHEEL_SLOTS - 1);
      link_into(&w->slots[l][s], e);
      w->occupied[l] |= (uint64_t)1 << s;
      e->where = (uint16_t)(l * WEIR_WHEEL_SLOTS + s);
      return;
    }
  }
  link_into(&w->far, e);
  e->where = FAR_LIST;
}

void weir_wheel_add(weir_wheel* w, weir_wheel_entry* e, uint64_t deadline) {
  e->deadline = deadline;
  e->seq = w->seq++;
  place(w, e, w->now + 1);
  w->count++;
}

void weir_wheel_remove(weir_wheel* w, weir_wheel_entry* e) {
  if (e->where == WEIR_WHEEL_NOWHERE) return;
  *e->pprev = e->next;
  if (e->next) e->next->pprev = e->pprev;
  if (e->where != FAR_LIST) {
    unsigned l = e->where / WEIR_WHEEL_SLOTS, s = e->where % WEIR_WHEEL_SLOTS;
    if (!w->slots[l][s]) w->occupied[l] &= ~((uint64_t)1 << s);
  }
  e->where = WEIR_WHEEL_NOWHERE;
  w->count--;
}

static weir_wheel_entry* detach(weir_wheel* w, unsigned l, unsigned s) {
  weir_wheel_entry* list = w->slots[l][s];
  w->slots[l][s] = NULL;
  w->occupied[l] &= ~((uint64_t)1 << s);
  return list;
}

/* Tick t starts a block of level 1 or more: move the matching slots down, highest level first,
 * so entries can fall several levels in one tick. */
static void cascade(weir_wheel* w, uint64_t t) {
  if ((t & ((UINT64_C(1) << LEVEL_SHIFT(WEIR_WHEEL_LEVELS)) - 1)) == 0) {
    weir_wheel_entry* e = w->far;
    w->far = NULL;
    while (e) { weir_wheel_entry* n = e->next; place(w, e, t); e = n; }
  }
  for (unsigned l = WEIR_WHEEL_LEVELS - 1; l >= 1; l--) {
    if (t & ((UINT64_C(1) << LEVEL_SHIFT(l)) - 1)) continue;
    unsigned s = (unsigned)(t >> LEVEL_SHIFT(l)) & (WEIR_WHEEL_SLOTS - 1);
    weir_wheel_entry* e = detach(w, l, s);
    while (e) { weir_wheel_entry* n = e->next; place(w, e, t); e = n; }
  }
}

/* A slot's list is newest first (link_into), and cascades reverse runs of it: the entries of
 * one tick are put back in arming order (two sendAfter of the same delay arrive in the order
 * they were made). Insertion sort: a tick holds a handful of entries. */
static weir_wheel_entry* by_seq(weir_wheel_entry* list) {
  weir_wheel_entry* sorted = NULL;
  while (list) {
    weir_wheel_entry* e = list;
    list = e->next;
    weir_wheel_entry** p = &sorted;
    while (*p && (*p)->seq < e->seq) p = &(*p)->next;
    e->next = *p;
    *p = e;
  }
  return sorted;
}

size_t weir_wheel_advance(weir_wheel* w, uint64_t now, weir_wheel_fire fire, void* ctx) {
  size_t fired = 0;
  while (w->now < now) {
    if (w->count == 0) { w->now = now; break; }
    uint64_t t = w->now + 1;
    if (t & (WEIR_WHEEL_SLOTS - 1)) {
      /* Inside a level-0 block: jump to its next occupied slot, or to the next block. */
      uint64_t m = w->occupied[0] >> (t & (WEIR_WHEEL_SLOTS - 1));
      if (!m) {
        uint64_t boundary = (t | (WEIR_WHEEL_SLOTS - 1)) + 1;
        w->now = boundary - 1 < now ? boundary - 1 : now;
        continue;
      }
      t += (uint64_t)__builtin_ctzll(m);
      if (t > now) { w->now = now; break; }
    } else {
      cascade(w, t);
    }
    w->now = t;
    weir_wheel_entry* e = by_seq(detach(w, 0, (unsigned)t & (WEIR_WHEEL_SLOTS - 1)));
    while (e) {
      weir_wheel_entry* n = e->next;
      e->where = WEIR_WHEEL_NOWHERE;
      w->count--;
      fire(e, ctx);
      fired++;
      e = n;
    }
  }
  return fired;
}

uint64_t weir_wheel_next(const weir_wheel* w) {
  if (w->count == 0) return UINT64_MAX;
  uint64_t t = w->now + 1;
  uint64_t m = w->occupied[0] >> (t & (WEIR_WHEEL_SLOTS - 1));
  if (m) return t + (uint64_t)__builtin_ctzll(m);
  return (t | (WEIR_WHEEL_SLOTS - 1)) + 1;   /* a cascade may bring entries down */
}

/* ---- 2. The scheduler's timers ---------------------------------------------------------------- */
#define TICK_NS 1000000ull   /* 1 ms */

enum { T_SEND, T_CALL };
enum { T_ARMED, T_FIRED, T_CANCELLED };

struct weir_timer {
  weir_wheel_entry e;        /* first: the wheel hands entries back */
  _Atomic int32_t rc;        /* the user's handle + the wheel's (until fired or cancelled) */
  uint32_t status;           /* T_*: under timer_mu */
  int kind;
  weir_actor* to;            /* T_SEND: one reference */
  weir_obj* msg;             /* T_SEND: owned, already shared */
  weir_call_rec* call;       /* T_CALL */
  struct weir_timer* fired_next;
};

static pthread_mutex_t timer_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t timer_cv;
static weir_wheel wheel;                 /* guarded by timer_mu */
static pthread_t timer_thread;
static int timer_stop;                   /* guarded by timer_mu */
static uint64_t sleeping_until;          /* tick the thread sleeps until (UINT64_MAX: no timeout) */
static _Atomic int pending;              /* armed timers plus fired ones being delivered */
static uint64_t epoch_ns;

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
static uint64_t now_tick(void) { return (mono_ns() - epoch_ns) / TICK_NS; }

int weir_timers_pending(void) {
  /* seq_cst: read by the quiescence check after the send it made (a fired timer decrements only
   * after delivering its message, so one of the two is always visible). */
  return atomic_load_explicit(&pending, memory_order_seq_cst);
}

static void pending_done(void) {
  /* seq_cst: see weir_timers_pending. */
  if (atomic_fetch_sub_explicit(&pending, 1, memory_order_seq_cst) == 1) weir_check_quiescence();
}

void weir_timer_release(weir_timer* t) {
  if (!t) return;
  /* acq_rel: the last holder must see every other holder's writes before freeing. */
  if (atomic_fetch_sub_explicit(&t->rc, 1, memory_order_acq_rel) == 1) free(t);
}

/* What one advance fired, kept in firing order: when the thread wakes late (a loaded machine,
 * a stopped process) several deadlines fire at once, and they must still arrive in deadline
 * order. (Until 2026-12-06 this list was built newest first, so they arrived reversed.) */
typedef struct fired_list { weir_timer* head; weir_timer** tail; } fired_list;

static void collect(weir_wheel_entry* e, void* ctx) {
  weir_timer* t = (weir_timer*)e;
  fired_list* list = (fired_list*)ctx;
  t->status = T_FIRED;
  t->fired_next = NULL;
  *list->tail = t;
  list->tail = &t->fired_next;
}

static void deliver(weir_timer* t) {
  if (t->kind == T_SEND) {
    weir_try_send(t->to, t->msg);   /* full or dead: dropped and counted there */
    weir_actor_release(t->to);
  } else {
    weir_call_timed_out(t->call);
  }
  t->to = NULL;
  t->msg = NULL;
  weir_count_local(C_TIMERS, 1);
  pending_done();
  weir_timer_release(t);   /* the wheel's reference */
}

void weir_heap_attach(void);        /* runtime/object/shared.c */
void weir_heap_thread_exit(void);   /* runtime/object/object.c */

static void* timer_main(void* arg) {
  (void)arg;
  /* deliver() may free objects here (a message to a dead actor, the last reference to an
   * actor and so its state): this thread's free lists must be counted like any worker's, or
   * the leak checker reports what was freed here as alive. */
  weir_heap_attach();
  pthread_mutex_lock(&timer_mu);
  while (!timer_stop) {
    fired_list list = {NULL, &list.head};
    weir_wheel_advance(&wheel, now_tick(), collect, &list);
    weir_timer* fired = list.head;
    if (fired) {
      pthread_mutex_unlock(&timer_mu);
      while (fired) { weir_timer* n = fired->fired_next; deliver(fired); fired = n; }
      pthread_mutex_lock(&timer_mu);
      continue;
    }
    uint64_t next = weir_wheel_next(&wheel);
    sleeping_until = next;
    if (next == UINT64_MAX) {
      pthread_cond_wait(&timer_cv, &timer_mu);
    } else {
      uint64_t at = epoch_ns + next * TICK_NS;
      struct timespec ts = {(time_t)(at / 1000000000ull), (long)(at % 1000000000ull)};
      pthread_cond_timedwait(&timer_cv, &timer_mu, &ts);
    }
    sleeping_until = 0;
  }
  pthread_mutex_unlock(&timer_mu);
  weir_heap_thread_exit();
  return NULL;
}

int weir_timers_start(void) {
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&timer_cv, &ca);
  pthread_condattr_destroy(&ca);
  epoch_ns = mono_ns();
  weir_wheel_init(&wheel, 0);
  timer_stop = 0;
  atomic_store_explicit(&pending, 0, memory_order_relaxed);  /* relaxed: before the thread exists */
  return pthread_create(&timer_thread, NULL, timer_main, NULL) == 0 ? 0 : -1;
}

/* Cancel and free whatever is still armed (explicit exit), then join the thread. */
static void drop_armed(weir_wheel_entry* e, void* ctx) {
  (void)ctx;
  weir_timer* t = (weir_timer*)e;
  t->status = T_CANCELLED;
  if (t->kind == T_SEND) { weir_drop(t->msg); weir_actor_release(t->to); }
  else weir_call_timed_out(t->call);
  atomic_fetch_sub_explicit(&pending, 1, memory_order_relaxed);  /* relaxed: shutdown, one thread */
  weir_timer_release(t);
}

void weir_timers_stop(void) {
  pthread_mutex_lock(&timer_mu);
  timer_stop = 1;
  pthread_cond_signal(&timer_cv);
  pthread_mutex_unlock(&timer_mu);
  pthread_join(timer_thread, NULL);
  weir_wheel_advance(&wheel, UINT64_MAX, drop_armed, NULL);
  pthread_cond_destroy(&timer_cv);
}

static weir_timer* arm(weir_timer* t, uint64_t delay_ns) {
  atomic_init(&t->rc, 2);
  t->status = T_ARMED;
  /* seq_cst: counted before the timer is visible, so quiescence never misses it. */
  atomic_fetch_add_explicit(&pending, 1, memory_order_seq_cst);
  pthread_mutex_lock(&timer_mu);
  uint64_t deadline = (mono_ns() - epoch_ns + delay_ns + TICK_NS - 1) / TICK_NS;
  weir_wheel_add(&wheel, &t->e, deadline);
  if (deadline < sleeping_until) pthread_cond_signal(&timer_cv);   /* wake it earlier */
  pthread_mutex_unlock(&timer_mu);
  return t;
}

weir_timer* weir_send_after(weir_actor* to, uint64_t delay_ns, weir_obj* msg) {
  weir_timer* t = (weir_timer*)calloc(1, sizeof *t);
  if (!t || !atomic_load_explicit(&weir_sched_running, memory_order_acquire)) {
    free(t);
    weir_drop(msg);
    return NULL;
  }
  weir_mark_shared(msg);
  weir_actor_retain(to);
  t->kind = T_SEND;
  t->to = to;
  t->msg = msg;
  return arm(t, delay_ns);
}

weir_timer* weir_timer_call_timeout(weir_call_rec* c, uint64_t timeout_ns) {
  weir_timer* t = (weir_timer*)calloc(1, sizeof *t);
  if (!t) return NULL;
  t->kind = T_CALL;
  t->call = c;
  return arm(t, timeout_ns);
}

int weir_timer_cancel(weir_timer* t) {
  if (!t) return 0;
  pthread_mutex_lock(&timer_mu);
  int armed = t->status == T_ARMED;
  if (armed) {
    weir_wheel_remove(&wheel, &t->e);
    t->status = T_CANCELLED;
  }
  pthread_mutex_unlock(&timer_mu);
  if (!armed) return 0;
  if (t->kind == T_SEND) { weir_drop(t->msg); weir_actor_release(t->to); }
  else weir_call_rec_release(t->call);
  t->to = NULL;
  t->msg = NULL;
  pending_done();
  weir_timer_release(t);   /* the wheel's reference */
  return 1;
}
