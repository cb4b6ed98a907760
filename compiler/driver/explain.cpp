#include <fmt/format.h>

#include "diag/codes.hpp"
#include "diag/diagnostic.hpp"

namespace weir {

const CodeInfo* findCode(std::string_view code) {
  for (auto table : {syntaxCodes(), namesCodes(), typesCodes(), driverCodes(), formatCodes()})
    for (const CodeInfo& c : table)
      if (c.code == code) return &c;
  return nullptr;
}

std::string explainCode(const std::string& code) {
  const CodeInfo* c = findCode(code);
  if (!c) return {};
  return fmt::format("{}: {}\n\n{}\n", c->code, c->title, c->explanation);
}

}  // namespace weir
