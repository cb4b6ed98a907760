// The compiler's heap: one arena grown in large steps on 2 MiB pages.
#pragma once

namespace weir::driver {

// Call first thing in main(), before any thread starts. A short `weir check` touches a few
// thousand fresh 4 KiB pages of heap, and on a virtual machine a page fault costs several
// microseconds: faults were a third of the time of checking a small file. Growing the heap in
// 64 MiB steps that the kernel may back with 2 MiB pages takes most of them away. Reserved
// address space costs nothing until touched. WEIR_HUGE_HEAP=0 leaves malloc as it is.
void useLargePageHeap();

}  // namespace weir::driver
