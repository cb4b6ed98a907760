#include "codegen/link_cache.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Program.h>
#include <llvm/Support/xxhash.h>
#include <optional>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace weir::codegen {

using namespace llvm;

namespace {

// Stand for the object and the executable in a cached command (never passed to a program).
const std::string kObject = "<weir:object>", kExecutable = "<weir:executable>";

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs argv, its stdout and stderr both into `output`; the exit status, or -1 with the reason
// in `output` when it could not be started.
int execute(const std::vector<std::string>& argv, std::string& output) {
  SmallString<128> outFile;
  if (sys::fs::createTemporaryFile("weir-link", "txt", outFile)) {
    output = "cannot create a temporary file";
    return -1;
  }
  std::vector<StringRef> refs(argv.begin(), argv.end());
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(outFile), StringRef(outFile)};
  std::string msg;
  int rc = sys::ExecuteAndWait(argv[0], refs, std::nullopt, redirects, 0, 0, &msg);
  output = readFile(std::string(outFile));
  sys::fs::remove(outFile);
  if (rc < 0) output = msg.empty() ? "cannot run " + argv[0] : msg;
  return rc;
}

// $XDG_CACHE_HOME/weir/link, else ~/.cache/weir/link; empty without either.
std::string cacheDir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && x[0] == '/') return std::string(x) + "/weir/link";
  if (const char* h = std::getenv("HOME"); h && h[0] == '/') return std::string(h) + "/.cache/weir/link";
  return {};
}

// The entry's file: a hash of the command with placeholders and of the driver's identity (size
// and modification time: a new clang may choose another linker line).
std::string entryPath(const std::string& dir, const std::vector<std::string>& templ) {
  std::string key;
  for (const auto& a : templ) key += a + '\0';
  struct stat st {};
  if (::stat(templ[0].c_str(), &st) != 0) return {};
  key += std::to_string(st.st_size) + ':' + std::to_string(st.st_mtim.tv_sec) + '.' +
         std::to_string(st.st_mtim.tv_nsec);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(xxHash64(key)));
  return dir + "/" + hex + ".args";
}

// A command with the two paths as placeholders (what an entry holds), and back.
std::vector<std::string> toTemplate(std::vector<std::string> args, const std::string& obj, const std::string& exe) {
  std::replace(args.begin(), args.end(), obj, kObject);
  std::replace(args.begin(), args.end(), exe, kExecutable);
  return args;
}
std::vector<std::string> fromTemplate(std::vector<std::string> args, const std::string& obj, const std::string& exe) {
  std::replace(args.begin(), args.end(), kObject, obj);
  std::replace(args.begin(), args.end(), kExecutable, exe);
  return args;
}

// An entry: the arguments, each ended by a NUL. Empty when missing or malformed.
std::vector<std::string> readEntry(const std::string& path) {
  std::string data = readFile(path);
  std::vector<std::string> args;
  if (data.empty() || data.back() != '\0') return {};
  for (size_t start = 0, end; start < data.size(); start = end + 1) {
    end = data.find('\0', start);
    args.push_back(data.substr(start, end - start));
  }
  auto count = [&](const std::string& s) { return std::count(args.begin(), args.end(), s); };
  if (args[0].empty() || args[0][0] != '/' || count(kObject) != 1 || count(kExecutable) != 1) return {};
  return args;
}

// Written beside and renamed into place, so concurrent builds never read half an entry.
void writeEntry(const std::string& path, const std::vector<std::string>& args) {
  if (sys::fs::create_directories(sys::path::parent_path(path))) return;
  std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary);
    for (const auto& a : args) out << a << '\0';
    if (!out) {
      sys::fs::remove(tmp);
      return;
    }
  }
  if (sys::fs::rename(tmp, path)) sys::fs::remove(tmp);
}

}  // namespace

std::vector<std::string> parseDriverCommand(const std::string& text) {
  std::vector<std::string> args;
  int commands = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(" \"", 0) != 0) continue;  // version and target lines
    if (++commands > 1) return {};
    // Arguments in double quotes, separated by spaces; a backslash escapes the next character.
    for (size_t i = 0; i < line.size();) {
      if (line[i] == ' ') {
        ++i;
        continue;
      }
      if (line[i] != '"') return {};
      std::string arg;
      for (++i; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) ++i;
        arg += line[i];
      }
      if (i >= line.size()) return {};  // no closing quote
      ++i;
      args.push_back(std::move(arg));
    }
  }
  if (commands != 1 || args.empty()) return {};
  return args;
}

int runLink(const std::vector<std::string>& driverArgs, const std::string& objPath, const std::string& exePath,
            std::string& output) {
  const char* off = std::getenv("WEIR_LINK_CACHE");
  std::string dir = off && std::string(off) == "0" ? std::string() : cacheDir();
  std::string entry = dir.empty() ? std::string() : entryPath(dir, toTemplate(driverArgs, objPath, exePath));
  if (entry.empty()) return execute(driverArgs, output);

  if (auto cached = readEntry(entry); !cached.empty()) {
    int rc = execute(fromTemplate(std::move(cached), objPath, exePath), output);
    if (rc == 0) return 0;
    sys::fs::remove(entry);  // stale, or the link itself fails: clang decides below
  }

  std::vector<std::string> dryRun = driverArgs;
  dryRun.insert(dryRun.begin() + 1, "-###");
  std::string printed;
  if (execute(dryRun, printed) == 0) {
    std::vector<std::string> cmd = parseDriverCommand(printed);
    auto count = [&](const std::string& s) { return std::count(cmd.begin(), cmd.end(), s); };
    if (!cmd.empty() && cmd[0][0] == '/' && count(objPath) == 1 && count(exePath) == 1) {
      int rc = execute(cmd, output);
      if (rc == 0) writeEntry(entry, toTemplate(cmd, objPath, exePath));
      return rc;
    }
  }
  return execute(driverArgs, output);
}

}  // namespace weir::codegen
