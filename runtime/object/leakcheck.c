/* The leak checker: proves that a program ends with no object alive but the immortal ones.
 *
 *   WEIR_LEAK_CHECK=1  count mode: the real allocator (free lists, chunks) is used unchanged;
 *                      at exit, live = carved + malloc'd - on free lists - made immortal.
 *                      Costs nothing while the program runs.
 *   WEIR_LEAK_CHECK=2  list mode: every object is a malloc block behind a 16-byte prefix that
 *                      links it into a list of live objects, so the report can say WHAT is
 *                      alive (kind, constructor tag, fields, size) -- slower; for diagnosis.
 *
 * A failed check prints "weir: leak check: ..." on stderr and makes the program exit with
 * status 99. It runs only when the program ends normally (a run-time error exits at once).
 * Threading: the check runs on the program thread after the program ended and counts every
 * thread's heap; in list mode every thread links and unlinks objects in the one list, under a
 * lock (a diagnosis mode: the cost does not matter, a torn list would crash the program). */
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heap.h"

int weir_leak_track;
static int leak_mode;

/* List mode: a doubly linked list of every live object, through a prefix before the object. */
typedef struct tracked {
  struct tracked* prev;
  struct tracked* next;
} tracked;
_Static_assert(sizeof(tracked) == 16, "the prefix keeps objects 16-byte aligned");

static tracked live_list = {&live_list, &live_list};
static atomic_flag live_lock = ATOMIC_FLAG_INIT;

static void lock_list(void) {
  while (atomic_flag_test_and_set_explicit(&live_lock, memory_order_acquire)) sched_yield();
}
static void unlock_list(void) { atomic_flag_clear_explicit(&live_lock, memory_order_release); }

void weir_leak_check_init(void) {
  const char* e = getenv("WEIR_LEAK_CHECK");
  leak_mode = e && *e ? atoi(e) : 0;
  if (leak_mode >= 2) {
    weir_leak_track = 1;
    weir_system_alloc = 1;
  }
}

static void link_in(tracked* t) {
  t->next = live_list.next;
  t->prev = &live_list;
  live_list.next->prev = t;
  live_list.next = t;
}

void* weir_track_alloc(size_t size) {
  tracked* t = (tracked*)malloc(sizeof(tracked) + size);
  if (!t) weir_rt_panic("out of memory", "");
  lock_list();
  link_in(t);
  unlock_list();
  return t + 1;
}

void weir_track_free(void* cell) {
  tracked* t = (tracked*)cell - 1;
  lock_list();
  t->prev->next = t->next;
  t->next->prev = t->prev;
  unlock_list();
  free(t);
}

void* weir_track_realloc(void* cell, size_t size) {
  tracked* t = (tracked*)cell - 1;
  lock_list();   /* held across realloc: the block may move while it is off the list */
  t->prev->next = t->next;
  t->next->prev = t->prev;
  tracked* g = (tracked*)realloc(t, sizeof(tracked) + size);
  if (!g) {
    unlock_list();
    weir_rt_panic("out of memory", "");
  }
  link_in(g);
  unlock_list();
  return g + 1;
}

static const char* kind_name(uint8_t k) {
  static const char* names[] = {"constructor", "closure", "partial application", "Int", "Float", "Char", "String", "Bytes"};
  return k < sizeof names / sizeof names[0] ? names[k] : "unknown kind";
}

/* One line per (kind, tag, fields) group, most numerous first; at most 20 lines. */
static void report_by_kind(void) {
  enum { MAX_GROUPS = 256 };
  struct group { uint8_t kind, nfields; uint16_t tag; int64_t count; size_t bytes; } g[MAX_GROUPS];
  int ng = 0;
  int64_t other = 0;
  for (tracked* t = live_list.next; t != &live_list; t = t->next) {
    weir_obj* o = (weir_obj*)(t + 1);
    if (o->rc == 0) continue;
    int i = 0;
    while (i < ng && !(g[i].kind == o->kind && g[i].tag == o->tag && g[i].nfields == o->nfields)) i++;
    if (i == ng) {
      if (ng == MAX_GROUPS) { other++; continue; }
      g[ng] = (struct group){o->kind, o->nfields, o->tag, 0, 0};
      ng++;
    }
    g[i].count++;
    g[i].bytes += weir_obj_size(o);
  }
  for (int shown = 0; shown < ng && shown < 20; shown++) {
    int best = shown;
    for (int i = shown + 1; i < ng; i++) if (g[i].count > g[best].count) best = i;
    struct group tmp = g[shown]; g[shown] = g[best]; g[best] = tmp;
    if ((g[shown].kind & 15) == WEIR_CON)  /* the high bits count raw words (rt.h) */
      fprintf(stderr, "  %lld x constructor tag %u with %u fields (%zu bytes)\n", (long long)g[shown].count,
              g[shown].tag, g[shown].nfields + (g[shown].kind >> 4), g[shown].bytes);
    else
      fprintf(stderr, "  %lld x %s (%zu bytes)\n", (long long)g[shown].count, kind_name(g[shown].kind), g[shown].bytes);
  }
  if (ng > 20 || other) fprintf(stderr, "  ... and more kinds\n");
}

int weir_leak_check_at_exit(void) {
  if (leak_mode <= 0) return 0;
  int64_t alive;
  if (weir_leak_track) {
    alive = 0;
    for (tracked* t = live_list.next; t != &live_list; t = t->next)
      if (((weir_obj*)(t + 1))->rc != 0) alive++;
  } else {
    alive = weir_live_objects_all() - weir_immortal_objects();  /* every thread's heap */
  }
  if (alive == 0) return 0;
  weir_stdout_flush();
  fprintf(stderr, "weir: leak check: %lld object%s still alive at exit (neither freed nor immortal)\n",
          (long long)alive, alive == 1 ? "" : "s");
  if (weir_leak_track) report_by_kind();
  else fprintf(stderr, "  run again with WEIR_LEAK_CHECK=2 to list them by kind\n");
  fprintf(stderr, "  a leak is a bug in the Weir compiler or runtime, not in your program: please report it\n");
  return 99;
}
