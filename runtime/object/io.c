/* Start-up, buffered stdout, run-time errors. */
#include "weir/rt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void weir_objects_init(void);

#define OUT_CAP (1u << 16)
static char out_buf[OUT_CAP];
static size_t out_len;
static int out_is_tty;

void weir_stdout_flush(void) {
  size_t off = 0;
  while (off < out_len) {
    ssize_t w = write(1, out_buf + off, out_len - off);
    if (w <= 0) break; /* nowhere to report it: drop the output */
    off += (size_t)w;
  }
  out_len = 0;
}

void weir_stdout_write(const char* data, size_t len) {
  if (out_len + len > OUT_CAP) {
    weir_stdout_flush();
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

weir_obj* weir_put_str(weir_obj* s) {
  weir_stdout_write(weir_string_data(s), weir_string_len(s));
  weir_drop(s);
  if (out_is_tty) weir_stdout_flush();
  return WEIR_UNIT;
}

weir_obj* weir_put_str_ln(weir_obj* s) {
  weir_stdout_write(weir_string_data(s), weir_string_len(s));
  weir_stdout_write("\n", 1);
  weir_drop(s);
  if (out_is_tty) weir_stdout_flush();
  return WEIR_UNIT;
}

static int initialised;

void weir_rt_init(int argc, char** argv) {
  (void)argc; (void)argv;
  if (initialised) return;
  initialised = 1;
  weir_objects_init();
  out_is_tty = isatty(1);
}

void weir_rt_exit(void) { weir_stdout_flush(); }

void weir_rt_panic(const char* message, const char* location) {
  weir_stdout_flush();
  if (location && *location) fprintf(stderr, "%s: runtime error: %s\n", location, message);
  else fprintf(stderr, "runtime error: %s\n", message);
  fflush(stderr);
  exit(1);
}

void weir_rt_error(weir_obj* message, const char* location) {
  weir_rt_panic(weir_string_data(message), location);
}

void weir_rt_div_zero(const char* location) { weir_rt_panic("divide by zero", location); }
