/* The Weir object model: allocation, reference counting, freeing, boxing, partial applications.
 * See runtime/include/weir/rt.h for the layout and the ownership rules. */
#include "weir/rt.h"
#include "heap.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define WEIR_HAVE_VALGRIND 1
#endif
#endif

weir_con weir_nullary[WEIR_NULLARY_COUNT];
weir_int weir_small_ints[WEIR_SMALL_INT_COUNT];
weir_char weir_ascii_chars[128];

/* ------------------------------------------------------------------------------------------
 * Allocator. Small objects (<= WEIR_MAX_SMALL bytes) come from per-size-class free lists
 * (8-byte granularity), refilled by bump allocation from 1 MiB chunks. Larger objects use
 * malloc. Everything is thread-local, ready for one heap per worker thread.
 * Under valgrind (or with WEIR_SYSTEM_ALLOC=1 in the environment) every object is a malloc
 * block of its own, so that memcheck sees leaks of individual objects.
 * ------------------------------------------------------------------------------------------ */
/* Initial-exec TLS: the runtime is linked into executables, and the default model for PIC code
 * would call __tls_get_addr on every allocation. */
#define WEIR_TLS _Thread_local __attribute__((tls_model("initial-exec")))
/* A chunk is malloc'd: glibc serves it with mmap and adds its own 16-byte header, so a chunk
 * of exactly 1 MiB took 257 pages, the last one touched for 16 bytes (0.4% of the heap, 1 MB of
 * rbtree's 258). 32 bytes less keeps header and chunk within 256 pages. malloc, not mmap: leak
 * checkers (LeakSanitizer) look for pointers in malloc'd blocks, and objects in a chunk may hold
 * the only pointer to a malloc'd block of the runtime (an actor call's record). */
#define WEIR_CHUNK_SIZE ((1u << 20) - 32)
#define WEIR_POPULATE_BYTES (64u << 10)
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23   /* Linux 5.14; older C headers lack the name */
#endif

typedef struct free_node { struct free_node* next; } free_node;

WEIR_TLS void* weir_free_lists[WEIR_NUM_CLASSES];
#define free_lists ((free_node**)weir_free_lists)
/* The bump region: generated code carves from it inline (rt.h); limit = min(chunk end, paged in). */
WEIR_TLS weir_bump_region weir_bump;
#define bump_ptr weir_bump.ptr
#define carved_objects weir_bump.carved   /* small objects ever carved from chunks */
static WEIR_TLS char* bump_end;
static WEIR_TLS int64_t system_objects;   /* live objects allocated with malloc */
static int64_t immortal_objects;          /* heap objects made immortal (CAF values; program thread only) */
int weir_system_alloc;
#define use_system_alloc weir_system_alloc

/* All chunks stay reachable from this list (they are never returned to the OS). */
typedef struct chunk { struct chunk* next; } chunk;
static WEIR_TLS chunk* chunks;

static WEIR_TLS char* populated;   /* the current chunk is paged in below this */
#define WEIR_PAGE_DOWN(p) ((char*)((uintptr_t)(p) & ~(uintptr_t)4095))

static void* refill(size_t sz) {
  if (bump_ptr + sz > bump_end) {
    /* The rest of the old chunk is wasted (at most WEIR_MAX_SMALL bytes). */
    chunk* c = (chunk*)malloc(WEIR_CHUNK_SIZE);
    if (!c) weir_rt_panic("out of memory", "");
    if (!chunks) weir_heap_attach();   /* this thread's first chunk: register its heap */
    c->next = chunks;
    chunks = c;
    bump_ptr = (char*)c + 16;
    bump_end = (char*)c + WEIR_CHUNK_SIZE;
    populated = WEIR_PAGE_DOWN(c);
  }
  if (__builtin_expect(bump_ptr + sz > populated, 0)) {
    /* Page in the next stretch with one call instead of one page fault per 4 KiB page: building
     * a large structure spent a fifth of its CPU time in the kernel's fault path (rbtree 0.5 of
     * 2.4 s, deriv 0.7 of 2.2 s). A kernel before 5.14 refuses: the pages then fault in one by
     * one as before. Paged in ahead of use: at most one stretch more than the cells carved. */
    char* end = WEIR_PAGE_DOWN(bump_end + 4095);
    size_t len = end - populated < WEIR_POPULATE_BYTES ? (size_t)(end - populated) : WEIR_POPULATE_BYTES;
    madvise(populated, len, MADV_POPULATE_WRITE);
    populated += len;
  }
  weir_bump.limit = bump_end < populated ? bump_end : populated;
  void* p = bump_ptr;
  bump_ptr += sz;
  carved_objects++;
  return p;
}

/* ------------------------------------------------------------------------------------------
 * The pool of free cells shared by all threads. A cell goes back to the free list of the thread
 * that frees it, which for a message is the receiving worker, not the sender: a producer (the
 * MQTT I/O thread, `main` feeding actors) would carve new chunks for ever while its consumers'
 * free lists only grew -- memory growing with the number of messages. So a worker gives its
 * free lists to the pool now and then (weir_heap_donate, between turns), and a thread whose
 * list of a size class is empty takes one from the pool before it carves new memory.
 * A donated list is linked through the second word of its first cell (cells are >= 16 bytes).
 * Threading: the pool is guarded by pool_mu; the lists themselves belong to one thread at a time.
 * ------------------------------------------------------------------------------------------ */
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
void* weir_heap_pool[WEIR_NUM_CLASSES];   /* generated code peeks at it (relaxed), as pool_take does */
#define pool ((free_node**)weir_heap_pool)

void weir_heap_donate(void) {
  if (use_system_alloc) return;   /* the heads are WEIR_FREE_LIST_SYSTEM: nothing is listed */
  int any = 0;
  for (size_t c = 0; c < WEIR_NUM_CLASSES && !any; c++) any = free_lists[c] != NULL;
  if (!any) return;
  pthread_mutex_lock(&pool_mu);
  for (size_t c = 1; c < WEIR_NUM_CLASSES; c++) {
    free_node* l = free_lists[c];
    if (!l || c < 2) continue;                 /* class 1 (8 bytes) has no second word */
    ((free_node**)l)[1] = pool[c];
    /* relaxed: pool_take's unlocked peek is only a hint; the mutex orders the real accesses. */
    __atomic_store_n(&pool[c], l, __ATOMIC_RELAXED);
    free_lists[c] = NULL;
  }
  pthread_mutex_unlock(&pool_mu);
}

static free_node* pool_take(size_t cls) {
  if (!__atomic_load_n(&pool[cls], __ATOMIC_RELAXED)) return NULL;   /* relaxed: a hint */
  pthread_mutex_lock(&pool_mu);
  free_node* l = pool[cls];
  if (l) __atomic_store_n(&pool[cls], ((free_node**)l)[1], __ATOMIC_RELAXED);
  pthread_mutex_unlock(&pool_mu);
  return l;
}

/* Cells waiting in the pool (for the leak check: they are free). */
int64_t weir_heap_pool_cells(void) {
  int64_t n = 0;
  pthread_mutex_lock(&pool_mu);
  for (size_t c = 0; c < WEIR_NUM_CLASSES; c++)
    for (free_node* l = pool[c]; l; l = ((free_node**)l)[1])
      for (free_node* f = l; f; f = f->next) n++;
  pthread_mutex_unlock(&pool_mu);
  return n;
}

void* weir_alloc(size_t size) {
  size_t sz = (size + 7) & ~(size_t)7;
  if (__builtin_expect(sz <= WEIR_MAX_SMALL && !use_system_alloc, 1)) {
    size_t cls = sz >> 3;
    free_node* n = free_lists[cls];
    if (__builtin_expect(n != NULL, 1)) {
      free_lists[cls] = n->next;
      return n;
    }
    if ((n = pool_take(cls)) != NULL) {   /* cells other threads freed, before new memory */
      free_lists[cls] = n->next;
      return n;
    }
    return refill(sz);
  }
  void* p = weir_leak_track ? weir_track_alloc(sz) : malloc(sz);
  if (!p) weir_rt_panic("out of memory", "");
  weir_heap_attach();
  system_objects++;
  return p;
}

/* Inline in weir_free_cell: every freed cell asks (a call there cost ~3% of an actor message). */
static inline __attribute__((always_inline)) size_t obj_size(const weir_obj* o) {
  switch (WEIR_KIND(o)) {
    case WEIR_CON: return WEIR_HEADER_SIZE + 8u * (o->nfields + WEIR_RAW_WORDS(o));
    case WEIR_CLOSURE: return WEIR_CLOSURE_HEADER_SIZE + 8u * ((const weir_closure*)o)->ncaptured;
    case WEIR_PAP: return WEIR_CLOSURE_HEADER_SIZE + 8u * ((const weir_pap*)o)->nargs;
    case WEIR_INT: case WEIR_FLOAT: case WEIR_CHAR: return 16;
    case WEIR_STRING: case WEIR_BYTES: return 16 + ((const weir_string*)o)->len + 1;
    case WEIR_EXTERNAL: return sizeof(weir_external);
    default: return 16;
  }
}
size_t weir_obj_size(const weir_obj* o) { return obj_size(o); }

/* A malloc block's way back (the system-allocator mode, or an object past the small classes). */
static void free_system_block(void* cell) {
  system_objects--;
  if (weir_leak_track) weir_track_free(cell);
  else free(cell);
}

/* Inline in free_one (closures, partial applications, boxed scalars, strings). */
static inline __attribute__((always_inline)) void free_cell(weir_obj* o) {
  size_t sz = (obj_size(o) + 7) & ~(size_t)7;
  if (__builtin_expect(sz <= WEIR_MAX_SMALL && !use_system_alloc, 1)) {
    free_node* n = (free_node*)o;
    size_t cls = sz >> 3;
    n->next = free_lists[cls];
    free_lists[cls] = n;
  } else {
    free_system_block(o);
  }
}
void weir_free_cell(weir_obj* o) { free_cell(o); }

/* A unique malloc-block object grown in place (string.c's append); the caller checked that
 * the old and new sizes are both past the small classes, or that every object is malloc'd. */
void* weir_realloc_cell(weir_obj* o, size_t size) {
  void* p = weir_leak_track ? weir_track_realloc(o, size) : realloc(o, size);
  if (!p) weir_rt_panic("out of memory", "");
  return p;
}

int64_t weir_immortal_objects(void) { return immortal_objects; }

int64_t weir_live_objects(void) {
  int64_t n = carved_objects + system_objects;
  for (size_t c = 0; c < WEIR_NUM_CLASSES; c++)
    for (free_node* f = free_lists[c]; f && f != WEIR_FREE_LIST_SYSTEM; f = f->next) n--;
  return n;
}

void weir_heap_reset_lists(void** lists) {
  for (size_t c = 0; c < WEIR_NUM_CLASSES; c++) {
    /* In the system mode, cells compiled code pushed before this thread's heap was attached (its
     * heads were still NULL) are malloc blocks: free them as weir_free_cell would have. */
    for (free_node* f = (free_node*)lists[c]; use_system_alloc && f && f != WEIR_FREE_LIST_SYSTEM;) {
      free_node* next = f->next;
      free_system_block(f);
      f = next;
    }
    lists[c] = use_system_alloc ? WEIR_FREE_LIST_SYSTEM : NULL;
  }
}

/* ------------------------------------------------------------------------------------------
 * Freeing without recursion: an explicit, growable work stack of objects whose count reached
 * zero. The last dying child of each object is processed directly (no push), so a list is
 * freed with a stack depth of one.
 * ------------------------------------------------------------------------------------------ */
static WEIR_TLS weir_obj** todo;
static WEIR_TLS size_t todo_len, todo_cap;

static __attribute__((noinline)) void todo_grow(void) {
  todo_cap = todo_cap ? todo_cap * 2 : 256;
  todo = (weir_obj**)realloc(todo, todo_cap * sizeof(weir_obj*));
  if (!todo) weir_rt_panic("out of memory", "");
}

static inline __attribute__((always_inline)) void todo_push(weir_obj* o) {
  if (__builtin_expect(todo_len == todo_cap, 0)) todo_grow();
  todo[todo_len++] = o;
}

/* Decrement a child; returns it if it died (caller frees it), NULL otherwise. */
static inline weir_obj* release_child(weir_obj* c) {
  int32_t rc = weir_rc(c);   /* a shared child's count may be moving on another thread */
  if (rc > 1) { c->rc = rc - 1; return NULL; }
  if (rc == 1) return c;
  if (rc < 0) weir_drop_shared(c);
  return NULL;
}

static inline void children(weir_obj* o, weir_obj*** begin, size_t* n) {
  switch (WEIR_KIND(o)) {
    case WEIR_CON: *begin = ((weir_con*)o)->fields; *n = o->nfields; return;
    case WEIR_CLOSURE: *begin = ((weir_closure*)o)->captured; *n = ((weir_closure*)o)->ncaptured; return;
    case WEIR_PAP: *begin = &((weir_pap*)o)->fn; *n = 1; return; /* args handled separately */
    default: *begin = NULL; *n = 0; return;
  }
}

/* Releases the children of o (any kind) and frees its cell; returns the last child that died
 * (the caller frees it next) after pushing the others on the work stack. */
static inline __attribute__((always_inline)) weir_obj* free_one(weir_obj* o, int holes) {
  weir_obj* next = NULL;
  weir_obj** fs;
  size_t n;
  children(o, &fs, &n);
  for (size_t i = 0; i < n; i++) {
    if (holes && !fs[i]) continue;
    weir_obj* d = release_child(fs[i]);
    if (d) { if (next) todo_push(next); next = d; }
  }
  if (o->kind == WEIR_PAP) {
    weir_pap* p = (weir_pap*)o;
    for (uint32_t i = 0; i < p->nargs; i++) {
      weir_obj* d = release_child(p->args[i]);
      if (d) { if (next) todo_push(next); next = d; }
    }
  }
  if (o->kind == WEIR_EXTERNAL) ((weir_external*)o)->finalize(((weir_external*)o)->data);
  free_cell(o);
  return next;
}

/* holes: a field may be NULL (a cell under construction by a trmc loop, freed by a landing
 * pad); weir_free_obj never sees one. Inlined into both with the flag constant. */
static inline __attribute__((always_inline)) void free_obj(weir_obj* o, int holes) {
  size_t base = todo_len;
  for (;;) {
    weir_obj* next = free_one(o, holes);
    if (next) { o = next; continue; }
    if (todo_len == base) return;
    o = todo[--todo_len];
  }
}

/* The hot path of every program that builds and drops data (binarytrees frees 600M cells
 * here). A small constructor's size class is its word count + 1 (an 8-byte header, 8 bytes a
 * field, pointer or raw), so its cell goes straight onto that free list: no size switch, no call, no test of
 * the system-allocator mode per cell (the mode is fixed before the first allocation; it takes
 * free_obj). Other kinds, and constructors past the small classes, take free_one.
 * (Tried and measured slower: keeping the list head and the work stack's length in locals,
 * written back around calls; lazy freeing -- a dead cell's fields released only when the cell
 * is allocated again -- through weir_alloc's slow path: a call per allocation costs more than
 * the separate walk saves. 2026-12-06, docs/performance.md.) */
#define WEIR_MAX_SMALL_FIELDS ((WEIR_MAX_SMALL - WEIR_HEADER_SIZE) / 8)
void weir_free_obj(weir_obj* o) {
  if (__builtin_expect(use_system_alloc, 0)) { free_obj(o, 0); return; }
  size_t base = todo_len;
  for (;;) {
    weir_obj* next;
    uint32_t n = o->nfields;
    uint32_t words = n + WEIR_RAW_WORDS(o);   /* a constructor's kind is 0 in the low bits */
    if (__builtin_expect(WEIR_KIND(o) == WEIR_CON && words <= WEIR_MAX_SMALL_FIELDS, 1)) {
      weir_obj** fs = ((weir_con*)o)->fields;
      next = NULL;
      for (uint32_t i = 0; i < n; i++) {
        weir_obj* d = release_child(fs[i]);
        if (d) { if (next) todo_push(next); next = d; }
      }
      free_node* f = (free_node*)o;
      f->next = free_lists[words + 1];
      free_lists[words + 1] = f;
    } else {
      next = free_one(o, 0);
    }
    if (next) { o = next; continue; }
    if (todo_len == base) return;
    o = todo[--todo_len];
  }
}

/* Landing pads of compiled code (unwind.c): drop what a failed frame owned. */
void weir_unwind_drop(weir_obj* o) {
  if (!o) return;
  if (weir_is_unique(o)) free_obj(o, 1);   /* the one case that may meet a hole */
  else weir_drop(o);
}

void weir_unwind_free_cell(weir_obj* cell) {
  if (cell) weir_free_cell(cell);
}

/* Releases the thread's bookkeeping (the work stack). Its chunks stay allocated: objects in
 * them may still be referenced (immortal CAFs); the heap registry keeps them reachable. */
void weir_heap_thread_exit(void) {
  free(todo);
  todo = NULL;
  todo_len = todo_cap = 0;
  weir_heap_detach();
}

/* This thread's heap, for the registry in shared.c (weir_dup_shared/weir_drop_shared live there). */
void weir_heap_this_thread(weir_heap_view* v) {
  v->carved = &carved_objects;
  v->system = &system_objects;
  v->lists = weir_free_lists;
  v->chunks = (void**)&chunks;
}

void weir_unpack(weir_obj* o) {
  if (o->rc == 1) { free_cell(o); return; }
  weir_obj** fs;
  size_t n;
  children(o, &fs, &n);
  for (size_t i = 0; i < n; i++) weir_dup(fs[i]);
  if (o->kind == WEIR_PAP) {
    weir_pap* p = (weir_pap*)o;
    for (uint32_t i = 0; i < p->nargs; i++) weir_dup(p->args[i]);
  }
  weir_drop(o); /* rc >= 2 or immortal: never frees */
}

void weir_mark_immortal(weir_obj* root) {
  size_t base = todo_len;
  weir_obj* o = root;
  for (;;) {
    if (o->rc != 0) {
      o->rc = 0;
      immortal_objects++;
      weir_obj** fs;
      size_t n;
      children(o, &fs, &n);
      for (size_t i = 0; i < n; i++) if (fs[i]->rc != 0) todo_push(fs[i]);
      if (o->kind == WEIR_PAP) {
        weir_pap* p = (weir_pap*)o;
        for (uint32_t i = 0; i < p->nargs; i++) if (p->args[i]->rc != 0) todo_push(p->args[i]);
      }
    }
    if (todo_len == base) return;
    o = todo[--todo_len];
  }
}

/* ------------------------------------------------------------------------------------------ */
static inline void set_header(weir_obj* o, uint8_t kind, uint8_t nfields, uint16_t tag) {
  o->rc = 1; o->kind = kind; o->nfields = nfields; o->tag = tag;
}

weir_obj* weir_box_int(int64_t v) {
  if ((uint64_t)(v - WEIR_SMALL_INT_MIN) < (uint64_t)WEIR_SMALL_INT_COUNT)
    return &weir_small_ints[v - WEIR_SMALL_INT_MIN].h;
  weir_int* o = (weir_int*)weir_alloc(sizeof(weir_int));
  set_header(&o->h, WEIR_INT, 0, 0);
  o->value = v;
  return &o->h;
}

weir_obj* weir_box_float(double v) {
  weir_float* o = (weir_float*)weir_alloc(sizeof(weir_float));
  set_header(&o->h, WEIR_FLOAT, 0, 0);
  o->value = v;
  return &o->h;
}

weir_obj* weir_box_char(uint32_t c) {
  if (c < 128) return &weir_ascii_chars[c].h;
  weir_char* o = (weir_char*)weir_alloc(sizeof(weir_char));
  set_header(&o->h, WEIR_CHAR, 0, 0);
  o->value = c;
  o->pad = 0;
  return &o->h;
}

weir_obj* weir_external_new(void (*finalize)(void*), void* data) {
  weir_external* x = (weir_external*)weir_alloc(sizeof(weir_external));
  set_header(&x->h, WEIR_EXTERNAL, 0, 0);
  x->finalize = finalize;
  x->data = data;
  return &x->h;
}

weir_obj* weir_chr(int64_t code, const char* loc) {
  if (code < 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
    char msg[96];
    snprintf(msg, sizeof msg, "chr: %lld is not a Unicode scalar value", (long long)code);
    weir_rt_panic(msg, loc);
  }
  return weir_box_char((uint32_t)code);
}

weir_obj* weir_pap_make(weir_obj* fn, uint32_t n, weir_obj** args) {
  weir_pap* p = (weir_pap*)weir_alloc(WEIR_CLOSURE_HEADER_SIZE + 8u * n);
  set_header(&p->h, WEIR_PAP, 0, 0);
  p->fn = fn;
  p->arity = ((weir_closure*)fn)->arity;
  p->nargs = n;
  /* A loop, not memcpy: n is small (the arguments of an IO action, a partial application) and
   * a libc call per closure cost ~10% of an actor message (bench/actors, perf). */
  for (uint32_t i = 0; i < n; i++) p->args[i] = args[i];
  return &p->h;
}

weir_obj* weir_pap_extend(weir_obj* pap, uint32_t n, weir_obj** args) {
  weir_pap* old = (weir_pap*)pap;
  uint32_t m = old->nargs;
  weir_pap* p = (weir_pap*)weir_alloc(WEIR_CLOSURE_HEADER_SIZE + 8u * (m + n));
  set_header(&p->h, WEIR_PAP, 0, 0);
  p->fn = old->fn;
  p->arity = old->arity;
  p->nargs = m + n;
  memcpy(p->args, old->args, 8u * m);
  memcpy(p->args + m, args, 8u * n);
  weir_unpack(pap); /* we now own fn and the old args */
  return &p->h;
}

void weir_objects_init(void) {
  const char* env = getenv("WEIR_SYSTEM_ALLOC");
  use_system_alloc = env && *env && *env != '0';
#ifdef WEIR_HAVE_VALGRIND
  if (RUNNING_ON_VALGRIND) use_system_alloc = 1;
#endif
  weir_leak_check_init();
#ifdef WEIR_HAVE_VALGRIND
  /* valgrind finds leaks by reachability: the tracking list would make every object reachable. */
  if (RUNNING_ON_VALGRIND) weir_leak_track = 0;
#endif
  for (int t = 0; t < WEIR_NULLARY_COUNT; t++) {
    weir_nullary[t].h.rc = 0; weir_nullary[t].h.kind = WEIR_CON;
    weir_nullary[t].h.nfields = 0; weir_nullary[t].h.tag = (uint16_t)t;
  }
  for (int i = 0; i < WEIR_SMALL_INT_COUNT; i++) {
    weir_small_ints[i].h.rc = 0; weir_small_ints[i].h.kind = WEIR_INT;
    weir_small_ints[i].h.nfields = 0; weir_small_ints[i].h.tag = 0;
    weir_small_ints[i].value = i + WEIR_SMALL_INT_MIN;
  }
  for (int c = 0; c < 128; c++) {
    weir_ascii_chars[c].h.rc = 0; weir_ascii_chars[c].h.kind = WEIR_CHAR;
    weir_ascii_chars[c].h.nfields = 0; weir_ascii_chars[c].h.tag = 0;
    weir_ascii_chars[c].value = (uint32_t)c; weir_ascii_chars[c].pad = 0;
  }
}
