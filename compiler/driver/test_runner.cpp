// `weir test`: finds the test modules, builds a program for each (a generated `main` that runs
// the module's `tests :: [Test]` with Test.runTests), runs it, and adds up the results.
//
// Discovery: the paths given (files, or folders searched recursively), by default `tests` of the
// project the current folder is in (the nearest weir.toml above it, so `weir test` works from any
// subfolder), else `tests` in the current folder; in a folder, a test module is a file named
// `*Test.weir` or `*_test.weir`. In a project, its source folders (weir.toml's source-dirs) are
// on the search path too.
// A test module `Unit.ParserTest` at `tests/Unit/ParserTest.weir` has its source root at
// `tests/`; its imports are looked up there, in `src/` beside that root (a project's sources),
// and in the standard library.
//
// Each test program prints one line per failure and ends with `N passed, N failed`; this runner
// passes the failure lines through, keeps the counts, and prints the total last. A test program
// that does not compile or dies without its summary counts as one failed test.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <csignal>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include "driver/driver.hpp"
#include "driver/project.hpp"

namespace weir::driver {

namespace fs = std::filesystem;

namespace {

bool isTestFile(const fs::path& p) {
  std::string name = p.filename().string();
  auto ends = [&](const std::string& suffix) {
    return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends("Test.weir") || ends("_test.weir");
}

// The module name a file declares (`module A.B where`), or "" when it has no header.
std::string moduleName(const std::string& text) {
  static const std::regex header(R"((?:^|\n)module\s+([A-Z][A-Za-z0-9_']*(?:\.[A-Z][A-Za-z0-9_']*)*))");
  std::smatch m;
  std::string noComments;
  // Drop line comments so a `module` inside one is not taken.
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    auto c = line.find("--");
    noComments += (c == std::string::npos ? line : line.substr(0, c)) + "\n";
  }
  if (std::regex_search(noComments, m, header)) return m[1].str();
  return "";
}

bool definesTests(const std::string& text) {
  static const std::regex def(R"((?:^|\n)tests\s*(::|=))");
  return std::regex_search(text, def);
}

int problem(const char* code, const std::string& message) {
  std::fprintf(stderr, "error[%s]: %s\n", code, message.c_str());
  return 1;
}

struct Counts {
  long passed = 0, failed = 0;
};

// Runs a built test program; passes its output through except the summary, which it counts.
void runProgram(const std::string& exe, const std::string& file, const TestOptions& t, Counts& total) {
  std::vector<std::string> args{exe};
  if (t.seed) { args.push_back("--seed"); args.push_back(std::to_string(*t.seed)); }
  for (auto& f : t.filters) { args.push_back("--filter"); args.push_back(f); }
  int pipefd[2];
  if (pipe(pipefd) != 0) { std::perror("weir test: pipe"); total.failed++; return; }
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid == 0) {
    close(pipefd[0]);
    dup2(pipefd[1], 1);
    close(pipefd[1]);
    if (t.timeout > 0) alarm(unsigned(t.timeout));   // SIGALRM ends a program that hangs
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(exe.c_str(), argv.data());
    std::perror("weir test: exec");
    _exit(127);
  }
  close(pipefd[1]);
  static const std::regex summary(R"(^(\d+) passed, (\d+) failed$)");
  FILE* in = fdopen(pipefd[0], "r");
  std::string line;
  bool summarised = false;
  char buf[4096];
  auto flushLine = [&] {
    std::smatch m;
    if (std::regex_match(line, m, summary)) {
      total.passed += std::stol(m[1].str());
      total.failed += std::stol(m[2].str());
      summarised = true;
    } else {
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    }
    line.clear();
  };
  while (std::fgets(buf, sizeof buf, in)) {
    line += buf;
    if (!line.empty() && line.back() == '\n') {
      line.pop_back();
      flushLine();
    }
  }
  if (!line.empty()) flushLine();
  std::fclose(in);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!summarised) {
    std::string why = WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM && t.timeout > 0
                          ? "was stopped after " + std::to_string(t.timeout) + " s (--timeout)"
                      : WIFSIGNALED(status) ? "was killed by signal " + std::to_string(WTERMSIG(status))
                                            : "ended with status " + std::to_string(WEXITSTATUS(status));
    std::printf("%s: FAIL the test program %s before it finished its tests\n", file.c_str(), why.c_str());
    total.failed++;
  }
}

}  // namespace

int test(const TestOptions& t) {
  // The test modules, in a fixed order.
  std::vector<std::string> files;
  std::vector<std::string> roots = t.paths;
  std::vector<std::string> projectSources;
  {
    std::error_code ec;
    std::string projectRoot = findProjectRoot(fs::current_path(ec).string());
    if (!projectRoot.empty()) {
      Options po;
      po.errorFormat = t.errorFormat;
      po.colour = t.colour;
      auto p = loadProject(projectRoot, po);
      if (!p) return 1;
      projectSources = p->searchPath();
      if (roots.empty()) roots.push_back(p->testsPath());
    }
  }
  if (roots.empty()) roots.push_back("tests");
  for (auto& r : roots) {
    std::error_code ec;
    if (fs::is_directory(r, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(r, fs::directory_options::skip_permission_denied, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file(ec) && it->path().extension() == ".weir" && isTestFile(it->path()))
          found.push_back(it->path().lexically_normal().string());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(r, ec)) {
      files.push_back(fs::path(r).lexically_normal().string());
    } else {
      return problem("E0920", t.paths.empty()
                                  ? "no `tests` folder here: give the test files or folders (`weir test tests/ParserTest.weir`)"
                                  : "`" + r + "` is neither a file nor a folder");
    }
  }
  if (files.empty())
    return problem("E0920", "no test modules found (a test module is a file named `*Test.weir` or `*_test.weir`)");

  char tmpl[] = "/tmp/weir-test-XXXXXX";
  char* dir = mkdtemp(tmpl);
  if (!dir) return problem("E0920", "cannot create a temporary folder");
  Counts total;
  int index = 0;
  for (auto& file : files) {
    index++;
    std::string text;
    {
      std::ifstream in(file, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      text = ss.str();
    }
    std::string mod = moduleName(text);
    auto fail = [&](const std::string& why) {
      std::printf("%s: FAIL %s\n", file.c_str(), why.c_str());
      total.failed++;
    };
    if (mod.empty()) { fail("a test module needs a header `module NAME where` (NAME as the file's path)"); continue; }
    if (mod == "Main" || mod == "WeirTestMain") { fail("a test module cannot be called `" + mod + "`"); continue; }
    if (!definesTests(text)) { fail("the module defines no `tests :: [Test]`"); continue; }
    // The source root: the file's folder, less one level per dot in the module name.
    fs::path root = fs::path(file).parent_path();
    fs::path expect = fs::path(std::regex_replace(mod, std::regex("\\."), "/") + ".weir");
    std::string rel = fs::path(file).lexically_normal().generic_string();
    std::string want = expect.generic_string();
    if (rel.size() < want.size() || rel.compare(rel.size() - want.size(), want.size(), want) != 0 ||
        (rel.size() > want.size() && rel[rel.size() - want.size() - 1] != '/')) {
      fail("module `" + mod + "` must be in a file `" + want + "` under its source folder");
      continue;
    }
    for (std::size_t dots = std::count(mod.begin(), mod.end(), '.'); dots > 0; dots--) root = root.parent_path();
    std::string rootDir = root.empty() ? "." : root.string();

    std::string wrapper = std::string(dir) + "/WeirTestMain" + std::to_string(index) + ".weir";
    {
      std::ofstream out(wrapper);
      out << "-- Generated by `weir test` for " << file << "\nmodule WeirTestMain where\n\nimport Test (runTests)\nimport qualified "
          << mod << " as T\n\nmain :: IO ()\nmain = runTests T.tests   -- " << file << " must define `tests :: [Test]`\n";
    }
    Options o;
    o.file = wrapper;
    o.output = std::string(dir) + "/test" + std::to_string(index);
    o.optLevel = t.optLevel;
    o.errorFormat = t.errorFormat;
    o.colour = t.colour;
    o.importPaths.push_back(rootDir);
    fs::path src = root.empty() ? fs::path("src") : root.parent_path() / "src";
    if (std::error_code ec; fs::is_directory(src, ec)) o.importPaths.push_back(src.string());
    for (auto& d : projectSources)
      if (std::find(o.importPaths.begin(), o.importPaths.end(), d) == o.importPaths.end()) o.importPaths.push_back(d);
    if (build(o) != 0) { fail("the test module does not compile"); continue; }
    runProgram(o.output, file, t, total);
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  std::printf("%ld passed, %ld failed\n", total.passed, total.failed);
  return total.failed > 0 ? 1 : 0;
}

}  // namespace weir::driver
