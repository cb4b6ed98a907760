#include "format/command.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "diag/source.hpp"
#include "format/format.hpp"

namespace weir::format {

namespace fs = std::filesystem;

namespace {

// Expands folders into their *.weir files (recursively, sorted; hidden folders skipped).
bool expand(const std::vector<std::string>& paths, std::vector<std::string>& files) {
  bool ok = true;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (p != "-" && fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (it->is_directory() && name.starts_with(".")) { it.disable_recursion_pending(); continue; }
        if (it->is_regular_file() && it->path().extension() == ".weir") found.push_back(it->path().string());
      }
      if (ec) { std::fprintf(stderr, "error[E0900]: cannot read folder %s: %s\n", p.c_str(), ec.message().c_str()); ok = false; }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(p);
    }
  }
  return ok;
}

int formatStdin(const FmtOptions& o) {
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  Result r = formatSource("<stdin>", text, o.colour);
  if (r.status == Result::Error) {
    std::fputs(r.message.c_str(), stderr);
    return 1;
  }
  if (o.check) {
    if (r.text == text) return 0;
    std::puts("<stdin>");
    return 1;
  }
  std::fwrite(r.text.data(), 1, r.text.size(), stdout);
  return 0;
}

}  // namespace

int runFmt(const FmtOptions& o) {
  if (o.stdinMode || (o.paths.size() == 1 && o.paths[0] == "-")) return formatStdin(o);
  if (o.paths.empty()) {
    std::fputs("error: weir fmt needs files or folders to format (or - for standard input)\n", stderr);
    return 1;
  }
  std::vector<std::string> files;
  int status = expand(o.paths, files) ? 0 : 1;
  int changed = 0;
  for (const std::string& f : files) {
    std::string text, error;
    if (!readSourceFile(f, text, error)) {
      std::fprintf(stderr, "error[E0900]: %s\n", error.c_str());
      status = 1;
      continue;
    }
    Result r = formatSource(f, text, o.colour);
    if (r.status == Result::Error) {
      std::fputs(r.message.c_str(), stderr);
      status = 1;
      continue;
    }
    if (r.status == Result::Skipped || r.text == text) continue;
    ++changed;
    if (o.check) {
      std::printf("%s\n", f.c_str());
      status = 1;
      continue;
    }
    std::string tmp = f + ".weir-fmt.tmp";
    {
      std::ofstream out(tmp, std::ios::binary);
      out << r.text;
      if (!out) { std::fprintf(stderr, "error: cannot write %s\n", tmp.c_str()); status = 1; continue; }
    }
    std::error_code ec;
    fs::permissions(tmp, fs::status(f, ec).permissions(), ec);
    fs::rename(tmp, f, ec);
    if (ec) {
      std::fprintf(stderr, "error: cannot replace %s: %s\n", f.c_str(), ec.message().c_str());
      fs::remove(tmp, ec);
      status = 1;
    }
  }
  if (o.check && changed > 0)
    std::fprintf(stderr, "%d file%s not formatted; run `weir fmt` on %s\n", changed, changed == 1 ? " is" : "s are",
                 changed == 1 ? "it" : "them");
  return status;
}

}  // namespace weir::format
