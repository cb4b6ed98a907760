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
};
}  // namespace

std::span<const CodeInfo> driverCodes() { return kCodes; }

}  // namespace weir
