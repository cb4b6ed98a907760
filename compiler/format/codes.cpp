#include "diag/codes.hpp"

namespace weir {

namespace {
const CodeInfo kCodes[] = {
  {"E0950", "the formatter would change the program",
   "`weir fmt` rewrites only the spaces, indentation and blank lines of a file, then parses the\n"
   "result again and compares it with the original. When the two differ (a different syntax\n"
   "tree, a lost comment, or a file that no longer parses), the formatter has a bug: it leaves\n"
   "the file untouched and reports this error instead of writing a changed program.\n\n"
   "Please report it with the file. Until it is fixed, the file can opt out of formatting with\n"
   "a comment line containing `weir-fmt: skip`.\n"
   "\n"
   "Example:\n"
   "\n"
   "    weir fmt src/Odd.weir\n"
   "\n"
   "Fix: keep the file as written until the formatter is fixed.\n"
   "\n"
   "    -- weir-fmt: skip (layout the formatter gets wrong)\n"},
};
}  // namespace

std::span<const CodeInfo> formatCodes() { return kCodes; }

}  // namespace weir
