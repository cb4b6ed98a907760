/* The mailbox: an intrusive multi-producer single-consumer queue (Dmitry Vyukov's design: one
 * atomic exchange per push, no CAS, no locks). Nodes live inside message envelopes.
 * Threading: weir_mq_push from any thread; weir_mq_pop and weir_mq_empty only by the consumer,
 * i.e. the worker holding the actor (README: one holder at a time, handed over through `state`).
 * Unbounded by itself: actor.c bounds it with the `queued` count before pushing. */
#include <stdlib.h>

#include "actor.h"

void weir_mq_init(weir_mq_in* q, weir_mq_node** tail) {
  /* relaxed: the actor is not yet visible to any other thread; publishing it orders these. */
  atomic_store_explicit(&q->stub.next, NULL, memory_order_relaxed);
  atomic_store_explicit(&q->head, &q->stub, memory_order_relaxed);
  *tail = &q->stub;
}

void weir_mq_push(weir_mq_in* q, weir_mq_node* n) {
  /* relaxed: n is not shared yet; the exchange below publishes it. */
  atomic_store_explicit(&n->next, NULL, memory_order_relaxed);
  /* seq_cst: acquire so the previous pusher's `prev->next = NULL` happens before our link below;
   * release so our node is published; seq_cst for the lost-wake-up rule (README): the sender
   * reads the actor's state after this exchange, the holder reads head after storing IDLE. */
  weir_mq_node* prev = atomic_exchange_explicit(&q->head, n, memory_order_seq_cst);
  /* release: the consumer's acquire load of prev->next then sees n's contents (the envelope). */
  atomic_store_explicit(&prev->next, n, memory_order_release);
}

weir_mq_node* weir_mq_pop(weir_mq_in* q, weir_mq_node** tailp) {
  weir_mq_node* tail = *tailp;
  /* acquire: pairs with the pusher's release store of the link: the node's contents are visible. */
  weir_mq_node* next = atomic_load_explicit(&tail->next, memory_order_acquire);
  if (tail == &q->stub) {
    if (!next) return NULL;
    *tailp = next;
    tail = next;
    next = atomic_load_explicit(&tail->next, memory_order_acquire);  /* acquire: as above */
  }
  if (next) { *tailp = next; return tail; }
  /* acquire: if a producer swapped head, we must not claim `tail` is the last node. */
  weir_mq_node* head = atomic_load_explicit(&q->head, memory_order_acquire);
  if (tail != head) return NULL;   /* a producer is between its exchange and its link: retry later */
  weir_mq_push(q, &q->stub);       /* make `tail` removable: the stub goes behind it */
  next = atomic_load_explicit(&tail->next, memory_order_acquire);  /* acquire: as above */
  if (next) { *tailp = next; return tail; }
  return NULL;
}

int weir_mq_empty(weir_mq_in* q, weir_mq_node* const* tail) {
  if (*tail != &q->stub) return 0;   /* an unconsumed node sits at the tail */
  /* seq_cst: the holder's half of the lost-wake-up rule (README): this load comes after its
   * seq_cst store of the new state, so a push it misses will see that state. */
  return atomic_load_explicit(&q->head, memory_order_seq_cst) == &q->stub;
}

weir_envelope* weir_env_new(unsigned kind, weir_obj* payload) {
  weir_envelope* e = (weir_envelope*)weir_alloc(sizeof(weir_envelope));
  e->h.rc = 1;
  e->h.kind = WEIR_CON;
  e->h.nfields = 2;
  e->h.tag = (uint16_t)kind;
  e->payload = payload;
  return e;
}

/* ---- For the mailbox stress test (tests/unit/runtime_sched_mailbox_test.cpp): a bare queue
 * over caller-owned nodes whose first word is the link. ---- */
typedef struct test_q { weir_mq_in in; weir_mq_node* tail; } test_q;
void* weir_mq_test_new(void) {
  test_q* q = (test_q*)calloc(1, sizeof *q);
  if (q) weir_mq_init(&q->in, &q->tail);
  return q;
}
void weir_mq_test_free(void* q) { free(q); }
void weir_mq_test_push(void* q, void* node) { weir_mq_push(&((test_q*)q)->in, (weir_mq_node*)node); }
void* weir_mq_test_pop(void* q) { return weir_mq_pop(&((test_q*)q)->in, &((test_q*)q)->tail); }
int weir_mq_test_empty(void* q) { return weir_mq_empty(&((test_q*)q)->in, &((test_q*)q)->tail); }
