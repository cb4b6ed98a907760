#include "diag/diagnostic.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace weir {

Diagnostic& DiagnosticEngine::report(Diagnostic d) {
  if (d.severity == Severity::Error) ++errorCount_;
  diags_.push_back(std::move(d));
  return diags_.back();
}

Diagnostic& DiagnosticEngine::error(std::string code, Span span, std::string message) {
  Diagnostic d;
  d.severity = Severity::Error;
  d.code = std::move(code);
  d.span = span;
  d.message = std::move(message);
  return report(std::move(d));
}

Diagnostic& DiagnosticEngine::warning(std::string code, Span span, std::string message) {
  Diagnostic d;
  d.severity = Severity::Warning;
  d.code = std::move(code);
  d.span = span;
  d.message = std::move(message);
  return report(std::move(d));
}

namespace {

std::string jsonEscape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) out += fmt::format("\\u{:04x}", c);
        else out += static_cast<char>(c);
    }
  }
  return out;
}

const char* severityName(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

struct Style {
  bool on;
  std::string bold(std::string_view s) const { return on ? fmt::format("\x1b[1m{}\x1b[0m", s) : std::string(s); }
  std::string red(std::string_view s) const { return on ? fmt::format("\x1b[1;31m{}\x1b[0m", s) : std::string(s); }
  std::string yellow(std::string_view s) const { return on ? fmt::format("\x1b[1;33m{}\x1b[0m", s) : std::string(s); }
  std::string blue(std::string_view s) const { return on ? fmt::format("\x1b[1;34m{}\x1b[0m", s) : std::string(s); }
  std::string cyan(std::string_view s) const { return on ? fmt::format("\x1b[1;36m{}\x1b[0m", s) : std::string(s); }
};

// Display width of a byte range of a line: tabs count as 4, other scalars as 1.
size_t widthOf(std::string_view line, size_t from, size_t to) {
  size_t w = 0;
  for (size_t i = from; i < to && i < line.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c == '\t') w += 4;
    else if ((c & 0xC0) != 0x80) w += 1;
  }
  return w;
}

std::string expandTabs(std::string_view line) {
  std::string out;
  for (char c : line) {
    if (c == '\t') out += "    ";
    else out += c;
  }
  return out;
}

void renderSnippet(std::string& out, const SourceFile& f, Span span, const std::string& label, bool primary,
                   const Style& st, size_t gutter) {
  LineCol b = f.lineCol(span.begin);
  LineCol e = f.lineCol(span.end > span.begin ? span.end - 1 : span.begin);
  std::string_view line = f.lineText(b.line);
  // Byte offset of the line start: begin offset minus bytes before it on that line.
  uint32_t lineStart = span.begin;
  while (lineStart > 0 && f.text()[lineStart - 1] != '\n') --lineStart;
  size_t from = span.begin - lineStart;
  size_t to = (e.line == b.line) ? std::max<size_t>(span.end - lineStart, from + 1) : line.size();
  if (to <= from) to = from + 1;
  std::string num = std::to_string(b.line);
  out += st.blue(fmt::format("{:>{}} |", num, gutter)) + " " + expandTabs(line) + "\n";
  size_t pad = widthOf(line, 0, from);
  size_t carets = std::max<size_t>(1, widthOf(line, from, to));
  if (from >= line.size()) carets = 1;
  std::string marks(carets, primary ? '^' : '-');
  std::string text = std::string(pad, ' ') + marks + (label.empty() ? "" : " " + label);
  out += st.blue(fmt::format("{:>{}} |", "", gutter)) + " " + (primary ? st.red(text) : st.blue(text)) + "\n";
}

}  // namespace

std::string renderDiagnostic(const SourceManager& sm, const Diagnostic& d, DiagFormat format, bool colour) {
  bool hasFile = d.span.file < sm.size();
  if (format == DiagFormat::Json) {
    std::string out = "{";
    out += fmt::format("\"severity\":\"{}\",\"code\":\"{}\",\"message\":\"{}\"", severityName(d.severity), d.code,
                       jsonEscape(d.message));
    if (hasFile) {
      const SourceFile& f = sm.get(d.span.file);
      LineCol b = f.lineCol(d.span.begin), e = f.lineCol(d.span.end);
      out += fmt::format(",\"file\":\"{}\",\"line\":{},\"column\":{},\"endLine\":{},\"endColumn\":{}",
                         jsonEscape(f.path()), b.line, b.col, e.line, e.col);
    }
    if (!d.label.empty()) out += fmt::format(",\"label\":\"{}\"", jsonEscape(d.label));
    out += ",\"notes\":[";
    for (size_t i = 0; i < d.notes.size(); ++i) out += (i ? ",\"" : "\"") + jsonEscape(d.notes[i]) + "\"";
    out += "]";
    if (!d.hint.empty()) out += fmt::format(",\"hint\":\"{}\"", jsonEscape(d.hint));
    out += "}\n";
    return out;
  }
  Style st{colour};
  std::string out;
  std::string head = fmt::format("{}[{}]", severityName(d.severity), d.code);
  out += (d.severity == Severity::Error ? st.red(head) : st.yellow(head)) + st.bold(": " + d.message) + "\n";
  if (hasFile) {
    const SourceFile& f = sm.get(d.span.file);
    LineCol b = f.lineCol(d.span.begin);
    size_t gutter = std::to_string(b.line).size();
    for (auto& l : d.secondary)
      if (l.span.file == d.span.file)
        gutter = std::max(gutter, std::to_string(f.lineCol(l.span.begin).line).size());
    out += fmt::format("{}{} {}:{}:{}\n", std::string(gutter, ' '), st.blue("-->"), f.path(), b.line, b.col);
    out += st.blue(fmt::format("{:>{}} |", "", gutter)) + "\n";
    renderSnippet(out, f, d.span, d.label, true, st, gutter);
    for (auto& l : d.secondary) {
      if (l.span.file >= sm.size()) continue;
      const SourceFile& lf = sm.get(l.span.file);
      if (l.span.file != d.span.file) {
        LineCol lb = lf.lineCol(l.span.begin);
        out += fmt::format("{}{} {}:{}:{}\n", std::string(gutter, ' '), st.blue("::"), lf.path(), lb.line, lb.col);
      }
      renderSnippet(out, lf, l.span, l.message, false, st, gutter);
    }
    for (auto& n : d.notes) out += fmt::format("{} {} note: {}\n", std::string(gutter, ' '), st.blue("="), n);
    if (!d.hint.empty()) out += fmt::format("{} {} {}: {}\n", std::string(gutter, ' '), st.blue("="), st.cyan("hint"), d.hint);
  } else {
    for (auto& n : d.notes) out += fmt::format("  = note: {}\n", n);
    if (!d.hint.empty()) out += fmt::format("  = hint: {}\n", d.hint);
  }
  return out;
}

std::string renderDiagnostics(const DiagnosticEngine& engine, DiagFormat format, bool colour) {
  std::vector<const Diagnostic*> ds;
  for (auto& d : engine.all()) ds.push_back(&d);
  std::stable_sort(ds.begin(), ds.end(), [](const Diagnostic* a, const Diagnostic* b) {
    if (a->span.file != b->span.file) return a->span.file < b->span.file;
    return a->span.begin < b->span.begin;
  });
  std::string out;
  for (size_t i = 0; i < ds.size(); ++i) {
    if (i && format == DiagFormat::Text) out += "\n";
    out += renderDiagnostic(engine.sources(), *ds[i], format, colour);
  }
  return out;
}

}  // namespace weir
