/* Internal: the hierarchical timing wheel (timer.c). Pure: no clock, no threads, no allocation;
 * time is a tick count passed in. Usable from C and C++ (the unit tests include it). */
#ifndef WEIR_SCHED_WHEEL_H
#define WEIR_SCHED_WHEEL_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

#define WEIR_WHEEL_BITS 6                       /* 64 slots per level */
#define WEIR_WHEEL_SLOTS (1u << WEIR_WHEEL_BITS)
#define WEIR_WHEEL_LEVELS 6                     /* 2^36 ticks: 2.2 years at 1 ms; beyond: `far` */
#define WEIR_WHEEL_NOWHERE 0xFFFFu

typedef struct weir_wheel_entry {
  struct weir_wheel_entry* next;
  struct weir_wheel_entry** pprev;
  uint64_t deadline;   /* tick */
  uint64_t seq;        /* arming order: ties of one tick fire in it */
  uint16_t where;      /* level * 64 + slot, WEIR_WHEEL_NOWHERE + 1 = far list, NOWHERE = not in */
} weir_wheel_entry;

typedef struct weir_wheel {
  uint64_t now;                                 /* the last tick fully processed */
  uint64_t count;                               /* entries in the wheel */
  uint64_t seq;                                 /* entries ever added (weir_wheel_entry.seq) */
  uint64_t occupied[WEIR_WHEEL_LEVELS];         /* bit s: slots[l][s] non-empty */
  weir_wheel_entry* slots[WEIR_WHEEL_LEVELS][WEIR_WHEEL_SLOTS];
  weir_wheel_entry* far;                        /* deadlines beyond the top level */
} weir_wheel;

typedef void (*weir_wheel_fire)(weir_wheel_entry* e, void* ctx);

void weir_wheel_init(weir_wheel* w, uint64_t now);
/* Deadlines <= w->now fire at the next tick processed. O(1). */
void weir_wheel_add(weir_wheel* w, weir_wheel_entry* e, uint64_t deadline);
void weir_wheel_remove(weir_wheel* w, weir_wheel_entry* e);   /* O(1); e must be in w */
/* Process every tick up to `now`: fire (unlinked first; the callback may add or free it) each
 * entry whose deadline <= now, in deadline order, and entries of one tick in the order they were
 * added. Returns how many fired. Skips empty stretches using the occupancy bitmaps. */
size_t weir_wheel_advance(weir_wheel* w, uint64_t now, weir_wheel_fire fire, void* ctx);
/* A tick at or before the earliest deadline (a safe wake-up time); UINT64_MAX when empty. */
uint64_t weir_wheel_next(const weir_wheel* w);

#ifdef __cplusplus
}
#endif
#endif
