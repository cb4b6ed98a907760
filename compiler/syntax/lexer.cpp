// The lexer: source text -> tokens (LANGUAGE.md section 1). Errors are reported with a
// precise span and lexing goes on, so one run shows every lexical problem of a file.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "syntax/internal.hpp"
#include "syntax/parser.hpp"

namespace weir::syntax {

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

static int hexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool decodeEscape(std::string_view s, size_t& i, std::string& out, bool bytes, std::string& err,
                  uint32_t* codePoint) {
  // s[i] == '\\'
  size_t start = i;
  ++i;
  if (i >= s.size()) { err = "a `\\` at the end of the literal escapes nothing"; return false; }
  char c = s[i++];
  uint32_t cp = 0;
  switch (c) {
    case 'n': cp = '\n'; break;
    case 't': cp = '\t'; break;
    case 'r': cp = '\r'; break;
    case 'a': cp = 7; break;
    case 'b': cp = 8; break;
    case 'f': cp = 12; break;
    case 'v': cp = 11; break;
    case 'e': cp = 27; break;
    case '\\': cp = '\\'; break;
    case '"': cp = '"'; break;
    case '\'': cp = '\''; break;
    case '$': cp = '$'; break;
    case 'x': {
      int h1 = i < s.size() ? hexVal(s[i]) : -1;
      if (h1 < 0) { err = "`\\x` must be followed by hex digits, like `\\x41`"; return false; }
      ++i;
      cp = static_cast<uint32_t>(h1);
      if (bytes) {
        // A byte: one or two hex digits (`b"\x01\x02raw"`), as Python and Erlang write bytes.
        int h2 = i < s.size() ? hexVal(s[i]) : -1;
        if (h2 >= 0) { cp = cp * 16 + static_cast<uint32_t>(h2); ++i; }
        out += static_cast<char>(cp);
        if (codePoint) *codePoint = cp;
        return true;
      }
      // Haskell: every hex digit that follows (`"\x00a0"` is U+00A0; `\&` ends it early).
      uint64_t v = cp;
      while (i < s.size() && hexVal(s[i]) >= 0) { v = v * 16 + static_cast<uint64_t>(hexVal(s[i])); ++i; if (v > 0x10FFFF) break; }
      while (i < s.size() && hexVal(s[i]) >= 0) ++i;
      if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        err = fmt::format("`{}` is not a Unicode scalar value (a `\\x` escape takes every hex digit that follows; "
                          "write `\\&` to end it, as in `\\x41\\&B`)", std::string(s.substr(start, i - start)));
        return false;
      }
      cp = static_cast<uint32_t>(v);
      break;
    }
    case 'o': case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9': {
      // Haskell's decimal `\1234` (U+04D2) and octal `\o17` escapes: every digit that follows.
      bool octal = c == 'o';
      if (!octal) --i;
      uint64_t v = 0;
      size_t digits = 0;
      while (i < s.size() && s[i] >= '0' && s[i] <= (octal ? '7' : '9')) {
        if (v <= 0x10FFFF) v = v * (octal ? 8 : 10) + static_cast<uint64_t>(s[i] - '0');
        ++i;
        ++digits;
      }
      if (digits == 0) { err = "`\\o` must be followed by octal digits, like `\\o101`"; return false; }
      uint64_t limit = bytes ? 0xFF : 0x10FFFF;
      if (v > limit || (!bytes && v >= 0xD800 && v <= 0xDFFF)) {
        err = fmt::format("`{}` is not {}", std::string(s.substr(start, i - start)),
                          bytes ? "a byte (at most 255)" : "a Unicode scalar value");
        return false;
      }
      cp = static_cast<uint32_t>(v);
      if (bytes) { out += static_cast<char>(cp); if (codePoint) *codePoint = cp; return true; }
      break;
    }
    case '&':
      // Haskell's empty escape: separates an escape from a following digit (`"\x41\&1"`).
      if (codePoint) { err = "`\\&` (the empty escape) is allowed only in strings"; return false; }
      return true;
    case ' ': case '\t': case '\n': case '\r':
      err = "a string gap (`\\`, a line break, then `\\`) is not supported: end the string and join the parts "
            "with `++`, or write `\\n` for a line break";
      while (i < s.size() && s[i] != '"') ++i;
      return false;
    case 'u': {
      if (i >= s.size() || s[i] != '{') { err = "`\\u` must be followed by a code point in braces, like `\\u{2603}`"; return false; }
      ++i;
      size_t digits = 0;
      uint64_t v = 0;
      while (i < s.size() && hexVal(s[i]) >= 0) { v = v * 16 + static_cast<uint64_t>(hexVal(s[i])); ++i; ++digits; if (digits > 8) break; }
      if (i >= s.size() || s[i] != '}' || digits == 0 || digits > 6) {
        while (i < s.size() && s[i] != '}' && s[i] != '"' && s[i] != '\'') ++i;
        if (i < s.size() && s[i] == '}') ++i;
        err = "`\\u{...}` needs 1 to 6 hex digits and a closing `}`";
        return false;
      }
      ++i;
      if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        err = fmt::format("`\\u{{{:X}}}` is not a Unicode scalar value", v);
        return false;
      }
      cp = static_cast<uint32_t>(v);
      break;
    }
    case '^':
      // Haskell's control characters `\^@` ... `\^_` (`\^A` is 1).
      if (i < s.size() && s[i] >= '@' && s[i] <= '_') { cp = static_cast<uint32_t>(s[i++] - '@'); break; }
      err = "`\\^` must be followed by a character from `@` to `_`, like `\\^A`";
      return false;
    default: {
      // Haskell's ASCII names: `\NUL`, `\SOH`, ..., `\ESC`, `\DEL` (the longest that matches).
      static const char* const names[] = {"NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS",  "HT",  "LF",
                                          "VT",  "FF",  "CR",  "SO",  "SI",  "DLE", "DC1", "DC2", "DC3", "DC4", "NAK",
                                          "SYN", "ETB", "CAN", "EM",  "SUB", "ESC", "FS",  "GS",  "RS",  "US",  "SP"};
      if (c >= 'A' && c <= 'Z') {
        std::string_view rest = s.substr(i - 1);
        int best = -1;
        size_t bestLen = 0;
        for (int k = 0; k < 33; ++k) {
          std::string_view n = names[k];
          if (rest.substr(0, n.size()) == n && n.size() > bestLen) { best = k; bestLen = n.size(); }
        }
        if (rest.substr(0, 3) == "DEL") { best = 127; bestLen = 3; }
        if (best >= 0) {
          cp = best == 32 ? 32u : static_cast<uint32_t>(best);
          i += bestLen - 1;
          break;
        }
      }
    }
      err = fmt::format("unknown escape sequence `\\{}`", std::string_view(s.data() + start + 1, 1));
      // step over a whole UTF-8 character
      while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
      return false;
  }
  appendUtf8(out, cp);
  if (codePoint) *codePoint = cp;
  return true;
}

namespace {

bool isIdentChar(char c);

// The end (one past the closing quote) of the character literal starting at s[j] == '\'', or 0
// if there is no well-formed one there.
size_t charLitEnd(std::string_view s, size_t j) {
  size_t k = j + 1;
  if (k >= s.size() || s[k] == '\n' || s[k] == '\'') return 0;
  if (s[k] == '\\') {
    for (k += 2; k < s.size() && k < j + 16 && s[k] != '\n'; ++k)
      if (s[k] == '\'') return k + 1;
    return 0;
  }
  unsigned char c = static_cast<unsigned char>(s[k]);
  k += c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
  return k < s.size() && s[k] == '\'' ? k + 1 : 0;
}

}  // namespace

size_t interpHoleEnd(std::string_view s, size_t a) {
  int depth = 1;
  size_t j = a;
  while (j < s.size() && s[j] != '\n') {
    char c = s[j];
    if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (--depth == 0) return j;
    } else if (c == '"') {  // a nested string
      ++j;
      while (j < s.size() && s[j] != '"' && s[j] != '\n') j += s[j] == '\\' ? 2 : 1;
      if (j >= s.size() || s[j] == '\n') return std::min(j, s.size());
    } else if (c == '\'' && (j == a || !isIdentChar(s[j - 1]))) {  // a character literal, not a prime
      if (size_t e = charLitEnd(s, j)) {
        j = e;
        continue;
      }
    }
    ++j;
  }
  return std::min(j, s.size());
}

namespace {

bool isSymbolChar(char c) {
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '*': case '+': case '.': case '/':
    case '<': case '=': case '>': case '?': case '@': case '\\': case '^': case '|': case '-':
    case '~': case ':':
      return true;
    default:
      return false;
  }
}
bool isLower(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }
bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdentChar(char c) { return isLower(c) || isUpper(c) || isDigit(c) || c == '\''; }

// `qualified`, `as` and `hiding` are ordinary names outside import declarations (as in Haskell);
// the grammar matches them by text there.
const std::unordered_map<std::string_view, Tok>& keywords() {
  static const std::unordered_map<std::string_view, Tok> m = {
      {"module", Tok::KwModule}, {"where", Tok::KwWhere}, {"import", Tok::KwImport},
      {"data", Tok::KwData}, {"type", Tok::KwType}, {"newtype", Tok::KwNewtype},
      {"class", Tok::KwClass}, {"instance", Tok::KwInstance}, {"deriving", Tok::KwDeriving},
      {"foreign", Tok::KwForeign}, {"let", Tok::KwLet}, {"in", Tok::KwIn}, {"case", Tok::KwCase},
      {"of", Tok::KwOf}, {"if", Tok::KwIf}, {"then", Tok::KwThen}, {"else", Tok::KwElse},
      {"do", Tok::KwDo}, {"infix", Tok::KwInfix}, {"infixl", Tok::KwInfixl},
      {"infixr", Tok::KwInfixr}, {"forall", Tok::KwForall}};
  return m;
}

const std::unordered_map<std::string_view, Tok>& reservedOps() {
  static const std::unordered_map<std::string_view, Tok> m = {
      {"..", Tok::DotDot}, {":", Tok::Colon}, {"::", Tok::DColon}, {"=", Tok::Equals},
      {"\\", Tok::Backslash}, {"|", Tok::Bar}, {"<-", Tok::LArrow}, {"->", Tok::RArrow},
      {"@", Tok::At}, {"~", Tok::Tilde}, {"=>", Tok::DArrow}, {"-", Tok::Minus}};
  return m;
}

class Lexer {
 public:
  Lexer(const SourceFile& file, FileId id, uint32_t begin, uint32_t end, DiagnosticEngine& diags)
      : src_(file.text()), file_(file), id_(id), pos_(begin), end_(end), diags_(diags) {
    LineCol lc = file.lineCol(begin);
    line_ = lc.line;
    // lineStart_ is a virtual offset such that col = (pos - lineStart_) + 1 on ASCII lines
    lineStart_ = begin;
    colBase_ = lc.col;
  }

  std::vector<Token> run() {
    out_.reserve((end_ - pos_) / 4 + 8);
    bool space = true;
    while (true) {
      space |= skipSpaceAndComments();
      if (pos_ >= end_) break;
      size_t before = out_.size();
      lexToken();
      if (out_.size() > before) {
        Token& t = out_[before];  // one call may emit several tokens (`<<-1`, `x@<<`)
        t.spaceBefore = space;
        if (!pendingDoc_.empty()) { t.doc = std::move(pendingDoc_); pendingDoc_.clear(); }
        space = false;
      } else {
        space = true;  // invalid character: treat like a space
      }
    }
    Token e;
    e.kind = Tok::End;
    e.span = Span{id_, end_, end_};
    LineCol lc = colAt(end_);
    e.line = lc.line;
    e.col = lc.col;
    e.spaceBefore = true;
    out_.push_back(std::move(e));
    return std::move(out_);
  }

 private:
  const std::string& src_;
  const SourceFile& file_;
  FileId id_;
  uint32_t pos_, end_;
  DiagnosticEngine& diags_;
  uint32_t line_ = 1, lineStart_ = 0, colBase_ = 1;
  std::vector<Token> out_;
  std::string pendingDoc_;
  bool tabReported_ = false;
  bool lastWasDocLine_ = false;

  char at(uint32_t p) const { return p < end_ ? src_[p] : '\0'; }
  char cur() const { return at(pos_); }

  LineCol colAt(uint32_t p) const {
    // column (1-based, in code points, tabs to the next multiple of 8) of offset p on the current line;
    // counted on from the previous call on the same line, so a long line costs linear time
    uint32_t col = colBase_, i = lineStart_;
    if (colCacheLine_ == lineStart_ && colCachePos_ <= p) {
      col = colCacheCol_;
      i = colCachePos_;
    }
    for (; i < p && i < src_.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(src_[i]);
      if (c == '\t') col = ((col - 1) / 8 + 1) * 8 + 1;
      else if ((c & 0xC0) != 0x80) ++col;
    }
    colCacheLine_ = lineStart_;
    colCachePos_ = i;
    colCacheCol_ = col;
    return {line_, col};
  }
  mutable uint32_t colCacheLine_ = UINT32_MAX, colCachePos_ = 0, colCacheCol_ = 1;

  void newline(uint32_t afterNl) {
    ++line_;
    lineStart_ = afterNl;
    colBase_ = 1;
  }

  Span span(uint32_t b, uint32_t e) const { return Span{id_, b, e}; }

  // Source text [b, e) for a message, shortened in the middle when very long (a 100,000-digit literal).
  std::string quote(uint32_t b, uint32_t e) const {
    if (e - b <= 60) return src_.substr(b, e - b);
    return src_.substr(b, 28) + "..." + src_.substr(e - 28, 28);
  }

  Diagnostic& error(const char* code, uint32_t b, uint32_t e, std::string msg) {
    if (e <= b) e = b + 1;
    return diags_.error(code, span(b, e), std::move(msg));
  }

  Token& emit(Tok k, uint32_t b, std::string text = {}) {
    Token t;
    t.kind = k;
    t.span = span(b, pos_);
    LineCol lc = colAt(b);
    t.line = lc.line;
    t.col = lc.col;
    t.text = std::move(text);
    out_.push_back(std::move(t));
    return out_.back();
  }

  // Returns true if anything was skipped.
  bool skipSpaceAndComments() {
    uint32_t start = pos_;
    bool atLineStart = out_.empty() || pos_ == lineStart_;
    while (pos_ < end_) {
      char c = cur();
      if (c == '\n') {
        ++pos_;
        newline(pos_);
        atLineStart = true;
      } else if (c == ' ' || c == '\r') {
        ++pos_;
      } else if (c == '\t') {
        if (atLineStart && !tabReported_) {
          tabReported_ = true;
          error("E0009", pos_, pos_ + 1, "tab character in indentation")
              .hint = "indent with spaces: layout depends on columns, and tabs make them ambiguous";
        }
        ++pos_;
      } else if (c == '-' && at(pos_ + 1) == '-') {
        uint32_t p = pos_;
        while (at(p) == '-') ++p;
        if (p < end_ && isSymbolChar(at(p))) break;  // an operator like `-->`
        // a line comment
        uint32_t textStart = p;
        while (pos_ < end_ && cur() != '\n') ++pos_;
        std::string_view body(src_.data() + textStart, pos_ - textStart);
        size_t k = 0;
        while (k < body.size() && body[k] == ' ') ++k;
        if (k < body.size() && body[k] == '|') {
          std::string_view d = body.substr(k + 1);
          while (!d.empty() && d.front() == ' ') d.remove_prefix(1);
          while (!d.empty() && (d.back() == ' ' || d.back() == '\r')) d.remove_suffix(1);
          pendingDoc_ = std::string(d);
          lastWasDocLine_ = true;
          continue;  // the newline is handled by the loop
        } else if (lastWasDocLine_ && !pendingDoc_.empty()) {
          std::string_view d = body;
          if (!d.empty() && d.front() == ' ') d.remove_prefix(1);
          while (!d.empty() && (d.back() == ' ' || d.back() == '\r')) d.remove_suffix(1);
          pendingDoc_ += "\n";
          pendingDoc_ += d;
          continue;
        }
      } else if (c == '{' && at(pos_ + 1) == '-') {
        uint32_t open = pos_;
        int depth = 0;
        while (pos_ < end_) {
          if (cur() == '{' && at(pos_ + 1) == '-') { ++depth; pos_ += 2; }
          else if (cur() == '-' && at(pos_ + 1) == '}') { pos_ += 2; if (--depth == 0) break; }
          else if (cur() == '\n') { ++pos_; newline(pos_); }
          else ++pos_;
        }
        if (depth > 0) {
          error("E0003", open, open + 2, "unterminated block comment")
              .label = "this `{-` is never closed by a matching `-}`";
        }
      } else {
        break;
      }
    }
    if (pos_ > start) {
      // a doc comment line followed by code: keep the doc; other lines end the continuation
    }
    return pos_ > start;
  }

  void lexToken() {
    char c = cur();
    uint32_t b = pos_;
    if (isLower(c) || isUpper(c)) return lexIdent();
    if (isDigit(c)) return lexNumber();
    if (c == '"') return lexString(b, false);
    if (c == '\'') return lexChar();
    lastWasDocLine_ = false;
    switch (c) {
      case '(': ++pos_; emit(Tok::LParen, b); return;
      case ')': ++pos_; emit(Tok::RParen, b); return;
      case '[': ++pos_; emit(Tok::LBracket, b); return;
      case ']': ++pos_; emit(Tok::RBracket, b); return;
      case ',': ++pos_; emit(Tok::Comma, b); return;
      case ';': ++pos_; emit(Tok::Semi, b); return;
      case '{': ++pos_; emit(Tok::LBrace, b); return;
      case '}': ++pos_; emit(Tok::RBrace, b); return;
      case '`': ++pos_; emit(Tok::Backquote, b); return;
      default: break;
    }
    if (isSymbolChar(c)) return lexSymbol(b, b);
    // invalid character: skip one UTF-8 sequence
    ++pos_;
    while (pos_ < end_ && (static_cast<unsigned char>(cur()) & 0xC0) == 0x80) ++pos_;
    std::string ch = src_.substr(b, pos_ - b);
    auto& d = error("E0001", b, pos_, fmt::format("invalid character `{}` in source", ch));
    if (ch == "\xE2\x80\x9C" || ch == "\xE2\x80\x9D") d.hint = "use a plain double quote `\"` for strings";
    else if (ch == "\xE2\x80\x98" || ch == "\xE2\x80\x99") d.hint = "use a plain single quote `'` for characters";
    else d.hint = "outside strings, comments and characters, only ASCII letters, digits, symbols and spaces are allowed";
  }

  void lexSymbol(uint32_t b, uint32_t qualStart) {
    uint32_t s = pos_;
    while (pos_ < end_ && isSymbolChar(cur())) ++pos_;
    std::string_view op(src_.data() + s, pos_ - s);
    if (qualStart != s) {  // qualified operator Map.!
      emit(Tok::QVarSym, qualStart, src_.substr(qualStart, pos_ - qualStart));
      return;
    }
    if (op == "." && !out_.empty()) {
      const Token& prev = out_.back();
      bool glued = prev.span.end == s;
      bool prevOk = prev.kind == Tok::VarId || prev.kind == Tok::QVarId || prev.kind == Tok::RParen ||
                    prev.kind == Tok::RBrace;
      if (glued && prevOk && isLower(cur()) && cur() != '\0') {
        emit(Tok::Dot, b, ".");
        return;
      }
    }
    if (op == "?" && isLower(cur())) {
      uint32_t n = pos_;
      while (pos_ < end_ && isIdentChar(cur())) ++pos_;
      emit(Tok::Hole, b, src_.substr(n, pos_ - n));
      return;
    }
    // `x@<<...>>`, `x@-1`: `@` is reserved, so right after a name it is an as-pattern's `@`,
    // never the start of an operator.
    if (op.size() > 1 && op[0] == '@' && !out_.empty() && out_.back().kind == Tok::VarId &&
        out_.back().span.end == s) {
      pos_ = s + 1;
      emit(Tok::At, b, "@");
      lexSymbol(s + 1, s + 1);
      return;
    }
    // `<<-1:8/signed>>`: binary data starting with a negative number, not an operator `<<-`.
    if (op == "<<-" && isDigit(cur())) {
      pos_ = s + 2;
      emit(Tok::VarSym, b, "<<");
      uint32_t m = pos_;
      ++pos_;
      emit(Tok::Minus, m, "-");
      return;
    }
    auto& ro = reservedOps();
    auto it = ro.find(op);
    if (it != ro.end()) { emit(it->second, b, std::string(op)); return; }
    emit(op[0] == ':' ? Tok::ConSym : Tok::VarSym, b, std::string(op));
  }

  void lexIdent() {
    uint32_t b = pos_;
    lastWasDocLine_ = false;
    if (cur() == 'b' && at(pos_ + 1) == '"') {
      ++pos_;
      return lexString(b, true);
    }
    if (isLower(cur())) {
      while (pos_ < end_ && isIdentChar(cur())) ++pos_;
      std::string_view w(src_.data() + b, pos_ - b);
      auto& kw = keywords();
      auto it = kw.find(w);
      if (it != kw.end()) emit(it->second, b, std::string(w));
      else emit(Tok::VarId, b, std::string(w));
      return;
    }
    // ConId, possibly the start of a qualified name
    while (true) {
      while (pos_ < end_ && isIdentChar(cur())) ++pos_;
      if (cur() == '.' ) {
        char n = at(pos_ + 1);
        if (isUpper(n)) { ++pos_; continue; }
        if (isLower(n)) {
          uint32_t q = pos_ + 1;
          uint32_t e = q;
          while (e < end_ && isIdentChar(at(e))) ++e;
          std::string_view w(src_.data() + q, e - q);
          if (keywords().count(w)) break;
          pos_ = e;
          emit(Tok::QVarId, b, src_.substr(b, pos_ - b));
          return;
        }
        if (isSymbolChar(n) && n != '.') {
          ++pos_;
          lexSymbol(b, b);
          return;
        }
        if (n == '.' && at(pos_ + 2) != '.' && !isSymbolChar(at(pos_ + 2))) {
          // `Map..` is the composition operator qualified: rare, but Haskell lexes it so
        }
      }
      break;
    }
    std::string text = src_.substr(b, pos_ - b);
    Tok kind = text.find('.') != std::string::npos ? Tok::QConId : Tok::ConId;
    emit(kind, b, std::move(text));
  }

  void lexNumber() {
    uint32_t b = pos_;
    lastWasDocLine_ = false;
    int base = 10;
    if (cur() == '0' && (at(pos_ + 1) == 'x' || at(pos_ + 1) == 'X')) base = 16;
    else if (cur() == '0' && (at(pos_ + 1) == 'o' || at(pos_ + 1) == 'O')) base = 8;
    else if (cur() == '0' && (at(pos_ + 1) == 'b' || at(pos_ + 1) == 'B')) base = 2;
    if (base != 10) {
      pos_ += 2;
      uint32_t ds = pos_;
      uint64_t v = 0;
      bool overflow = false, bad = false;
      int ndig = 0;
      while (pos_ < end_ && (isIdentChar(cur()))) {
        char c = cur();
        if (c == '_') { ++pos_; continue; }
        int d = hexVal(c);
        if (d < 0 || d >= base) { bad = true; ++pos_; continue; }
        if (__builtin_mul_overflow(v, static_cast<uint64_t>(base), &v) ||
            __builtin_add_overflow(v, static_cast<uint64_t>(d), &v))
          overflow = true;
        ++ndig;
        ++pos_;
      }
      const char* bname = base == 16 ? "hexadecimal" : base == 8 ? "octal" : "binary";
      if (bad || ndig == 0) {
        auto& d = error("E0005", b, pos_, fmt::format("malformed {} literal `{}`", bname, quote(b, pos_)));
        d.hint = base == 16 ? "hex digits are 0-9 and a-f, like `0x2A`"
                 : base == 8 ? "octal digits are 0-7, like `0o52`" : "binary digits are 0 and 1, like `0b1010`";
        v = 0;
      } else if (overflow) {
        error("E0006", b, pos_, fmt::format("integer literal `{}` does not fit in 64 bits", quote(b, pos_)));
        v = 0;
      }
      (void)ds;
      emit(Tok::Integer, b, src_.substr(b, pos_ - b)).intValue = static_cast<int64_t>(v);
      return;
    }
    auto digits = [&] {
      while (pos_ < end_ && (isDigit(cur()) || (cur() == '_' && isDigit(at(pos_ + 1))))) ++pos_;
    };
    digits();
    bool isFloat = false;
    if (cur() == '.' && isDigit(at(pos_ + 1))) {
      isFloat = true;
      ++pos_;
      digits();
    }
    if ((cur() == 'e' || cur() == 'E') &&
        (isDigit(at(pos_ + 1)) || ((at(pos_ + 1) == '-' || at(pos_ + 1) == '+') && isDigit(at(pos_ + 2))))) {
      isFloat = true;
      pos_ += 2;
      digits();
    }
    uint32_t numEnd = pos_;
    std::string clean;
    for (uint32_t i = b; i < numEnd; ++i)
      if (src_[i] != '_') clean += src_[i];
    if (pos_ < end_ && isIdentChar(cur())) {
      while (pos_ < end_ && isIdentChar(cur())) ++pos_;
      auto& d = error("E0005", b, pos_, fmt::format("malformed number `{}`", quote(b, pos_)));
      d.label = "a number cannot be followed directly by letters";
      d.hint = "put a space between the number and the name, or write an exponent like `1e-3`";
      emit(isFloat ? Tok::Float : Tok::Integer, b, src_.substr(b, pos_ - b));
      return;
    }
    if (isFloat) {
      emit(Tok::Float, b, src_.substr(b, pos_ - b)).floatValue = std::strtod(clean.c_str(), nullptr);
      return;
    }
    uint64_t v = 0;
    bool overflow = false;
    for (char c : clean)
      if (__builtin_mul_overflow(v, uint64_t{10}, &v) || __builtin_add_overflow(v, static_cast<uint64_t>(c - '0'), &v))
        overflow = true;
    // Int is signed: 2^63 is only allowed as the operand of a negation (`-9223372036854775808`,
    // minBound); hexadecimal, octal and binary literals may give any 64-bit pattern.
    constexpr uint64_t kMinAbs = uint64_t{1} << 63;
    bool negated = !out_.empty() && out_.back().kind == Tok::Minus;
    if (overflow || v > kMinAbs || (v == kMinAbs && !negated)) {
      auto& d = error("E0006", b, pos_,
                      overflow ? fmt::format("integer literal `{}` does not fit in 64 bits", quote(b, pos_))
                               : fmt::format("integer literal `{}` is too large for Int", quote(b, pos_)));
      d.hint = "Int is a signed 64-bit integer: the largest is 9223372036854775807 (2^63 - 1), the smallest "
               "-9223372036854775808; a hexadecimal literal may give any 64-bit pattern (up to 0xFFFFFFFFFFFFFFFF)";
      v = 0;
    }
    emit(Tok::Integer, b, src_.substr(b, pos_ - b)).intValue = static_cast<int64_t>(v);
  }

  // Reports a bad escape inside a literal whose body starts at offset `bodyStart`.
  void escape(std::string_view body, size_t& i, std::string& out, bool bytes, uint32_t bodyStart,
              uint32_t* cp = nullptr) {
    size_t s = i;
    std::string err;
    if (!decodeEscape(body, i, out, bytes, err, cp)) {
      auto& d = error("E0004", bodyStart + static_cast<uint32_t>(s), bodyStart + static_cast<uint32_t>(i),
                      "invalid escape sequence");
      d.label = err;
      d.hint = "valid escapes: \\n \\t \\r \\\\ \\\" \\' \\$ \\xHHHH \\1234 \\o17 \\u{HHHH} \\NUL \\ESC \\^A \\&";
      out += "\xEF\xBF\xBD";
    }
  }

  void lexString(uint32_t b, bool bytes) {
    lastWasDocLine_ = false;
    ++pos_;  // opening quote
    uint32_t bodyStart = pos_;
    // find the end of the literal on this line, honouring escapes and ${...}
    uint32_t p = pos_;
    bool interp = false, closed = false, badInterp = false;
    uint32_t interpOpen = 0;
    while (p < end_ && src_[p] != '\n') {
      char c = src_[p];
      if (c == '\\') { p += 2; continue; }
      if (c == '"') { closed = true; break; }
      if (!bytes && c == '$' && at(p + 1) == '{') {
        interp = true;
        interpOpen = p;
        std::string_view whole(src_.data(), end_);
        p = static_cast<uint32_t>(interpHoleEnd(whole, p + 2));
        if (p >= end_ || src_[p] != '}') { badInterp = true; break; }
        ++p;
        continue;
      }
      ++p;
    }
    if (p > end_) p = end_;
    if (badInterp) {
      error("E0008", interpOpen, interpOpen + 2, "unterminated interpolation in string literal")
          .label = "this `${` has no matching `}` on the same line";
      pos_ = p;
      emit(Tok::String, b, "");
      return;
    }
    if (!closed) {
      auto& d = error("E0002", b, p, bytes ? "unterminated bytes literal" : "unterminated string literal");
      d.label = "this string is missing its closing `\"`";
      d.hint = "strings end on the line they start; use `\\n` for a line break";
    }
    std::string_view body(src_.data() + bodyStart, p - bodyStart);
    pos_ = closed ? p + 1 : p;
    if (interp) {
      // Check escapes of the literal parts now (the parser re-decodes them silently).
      std::string scratch;
      for (size_t i = 0; i < body.size();) {
        if (body[i] == '\\') { escape(body, i, scratch, false, bodyStart); continue; }
        if (body[i] == '$' && i + 1 < body.size() && body[i + 1] == '{') {
          i = std::min(interpHoleEnd(body, i + 2) + 1, body.size());
          continue;
        }
        ++i;
      }
      emit(Tok::InterpString, b, std::string(body));
      return;
    }
    std::string out;
    out.reserve(body.size());
    for (size_t i = 0; i < body.size();) {
      if (body[i] == '\\') { escape(body, i, out, bytes, bodyStart); continue; }
      out += body[i++];
    }
    emit(bytes ? Tok::Bytes : Tok::String, b, std::move(out));
  }

  void lexChar() {
    uint32_t b = pos_;
    lastWasDocLine_ = false;
    ++pos_;
    std::string out;
    uint32_t cp = 0;
    if (cur() == '\'' ) {
      ++pos_;
      error("E0007", b, pos_, "empty character literal")
          .hint = "a character literal holds exactly one character, like 'a'; for an empty text use \"\"";
      emit(Tok::Char, b, "");
      return;
    }
    if (cur() == '\n' || pos_ >= end_) {
      error("E0007", b, pos_, "unterminated character literal").label = "missing the closing `'`";
      emit(Tok::Char, b, "");
      return;
    }
    if (cur() == '\\') {
      std::string_view rest(src_.data() + pos_, end_ - pos_);
      size_t i = 0;
      escape(rest, i, out, false, pos_, &cp);
      pos_ += static_cast<uint32_t>(i);
    } else {
      unsigned char c = static_cast<unsigned char>(cur());
      int len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
      cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
      for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(at(pos_ + k)) & 0x3F);
      pos_ += len;
    }
    if (cur() != '\'') {
      // maybe several characters: look for a closing quote on this line
      uint32_t p = pos_;
      while (p < end_ && src_[p] != '\'' && src_[p] != '\n' && p - pos_ < 64) ++p;
      if (at(p) == '\'') {
        pos_ = p + 1;
        error("E0007", b, pos_, "character literal with more than one character")
            .hint = "a character literal holds exactly one character; use double quotes for a String";
      } else {
        error("E0007", b, pos_, "unterminated character literal").label = "missing the closing `'`";
      }
    } else {
      ++pos_;
    }
    emit(Tok::Char, b, src_.substr(b, pos_ - b)).charValue = cp;
  }
};

}  // namespace

std::vector<Token> lexRange(const SourceFile& file, FileId id, uint32_t begin, uint32_t end, DiagnosticEngine& diags) {
  return Lexer(file, id, begin, end, diags).run();
}

std::vector<Token> lex(const SourceFile& file, FileId id, DiagnosticEngine& diags) {
  return lexRange(file, id, 0, static_cast<uint32_t>(file.text().size()), diags);
}

}  // namespace weir::syntax
