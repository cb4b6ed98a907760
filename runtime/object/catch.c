/* Catching run-time errors: `weir_catch(io)` runs an IO action and returns Right its result, or
 * Left the error text ("file:line:col: runtime error: message") when the action hits a run-time
 * error (error, division by zero, head [], a stack overflow). The rule engine runs every handler
 * so: a payload that makes a rule fail is counted and logged, and the rule keeps running.
 * What the failed action held at the moment of the error is not freed (as for a crashed actor:
 * nothing records which of its values were already given away); the loss is bounded by one
 * action's working set. Threading: a frame belongs to the thread that set it. */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include "values.h"
#include "weir/rt.h"

weir_obj* weir_apply2(weir_obj* f, weir_obj* a, weir_obj* b) __attribute__((weak));

typedef struct catch_frame {
  jmp_buf jb;
  struct catch_frame* prev;
  char text[2048];
} catch_frame;

static _Thread_local catch_frame* top;

/* Called by weir_rt_panic and the stack-overflow handler (io.c) before anything else: inside a
 * catch frame, it does not return. */
void weir_catch_error(const char* message, const char* location) {
  catch_frame* f = top;
  if (!f) return;
  if (location && *location) snprintf(f->text, sizeof f->text, "%s: runtime error: %s", location, message);
  else snprintf(f->text, sizeof f->text, "runtime error: %s", message);
  longjmp(f->jb, 1);
}

/* A stack overflow (the whole text is prepared by io.c). */
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
