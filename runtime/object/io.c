#define _GNU_SOURCE
/* Start-up, buffered stdout, run-time errors. */
#include "weir/rt.h"
#include "heap.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void weir_objects_init(void);
void weir_heap_thread_exit(void);
int weir_leak_check_at_exit(void);
int weir_sched_workers(void);
int weir_sched_wait(void);
extern int weir_lang_workers;

/* Standard output: one buffer for the process, owned by a mutex, since actors print from every
 * worker. A putStrLn writes its text and newline under one lock, so lines never interleave. */
#define OUT_CAP (1u << 16)
static char out_buf[OUT_CAP];
static size_t out_len;
static int out_is_tty;
static pthread_mutex_t out_mu = PTHREAD_MUTEX_INITIALIZER;

static void flush_locked(void) {
  size_t off = 0;
  while (off < out_len) {
    ssize_t w = write(1, out_buf + off, out_len - off);
    if (w <= 0) break; /* nowhere to report it: drop the output */
    off += (size_t)w;
  }
  out_len = 0;
}

static void write_locked(const char* data, size_t len) {
  if (out_len + len > OUT_CAP) {
    flush_locked();
    if (len > OUT_CAP) {
      size_t off = 0;
      while (off < len) {
        ssize_t w = write(1, data + off, len - off);
        if (w <= 0) return;
        off += (size_t)w;
      }
      return;
    }
  }
  memcpy(out_buf + out_len, data, len);
  out_len += len;
}

void weir_stdout_flush(void) {
  pthread_mutex_lock(&out_mu);
  flush_locked();
  pthread_mutex_unlock(&out_mu);
}

/* From a fatal-signal handler: flush unless another thread holds the buffer mid-write. */
static void flush_from_signal(void) {
  if (pthread_mutex_trylock(&out_mu) != 0) return;
  flush_locked();
  pthread_mutex_unlock(&out_mu);
}

void weir_stdout_write(const char* data, size_t len) {
  pthread_mutex_lock(&out_mu);
  write_locked(data, len);
  pthread_mutex_unlock(&out_mu);
}

weir_obj* weir_put_str(weir_obj* s) {
  pthread_mutex_lock(&out_mu);
  write_locked(weir_string_data(s), weir_string_len(s));
  if (out_is_tty) flush_locked();
  pthread_mutex_unlock(&out_mu);
  weir_drop(s);
  return WEIR_UNIT;
}

weir_obj* weir_put_str_ln(weir_obj* s) {
  pthread_mutex_lock(&out_mu);
  write_locked(weir_string_data(s), weir_string_len(s));
  write_locked("\n", 1);
  if (out_is_tty) flush_locked();
  pthread_mutex_unlock(&out_mu);
  weir_drop(s);
  return WEIR_UNIT;
}

static int initialised;
int weir_argc;
char** weir_argv;

/* `--workers N` (or `--workers=N`) on any compiled program sets the actor scheduler's worker
 * count; it is taken out of the arguments the program sees. WEIR_WORKERS does the same. */
static int take_workers_flag(int argc, char** argv) {
  int out = 1;
  for (int i = 1; i < argc; i++) {
    const char* a = argv[i];
    if (strcmp(a, "--workers") == 0 && i + 1 < argc) { weir_lang_workers = atoi(argv[++i]); continue; }
    if (strncmp(a, "--workers=", 10) == 0) { weir_lang_workers = atoi(a + 10); continue; }
    argv[out++] = argv[i];
  }
  if (out < argc) argv[out] = NULL;
  return out;
}

void weir_rt_init(int argc, char** argv) {
  if (initialised) return;
  argc = argv ? take_workers_flag(argc, argv) : argc;
  weir_argc = argc;
  weir_argv = argv;
  initialised = 1;
  weir_objects_init();
  out_is_tty = isatty(1);
}

void weir_rt_exit(void) { weir_stdout_flush(); }

/* The latest call from user code into a library function that can fail (set by compiled
 * code, see compiler/core/callsite.hpp); an error located in the library ("lib:" prefix)
 * is reported there. Thread-local: actors on other workers make calls at the same time
 * (codegen declares it initial-exec TLS; the definition must stay thread-local to link). */
_Thread_local const char* weir_rt_call_site;

void (*weir_rt_panic_hook)(const char* message, const char* location);

void weir_catch_error(const char* message, const char* location);   /* catch.c */
void weir_catch_overflow(const char* text);

void weir_rt_panic(const char* message, const char* location) {
  if (location && strncmp(location, "lib:", 4) == 0) location = weir_rt_call_site ? weir_rt_call_site : location + 4;
  weir_catch_error(message, location);                              /* inside `weir_catch`: Left */
  if (weir_rt_panic_hook) weir_rt_panic_hook(message, location);   /* in a handler: ends the actor */
  weir_stdout_flush();
  if (location && *location) fprintf(stderr, "%s: runtime error: %s\n", location, message);
  else fprintf(stderr, "runtime error: %s\n", message);
  fflush(stderr);
  exit(1);
}

/* `error msg`: the String is owned here. An error can be caught (weir_catch, a crashed actor's
 * turn): its text is copied (every report keeps only the text) and the String freed first, so a
 * program that survives its errors does not keep their messages. A text too long for the copy
 * (4 KiB) stays as it is when the error ends the program (the report shows it whole); a caught
 * one is cut there (its report is shorter still). */
int weir_catch_active(void);   /* catch.c */
void weir_rt_error(weir_obj* message, const char* location) {
  char text[4096];
  uint64_t n = weir_string_len(message);
  int caught = weir_catch_active() || (weir_rt_handler_boundary && weir_rt_handler_boundary());
  if (caught && n >= sizeof text) n = sizeof text - 1;
  if (n < sizeof text) {
    memcpy(text, weir_string_data(message), n);
    text[n] = 0;
    weir_drop(message);
    weir_rt_panic(text, location);
  }
  weir_rt_panic(weir_string_data(message), location);
}

void weir_rt_div_zero(const char* location) { weir_rt_panic("divide by zero", location); }

/* ------------------------------------------------------------------------------------------
 * Running the program: the Weir code runs on a thread with a large stack (1 GiB reserved by
 * default, committed lazily; WEIR_STACK_SIZE=<n>[K|M|G] overrides), so deep non-tail
 * recursion works; overflowing it is reported as a run-time error instead of a bare SIGSEGV.
 * ------------------------------------------------------------------------------------------ */
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <stdint.h>
#include <ucontext.h>

/* This thread's stack (the program thread's, a worker's): the lowest usable address. */
static _Thread_local char* stack_lo;
static _Thread_local size_t stack_size;

/* Compiled code's stack check (compiler/codegen/stackcheck.hpp): a function that can recurse
 * calls weir_rt_stack_overflow on entry when the stack pointer is below this. It lies
 * STACK_MARGIN above the guard page, room for what runs below the last check (the runtime's C
 * code, frames of functions that need no check) and for the error's own path (the unwinder).
 * 0 (a thread not set up by weir_rt_thread_signals, or WEIR_STACK_CHECK=0 at run time): never;
 * the SIGSEGV handler below is then the only guard. Initial-exec TLS: codegen declares it so. */
__attribute__((tls_model("initial-exec"))) _Thread_local uintptr_t weir_stack_limit;
#define STACK_MARGIN ((size_t)256 << 10)

/* Set by the actor scheduler: a stack overflow the backstop caught inside a handler ends that
 * actor (it does not return then); anywhere else it returns and the process ends with the
 * message. */
void (*weir_rt_overflow_hook)(const char* message);

static size_t parse_size(const char* s, size_t dflt) {
  if (!s || !*s) return dflt;
  char* end;
  unsigned long long v = strtoull(s, &end, 10);
  switch (*end) {
    case 'k': case 'K': v <<= 10; break;
    case 'm': case 'M': v <<= 20; break;
    case 'g': case 'G': v <<= 30; break;
    default: break;
  }
  return v ? (size_t)v : dflt;
}

/* A stack size from the environment (<n>[K|M|G]), or dflt: WEIR_STACK_SIZE (this file) and
 * WEIR_WORKER_STACK_SIZE (runtime/sched/worker.c, the threads that run turns). */
size_t weir_rt_env_size(const char* name, size_t dflt) { return parse_size(getenv(name), dflt); }

/* Emitted by the compiler for every program (compiler/codegen: defineFunctionTable); weak so
 * that the runtime's own tests link without one. */
typedef struct { const void* fn; const char* loc; const char* name; } weir_fn_loc;
extern const weir_fn_loc weir_function_table[] __attribute__((weak));

/* The compiled function containing `pc`: the one with the greatest start address <= pc, if pc
 * is not past the last compiled function (then it is in the runtime or libc). */
static const weir_fn_loc* function_at(uintptr_t pc) {
  const weir_fn_loc* best = NULL;
  uintptr_t last = 0;
  if (!weir_function_table) return NULL;
  for (const weir_fn_loc* e = weir_function_table; e->fn; e++) {
    uintptr_t a = (uintptr_t)e->fn;
    if (a > last) last = a;
    if (a <= pc && (!best || a > (uintptr_t)best->fn)) best = e;
  }
  return best && (uintptr_t)best->fn != last ? best : NULL;
}

/* Which Weir function overflowed the stack: the faulting instruction's, or, when the fault is
 * inside the runtime (an allocation, say), the first return address into compiled code found
 * on the stack. */
static const weir_fn_loc* overflowing_function(void* uctx) {
  uintptr_t pc = 0, sp = 0;
  ucontext_t* uc = (ucontext_t*)uctx;
#if defined(__x86_64__)
  pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
  sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
  pc = (uintptr_t)uc->uc_mcontext.pc;
  sp = (uintptr_t)uc->uc_mcontext.sp;
#endif
  const weir_fn_loc* f = pc ? function_at(pc) : NULL;
  if (f && f->loc && *f->loc) return f;
  if (!sp || !stack_lo) return NULL;
  for (uintptr_t* w = (uintptr_t*)(sp + 64); w < (uintptr_t*)(sp + 4096); w++) {  /* above the guard page */
    if ((char*)w < stack_lo) continue;
    f = function_at(*w);
    if (f && f->loc && *f->loc) return f;
  }
  return NULL;
}

/* A compiled function found the stack pointer below weir_stack_limit: a run-time error like
 * `error`, unwound through the landing pads to `weir_catch` or the actor's turn boundary, or
 * the end of the program (same text as the backstop below). */
void weir_rt_stack_overflow(const char* name, const char* location) {
  char msg[256];
  if (name && *name) snprintf(msg, sizeof msg, "stack overflow in `%s` (recursion too deep)", name);
  else snprintf(msg, sizeof msg, "stack overflow (recursion too deep)");
  weir_rt_panic(msg, location);
}

/* The backstop: a fault in the guard page (C code of the runtime, a thread without a limit). */
static void fatal_signal(int sig, siginfo_t* info, void* uctx) {
  char* addr = (char*)info->si_addr;
  int overflow = sig == SIGSEGV && stack_lo && addr < stack_lo + 65536 && addr >= stack_lo - (1 << 20);
  char buf[512];
  const char* msg = "runtime error: segmentation fault (this is a bug in the Weir compiler or runtime)\n";
  if (overflow) {
    const weir_fn_loc* f = overflowing_function(uctx);
    if (f) {
      snprintf(buf, sizeof buf, "%s: runtime error: stack overflow in `%s` (recursion too deep)\n", f->loc, f->name);
      msg = buf;
    } else {
      msg = "runtime error: stack overflow (recursion too deep)\n";
    }
    char text[512];
    size_t n = strlen(msg);
    if (n >= sizeof text) n = sizeof text - 1;
    memcpy(text, msg, n);
    text[n > 0 ? n - 1 : 0] = 0;   /* without the newline */
    sigset_t set;                   /* leaving the handler by longjmp: let the next overflow in */
    sigemptyset(&set);
    sigaddset(&set, SIGSEGV);
    sigaddset(&set, SIGBUS);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    weir_catch_overflow(text);      /* inside `weir_catch`: Left */
    if (weir_rt_overflow_hook) weir_rt_overflow_hook(text);   /* inside a handler: the actor ends */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
  }
  flush_from_signal();
  ssize_t w = write(2, msg, strlen(msg));
  (void)w;
  _exit(1);
}

/* The alternate signal stack of a thread, released when the thread ends. */
static pthread_key_t altstack_key;
static void free_altstack(void* p) {
  stack_t ss;
  memset(&ss, 0, sizeof ss);
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, NULL);
  free(p);
}

static void install_handlers_once(void) {
  pthread_key_create(&altstack_key, free_altstack);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = fatal_signal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
}

/* Every thread that runs Weir code calls this first: it records the thread's stack (to tell a
 * stack overflow from another fault) and gives the thread an alternate signal stack (the handler
 * cannot run on the stack that overflowed). The handlers are installed once per process. */
void weir_rt_thread_signals(void) {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void* addr;
    size_t size;
    if (pthread_attr_getstack(&attr, &addr, &size) == 0) { stack_lo = (char*)addr; stack_size = size; }
    pthread_attr_destroy(&attr);
  }
  const char* check = getenv("WEIR_STACK_CHECK");
  if (stack_lo && !(check && strcmp(check, "0") == 0))
    weir_stack_limit = (uintptr_t)stack_lo + (stack_size / 8 < STACK_MARGIN ? stack_size / 8 : STACK_MARGIN);
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, install_handlers_once);
  if (pthread_getspecific(altstack_key)) return;
  char* altstack = (char*)malloc(1 << 16);
  if (!altstack) return;
  stack_t ss;
  ss.ss_sp = altstack;
  ss.ss_size = 1 << 16;
  ss.ss_flags = 0;
  sigaltstack(&ss, NULL);
  pthread_setspecific(altstack_key, altstack);   /* freed when the thread ends */
}

struct start_args { void (*body)(void); int status; };

static void* program_thread(void* p) {
  struct start_args* a = (struct start_args*)p;
  weir_rt_thread_signals();
  a->body();
  /* main has returned: wait until every actor is idle with no timer pending (or an explicit
   * exit), then the scheduler ends every actor left (runtime/sched/README.md, lifetime). */
  if (weir_sched_workers() > 0) a->status = weir_sched_wait();
  if (a->status == 0) a->status = weir_leak_check_at_exit();
  weir_heap_counts_final = 1;   /* counted: the process ends now */
  weir_heap_thread_exit();
  return NULL;
}

/* SIGINT and SIGTERM: a clean stop. Every thread blocks them; this thread waits for them. With
 * actors running, the scheduler is told to exit (each actor finishes the message in hand, no new
 * ones start) and the program ends with status 128 + the signal; if it is still busy after
 * WEIR_SHUTDOWN_SECONDS (default 5) -- main itself in a long computation, a handler that never
 * returns -- or at a second signal, it ends at once. Without actors it ends at once, after
 * flushing standard output. */
int weir_sched_workers(void);
void weir_sched_exit(int code);

/* Set by the rule engine: a signal first asks it to stop (disconnect, summary) before the
 * scheduler is told to exit. */
void (*weir_rt_shutdown_hook)(int code);

static void* signal_thread(void* unused) {
  (void)unused;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {}
  int code = 128 + sig;
  int engine = weir_rt_shutdown_hook != NULL;
  if (engine) weir_rt_shutdown_hook(code);   /* the rule engine stops in order, then exits */
  if (engine || weir_sched_workers() > 0) {
    if (!engine) weir_sched_exit(code);
    const char* e = getenv("WEIR_SHUTDOWN_SECONDS");
    int secs = e && *e ? atoi(e) : 5;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += secs > 0 ? secs : 0;
    while (sigtimedwait(&set, NULL, &(struct timespec){0, 0}) < 0) {
      struct timespec now;
      clock_gettime(CLOCK_REALTIME, &now);
      if (now.tv_sec > deadline.tv_sec || (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec)) break;
      struct timespec step = {0, 20 * 1000 * 1000};
      nanosleep(&step, NULL);
    }
    flush_from_signal();
    fprintf(stderr, "weir: stopping at once (signal %d; the program did not end within %d s)\n", sig, secs);
  } else {
    flush_from_signal();
  }
  _exit(code);
  return NULL;
}

static void start_signal_thread(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) return;   /* every thread created from here inherits it */
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 1 << 16);
  if (pthread_create(&t, &attr, signal_thread, NULL) != 0) pthread_sigmask(SIG_UNBLOCK, &set, NULL);
  pthread_attr_destroy(&attr);
}

int weir_rt_main(int argc, char** argv, void (*body)(void)) {
  weir_rt_init(argc, argv);
  start_signal_thread();
  size_t size = parse_size(getenv("WEIR_STACK_SIZE"), (size_t)1 << 30);
  struct start_args a = {body, 0};
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  int ok = 0;
  for (; size >= ((size_t)1 << 20) && !ok; size /= 4) {
    if (pthread_attr_setstacksize(&attr, size) != 0) continue;
    pthread_attr_setguardsize(&attr, 65536);
    ok = pthread_create(&t, &attr, program_thread, &a) == 0;
  }
  pthread_attr_destroy(&attr);
  if (ok) pthread_join(t, NULL);
  else program_thread(&a);
  weir_rt_exit();
  return a.status;
}
