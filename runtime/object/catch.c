/* Catching run-time errors: `weir_catch(io)` runs an IO action and returns Right its result, or
 * Left the error text ("file:line:col: runtime error: message") when the action hits a run-time
 * error (error, division by zero, head [], a stack overflow). The rule engine runs every handler
 * so: a payload that makes a rule fail is counted and logged, and the rule keeps running.
 * What the failed action's frames held at the moment of the error is freed on the way out: the
 * compiled frames' landing pads drop it (unwind.c), also after a stack overflow that compiled
 * code's stack check raised (weir_rt_stack_overflow, io.c). One that only the SIGSEGV backstop
 * catches (inside C code) jumps straight back, and those frames' values stay
 * (docs/architecture.md). Threading: a frame belongs to the thread that set it. */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "values.h"
#include "weir/rt.h"

weir_obj* weir_apply2(weir_obj* f, weir_obj* a, weir_obj* b) __attribute__((weak));

typedef struct catch_frame {
  jmp_buf jb;
  void* boundary;   /* weir_catch's frame address: the unwinding stops there */
  struct catch_frame* prev;
  char text[2048];
} catch_frame;

static _Thread_local catch_frame* top;

void* (*weir_rt_handler_boundary)(void);

/* Called by weir_rt_panic before anything else: inside a catch frame, it does not return --
 * unless an actor's turn runs deeper than that frame (a callee's turn nested in a `call` made
 * inside weir_catch, runtime/sched/worker.c): the error then ends that actor only. */
void weir_catch_error(const char* message, const char* location) {
  catch_frame* f = top;
  if (!f) return;
  void* h = weir_rt_handler_boundary ? weir_rt_handler_boundary() : NULL;
  if (h && (uintptr_t)h < (uintptr_t)f->boundary) return;   /* the handler is the inner one */
  if (location && *location) snprintf(f->text, sizeof f->text, "%s: runtime error: %s", location, message);
  else snprintf(f->text, sizeof f->text, "runtime error: %s", message);
  weir_unwind_to(&f->jb, f->boundary);
}

/* A stack overflow caught by the SIGSEGV backstop (the whole text is prepared by io.c): no
 * unwinding, the fault may be anywhere. */
void weir_catch_overflow(const char* text) {
  catch_frame* f = top;
  if (!f) return;
  snprintf(f->text, sizeof f->text, "%s", text);
  longjmp(f->jb, 1);
}

int weir_catch_active(void) { return top != NULL; }

/* weir_catch :: (() -> IO a) -> IO (Either String a)
 * Weir is strict: the arguments of an action are computed when the action is built, so the
 * work is passed as a function of () and both building and running the action happen inside
 * the frame. */
weir_obj* weir_catch(weir_obj* work) {
  catch_frame f;
  f.prev = top;
  f.text[0] = 0;
  f.boundary = __builtin_frame_address(0);
  top = &f;
  if (setjmp(f.jb)) {
    top = f.prev;
    weir_obj* s = weir_string_new(f.text, strlen(f.text));
    weir_obj* l[1] = {s};
    return weir_con_new(0, 1, l);   /* Left */
  }
  weir_obj* r = weir_apply2(work, WEIR_UNIT, WEIR_UNIT);   /* build and run it (IO is world-passing) */
  top = f.prev;
  weir_obj* x[1] = {r};
  return weir_con_new(1, 1, x);     /* Right */
}
