/* The mailbox: an intrusive multi-producer single-consumer queue (Dmitry Vyukov's design: one
 * atomic exchange per push, no CAS, no locks, and a pop without any locked instruction: the
 * dummy-node variant, see pop_raw). Nodes live inside message envelopes.
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

weir_mq_node* weir_mq_push(weir_mq_in* q, weir_mq_node* n) {
  /* relaxed: n is not shared yet; the exchange below publishes it. */
  atomic_store_explicit(&n->next, NULL, memory_order_relaxed);
  /* seq_cst: acquire so the previous pusher's `prev->next = NULL` happens before our link below;
   * release so our node is published; seq_cst for the lost-wake-up rule (README): the sender
   * reads the actor's state after this exchange, the holder reads head after storing IDLE. */
  weir_mq_node* prev = atomic_exchange_explicit(&q->head, n, memory_order_seq_cst);
  /* release: the consumer's acquire load of prev->next then sees n's contents (the envelope). */
  atomic_store_explicit(&prev->next, n, memory_order_release);
  return prev;
}

/* The consumer's end is a dummy node (Vyukov's non-intrusive variant): the node at `tail` has
 * been consumed; the next one is the first message. A pop moves `tail` to the message it
 * returns, which becomes the new dummy (its contents were read; it stays allocated), and retires
 * the old dummy. So a pop is loads and stores only: the intrusive variant pushes its stub again
 * whenever it takes the last node, a third locked instruction per message when a mailbox holds
 * one message at a time (ping-pong, request/response). The stub inside weir_mq_in is the first
 * dummy, and weir_mq_park puts it back when the actor goes idle (an idle actor holds no
 * envelope); a stub met in the middle of the queue is skipped. */
static weir_mq_node* pop_raw(weir_mq_in* q, weir_mq_node** tailp, weir_mq_node** retired) {
  *retired = NULL;
  weir_mq_node* tail = *tailp;
  /* acquire: pairs with the pusher's release store of the link: the node's contents are visible. */
  weir_mq_node* next = atomic_load_explicit(&tail->next, memory_order_acquire);
  if (!next) return NULL;   /* empty, or a producer is between its exchange and its link */
  *tailp = next;
  if (tail != &q->stub) *retired = tail;
  if (next != &q->stub) return next;
  /* The stub was put back behind the dummy (weir_mq_park) and messages came after it: skip it. */
  tail = next;
  next = atomic_load_explicit(&tail->next, memory_order_acquire);   /* acquire: as above */
  if (!next) return NULL;
  *tailp = next;
  return next;
}

static void retire(weir_mq_node* n) {
  if (n) weir_free_cell(&weir_env_of(n)->h);
}

weir_mq_node* weir_mq_pop(weir_mq_in* q, weir_mq_node** tailp) {
  weir_mq_node* old;
  weir_mq_node* n = pop_raw(q, tailp, &old);
  retire(old);
  return n;
}

int weir_mq_empty(weir_mq_in* q, weir_mq_node* const* tail) {
  /* seq_cst: the holder's half of the lost-wake-up rule (README): this load comes after its
   * seq_cst store of the new state, so a push it misses will see that state. Empty when the last
   * pushed node is the dummy (a stub waiting in the middle counts as a message: the next pop
   * skips it and finds none, harmless). */
  return atomic_load_explicit(&q->head, memory_order_seq_cst) == *tail;
}

int weir_mq_park(weir_mq_in* q, weir_mq_node** tailp) {
  weir_mq_node* d = *tailp;
  if (d == &q->stub) return weir_mq_empty(q, tailp);
  /* Messages wait: leave it (so the stub is pushed only when the queue is empty past the dummy,
   * never while it is still in the queue). seq_cst: as weir_mq_empty. */
  if (atomic_load_explicit(&q->head, memory_order_seq_cst) != d) return 0;
  /* Put the stub behind the dummy: if nothing came in between, the dummy is retired and the stub
   * is the dummy again. Else messages wait (the stub will be skipped). */
  if (weir_mq_push(q, &q->stub) != d) return 0;
  *tailp = &q->stub;
  retire(d);
  return weir_mq_empty(q, tailp);
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
/* A popped node is the dummy until the next pop: the test must not reuse it before then. */
void* weir_mq_test_new(void) {
  test_q* q = (test_q*)calloc(1, sizeof *q);
  if (q) weir_mq_init(&q->in, &q->tail);
  return q;
}
void weir_mq_test_free(void* q) { free(q); }
void weir_mq_test_push(void* q, void* node) { weir_mq_push(&((test_q*)q)->in, (weir_mq_node*)node); }
void* weir_mq_test_pop(void* q) {
  weir_mq_node* old;   /* caller-owned nodes: nothing to free */
  return pop_raw(&((test_q*)q)->in, &((test_q*)q)->tail, &old);
}
int weir_mq_test_empty(void* q) { return weir_mq_empty(&((test_q*)q)->in, &((test_q*)q)->tail); }
