#include "diag/codes.hpp"

namespace weir {

namespace {
const CodeInfo kCodes[] = {
  {"E0900", "cannot read the source file",
   "The file given to weir does not exist, is a directory, cannot be read, or is not valid\n"
   "UTF-8 text. Weir source files are UTF-8 and end in `.weir`."},
  {"E0901", "no main",
   "`weir build` and `weir run` need a `main :: IO ()` in the program's module."},
  {"E0902", "undefined C function",
   "A `foreign import ccall \"symbol\"` names a C function that neither the Weir runtime nor any\n"
   "library the program links defines. Check the spelling of the symbol."},
  {"E0903", "unknown CPU",
   "`--cpu` names the processor the executable is optimised for. Without it, weir builds for the\n"
   "baseline of the target architecture (x86-64: every 64-bit x86 CPU; aarch64: armv8-a), so a\n"
   "binary built on one machine runs on every machine of that architecture.\n"
   "`--cpu=native` uses every feature of the machine that builds (the binary may then stop with\n"
   "an illegal instruction on an older CPU); otherwise give an LLVM CPU name:\n\n"
   "    weir build rules.weir --cpu=x86-64-v3            # Haswell (2013) and later, AVX2\n"
   "    weir build rules.weir --target aarch64-linux-gnu --cpu=cortex-a72   # Raspberry Pi 4"},
};
}  // namespace

std::span<const CodeInfo> driverCodes() { return kCodes; }

}  // namespace weir
