// Error-code registry. Each stage owns a range and one table in its own folder:
//   E0001-E0099 syntax (syntax/codes.cpp)      E0100-E0199 names (names/codes.cpp)
//   E0200-E0399 types  (types/codes.cpp)       E0900-E0949 driver (driver/codes.cpp)
//   E0950-E0959 format (format/codes.cpp)
// driver/explain.cpp joins the tables; `weir explain CODE` prints the explanation; tests check every code used is listed.
#pragma once
#include <span>
#include <string_view>

namespace weir {

struct CodeInfo {
  std::string_view code;         // "E0204"
  std::string_view title;        // one line
  std::string_view explanation;  // a few paragraphs with an example and the fix
};

std::span<const CodeInfo> syntaxCodes();
std::span<const CodeInfo> namesCodes();
std::span<const CodeInfo> typesCodes();
std::span<const CodeInfo> driverCodes();
std::span<const CodeInfo> formatCodes();

const CodeInfo* findCode(std::string_view code);

}  // namespace weir
