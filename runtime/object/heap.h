/* The heap's internal interface (not part of the ABI: generated code never sees it):
 *  - the per-thread heap registry shared by object.c (the allocator) and shared.c; a thread's
 *    heap is its free lists, its chunk list and two counters, all thread-local;
 *  - the hooks between the allocator and the leak checker (leakcheck.c). */
#ifndef WEIR_OBJECT_HEAP_H
#define WEIR_OBJECT_HEAP_H
#include <stdint.h>

#include "weir/rt.h"

typedef struct weir_heap_view {
  int64_t* carved;    /* small cells ever carved from this thread's chunks */
  int64_t* system;    /* live malloc'ed objects allocated minus freed on this thread */
  void** lists;       /* WEIR_NUM_CLASSES list heads; a free cell's first word links on */
  void** chunks;      /* the thread's chunk list (first word of a chunk links on) */
} weir_heap_view;

void weir_heap_this_thread(weir_heap_view* v);   /* object.c: addresses of this thread's TLS */
/* object.c: empty free lists -- every head NULL, or WEIR_FREE_LIST_SYSTEM in the system-allocator
 * mode (rt.h), which is fixed before the first allocation. */
void weir_heap_reset_lists(void** lists);
void weir_heap_attach(void);   /* shared.c: register this thread's heap (idempotent, cheap) */
void weir_heap_detach(void);   /* shared.c: thread end: fold its counts into the retired total,
                                  keep its chunks reachable, unregister */
/* Set once nothing will ask for live counts again (the program thread, after the leak check):
 * detach then skips counting the free lists -- a walk over every freed cell, a quarter of the
 * run time of a program that frees a few hundred thousand objects at the end of main. */
extern int weir_heap_counts_final;

/* WEIR_LEAK_CHECK=2: every object is a malloc block behind a tracking prefix (set by
 * weir_leak_check_init before any allocation; implies weir_system_alloc). */
extern int weir_leak_track;
void* weir_track_alloc(size_t size);
void weir_track_free(void* cell);
void* weir_track_realloc(void* cell, size_t size);

/* Grows a unique object that is a malloc block (never a free-list cell). */
void* weir_realloc_cell(weir_obj* o, size_t size);

/* A thread gives its free lists to the pool shared by all threads (object.c): workers do it
 * between turns, so that cells freed far from where they were allocated are used again. */
void weir_heap_donate(void);

/* Heap objects made immortal by weir_mark_immortal on this thread (CAF values): alive at exit
 * on purpose, so the leak count leaves them out. */
int64_t weir_immortal_objects(void);

/* Reads WEIR_LEAK_CHECK (0 off, 1 count, 2 count and list by kind); called by weir_objects_init. */
void weir_leak_check_init(void);
/* At the normal end of the program, on the thread that ran it: 0 when nothing but immortal
 * objects is alive (or the check is off); otherwise reports on stderr and returns 99. */
int weir_leak_check_at_exit(void);
#endif
