#!/bin/sh
# Builds the runtime and its unit tests twice more, with ThreadSanitizer and with
# AddressSanitizer (LeakSanitizer included), and runs the scheduler tests ([sched]) in each.
# Fails (non-zero) if a sanitizer build cannot be configured, built or run: never passes silently.
# Usage: sched_sanitize.sh <source dir> <work dir>   (CTest: label `sanitize`)
set -eu
SRC=${1:?source dir}
WORK=${2:?work dir}
MAIN_BUILD=$(dirname "$WORK")   # CTest passes <build dir>/sanitize
FILTER=${WEIR_SANITIZE_FILTER:-[sched]}
JOBS=${WEIR_SANITIZE_JOBS:-2}
# Smaller loops: TSan is 5-15x slower (the tests read WEIR_TEST_SCALE).
export WEIR_TEST_SCALE=${WEIR_TEST_SCALE:-10}

run() {   # name, flags
  name=$1; flags=$2; dir=$WORK/$name
  echo "== $name: configure ($flags)"
  # -O1 -g1 (line tables: enough for the reports) instead of -O2 -g, no LTO in the rule engine's
  # prelink, and the main build's Catch2 main when there is one: the same checks in less build time.
  catch_main=$MAIN_BUILD/tests/libweir_catch_main.a
  [ -f "$catch_main" ] || catch_main=
  cmake -S "$SRC" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=None \
    "-DCMAKE_C_FLAGS=-O1 -g1 $flags" "-DCMAKE_CXX_FLAGS=-O1 -g1 $flags" \
    "-DCMAKE_EXE_LINKER_FLAGS=$flags" -DWEIR_RULE_PRELINK_LTO=OFF \
    "-DWEIR_CATCH_MAIN_LIB=$catch_main" >"$dir.configure.log" 2>&1 \
    || { cat "$dir.configure.log"; echo "FAIL: $name: cannot configure"; exit 1; }
  echo "== $name: build"
  nice -n 10 ninja -C "$dir" -j"$JOBS" weir_runtime_tests >"$dir.build.log" 2>&1 \
    || { tail -50 "$dir.build.log"; echo "FAIL: $name: cannot build"; exit 1; }
  # The binary must really be instrumented (a cached plain build would pass silently).
  nm "$dir/tests/weir_runtime_tests" | grep -q "__${name}_init" \
    || { echo "FAIL: $name: the test binary is not instrumented"; exit 1; }
  echo "== $name: run $FILTER"
  "$dir/tests/weir_runtime_tests" "$FILTER" \
    || { echo "FAIL: $name: tests or sanitizer reports"; exit 1; }
}

mkdir -p "$WORK"
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
  run tsan "-fsanitize=thread -fno-omit-frame-pointer"
ASAN_OPTIONS="detect_leaks=1:halt_on_error=1" \
  run asan "-fsanitize=address -fno-omit-frame-pointer"
echo "sched_sanitize: OK (tsan, asan+lsan)"
