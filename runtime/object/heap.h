/* The heap's internal interface between the allocator (object.c) and the leak checker
 * (leakcheck.c). Not part of the ABI: generated code never sees it. */
#ifndef WEIR_RUNTIME_HEAP_H
#define WEIR_RUNTIME_HEAP_H
#include "weir/rt.h"

/* WEIR_LEAK_CHECK=2: every object is a malloc block behind a tracking prefix (set by
 * weir_leak_check_init before any allocation; implies weir_system_alloc). */
extern int weir_leak_track;
void* weir_track_alloc(size_t size);
void weir_track_free(void* cell);
void* weir_track_realloc(void* cell, size_t size);

/* Grows a unique object that is a malloc block (never a free-list cell). */
void* weir_realloc_cell(weir_obj* o, size_t size);

/* Heap objects made immortal by weir_mark_immortal on this thread (CAF values): alive at exit
 * on purpose, so the leak count leaves them out. */
int64_t weir_immortal_objects(void);

/* Reads WEIR_LEAK_CHECK (0 off, 1 count, 2 count and list by kind); called by weir_objects_init. */
void weir_leak_check_init(void);
/* At the normal end of the program, on the thread that ran it: 0 when nothing but immortal
 * objects is alive (or the check is off); otherwise reports on stderr and returns 99. */
int weir_leak_check_at_exit(void);
#endif
