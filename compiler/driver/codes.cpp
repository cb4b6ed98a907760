#include "diag/codes.hpp"

namespace weir {

namespace {
const CodeInfo kCodes[] = {
  {"E0900", "cannot read the source file",
   "The file given to weir does not exist, is a directory, cannot be read, or is not valid\n"
   "UTF-8 text. Weir source files are UTF-8 and end in `.weir`."},
  {"E0910", "weir.toml is not valid TOML",
   "A project's `weir.toml` is read as TOML (https://toml.io). The error points at the first place\n"
   "the file stops being TOML: a key without `=`, a string without its closing quote, a list\n"
   "without `]`. A valid project file:\n\n"
   "    name = \"demo\"\n"
   "    version = \"0.1.0\"\n"
   "    entry = \"src/Main.weir\"\n"
   "    source-dirs = [\"src\"]"},
  {"E0911", "a wrong or missing value in weir.toml",
   "`weir.toml` must have `name` (a letter, then letters, digits, `_` or `-`: the program is built\n"
   "as build/NAME) and `version` (MAJOR.MINOR.PATCH). `entry` (default \"src/Main.weir\") names the\n"
   "module with `main`; `source-dirs` (default [\"src\"]) lists the folders searched for imported\n"
   "modules. Paths are relative to the folder of weir.toml and must exist:\n\n"
   "    name = \"greenhouse\"\n"
   "    version = \"1.2.0\"\n"
   "    entry = \"src/Main.weir\"\n"
   "    source-dirs = [\"src\", \"vendor\"]"},
  {"E0912", "unknown key in weir.toml",
   "A warning: weir.toml has a key weir does not know (often a misspelling, like `entyr`). It is\n"
   "ignored. The known keys are name, version, entry and source-dirs."},
  {"E0913", "cannot create the project",
   "`weir new NAME` creates the folder NAME with a project in it. NAME's last part is the\n"
   "project's name and the program's: a letter, then letters, digits, `_` or `-`. The folder\n"
   "must not exist yet:\n\n"
   "    weir new greenhouse\n"
   "    cd greenhouse && weir run -- --replay data/sample.jsonl"},
  {"E0914", "no file and no project",
   "`weir build`, `weir run` and `weir check` compile the FILE they are given or, without one, the\n"
   "project whose weir.toml is in the current folder or a folder above it. This error means\n"
   "neither was found:\n\n"
   "    weir build rules.weir      # one file\n"
   "    weir new rules && cd rules && weir build   # a project"},
  {"E0901", "no main",
   "`weir build` and `weir run` need a `main :: IO ()` in the program's module."},
  {"E0902", "undefined C function",
   "A `foreign import ccall \"symbol\"` names a C function that neither the Weir runtime nor any\n"
   "library the program links defines. Check the spelling of the symbol."},
  {"E0904", "runtime library missing",
   "Every executable is linked with the Weir runtime library (libweir_rt.a). weir looks for it\n"
   "beside itself (../lib/weir/ in an installation), in its build tree, or where WEIR_RUNTIME\n"
   "says. Build it with `make`, or point WEIR_RUNTIME at it:\n\n"
   "    WEIR_RUNTIME=/opt/weir/lib/weir/libweir_rt.a weir build rules.weir"},
  {"E0905", "no runtime or cross toolchain for the target",
   "`--target` makes code for another CPU. An executable also needs the Weir runtime built for\n"
   "that CPU and the target's C library, C++ library and OpenSSL to link with. weir links for\n"
   "this machine and for aarch64-linux-gnu (64-bit ARM: Raspberry Pi 3/4/5, most gateways); on\n"
   "Debian 12 the aarch64 toolchain is:\n\n"
   "    sudo dpkg --add-architecture arm64 && sudo apt-get update\n"
   "    sudo apt-get install gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross \\\n"
   "        libssl-dev:arm64 libutf8proc-dev:arm64\n\n"
   "(scripts/setup in the Weir sources installs it), then rebuild weir: its build makes the\n"
   "runtime in build/runtime-aarch64-linux-gnu/ when the cross compiler is there. `--emit=obj`\n"
   "and `--emit=asm` work for any 64-bit little-endian target without any of this.\n"
   "See docs/deploy.md."},
  {"E0903", "unknown CPU",
   "`--cpu` names the processor the executable is optimised for. Without it, weir builds for the\n"
   "baseline of the target architecture (x86-64: every 64-bit x86 CPU; aarch64: armv8-a), so a\n"
   "binary built on one machine runs on every machine of that architecture.\n"
   "`--cpu=native` uses every feature of the machine that builds (the binary may then stop with\n"
   "an illegal instruction on an older CPU); otherwise give an LLVM CPU name:\n\n"
   "    weir build rules.weir --cpu=x86-64-v3            # Haswell (2013) and later, AVX2\n"
   "    weir build rules.weir --target aarch64-linux-gnu --cpu=cortex-a72   # Raspberry Pi 4"},
  {"E0920", "no tests to run",
   "`weir test` runs the test modules it finds: with no argument, every file named `*Test.weir`\n"
   "or `*_test.weir` under `tests/` in the current folder (searched recursively); otherwise the\n"
   "files and folders given. A test module exports `tests :: [Test]` (import Test):\n\n"
   "    module ParserTest where\n\n"
   "    import Test\n\n"
   "    tests :: [Test]\n"
   "    tests = [ test \"adds\" $ \\_ -> assertEqual 3 (1 + 2) ]\n\n"
   "Run `weir test` in the folder that holds `tests/`, or name the files: `weir test tests/ParserTest.weir`."},
};
}  // namespace

std::span<const CodeInfo> driverCodes() { return kCodes; }

}  // namespace weir
