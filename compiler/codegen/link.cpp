// Linking a compiled program with the runtime: the clang-16 command line for the host, a cross
// target (aarch64-linux-gnu, through Debian's gcc-cross files and multiarch libraries) and
// static executables. See docs/deploy.md.
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/Triple.h>

#include "codegen/codegen.hpp"
#include "codegen/link_cache.hpp"

namespace weir::codegen {

using namespace llvm;

namespace {

bool isCross(const std::string& triple) {
  return !triple.empty() && Triple(triple).getArch() != Triple(sys::getDefaultTargetTriple()).getArch();
}

// The libraries after the runtime. simdjson: Debian's shared library on the host; a static or
// cross executable takes libsimdjson.a from beside the runtime library (runtime/CMakeLists.txt).
// OpenSSL and libstdc++: the target's, from Debian multiarch (/usr/lib/TRIPLE).
void addLibraries(std::vector<std::string>& args, const std::string& runtimeLib, const Options& opts) {
  bool cross = isCross(opts.triple);
  if (opts.staticLink || cross) {
    args.push_back(std::string(sys::path::parent_path(runtimeLib)) + "/libsimdjson.a");
  }
  if (opts.staticLink) {
    args.push_back("-static");
    // libstdc++'s terminate handler prints a mangled type name instead of pulling in the 44 KB
    // demangler (runtime/object/nodemangle.c).
    args.push_back("-Wl,--wrap=__cxa_demangle");
  } else {
    // JSON decoding and the rule engine (MQTT client, OpenSSL) are C++: a program that uses
    // neither does not depend on their shared libraries.
    args.push_back("-Wl,--as-needed");
    if (!cross) args.push_back("-lsimdjson");
  }
  if (!opts.noTls) {
    args.push_back("-lssl");
    args.push_back("-lcrypto");
  }
  for (const char* a : {"-lstdc++", "-lm", "-lpthread"}) args.push_back(a);
  // Drop the runtime's functions the program does not reach (it is built with
  // -ffunction-sections); --strip also drops the symbol table and debug information.
  args.push_back("-Wl,--gc-sections");
  if (opts.strip) args.push_back("-s");
}

}  // namespace

std::vector<std::string> linkCommand(const std::string& objPath, const std::string& exePath,
                                     const std::string& runtimeLib, const Options& opts) {
  std::vector<std::string> args = {"/usr/bin/clang-16", objPath, runtimeLib, "-o", exePath};
  addLibraries(args, runtimeLib, opts);
  if (sys::fs::exists("/usr/bin/ld.lld-16")) args.push_back("-fuse-ld=lld-16");
  if (!opts.triple.empty()) args.push_back("--target=" + opts.triple);
  return args;
}

bool linkExecutable(const std::string& objPath, const std::string& exePath, const std::string& runtimeLib,
                    const Options& opts, std::string& error) {
  std::string out;
  int rc = runLink(linkCommand(objPath, exePath, runtimeLib, opts), objPath, exePath, out);
  if (rc != 0) {
    error = "linking failed (exit status " + std::to_string(rc) + "): " + out;
    return false;
  }
  return true;
}

bool buildExecutable(const core::Program& p, const Options& opts, const std::string& exePath,
                     const std::string& runtimeLib, std::string& error) {
  std::string obj = exePath + ".o";
  if (!emitObject(p, opts, obj, error)) return false;
  bool ok = linkExecutable(obj, exePath, runtimeLib, opts, error);
  sys::fs::remove(obj);
  return ok;
}

}  // namespace weir::codegen
