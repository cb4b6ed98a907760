// Source files and spans. Every token, AST node and diagnostic points into a
// SourceFile through a Span (byte offsets); line/column are computed on demand.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace weir {

using FileId = uint32_t;

struct Span {
  FileId file = 0;
  uint32_t begin = 0;  // byte offset, inclusive
  uint32_t end = 0;    // byte offset, exclusive
  static Span merge(Span a, Span b) {
    return Span{a.file, a.begin < b.begin ? a.begin : b.begin, a.end > b.end ? a.end : b.end};
  }
};

struct LineCol {
  uint32_t line = 1;  // 1-based
  uint32_t col = 1;   // 1-based, counted in Unicode scalar values
};

class SourceFile {
 public:
  SourceFile(std::string path, std::string text);
  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  LineCol lineCol(uint32_t offset) const;
  std::string_view lineText(uint32_t line) const;  // without the newline
  uint32_t lineCount() const { return static_cast<uint32_t>(lineStarts_.size()); }

 private:
  std::string path_;
  std::string text_;
  std::vector<uint32_t> lineStarts_;
};

// Owns every file of one compilation; FileId indexes into it.
class SourceManager {
 public:
  FileId add(std::string path, std::string text);
  const SourceFile& get(FileId id) const { return *files_.at(id); }
  size_t size() const { return files_.size(); }
  // "path:line:col" of the start of a span, for run-time error locations.
  std::string location(Span s) const;

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

// Reads a file as UTF-8 text; on failure returns false and a message that says why
// (missing, a directory, unreadable, not UTF-8 with the byte offset).
bool readSourceFile(const std::string& path, std::string& out, std::string& error);
bool isValidUtf8(std::string_view s, size_t* badOffset = nullptr);

}  // namespace weir
