// The compiler's large-page heap (driver/heap.hpp): after the call, a step of at least 32 MiB of
// the brk heap is marked for transparent huge pages (VmFlags "hg" in /proc/self/smaps).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>

#include "driver/heap.hpp"

TEST_CASE("useLargePageHeap marks a large step of the heap for huge pages", "[driver][heap]") {
  struct stat st {};
  if (::stat("/sys/kernel/mm/transparent_hugepage", &st) != 0) {
    WARN("this kernel has no transparent huge pages: nothing to check");
    return;
  }
  unsetenv("WEIR_HUGE_HEAP");
  weir::driver::useLargePageHeap();
  std::ifstream smaps("/proc/self/smaps");
  REQUIRE(smaps);
  unsigned long long start = 0, end = 0, marked = 0;
  bool heap = false;
  for (std::string line; std::getline(smaps, line);) {
    if (line.rfind("VmFlags:", 0) == 0) {
      if (heap && (line + " ").find(" hg ") != std::string::npos) marked += end - start;
      continue;
    }
    // A mapping's first line: "START-END perms offset dev inode [name]".
    unsigned long long s = 0, e = 0;
    char dash = 0;
    std::istringstream fields(line);
    if (fields >> std::hex >> s >> dash >> e && dash == '-') {
      start = s;
      end = e;
      heap = line.find("[heap]") != std::string::npos;
    }
  }
  CHECK(marked >= (32ull << 20));
}
