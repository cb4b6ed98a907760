// The `weir` command line. See docs/cli.md.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <pthread.h>
#include <unistd.h>

#include "driver/driver.hpp"

namespace {

void addCommon(CLI::App* cmd, weir::driver::Options& o, std::string& errorFormat, std::string& colour) {
  cmd->add_option("--error-format", errorFormat, "How to print errors")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--color", colour, "Colour in error messages")->check(CLI::IsMember({"auto", "always", "never"}));
  (void)o;
}

}  // namespace

static int realMain(int argc, char** argv) {
  using namespace weir::driver;
  CLI::App app{"weir: compiler for the Weir language (typed rule programs for MQTT)"};
  app.require_subcommand(0, 1);
  bool version = false;
  app.add_flag("--version", version, "Print the version and exit");

  Options o;
  std::string errorFormat = "text", colour = "auto", emit = "exe", code;
  int opt = 2;

  auto* build = app.add_subcommand("build", "Compile a program to a native executable");
  build->add_option("file", o.file, "The .weir source file")->required();
  build->add_option("-o", o.output, "Output file (default: the file's name without .weir)");
  build->add_option("-O", opt, "Optimisation level 0-3 (-O0 .. -O3)")->check(CLI::Range(0, 3));
  build->add_option("--emit", emit, "What to produce")
      ->check(CLI::IsMember({"exe", "tokens", "ast", "types", "core", "core-rc", "llvm", "asm", "obj"}));
  build->add_option("--target", o.target, "Target triple for cross compilation, e.g. aarch64-linux-gnu");
  build->add_option("--cpu", o.cpu,
                    "CPU to optimise for: native (this machine; the binary may not run on older CPUs) or an LLVM "
                    "CPU name such as x86-64-v3 or cortex-a72. Default: the architecture's baseline, runs anywhere");
  addCommon(build, o, errorFormat, colour);

  auto* run = app.add_subcommand("run", "Compile a program and run it: weir run FILE [-- ARGS]");
  run->add_option("file", o.file, "The .weir source file")->required();
  run->add_option("args", o.runArgs, "Arguments for the program (after --)");
  run->add_option("-O", opt, "Optimisation level 0-3")->check(CLI::Range(0, 3));
  run->add_option("--cpu", o.cpu, "CPU to optimise for (see build --cpu)");
  addCommon(run, o, errorFormat, colour);

  auto* check = app.add_subcommand("check", "Type-check a program without building it");
  check->add_option("file", o.file, "The .weir source file")->required();
  addCommon(check, o, errorFormat, colour);

  auto* explain = app.add_subcommand("explain", "Explain an error code, e.g. weir explain E0201");
  explain->add_option("code", code, "The error code")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 1;
  }
  if (version) {
    std::printf("weir %s (LLVM 16)\n", WEIR_VERSION);
    return 0;
  }
  o.optLevel = opt;
  o.errorFormat = errorFormat == "json" ? weir::DiagFormat::Json : weir::DiagFormat::Text;
  o.colour = colour == "always" || (colour == "auto" && isatty(2) && !std::getenv("NO_COLOR"));
  static const std::pair<const char*, Emit> emits[] = {{"exe", Emit::Exe}, {"tokens", Emit::Tokens}, {"ast", Emit::Ast},
                                                       {"types", Emit::Types}, {"core", Emit::Core}, {"core-rc", Emit::CoreRc}, {"llvm", Emit::Llvm},
                                                       {"asm", Emit::Asm}, {"obj", Emit::Obj}};
  for (auto& [n, e] : emits) if (emit == n) o.emit = e;
  try {
    if (*build) return weir::driver::build(o);
    if (*run) return weir::driver::run(o);
    if (*check) return weir::driver::check(o);
    if (*explain) return weir::driver::explain(code);
    std::fputs(app.help().c_str(), stdout);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal compiler error: %s\nThis is a bug in weir, not in your program.\n", e.what());
    return 2;
  } catch (...) {
    std::fprintf(stderr, "internal compiler error: unknown exception\nThis is a bug in weir, not in your program.\n");
    return 2;
  }
}

// The compiler's passes recurse over the syntax tree, so deeply nested programs need a
// deep stack: run on a thread with 1 GiB of (lazily committed) stack.
namespace {
struct MainArgs {
  int argc;
  char** argv;
  int rc;
};
void* mainThread(void* p) {
  auto* a = static_cast<MainArgs*>(p);
  a->rc = realMain(a->argc, a->argv);
  return nullptr;
}
}  // namespace

int main(int argc, char** argv) {
  MainArgs a{argc, argv, 2};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, size_t(1) << 30);
  pthread_t t;
  if (pthread_create(&t, &attr, mainThread, &a) != 0) return realMain(argc, argv);
  pthread_join(t, nullptr);
  return a.rc;
}
