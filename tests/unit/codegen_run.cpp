// Helpers shared by the codegen tests: compile a Core program, link it against the runtime,
// run it and capture stdout, stderr and the exit status.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "codegen/codegen.hpp"
#include "core/pipeline.hpp"
#include "codegen_support.hpp"
#include "weir/paths.hpp"

namespace weir::test {

std::string irAtO0(const core::Program& p) {
  codegen::Options o;
  o.optLevel = 0;
  std::string ir, err;
  bool ok = codegen::emitLLVM(finished(p), o, ir, err);
  INFO(err);
  REQUIRE(ok);
  return ir;
}

static std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One scratch directory per test run, removed at exit (set WEIR_KEEP_TEST_FILES to keep it).
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/weir-codegen-test-XXXXXX";
    const char* d = mkdtemp(tmpl);
    path = d ? d : "";
  }
  ~TempDir() {
    if (!path.empty() && !std::getenv("WEIR_KEEP_TEST_FILES")) {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  }
};

static std::string tempDir() {
  static TempDir dir;
  return dir.path;
}

core::Program finished(core::Program p, bool rcInserted, bool verify) {
  core::PipelineOptions po;
  po.from = rcInserted ? "unbox" : "lift-letrec";
  po.verify = verify && !rcInserted;
  p.rcInserted = p.rcInserted || rcInserted;
  std::string error;
  bool ok = core::runPipeline(p, po, error);
  INFO(error);
  REQUIRE(ok);
  return p;
}

std::string compileProgram(const core::Program& p, int opt, std::string& error, bool rcInserted) {
  static int counter = 0;
  std::string exe = tempDir() + "/prog" + std::to_string(counter++);
  codegen::Options o;
  o.optLevel = opt;
  if (access(WEIR_BUILD_RUNTIME_LIB, R_OK) != 0) {
    error = std::string("the runtime library ") + WEIR_BUILD_RUNTIME_LIB + " is missing: build the weir_rt target first";
    return "";
  }
  if (!codegen::buildExecutable(finished(p, rcInserted), o, exe, WEIR_BUILD_RUNTIME_LIB, error)) return "";
  return exe;
}

RunResult runExe(const std::string& exe, const std::string& prefix) {
  RunResult r;
  std::string out = exe + ".out", err = exe + ".err";
  std::string cmd = prefix + (prefix.empty() ? "" : " ") + exe + " >" + out + " 2>" + err;
  int st = std::system(cmd.c_str());
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

RunResult compileAndRun(const core::Program& p, int opt, const std::string& prefix, bool rcInserted) {
  std::string error;
  std::string exe = compileProgram(p, opt, error, rcInserted);
  INFO(error);
  REQUIRE(!exe.empty());
  return runExe(exe, prefix);
}

}  // namespace weir::test
