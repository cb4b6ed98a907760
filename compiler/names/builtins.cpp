#include "names/scope.hpp"

namespace weir::names {

const std::vector<std::string>& builtinTypes() {
  static const std::vector<std::string> t = {"Int", "Float", "Char", "String", "Bytes", "IO", "->"};
  return t;
}

bool isBuiltinCon(const std::string& n) {
  if (n == "[]" || n == ":" || n == "()") return true;
  if (n.size() >= 3 && n.front() == '(' && n.back() == ')') {
    for (size_t i = 1; i + 1 < n.size(); ++i) if (n[i] != ',') return false;
    return true;
  }
  return false;
}

}  // namespace weir::names
