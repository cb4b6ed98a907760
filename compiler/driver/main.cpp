// The `weir` command line. See docs/cli.md.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string_view>
#include <vector>
#include <pthread.h>
#include <unistd.h>

#include "driver/driver.hpp"
#include "driver/heap.hpp"
#include "format/command.hpp"

namespace {

void addCommon(CLI::App* cmd, weir::driver::Options& o, std::string& errorFormat, std::string& colour) {
  cmd->add_option("--error-format", errorFormat, "How to print errors")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--color", colour, "Colour in error messages")->check(CLI::IsMember({"auto", "always", "never"}));
  (void)o;
}

// The Core pass pipeline's switches (core/pipeline.hpp), for build and run.
void addPassOptions(CLI::App* cmd, weir::driver::Options& o) {
  cmd->add_option("--pass-off", o.passesOff,
                  "Switch a Core pass off, to measure what it buys (repeatable; the names: weir build --list-passes)")
      ->allow_extra_args(false);
  cmd->add_flag("--verify-core", o.verifyCore,
                "Check the Core after every pass (a failure names the pass; for compiler tests, slower)");
}

}  // namespace

static int realMain(int argc, char** argv) {
  using namespace weir::driver;
  // `weir run [FILE] -- ARGS`: everything after `--` is the program's, even with no FILE.
  std::vector<std::string> afterDashes;
  if (auto dd = std::find_if(argv, argv + argc, [](char* a) { return std::string_view(a) == "--"; });
      dd != argv + argc && std::find_if(argv + 1, dd, [](char* a) { return std::string_view(a) == "run"; }) != dd) {
    afterDashes.assign(dd + 1, argv + argc);
    argc = static_cast<int>(dd - argv);
  }
  CLI::App app{"weir: compiler for the Weir language (typed rule programs for MQTT)"};
  app.require_subcommand(0, 1);
  bool version = false;
  app.add_flag("--version", version, "Print the version and exit");

  Options o;
  std::string errorFormat = "text", colour = "auto", emit = "exe", code;
  int opt = 2;

  std::string newPath;
  auto* newCmd = app.add_subcommand("new", "Create a project: NAME/ with weir.toml, src/Main.weir, a sample, tests/");
  newCmd->add_option("name", newPath, "The project's name (also its folder)")->required();

  auto* build = app.add_subcommand("build", "Compile a program to a native executable");
  build->add_option("file", o.file, "The .weir source file (default: the project's entry module)");
  build->add_option("-o", o.output, "Output file (default: the file's name without .weir; in a project build/NAME)");
  build->add_option("-O", opt, "Optimisation level 0-3 (-O0 .. -O3)")->check(CLI::Range(0, 3));
  build->add_option("--emit", emit, "What to produce")
      ->check(CLI::IsMember({"exe", "tokens", "ast", "types", "core", "core-rc", "llvm", "asm", "obj"}));
  build->add_option("--target", o.target, "Target triple for cross compilation, e.g. aarch64-linux-gnu");
  build->add_option("--cpu", o.cpu,
                    "CPU to optimise for: native (this machine; the binary may not run on older CPUs) or an LLVM "
                    "CPU name such as x86-64-v3 or cortex-a72. Default: the architecture's baseline, runs anywhere");
  build->add_flag("--static", o.staticLink,
                  "Link a fully static executable (C library, OpenSSL and C++ library included), to copy to a "
                  "device with nothing installed; see docs/deploy.md");
  build->add_flag("-s,--strip", o.strip, "Leave symbols and debug information out of the executable (smaller)");
  build->add_flag("--no-tls", o.noTls,
                  "Link the runtime without TLS: no OpenSSL in the executable (a static rule program: about 2 MB "
                  "instead of 6); the program then refuses mqtts:// and --tls-* at start-up");
  build->add_option("--after", o.after,
                    "With --emit=core: print the Core after this pass instead (the names: weir build --list-passes)");
  addPassOptions(build, o);
  bool listPasses = false;
  build->add_flag("--list-passes", listPasses, "List the Core passes in the order they run, and exit");
  addCommon(build, o, errorFormat, colour);

  auto* run = app.add_subcommand("run", "Compile a program and run it: weir run [FILE] [-- ARGS]");
  run->add_option("file", o.file, "The .weir source file (default: the project's entry module)");
  run->add_option("args", o.runArgs, "Arguments for the program (after --)");
  run->add_option("-O", opt, "Optimisation level 0-3")->check(CLI::Range(0, 3));
  run->add_option("--cpu", o.cpu, "CPU to optimise for (see build --cpu)");
  addPassOptions(run, o);
  addCommon(run, o, errorFormat, colour);

  auto* check = app.add_subcommand("check", "Type-check a program without building it");
  check->add_option("file", o.file, "The .weir source file (default: the project's entry module)");
  addCommon(check, o, errorFormat, colour);

  TestOptions to;
  long long seed = 0;
  auto* testCmd = app.add_subcommand("test", "Run the tests: weir test [PATHS...] [--filter TEXT] [--seed N]");
  testCmd->add_option("paths", to.paths, "Test files or folders (default: tests/; in a folder, *Test.weir and *_test.weir)");
  testCmd->add_option("--filter", to.filters, "Run only the tests whose name (group/name) contains TEXT; repeatable")
      ->allow_extra_args(false);
  auto* seedOpt = testCmd->add_option("--seed", seed, "Seed of the property tests (a failure prints the one to use)");
  testCmd->add_option("--timeout", to.timeout, "Seconds each test module's program may run (default: no limit)")
      ->check(CLI::Range(0, 1000000));
  testCmd->add_option("-O", to.optLevel, "Optimisation level 0-3 (default 0: quicker builds)")->check(CLI::Range(0, 3));
  addCommon(testCmd, o, errorFormat, colour);

  auto* explain = app.add_subcommand("explain", "Explain an error code, e.g. weir explain E0201");
  explain->add_option("code", code, "The error code")->required();

  weir::format::FmtOptions fmtOpts;
  auto* fmtCmd = app.add_subcommand("fmt", "Format source files in the canonical layout: weir fmt [--check] PATH... | -");
  fmtCmd->add_option("paths", fmtOpts.paths, "Files, folders (every .weir file below them), or - for standard input");
  fmtCmd->add_flag("--check", fmtOpts.check, "Write nothing; list the files that would change and exit 1 if any");
  fmtCmd->add_flag("--stdin", fmtOpts.stdinMode, "Format standard input to standard output");
  fmtCmd->add_option("--color", colour, "Colour in error messages")->check(CLI::IsMember({"auto", "always", "never"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 1;
  }
  o.runArgs.insert(o.runArgs.end(), afterDashes.begin(), afterDashes.end());
  if (version) {
    namespace fs = std::filesystem;
    std::printf("weir %s (LLVM 16)\nstdlib:  %s\nruntime: %s\n", WEIR_VERSION,
                fs::path(stdlibDir()).lexically_normal().c_str(), fs::path(runtimeLib()).lexically_normal().c_str());
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
    if (*newCmd) return weir::driver::newProject(newPath, o);
    if ((*build || *run || *check) && o.file.empty() && !(*build && listPasses))
      if (int rc = weir::driver::useProject(o, build->parsed()); rc != 0) return rc;
    if (*build && listPasses) return weir::driver::listPasses();
    if (*build) return weir::driver::build(o);
    if (*run) return weir::driver::run(o);
    if (*check) return weir::driver::check(o);
    if (*testCmd) {
      if (*seedOpt) to.seed = seed;
      to.errorFormat = o.errorFormat;
      to.colour = o.colour;
      return weir::driver::test(to);
    }
    if (*explain) return weir::driver::explain(code);
    if (*fmtCmd) { fmtOpts.colour = o.colour; return weir::format::runFmt(fmtOpts); }
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
  weir::driver::useLargePageHeap();
  MainArgs a{argc, argv, 2};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, size_t(1) << 30);
  pthread_t t;
  if (pthread_create(&t, &attr, mainThread, &a) != 0) return realMain(argc, argv);
  pthread_join(t, nullptr);
  return a.rc;
}
