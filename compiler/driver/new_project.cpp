// `weir new PATH`: a project that builds, runs over a sample and says what to do next.
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>

#include "driver/project.hpp"

namespace weir::driver {

namespace fs = std::filesystem;

namespace {

const char* const kToml = R"(# The project file. `weir build`, `weir run` and `weir check` in this folder or below
# use it when they are given no file (see `weir --help` and docs/cli.md, "Projects").
name = "{name}"
version = "0.1.0"
# The module with `main`: `weir build` compiles it to build/{name}.
entry = "src/Main.weir"
# Folders searched for imported modules, before the standard library.
source-dirs = ["src"]
)";

const char* const kMain = R"(-- | {name}: a rule program. Sensors publish JSON readings on sensors/<room>/temperature;
-- a room hotter than `limit` gets an alert on alerts/too-hot.
--
--   weir run -- --replay data/sample.jsonl          offline, over recorded messages
--   weir run -- --broker mqtt://127.0.0.1:1883      against a broker
module Main where

import Rule
import Mqtt
import Json
import Control.Monad (when)

-- What a sensor sends. Extra fields are ignored; a payload without one of these fields, or
-- with one of the wrong type, is counted and logged, and the rule goes on.
type Reading = {{ sensor :: String, celsius :: Float }}

-- What an alert carries, published as JSON.
type Alert = {{ room :: String, sensor :: String, celsius :: Float }}

limit :: Float
limit = 30.0

tooHot :: Message -> Reading -> IO ()
tooHot msg r =
  when (r.celsius > limit) $
    publishJson "alerts/too-hot" ({{ room = topicLevel 1 msg, sensor = r.sensor, celsius = r.celsius }} :: Alert)

-- The program's rules: `main` runs them; tests/MainTest.weir tests them with `replay`.
rules :: [Rule]
rules =
  [ onJson "sensors/+/temperature" tooHot
  ]

main :: IO ()
main = runRules rules
)";

const char* const kSample =
    R"({{"topic": "sensors/kitchen/temperature", "payload": {{"sensor": "k1", "celsius": 21.5}}}}
{{"topic": "sensors/attic/temperature", "payload": {{"sensor": "a1", "celsius": 34.0}}}}
{{"topic": "sensors/kitchen/temperature", "payload": {{"sensor": "k1", "celsius": "warm"}}}}
{{"topic": "sensors/kitchen/temperature", "payload": {{"sensor": "k1", "celsius": 30.5}}}}
)";

const char* const kReadme = R"(# {name}

A Weir rule program.

    weir build                                  # compiles src/Main.weir to build/{name}
    weir run -- --replay data/sample.jsonl      # runs the rules over recorded messages
    ./build/{name} --broker mqtt://127.0.0.1:1883   # runs them against an MQTT broker
    weir check                                  # type-checks without building
    weir test                                   # runs the tests in tests/

- `weir.toml`: the project's name, version, entry module and source folders.
- `src/`: the program; `src/Main.weir` holds `main`. Other modules go beside it
  (`src/Alerts.weir` is `module Alerts where`, imported with `import Alerts`).
- `data/sample.jsonl`: recorded messages, one `{{"topic": ..., "payload": ...}}` per line.
- `tests/`: tests that `weir test` runs; `tests/MainTest.weir` checks what the rule publishes.
)";

const char* const kGitignore = "/build/\n";

const char* const kTest = R"(-- | Tests of the rules in src/Main.weir: `weir test` runs every tests/*Test.weir.
module MainTest where

import Test
import Rule
import Main (rules)

tests :: [Test]
tests =
  [ test "a hot room raises an alert" $ \_ -> do
      out <- replay rules [jsonMessage "sensors/attic/temperature" {{ sensor = "a1", celsius = 34.0 }}]
      assertEqual [("alerts/too-hot", "{{\"celsius\":34.0,\"room\":\"attic\",\"sensor\":\"a1\"}}")] (map publishedText out)
  , test "a cold room does not" $ \_ -> do
      out <- replay rules [jsonMessage "sensors/cellar/temperature" {{ sensor = "c1", celsius = 12.0 }}]
      assertEqual [] (map publishedText out)
  ]
)";

bool writeFile(const fs::path& p, const std::string& text) {
  std::FILE* f = std::fopen(p.c_str(), "wb");
  if (!f) return false;
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  return std::fclose(f) == 0 && ok;
}

}  // namespace

int newProject(const std::string& path, const Options& opts) {
  fs::path dir = fs::path(path).lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();  // `weir new demo/`
  std::string name = dir.filename().string();
  if (!validProjectName(name))
    return plainError(opts, "E0913",
                      fmt::format("`{}` is not a valid project name\n  = hint: a name starts with a letter and has "
                                  "only letters, digits, `_` and `-` (at most 64); it is also the program's name",
                                  name));
  std::error_code ec;
  if (fs::exists(dir, ec))
    return plainError(opts, "E0913",
                      fmt::format("`{}` already exists\n  = hint: `weir new` creates a new folder; choose another "
                                  "name, or remove the folder first",
                                  dir.string()));
  struct File {
    const char* path;
    const char* text;
  };
  const File files[] = {{"weir.toml", kToml},       {"src/Main.weir", kMain},       {"data/sample.jsonl", kSample},
                        {"README.md", kReadme},     {".gitignore", kGitignore},     {"tests/MainTest.weir", kTest}};
  for (auto& f : files) {
    fs::path p = dir / f.path;
    fs::create_directories(p.parent_path(), ec);
    if (ec || !writeFile(p, fmt::format(fmt::runtime(f.text), fmt::arg("name", name))))
      return plainError(opts, "E0913", fmt::format("cannot write {}: {}", p.string(), ec ? ec.message() : "write failed"));
  }
  std::printf("Created project `%s` in %s/\n\n  cd %s\n  weir run -- --replay data/sample.jsonl\n", name.c_str(),
              dir.string().c_str(), dir.string().c_str());
  return 0;
}

}  // namespace weir::driver
