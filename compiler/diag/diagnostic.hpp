// Diagnostics: every user-facing error has a code (E0001...), a primary span,
// a message, optional labelled secondary spans, notes and a hint.
// Rendering (text with carets, colour on a terminal, or JSON) lives in render.cpp.
#pragma once
#include <string>
#include <vector>

#include "diag/source.hpp"

namespace weir {

enum class Severity { Error, Warning, Note };

struct Label {
  Span span;
  std::string message;
};

struct Diagnostic {
  Severity severity = Severity::Error;
  std::string code;      // "E0204"
  std::string message;   // one line: what went wrong
  Span span;             // primary location
  std::string label;     // text under the carets, e.g. "expected `Int`, found `String`"
  std::vector<Label> secondary;
  std::vector<std::string> notes;
  std::string hint;      // "did you mean `speed`?"
};

class DiagnosticEngine {
 public:
  explicit DiagnosticEngine(const SourceManager& sm) : sm_(sm) {}
  Diagnostic& report(Diagnostic d);
  // Convenience: an error with code, span and message; returns it for adding labels/hints.
  Diagnostic& error(std::string code, Span span, std::string message);
  Diagnostic& warning(std::string code, Span span, std::string message);

  bool hasErrors() const { return errorCount_ > 0; }
  size_t errorCount() const { return errorCount_; }
  const std::vector<Diagnostic>& all() const { return diags_; }
  Diagnostic& at(size_t i) { return diags_.at(i); }  // to complete a diagnostic later (typed holes)
  const SourceManager& sources() const { return sm_; }
  // Removes the diagnostics for which `drop` is true (errors that follow from earlier ones).
  template <class Pred>
  void eraseIf(Pred drop) {
    std::vector<Diagnostic> kept;
    errorCount_ = 0;
    for (auto& d : diags_) {
      if (drop(d)) continue;
      if (d.severity == Severity::Error) ++errorCount_;
      kept.push_back(std::move(d));
    }
    diags_ = std::move(kept);
  }

 private:
  const SourceManager& sm_;
  std::vector<Diagnostic> diags_;
  size_t errorCount_ = 0;
};

enum class DiagFormat { Text, Json };

// Renders all diagnostics (sorted by position) to a string.
std::string renderDiagnostics(const DiagnosticEngine& engine, DiagFormat format, bool colour);
std::string renderDiagnostic(const SourceManager& sm, const Diagnostic& d, DiagFormat format, bool colour);

// Long explanations for `weir explain CODE`; empty when the code is unknown.
std::string explainCode(const std::string& code);

}  // namespace weir
