// `weir fmt [--check] [--stdin] [PATH...]` (docs/cli.md).
#pragma once
#include <string>
#include <vector>

namespace weir::format {

struct FmtOptions {
  std::vector<std::string> paths;  // files, folders (every *.weir below them) or `-` (standard input)
  bool check = false;              // report files that would change, write nothing
  bool stdinMode = false;          // read standard input, write standard output
  bool colour = false;
};

// Returns the exit status: 0 all formatted (or, with --check, nothing to change),
// 1 a file would change (--check), does not parse, cannot be read or written.
int runFmt(const FmtOptions& opts);

}  // namespace weir::format
