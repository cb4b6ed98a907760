/* Unwinding out of a failed computation: a run-time error inside `weir_catch` (catch.c) or inside
 * an actor's handler (runtime/sched/worker.c) ends at a boundary that was set with setjmp. Before
 * jumping there, every compiled frame between the error and the boundary gives back what it owns:
 * the compiler turns each call that may fail into an `invoke` whose landing pad drops the
 * references the frame holds at that call and resumes the unwinding (compiler/codegen,
 * docs/architecture.md "Run-time errors: unwinding").
 *
 * The unwinding is a forced unwind (_Unwind_ForcedUnwind, phase 2 only, the way glibc cancels a
 * thread): nothing in compiled code catches, so there is no search phase; a stop function,
 * called for every frame before its personality routine, jumps to the boundary as soon as the
 * next frame to unwind is the boundary's own (its canonical frame address is above the
 * boundary's frame address: the stack grows down) or the unwinder finds no more frames. C frames
 * in between (the scheduler's, weir_apply) have no landing pads and are passed through.
 * Threading: the state is per thread; an unwinding ends (longjmp) before the thread can raise
 * another error (landing pads only drop). */
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <unwind.h>

#include "weir/rt.h"

static _Thread_local struct {
  jmp_buf* jb;
  uintptr_t boundary;
  struct _Unwind_Exception exc;   /* alive until the longjmp (the unwinder keeps a pointer) */
} unwinding;

static _Unwind_Reason_Code stop(int version, _Unwind_Action actions, _Unwind_Exception_Class cls,
                                struct _Unwind_Exception* exc, struct _Unwind_Context* ctx, void* arg) {
  (void)version;
  (void)cls;
  (void)exc;
  (void)arg;
  if ((actions & _UA_END_OF_STACK) || (uintptr_t)_Unwind_GetCFA(ctx) > unwinding.boundary)
    longjmp(*unwinding.jb, 1);
  return _URC_NO_REASON;
}

void weir_unwind_to(void* jb, void* boundary) {
  unwinding.jb = (jmp_buf*)jb;
  unwinding.boundary = (uintptr_t)boundary;
  memset(&unwinding.exc, 0, sizeof unwinding.exc);
  unwinding.exc.exception_class = 0x5745495200000000ull;   /* "WEIR\0\0\0\0" */
  _Unwind_ForcedUnwind(&unwinding.exc, stop, NULL);
  longjmp(*unwinding.jb, 1);   /* the unwinder could not start: the frames' values stay (as before) */
}
