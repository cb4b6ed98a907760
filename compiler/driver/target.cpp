#include "driver/target.hpp"

#include <cstdlib>
#include <filesystem>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/Triple.h>
#include <vector>

#include "driver/driver.hpp"
#include "weir/paths.hpp"

namespace weir::driver {

namespace fs = std::filesystem;

namespace {

bool exists(const std::string& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

std::string exeDir() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : p.parent_path().string();
}

// A cross target weir can link for: the Debian packages behind it (docs/deploy.md).
struct CrossTarget {
  const char* name;         // runtime folder: build/runtime-NAME, lib/weir/NAME
  const char* debianArch;   // multiarch suffix of the target's -dev packages
};
const CrossTarget kCross[] = {{"aarch64-linux-gnu", "arm64"}};

std::string packagesFor(const CrossTarget& t) {
  std::string n = t.name, a = t.debianArch;
  return "gcc-" + n + " g++-" + n + " libc6-dev-" + a + "-cross libssl-dev:" + a + " libutf8proc-dev:" + a;
}

std::string remedyFor(const CrossTarget& t) {
  return "install the " + std::string(t.name) + " toolchain with `sudo dpkg --add-architecture " + std::string(t.debianArch) +
         " && sudo apt-get update && sudo apt-get install " + packagesFor(t) +
         "` (scripts/setup in the Weir sources does this)";
}

// The runtime library to link: libweir_rt.a, or with --no-tls the one beside it without TLS.
const char* runtimeName(bool noTls) { return noTls ? "libweir_rt_notls.a" : "libweir_rt.a"; }

RuntimeLookup crossRuntime(const CrossTarget& t, bool staticLink, bool noTls) {
  std::string n = t.name;
  // The C library, start files and libgcc/libstdc++ for the target (what clang links with).
  std::vector<std::pair<std::string, std::string>> needed = {
      {"/usr/" + n + "/lib/crt1.o", "the " + n + " C library (libc6-dev-" + t.debianArch + "-cross)"},
      {"/usr/lib/gcc-cross/" + n, "the " + n + " C++ cross compiler (g++-" + n + ")"},
      {"/usr/lib/" + n + (staticLink ? "/libssl.a" : "/libssl.so"),
       "OpenSSL for " + n + " (libssl-dev:" + t.debianArch + ")"},
  };
  if (noTls) needed.pop_back();  // no OpenSSL
  for (auto& [path, what] : needed)
    if (!exists(path))
      return {"", "E0905", "an executable for " + n + " needs " + what + ", which is not installed (" + path +
                               " is missing); " + remedyFor(t)};
  std::string lib = runtimeName(noTls);
  std::vector<std::string> candidates = {exeDir() + "/../lib/weir/" + n + "/" + lib,
                                         std::string(WEIR_BUILD_DIR) + "/runtime-" + n + "/" + lib};
  for (auto& c : candidates)
    if (exists(c)) return {c, "", ""};
  return {"", "E0905",
          "the Weir runtime for " + n + " is missing (looked for " + candidates[0] + " and " + candidates[1] +
              "); weir's build makes it when the cross compiler is installed: " + remedyFor(t) +
              ", then rebuild weir (`make`)"};
}

}  // namespace

std::string targetName(const std::string& triple) {
  llvm::Triple t(llvm::Triple::normalize(triple));  // aarch64-linux-gnu: linux is the OS, not a vendor
  if (!t.isOSLinux()) return "";
  if (t.getEnvironment() != llvm::Triple::GNU && t.getEnvironment() != llvm::Triple::UnknownEnvironment) return "";
  return std::string(llvm::Triple::getArchTypeName(t.getArch())) + "-linux-gnu";
}

RuntimeLookup findRuntime(const std::string& target, bool staticLink, bool noTls) {
  bool host = target.empty() ||
              llvm::Triple(target).getArch() == llvm::Triple(llvm::sys::getDefaultTargetTriple()).getArch();
  if (host) {
    std::string rt = runtimeLib();
    if (!exists(rt))
      return {"", "E0904",
              "the Weir runtime library is missing: " + rt +
                  (std::getenv("WEIR_RUNTIME") ? " (WEIR_RUNTIME points there)"
                                               : " (build it with `make`, or set WEIR_RUNTIME)")};
    if (noTls) {
      rt = (fs::path(rt).parent_path() / runtimeName(true)).string();
      if (!exists(rt))
        return {"", "E0904",
                "the Weir runtime without TLS (--no-tls) is missing: " + rt +
                    " (weir's build makes it beside libweir_rt.a: rebuild weir with `make`)"};
    }
    std::string simdjson = fs::path(rt).parent_path().string() + "/libsimdjson.a";
    if (staticLink && !exists(simdjson))
      return {"", "E0904",
              "a static executable needs " + simdjson +
                  " (simdjson built from source beside the runtime): run scripts/setup, which fetches "
                  "simdjson's source into /usr/local/src, then rebuild weir (`make`)"};
    return {rt, "", ""};
  }
  std::string name = targetName(target);
  for (auto& t : kCross)
    if (name == t.name) return crossRuntime(t, staticLink, noTls);
  std::string known;
  for (auto& t : kCross) known += std::string(known.empty() ? "" : ", ") + t.name;
  return {"", "E0905",
          "weir cannot link executables for " + target + ": it has runtimes for this machine (" +
              llvm::sys::getDefaultTargetTriple() + ") and " + known +
              "; `--emit=obj` and `--emit=asm` work for any 64-bit little-endian target"};
}

}  // namespace weir::driver
