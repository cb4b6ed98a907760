// Reading the linker command out of clang's `-###` output (codegen/link_cache.cpp). The cache
// itself is exercised end to end by tests/cli/link_cache_test.py.
#include <catch2/catch.hpp>

#include "codegen/link_cache.hpp"

using weir::codegen::parseDriverCommand;
using Args = std::vector<std::string>;

TEST_CASE("parseDriverCommand: the one command line after clang's version lines", "[codegen][link]") {
  std::string out =
      "Debian clang version 16.0.6 (15~deb12u1)\n"
      "Target: x86_64-pc-linux-gnu\n"
      "Thread model: posix\n"
      "InstalledDir: /usr/bin\n"
      " \"/usr/bin/ld.lld-16\" \"-pie\" \"-o\" \"out bin\" \"a.o\" \"--gc-sections\"\n";
  CHECK(parseDriverCommand(out) == Args{"/usr/bin/ld.lld-16", "-pie", "-o", "out bin", "a.o", "--gc-sections"});
}

TEST_CASE("parseDriverCommand: backslash escapes inside quotes", "[codegen][link]") {
  CHECK(parseDriverCommand(" \"/bin/ld\" \"a\\\"b\" \"c\\\\d\" \"\\$x\"\n") == Args{"/bin/ld", "a\"b", "c\\d", "$x"});
}

TEST_CASE("parseDriverCommand: nothing usable gives an empty command", "[codegen][link]") {
  CHECK(parseDriverCommand("").empty());
  CHECK(parseDriverCommand("clang: error: no such file or directory: 'x.o'\n").empty());
  // Two commands (a compile and a link): not a plain link, not cached.
  CHECK(parseDriverCommand(" \"/usr/bin/clang\" \"-cc1\"\n \"/usr/bin/ld\" \"x.o\"\n").empty());
  // An unterminated quote or text outside quotes.
  CHECK(parseDriverCommand(" \"/usr/bin/ld\" \"x.o\n").empty());
  CHECK(parseDriverCommand(" \"/usr/bin/ld\" x.o\n").empty());
}
