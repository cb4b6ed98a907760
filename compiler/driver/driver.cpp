#include "driver/driver.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <iostream>
#include <sys/wait.h>
#include <unistd.h>

#include "codegen/codegen.hpp"
#include "core/pipeline.hpp"
#include "core/lower/lower.hpp"
#include "driver/target.hpp"
#include "names/names.hpp"
#include "syntax/parser.hpp"
#include "types/infer.hpp"
#include "weir/paths.hpp"

namespace weir::driver {

namespace fs = std::filesystem;

namespace {

std::string exeDir() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : p.parent_path().string();
}

// An installed layout (bin/weir, share/weir/stdlib, lib/weir/libweir_rt.a) wins over the build tree.
std::string firstExisting(const char* envVar, const std::vector<std::string>& candidates) {
  if (const char* e = std::getenv(envVar); e && *e) return e;
  for (auto& c : candidates) {
    std::error_code ec;
    if (fs::exists(c, ec)) return c;
  }
  return candidates.back();
}

void printDiagnostics(const DiagnosticEngine& diags, const Options& opts) {
  std::string text = renderDiagnostics(diags, opts.errorFormat, opts.colour);
  if (!text.empty()) std::fputs(text.c_str(), stderr);
  if (opts.errorFormat == DiagFormat::Text && diags.errorCount() > 1)
    std::fprintf(stderr, "\n%zu errors\n", diags.errorCount());
}

int internalError(const std::string& stage, const std::string& msg) {
  std::fprintf(stderr,
               "internal compiler error in %s: %s\n"
               "This is a bug in weir, not in your program. Please report it with the program that triggers it.\n",
               stage.c_str(), msg.c_str());
  return 2;
}

}  // namespace

// An error without a source span (files, linking), in the chosen format.
int plainError(const Options& opts, const char* code, const std::string& message) {
  if (opts.errorFormat == DiagFormat::Json) {
    std::string esc;
    for (char c : message) {
      if (c == '"' || c == '\\') esc += '\\';
      if (c == '\n') { esc += "\\n"; continue; }
      esc += c;
    }
    std::fprintf(stderr, "{\"severity\":\"error\",\"code\":\"%s\",\"message\":\"%s\",\"notes\":[]}\n", code, esc.c_str());
  } else {
    std::fprintf(stderr, "error[%s]: %s\n", code, message.c_str());
  }
  return 1;
}

namespace {

int fileError(const Options& opts, const std::string& message) { return plainError(opts, "E0900", message); }

// The pass pipeline's options: the environment's switches (WEIR_SIMPLIFY=0, ...), then the
// command line's (--pass-off, --after, --verify-core).
core::PipelineOptions pipelineOptions(const Options& opts) {
  core::PipelineOptions po = core::PipelineOptions::fromEnvironment();
  po.libraryDir = stdlibDir();
  po.off.insert(opts.passesOff.begin(), opts.passesOff.end());
  po.verify = po.verify || opts.verifyCore;
  if (opts.emit == Emit::Core) po.after = opts.after.empty() ? core::kCoreEnd : opts.after;
  if (opts.emit == Emit::CoreRc) po.after = opts.after;
  return po;
}

// --pass-off and --after name Core passes: a name that is none is the user's mistake (E0907).
int checkPassOptions(const Options& opts) {
  auto bad = [&](const std::string& message) {
    return plainError(opts, "E0907", message + "; the Core passes, in order: " + core::passNames() +
                                         " (weir explain E0907)");
  };
  for (auto& name : opts.passesOff) {
    const core::Pass* p = core::findPass(name);
    if (!p) return bad("`--pass-off=" + name + "` names no Core pass");
    if (!p->switchable) return bad("the Core pass `" + name + "` cannot be switched off: the passes after it need it");
  }
  if (!opts.after.empty()) {
    if (!core::findPass(opts.after)) return bad("`--after=" + opts.after + "` names no Core pass");
    if (opts.emit != Emit::Core && opts.emit != Emit::CoreRc)
      return bad("`--after=" + opts.after + "` chooses where `--emit=core` stops: use it with `--emit=core`");
  }
  return 0;
}

// A `foreign import ccall` of a symbol nothing defines fails at link time; that is the
// program's error, not the compiler's, so name the symbol and the import.
int linkError(const Options& opts, const core::Program& prog, const std::string& err) {
  const std::string marker = "undefined symbol: ";
  auto at = err.find(marker);
  if (at == std::string::npos) return internalError("linking", err);
  auto end = err.find_first_of(" \n", at + marker.size());
  std::string sym = err.substr(at + marker.size(), end == std::string::npos ? std::string::npos : end - at - marker.size());
  std::string where;
  std::function<void(core::Expr&)> find = [&](core::Expr& e) {
    if (e.kind == core::Expr::Prim && e.prim == core::PrimOp::CCall && e.name == sym) where = e.loc;
    core::forEachChild(e, [&](core::ExprPtr& c) { find(*c); });
  };
  for (auto& f : prog.functions) find(*f.body);
  for (auto& g : prog.globals) find(*g.body);
  if (where.empty()) return internalError("linking", err);
  return plainError(opts, "E0902", "the C function `" + sym + "` imported at " + where +
                                       " is not defined in the Weir runtime or in any library the program links");
}

bool writeText(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return true;
  }
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

struct Front {
  SourceManager sources;
  std::unique_ptr<DiagnosticEngine> diags;
  std::optional<names::Program> program;
  std::optional<types::Checked> checked;
  FileId mainFile = 0;
};

// Reads and checks the program up to and including type checking (or less, for --emit).
// Returns -1 to go on, or an exit status.
int frontEnd(const Options& opts, Front& f, bool needTypes) {
  std::string text, err;
  if (!readSourceFile(opts.file, text, err)) return fileError(opts, err);
  f.mainFile = f.sources.add(opts.file, std::move(text));
  f.diags = std::make_unique<DiagnosticEngine>(f.sources);
  if (opts.emit == Emit::Tokens || opts.emit == Emit::Ast) {
    const SourceFile& sf = f.sources.get(f.mainFile);
    auto toks = syntax::lex(sf, f.mainFile, *f.diags);
    if (opts.emit == Emit::Tokens) {
      printDiagnostics(*f.diags, opts);
      writeText(opts.output, syntax::dumpTokens(toks));
      return f.diags->hasErrors() ? 1 : 0;
    }
    auto laid = syntax::layout(std::move(toks), *f.diags);
    auto m = syntax::parseModule(laid, f.mainFile, *f.diags);
    printDiagnostics(*f.diags, opts);
    if (m && !f.diags->hasErrors()) writeText(opts.output, syntax::dumpModule(*m));
    return f.diags->hasErrors() ? 1 : 0;
  }
  names::Options no;
  for (auto& d : opts.importPaths) no.searchPath.push_back(d);
  no.searchPath.push_back(stdlibDir());
  no.continueAfterUnknownNames = needTypes;  // type errors elsewhere are reported too
  f.program = names::loadAndRename(f.sources, f.mainFile, no, *f.diags);
  if (!f.program) {
    printDiagnostics(*f.diags, opts);
    return 1;
  }
  if (!needTypes) return -1;
  f.checked = types::check(*f.program, *f.diags);
  printDiagnostics(*f.diags, opts);  // warnings too
  if (!f.checked) return 1;
  return -1;
}

}  // namespace

std::string stdlibDir() {
  std::string d = exeDir();
  return firstExisting("WEIR_STDLIB", {d + "/../share/weir/stdlib", WEIR_BUILD_STDLIB_DIR});
}

std::string runtimeLib() {
  std::string d = exeDir();
  return firstExisting("WEIR_RUNTIME", {d + "/../lib/weir/libweir_rt.a", WEIR_BUILD_RUNTIME_LIB});
}

int check(const Options& opts) {
  // Never freed: the process ends right after, and tearing down the syntax trees, the checked
  // program and the environments of every module (the Prelude's too) was a tenth of a check's
  // CPU time (69 -> 62 ms for records_raw_fields.weir). Held by a static, so a leak checker
  // (WEIR_SANITIZE builds) sees it reachable.
  static Front* f = new Front;
  int rc = frontEnd(opts, *f, true);
  return rc >= 0 ? rc : 0;
}

static int compileToExe(const Options& opts, const std::string& exe) {
  Front f;
  int rc = frontEnd(opts, f, opts.emit != Emit::Tokens && opts.emit != Emit::Ast);
  if (rc >= 0) return rc;
  if (opts.emit == Emit::Types) {
    writeText(opts.output, types::dumpTypes(*f.checked));
    return 0;
  }
  std::string err;
  auto core = lower::lower(*f.checked, f.sources, err, stdlibDir());
  if (!core) return internalError("lowering to Core", err);
  // The Core passes, in the one order core/pipeline.cpp gives. --emit=core stops after the
  // optimisations (or after --after=PASS); --emit=core-rc shows what codegen receives:
  // borrowed parameters (^v), dup/drop, raw parameters and results (`v1: Int` / `): Bool`).
  core::PipelineOptions po = pipelineOptions(opts);
  int verified = 0;
  po.verified = &verified;
  if (!core::runPipeline(*core, po, err)) return internalError("the Core passes", err);
  if (opts.verifyCore)  // say it ran: a flag that silently did nothing would look the same
    std::fprintf(stderr, "weir: the Core verifier passed %d times (the lowered Core and after each pass)\n", verified);
  if (opts.emit == Emit::Core || opts.emit == Emit::CoreRc) {
    writeText(opts.output, core::print(*core));
    return 0;
  }
  if (core->entry.empty() && opts.emit == Emit::Exe) {
    auto& d = f.diags->error("E0901", Span{f.mainFile, 0, 0}, "this program has no `main`");
    d.hint = "add `main :: IO ()` with the actions to run, e.g. `main = putStrLn \"hello\"`";
    printDiagnostics(*f.diags, opts);
    return 1;
  }
  codegen::Options co;
  co.optLevel = opts.optLevel;
  co.triple = opts.target;
  co.cpu = opts.cpu;
  co.moduleName = opts.file;
  std::string text;
  switch (opts.emit) {
    case Emit::Llvm:
      if (!codegen::emitLLVM(*core, co, text, err)) return internalError("code generation", err);
      writeText(opts.output, text);
      return 0;
    case Emit::Asm:
      if (!codegen::emitAsm(*core, co, text, err)) return internalError("code generation", err);
      writeText(opts.output, text);
      return 0;
    case Emit::Obj: {
      std::string out = opts.output.empty() ? fs::path(opts.file).stem().string() + ".o" : opts.output;
      if (!codegen::emitObject(*core, co, out, err)) return internalError("code generation", err);
      return 0;
    }
    default:
      break;
  }
  // Setup problems are the user's to fix, with the cause and the remedy (not a compiler bug).
  RuntimeLookup found = findRuntime(opts.target, opts.staticLink, opts.noTls);
  if (found.lib.empty()) return plainError(opts, found.code.c_str(), found.message);
  const std::string& rt = found.lib;
  co.staticLink = opts.staticLink;
  co.strip = opts.strip;
  co.noTls = opts.noTls;
  if (!codegen::buildExecutable(*core, co, exe, rt, err)) return linkError(opts, *core, err);
  return 0;
}

int build(const Options& opts) {
  if (int rc = checkPassOptions(opts); rc != 0) return rc;
  if (std::string err; !codegen::checkCpu(opts.target, opts.cpu, err)) return plainError(opts, "E0903", err);
  std::string exe = opts.output.empty() ? fs::path(opts.file).stem().string() : opts.output;
  // A folder for the output that is not there is the user's to create, not a compiler bug.
  if (fs::path dir = fs::path(exe).parent_path(); !dir.empty()) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
      return plainError(opts, "E0906",
                        fmt::format("cannot write `{}`: the folder `{}` does not exist", exe, dir.string()));
  }
  return compileToExe(opts, exe);
}

int run(const Options& opts) {
  if (int rc = checkPassOptions(opts); rc != 0) return rc;
  if (std::string err; !codegen::checkCpu(opts.target, opts.cpu, err)) return plainError(opts, "E0903", err);
  char tmpl[] = "/tmp/weir-run-XXXXXX";
  char* dir = mkdtemp(tmpl);
  if (!dir) return internalError("run", "cannot create a temporary directory");
  std::string exe = std::string(dir) + "/" + fs::path(opts.file).stem().string();
  Options o = opts;
  o.emit = Emit::Exe;
  int rc = compileToExe(o, exe);
  if (rc != 0) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    return rc;
  }
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(exe.c_str()));
    for (auto& a : opts.runArgs) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(exe.c_str(), argv.data());
    std::perror("weir run: exec");
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) {
    std::fprintf(stderr, "weir run: the program was killed by signal %d\n", WTERMSIG(status));
    return 128 + WTERMSIG(status);
  }
  return 1;
}

int listPasses() {
  for (auto& p : core::passes())
    std::printf("%-14s %-7s %s\n", p.name, p.switchable ? "can-off" : "always", p.purpose);
  std::printf("\n--emit=core prints the Core after %s, --emit=core --after=NAME after NAME,\n"
              "--emit=core-rc after the last pass. --pass-off=NAME switches off a pass marked can-off.\n",
              core::kCoreEnd);
  return 0;
}

int explain(const std::string& code) {
  std::string text = explainCode(code);
  if (text.empty()) {
    std::fprintf(stderr, "error: `%s` is not a known error code (codes look like E0201)\n", code.c_str());
    return 1;
  }
  std::fputs(text.c_str(), stdout);
  return 0;
}

}  // namespace weir::driver
