/* Internal: the per-thread heap registry shared by object.c (the allocator) and shared.c.
 * A thread's heap is its free lists, its chunk list and two counters, all thread-local. */
#ifndef WEIR_OBJECT_HEAP_H
#define WEIR_OBJECT_HEAP_H
#include <stdint.h>

typedef struct weir_heap_view {
  int64_t* carved;    /* small cells ever carved from this thread's chunks */
  int64_t* system;    /* live malloc'ed objects allocated minus freed on this thread */
  void** lists;       /* WEIR_NUM_CLASSES list heads; a free cell's first word links on */
  void** chunks;      /* the thread's chunk list (first word of a chunk links on) */
} weir_heap_view;

void weir_heap_this_thread(weir_heap_view* v);   /* object.c: addresses of this thread's TLS */
void weir_heap_attach(void);   /* shared.c: register this thread's heap (idempotent, cheap) */
void weir_heap_detach(void);   /* shared.c: thread end: fold its counts into the retired total,
                                  keep its chunks reachable, unregister */
#endif
