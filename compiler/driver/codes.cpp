#include "diag/codes.hpp"

namespace weir {

namespace {
const CodeInfo kCodes[] = {
  {"E0900", "cannot read the source file",
   "The file given to weir does not exist, is a directory, cannot be read, or is not valid\n"
   "UTF-8 text. Weir source files are UTF-8 and end in `.weir`.\n"
   "\n"
   "Example:\n"
   "\n"
   "    weir check rules.wier\n"
   "\n"
   "Fix: give the path of a readable `.weir` file.\n"
   "\n"
   "    weir check rules.weir\n"},
  {"E0901", "no main",
   "`weir build` and `weir run` need a `main :: IO ()` in the program's module.\n"
   "\n"
   "Example:\n"
   "\n"
   "    weir run Fleet/Alerts.weir      # a library module without main\n"
   "\n"
   "Fix: build the program that imports it (or add a `main`).\n"
   "\n"
   "    weir run main.weir\n"},
  {"E0902", "undefined C function",
   "A `foreign import ccall \"symbol\"` names a C function that neither the Weir runtime nor\n"
   "any library the program links defines.\n"
   "\n"
   "Example:\n"
   "\n"
   "    foreign import ccall \"weir_rt_now_msec\" nowMs :: IO Int\n"
   "\n"
   "Fix: check the spelling of the symbol, or link the library that defines it.\n"
   "\n"
   "    foreign import ccall \"weir_rt_now_ms\" nowMs :: IO Int\n"},
  {"E0904", "runtime library missing",
   "Every executable is linked with the Weir runtime library (libweir_rt.a). weir looks\n"
   "for it beside itself (../lib/weir/ in an installation), in its build tree, or where\n"
   "WEIR_RUNTIME says.\n"
   "\n"
   "Example:\n"
   "\n"
   "    weir build rules.weir           # with weir copied alone to another folder\n"
   "\n"
   "Fix: build it with `make`, or point WEIR_RUNTIME at it.\n"
   "\n"
   "    WEIR_RUNTIME=/opt/weir/lib/weir/libweir_rt.a weir build rules.weir\n"},
  {"E0905", "no runtime for the target",
   "`--target` makes code for another CPU, but an executable also needs the Weir runtime\n"
   "built for that CPU, which this installation does not have yet. `--emit=obj` and\n"
   "`--emit=asm` work for any target; linking for ARM gateways comes with the cross-built\n"
   "runtime.\n"
   "\n"
   "Example:\n"
   "\n"
   "    weir build rules.weir --target aarch64-linux-gnu\n"
   "\n"
   "Fix: emit an object file and link it on the gateway.\n"
   "\n"
   "    weir build rules.weir --target aarch64-linux-gnu --emit=obj\n"},
  {"E0903", "unknown CPU",
   "`--cpu` names the processor the executable is optimised for. Without it, weir builds\n"
   "for the baseline of the target architecture (x86-64: every 64-bit x86 CPU; aarch64:\n"
   "armv8-a), so a binary built on one machine runs on every machine of that architecture.\n"
   "`--cpu=native` uses every feature of the machine that builds (the binary may then stop\n"
   "with an illegal instruction on an older CPU); otherwise give an LLVM CPU name.\n"
   "\n"
   "Example:\n"
   "\n"
   "    weir build rules.weir --cpu=haswel\n"
   "\n"
   "Fix:\n"
   "\n"
   "    weir build rules.weir --cpu=x86-64-v3            # Haswell (2013) and later, AVX2\n"
   "    weir build rules.weir --target aarch64-linux-gnu --cpu=cortex-a72   # Raspberry Pi 4\n"},
};
}  // namespace

std::span<const CodeInfo> driverCodes() { return kCodes; }

}  // namespace weir
