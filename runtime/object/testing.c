/* The runtime side of the Test module (stdlib/Test.weir, `weir test`):
 *   weir_test_here   the source location of the latest call from user code into a library
 *                    function that asks for it (compiler/core/callsite.cpp keeps the locations
 *                    of calls of such functions): where an assertion or a test was written
 *   weir_test_fail   fails the running test: inside `weir_catch` it comes back as Left
 *                    "LOCATION: <marker>message" (Test.weir tells it from a crash by the marker);
 *                    outside, the program ends as for `error`
 *   weir_test_args   the program's arguments (`--seed N`, `--filter PATTERN`)
 *   weir_test_mix    the SplitMix64 finaliser, the property tests' random numbers */
#include <stdio.h>
#include <string.h>

#include "values.h"
#include "weir/rt.h"

extern _Thread_local const char* weir_rt_call_site;   /* io.c: the running thread's */
extern int weir_argc;
extern char** weir_argv;
void weir_catch_error(const char* message, const char* location);   /* catch.c */
void weir_rt_panic(const char* message, const char* location);

/* here :: () -> String */
weir_obj* weir_test_here(weir_obj* unit) {
  (void)unit;
  const char* s = weir_rt_call_site ? weir_rt_call_site : "";
  return weir_string_new(s, strlen(s));
}

/* failC :: String -> String -> IO a   (location, message). The text is copied to the stack
 * first: the jump out of weir_catch_error skips any free. */
weir_obj* weir_test_fail(weir_obj* location, weir_obj* message) {
  char loc[512], msg[2048];
  snprintf(loc, sizeof loc, "%.*s", (int)weir_string_len(location), weir_string_data(location));
  snprintf(msg, sizeof msg, "\x01%.*s", (int)weir_string_len(message), weir_string_data(message));
  weir_drop(location);
  weir_drop(message);
  weir_catch_error(msg, loc);   /* does not return inside weir_catch */
  weir_rt_panic(msg + 1, loc);
  return WEIR_UNIT;
}

/* args :: IO [String] -- without the program's name */
weir_obj* weir_test_args(void) {
  weir_obj* list = weir_nil();
  for (int i = weir_argc - 1; i >= 1; i--)
    list = weir_cons(weir_string_new(weir_argv[i], strlen(weir_argv[i])), list);
  return list;
}

/* mix :: Int -> Int */
weir_obj* weir_test_mix(weir_obj* x) {
  uint64_t z = (uint64_t)weir_take_int(x);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z = z ^ (z >> 31);
  return weir_box_int((int64_t)z);
}
