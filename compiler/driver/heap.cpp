#include "driver/heap.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

namespace weir::driver {

void useLargePageHeap() {
  if (const char* e = std::getenv("WEIR_HUGE_HEAP"); e && std::strcmp(e, "0") == 0) return;
  constexpr std::size_t step = std::size_t(64) << 20, huge = std::size_t(2) << 20;
  // One arena (the compiler runs on one thread besides main, which only waits), grown by brk
  // in 64 MiB steps and never trimmed; large blocks come from it too instead of from mmap, so
  // LLVM's buffers share the large pages.
  mallopt(M_ARENA_MAX, 1);
  mallopt(M_TOP_PAD, int(step));
  mallopt(M_TRIM_THRESHOLD, int(step) * 2);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  auto start = reinterpret_cast<std::uintptr_t>(sbrk(0));
  // Grow the heap now (a block larger than what is left at the top), so the step just taken
  // can be marked; later steps stay on 4 KiB pages.
  void* volatile block = std::malloc(256 << 10);  // volatile: a malloc/free pair may be elided
  std::free(block);
  auto end = reinterpret_cast<std::uintptr_t>(sbrk(0));
  std::uintptr_t lo = (start + huge - 1) & ~(huge - 1), hi = end & ~(huge - 1);
  if (hi > lo) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
}

}  // namespace weir::driver
