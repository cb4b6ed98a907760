/* Shared objects: values that crossed to another actor. weir_mark_shared turns plain counts into
 * negative (atomic) ones; weir_dup_shared/weir_drop_shared count them with atomics and free the
 * last reference iteratively. Also the registry of per-thread heaps, so that live objects can be
 * summed over every thread (weir_live_objects_all).
 * Threading: mark is called by the value's only owner; dup/drop from any thread; the registry
 * functions from any thread (a mutex guards the list; attach/detach touch only the caller's TLS). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "heap.h"
#include "weir/rt.h"

/* ---- The heap registry ---------------------------------------------------------------------- */
typedef struct heap_entry { weir_heap_view v; struct heap_entry* next; } heap_entry;
typedef struct chunk_link { struct chunk_link* next; } chunk_link;

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static heap_entry* live_heaps;          /* guarded by registry_mu */
static int64_t retired_live;            /* live objects counted by heaps of exited threads */
int weir_heap_counts_final;             /* heap.h */
static chunk_link* retired_chunks;      /* their chunks, kept reachable (never freed) */
static _Thread_local heap_entry* my_heap;
static _Thread_local weir_obj** stack;  /* work stack of the walks below */
static _Thread_local size_t stack_len, stack_cap;

/* A thread that never calls weir_heap_thread_exit is detached when it ends (key destructor). */
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static void on_thread_end(void* unused) { (void)unused; weir_heap_detach(); }
static void make_exit_key(void) { pthread_key_create(&exit_key, on_thread_end); }

void weir_heap_attach(void) {
  if (__builtin_expect(my_heap != NULL, 1)) return;
  pthread_once(&exit_key_once, make_exit_key);
  heap_entry* e = (heap_entry*)malloc(sizeof *e);
  if (!e) weir_rt_panic("out of memory", "");
  weir_heap_this_thread(&e->v);
  if (weir_system_alloc) weir_heap_reset_lists(e->v.lists);   /* nothing listed yet: mark them */
  pthread_mutex_lock(&registry_mu);
  e->next = live_heaps;
  live_heaps = e;
  pthread_mutex_unlock(&registry_mu);
  my_heap = e;
  pthread_setspecific(exit_key, e);
}

static int64_t heap_live(const weir_heap_view* v) {
  int64_t n = *v->carved + *v->system;
  for (size_t c = 0; c < WEIR_NUM_CLASSES; c++)
    for (void** f = (void**)v->lists[c]; f && f != WEIR_FREE_LIST_SYSTEM; f = (void**)*f) n--;
  return n;
}

void weir_heap_detach(void) {
  heap_entry* e = my_heap;
  if (!e) return;
  pthread_mutex_lock(&registry_mu);
  for (heap_entry** p = &live_heaps; *p; p = &(*p)->next)
    if (*p == e) { *p = e->next; break; }
  if (!weir_heap_counts_final) retired_live += heap_live(&e->v);
  /* The free cells stay in the retired chunks, unused: a thread ends only at shutdown. */
  weir_heap_reset_lists(e->v.lists);
  *e->v.carved = 0;
  *e->v.system = 0;
  chunk_link* c = (chunk_link*)*e->v.chunks;
  while (c) { chunk_link* n = c->next; c->next = retired_chunks; retired_chunks = c; c = n; }
  *e->v.chunks = NULL;
  pthread_mutex_unlock(&registry_mu);
  free(e);
  my_heap = NULL;
  free(stack);
  stack = NULL;
  stack_len = stack_cap = 0;
}

int64_t weir_heap_pool_cells(void);   /* object.c */

int64_t weir_live_objects_all(void) {
  int64_t pooled = weir_heap_pool_cells();
  pthread_mutex_lock(&registry_mu);
  int64_t n = retired_live - pooled;
  for (heap_entry* e = live_heaps; e; e = e->next) n += heap_live(&e->v);
  pthread_mutex_unlock(&registry_mu);
  return n;
}

/* ---- Walking values ------------------------------------------------------------------------- */

static void push(weir_obj* o) {
  if (stack_len == stack_cap) {
    size_t cap = stack_cap ? stack_cap * 2 : 256;
    weir_obj** s = (weir_obj**)realloc(stack, cap * sizeof *s);
    if (!s) weir_rt_panic("out of memory", "");
    stack = s;
    stack_cap = cap;
  }
  stack[stack_len++] = o;
}

/* The pointer children of o, as at most two runs (a PAP has fn, then its args). */
static size_t runs(weir_obj* o, weir_obj*** a, size_t* na, weir_obj*** b) {
  *b = NULL;
  switch (WEIR_KIND(o)) {
    case WEIR_CON: *a = ((weir_con*)o)->fields; *na = o->nfields; return 0;
    case WEIR_CLOSURE: *a = ((weir_closure*)o)->captured; *na = ((weir_closure*)o)->ncaptured; return 0;
    case WEIR_PAP: *a = &((weir_pap*)o)->fn; *na = 1; *b = ((weir_pap*)o)->args; return ((weir_pap*)o)->nargs;
    default: *a = NULL; *na = 0; return 0;
  }
}

/* The owner's count is plain until here: no other thread can see the value yet, and the send
 * that publishes it (a seq_cst exchange on the mailbox) orders these writes before the receiver. */
void weir_mark_shared(weir_obj* root) {
  if (weir_rc(root) <= 0) return;
  size_t base = stack_len;
  push(root);
  while (stack_len > base) {
    weir_obj* o = stack[--stack_len];
    int32_t rc = weir_rc(o);
    if (rc <= 0) continue;   /* reached twice, or immortal/shared: its subgraph is done */
    o->rc = -rc;
    weir_obj **a, **b;
    size_t na, nb = runs(o, &a, &na, &b);
    /* weir_rc: a child may be shared already, its count moving on another thread. */
    for (size_t i = 0; i < na; i++) if (weir_rc(a[i]) > 0) push(a[i]);
    for (size_t i = 0; i < nb; i++) if (weir_rc(b[i]) > 0) push(b[i]);
  }
}

static inline _Atomic int32_t* rc_of(weir_obj* o) { return (_Atomic int32_t*)&o->rc; }

void weir_dup_shared(weir_obj* o) {
  /* relaxed: the caller already holds a reference, so the object cannot die meanwhile; a new
   * reference needs no ordering with anything (as std::shared_ptr's increment). */
  if (atomic_load_explicit(rc_of(o), memory_order_relaxed) <= WEIR_RC_STICKY) return;
  atomic_fetch_sub_explicit(rc_of(o), 1, memory_order_relaxed);
}

/* Decrement a shared count; 1 when this was the last reference. */
static int release(weir_obj* o) {
  /* relaxed: a sticky count never moves again, a stale read only delays the check by one drop. */
  if (atomic_load_explicit(rc_of(o), memory_order_relaxed) <= WEIR_RC_STICKY) return 0;
  /* acq_rel: release orders this thread's reads of o before the free; acquire makes every other
   * thread's earlier use of o happen before the freeing thread reuses the cell. */
  return atomic_fetch_add_explicit(rc_of(o), 1, memory_order_acq_rel) == -1;
}

/* Free o (its last reference is gone) and, iteratively, every child that dies with it. The cells
 * go onto THIS thread's free lists. Children of a shared object are shared or immortal. */
static void free_shared(weir_obj* o) {
  weir_heap_attach();
  size_t base = stack_len;
  for (;;) {
    weir_obj **a, **b;
    size_t na, nb = runs(o, &a, &na, &b);
    for (size_t i = 0; i < na + nb; i++) {
      weir_obj* c = i < na ? a[i] : b[i - na];
      int32_t rc = weir_rc(c);
      if (rc < 0) { if (release(c)) push(c); }
      else if (rc > 0) weir_drop(c);   /* not reachable by construction; kept safe */
    }
    if (o->kind == WEIR_EXTERNAL) ((weir_external*)o)->finalize(((weir_external*)o)->data);
    weir_free_cell(o);
    if (stack_len == base) return;
    o = stack[--stack_len];
  }
}

void weir_drop_shared(weir_obj* o) {
  if (release(o)) free_shared(o);
}
