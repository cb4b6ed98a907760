/* Run queues: which QUEUED actors wait for a worker.
 *
 * Per worker: a fixed-size ring with a single producer (the owning worker pushes at `bottom`)
 * and many consumers (the owner AND thieves take at `top` with one CAS). This is the stealing
 * half of a Chase-Lev deque without its owner-side LIFO pop: the owner takes from the same end as
 * thieves, so the queue is FIFO and an actor re-queued after its batch goes behind every actor
 * already waiting (fairness: a busy actor cannot starve the others on its worker, which LIFO would
 * allow). The cost is a CAS per take instead of Chase-Lev's plain owner pop; it also removes the
 * subtle last-element race between owner pop and steal. A full ring spills into the inject queue,
 * so no queue grows without bound and nothing is ever resized.
 *
 * The inject queue: a mutex-protected FIFO (linked through actor->next) for actors made QUEUED
 * by threads that are not workers (I/O, timers, the main program) and for spills. It is touched
 * only when an actor changes IDLE -> QUEUED from outside, not per message.
 * Threading: weir_runq_push by the owner only; everything else from any thread. */
#include <pthread.h>
#include <stdlib.h>

#include "actor.h"

#define RUNQ_CAP 4096u   /* power of two */

struct weir_runq {
  alignas(WEIR_CACHE_LINE) _Atomic uint64_t top;     /* next slot to take: CAS by any taker */
  alignas(WEIR_CACHE_LINE) _Atomic uint64_t bottom;  /* next slot to fill: owner only writes */
  alignas(WEIR_CACHE_LINE) _Atomic(weir_actor*) slots[RUNQ_CAP];
};

weir_runq* weir_runq_new(void) {
  weir_runq* q = (weir_runq*)aligned_alloc(WEIR_CACHE_LINE, sizeof(weir_runq));
  if (!q) return NULL;
  atomic_init(&q->top, 0);
  atomic_init(&q->bottom, 0);
  for (unsigned i = 0; i < RUNQ_CAP; i++) atomic_init(&q->slots[i], NULL);
  return q;
}

void weir_runq_free(weir_runq* q) { free(q); }

int weir_runq_push(weir_runq* q, weir_actor* a) {
  /* relaxed: only this thread writes bottom. */
  uint64_t b = atomic_load_explicit(&q->bottom, memory_order_relaxed);
  /* acquire: a taker's read of the slot we may overwrite happened before its CAS moved top. */
  uint64_t t = atomic_load_explicit(&q->top, memory_order_acquire);
  if (b - t >= RUNQ_CAP) return 0;
  /* relaxed: published by the store of bottom below. */
  atomic_store_explicit(&q->slots[b & (RUNQ_CAP - 1)], a, memory_order_relaxed);
  /* seq_cst: release publishes the slot to takers; seq_cst orders it before the pusher's read
   * of nparked (worker.c), against the parker's increment of nparked then read of bottom. */
  atomic_store_explicit(&q->bottom, b + 1, memory_order_seq_cst);
  return 1;
}

weir_actor* weir_runq_take(weir_runq* q) {
  for (;;) {
    /* acquire (both): see the slot written before bottom moved, and the latest top. */
    uint64_t t = atomic_load_explicit(&q->top, memory_order_acquire);
    uint64_t b = atomic_load_explicit(&q->bottom, memory_order_acquire);
    if (t >= b) return NULL;
    /* relaxed: ordered by the acquire of bottom; if the owner reuses the slot, top has moved
     * past t and our CAS fails. */
    weir_actor* a = atomic_load_explicit(&q->slots[t & (RUNQ_CAP - 1)], memory_order_relaxed);
    /* acq_rel: release orders our slot read before the owner may reuse the slot (it acquires
     * top); acquire keeps what follows after winning the actor. */
    if (atomic_compare_exchange_weak_explicit(&q->top, &t, t + 1, memory_order_acq_rel,
                                              memory_order_relaxed))
      return a;
  }
}

int weir_runq_empty(weir_runq* q) {
  /* seq_cst: the parker's half of the wake-up rule (after its seq_cst increment of nparked). */
  uint64_t t = atomic_load_explicit(&q->top, memory_order_seq_cst);
  uint64_t b = atomic_load_explicit(&q->bottom, memory_order_seq_cst);
  return t >= b;
}

uint64_t weir_runq_size(weir_runq* q) {
  /* relaxed: a hint for waking sleepers; correctness never depends on it. */
  uint64_t t = atomic_load_explicit(&q->top, memory_order_relaxed);
  uint64_t b = atomic_load_explicit(&q->bottom, memory_order_relaxed);
  return b > t ? b - t : 0;
}

/* ---- The inject queue ---- */
static pthread_mutex_t inject_mu = PTHREAD_MUTEX_INITIALIZER;
static weir_actor* inject_head;
static weir_actor* inject_tail;
static _Atomic size_t inject_len;   /* read without the mutex for cheap emptiness checks */

void weir_inject_push(weir_actor* a) {
  pthread_mutex_lock(&inject_mu);
  a->next = NULL;
  if (inject_tail) inject_tail->next = a; else inject_head = a;
  inject_tail = a;
  /* seq_cst: same wake-up rule as the ring's bottom (the pusher reads nparked next). */
  atomic_fetch_add_explicit(&inject_len, 1, memory_order_seq_cst);
  pthread_mutex_unlock(&inject_mu);
}

weir_actor* weir_inject_take(void) {
  /* relaxed: a hint only; the mutex below gives the real answer. */
  if (atomic_load_explicit(&inject_len, memory_order_relaxed) == 0) return NULL;
  pthread_mutex_lock(&inject_mu);
  weir_actor* a = inject_head;
  if (a) {
    inject_head = a->next;
    if (!inject_head) inject_tail = NULL;
    /* relaxed: the mutex orders it for other takers; emptiness checks re-check under rules above. */
    atomic_fetch_sub_explicit(&inject_len, 1, memory_order_relaxed);
  }
  pthread_mutex_unlock(&inject_mu);
  return a;
}

int weir_inject_empty(void) {
  /* seq_cst: the parker's half of the wake-up rule. */
  return atomic_load_explicit(&inject_len, memory_order_seq_cst) == 0;
}

void weir_inject_reset(void) {
  pthread_mutex_lock(&inject_mu);
  inject_head = inject_tail = NULL;
  atomic_store_explicit(&inject_len, 0, memory_order_relaxed);  /* relaxed: under the mutex */
  pthread_mutex_unlock(&inject_mu);
}
