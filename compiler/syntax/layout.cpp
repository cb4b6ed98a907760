// The layout pass (Haskell 2010 algorithm L, LANGUAGE.md section 1): inserts virtual braces and
// semicolons after `where`, `let`, `do`, `of` and around the module body, so the grammar can
// treat indented blocks exactly like explicit `{ ; }` blocks.
//
// Instead of Haskell's parse-error(t) rule, implicit blocks are also closed by tokens that
// clearly belong to an enclosing construct:
//   `in` closes up to the nearest `let`;  `)` `]` `}` close up to their opening bracket;
//   `then`/`else` close up to their `if`;  `of` up to its `case`;
//   `,` closes a `let` block (guards, comprehensions);  a guard's `=`/`->` closes the guard's `let`;
//   `where` at the column of a `do`/`of` block ends that block.
#include "syntax/internal.hpp"
#include "syntax/parser.hpp"

namespace weir::syntax {

namespace {

struct Ctx {
  enum Kind { Implicit, Explicit, Bracket, If, Let, Case } kind;
  uint32_t col = 0;
  bool letBlock = false;  // Implicit: opened by `let`
  bool guardLet = false;  // ... a `let` right after `|` or `,` (a guard or a comprehension qualifier)
  int equals = 0;         // guardLet: `=` seen in the current binding
  bool lambda = false;    // guardLet: a `\` seen in the current binding (its `->` is not the guard's)
  bool record = false;    // Explicit: a record brace, not a block after `where`/`let`/`do`/`of`
  int binary = 0;         // binary data `<<` ... `>>` open in this context (its `,` closes no `let`)
};

// Whether `<<` at in[i] starts binary data rather than being the operator: glued to what follows
// (`<<x:8>>`, as the grammar requires in argument position), or where no operator can stand.
static bool opensBinary(const std::vector<Token>& in, size_t i, const std::vector<Token>& out) {
  if (in[i].kind != Tok::VarSym || in[i].text != "<<") return false;
  if (i + 1 < in.size() && in[i + 1].kind != Tok::End && !in[i + 1].spaceBefore) return true;
  if (out.empty()) return true;
  switch (out.back().kind) {
    case Tok::VarId: case Tok::ConId: case Tok::QVarId: case Tok::QConId: case Tok::Integer: case Tok::Float:
    case Tok::Char: case Tok::String: case Tok::InterpString: case Tok::Bytes: case Tok::Hole:
    case Tok::RParen: case Tok::RBracket: case Tok::RBrace:
      return false;
    case Tok::VarSym: return out.back().text == "<<>>" || out.back().text == ">>" ? false : true;
    default: return true;
  }
}

// Whether `{` at in[i], right after `let`/`where`/`of`/`do`, opens a record pattern rather
// than an explicit block: its matching `}` is followed by what ends a pattern there — `=`
// (a binding), `->` (an alternative), `<-` (a `do` bind) or `|` (a guard). An explicit block
// `{ x = 1; y = 2 }` is followed by `in`, a new item or the end of an expression instead.
static bool opensRecordPattern(const std::vector<Token>& in, size_t i) {
  if (in[i].kind != Tok::LBrace) return false;
  int depth = 0;
  for (size_t j = i; j < in.size(); ++j) {
    Tok k = in[j].kind;
    if (k == Tok::LBrace || k == Tok::LParen || k == Tok::LBracket) ++depth;
    else if (k == Tok::RBrace || k == Tok::RParen || k == Tok::RBracket) {
      if (--depth == 0) {
        if (k != Tok::RBrace || j + 1 >= in.size()) return false;
        Tok n = in[j + 1].kind;
        return n == Tok::Equals || n == Tok::RArrow || n == Tok::LArrow || n == Tok::Bar;
      }
    } else if (k == Tok::Semi || k == Tok::End) {
      return false;  // `;` inside: a block
    }
  }
  return false;
}

class Layout {
 public:
  explicit Layout(std::vector<Token>& in) : in_(in) { out_.reserve(in.size() + in.size() / 4 + 8); }

  std::vector<Token> run(bool topBlock) {
    if (in_.empty()) return {};
    bool expectBlock = topBlock && in_[0].kind != Tok::LBrace && in_[0].kind != Tok::KwModule;
    bool expectLet = false, guardLet = false;
    for (size_t i = 0; i < in_.size(); ++i) {
      Token& t = in_[i];
      bool firstOnLine = i > 0 && t.line > lastLine_;
      bool braceOpensBlock = (expectBlock && !opensRecordPattern(in_, i)) || (i == 0 && topBlock);
      if (expectBlock) {
        expectBlock = false;
        if (t.kind != Tok::LBrace || opensRecordPattern(in_, i)) {
          uint32_t n = t.kind == Tok::End ? 0 : t.col;
          int m = topLayoutCol();
          if (static_cast<int>(n) > m) {
            virt(Tok::VLBrace, t, true);
            stack_.push_back({Ctx::Implicit, n, expectLet, expectLet && guardLet});
            firstOnLine = false;
          } else {
            virt(Tok::VLBrace, t, true);
            virt(Tok::VRBrace, t, false);
            firstOnLine = t.kind != Tok::End;
          }
        }
        expectLet = false;
        guardLet = false;
      }
      if (firstOnLine && t.kind != Tok::End) offside(t);
      switch (t.kind) {
        case Tok::End:
          while (!stack_.empty()) {
            if (stack_.back().kind == Ctx::Implicit) virt(Tok::VRBrace, t, false);
            stack_.pop_back();
          }
          break;
        case Tok::KwIn: {
          int k = find(Ctx::Let, /*passImplicitOnly*/ true);
          if (k >= 0) popTo(k, t, true);
          break;
        }
        case Tok::RParen: case Tok::RBracket: {
          int k = find(Ctx::Bracket, true);
          if (k >= 0) popTo(k, t, true);
          break;
        }
        case Tok::RBrace: {
          int k = find(Ctx::Explicit, false);
          if (k >= 0) popTo(k, t, true);
          break;
        }
        case Tok::KwOf: {
          int k = find(Ctx::Case, true);
          if (k >= 0) popTo(k, t, true);
          break;
        }
        case Tok::KwThen: case Tok::KwElse: {
          int k = find(Ctx::If, true);
          if (k >= 0) popTo(k, t, t.kind == Tok::KwElse);
          break;
        }
        case Tok::Equals: case Tok::RArrow:
          // `| let y = x = rhs`: the guard's `=` (or `->` in a case) ends the guard's `let` block
          if (!stack_.empty() && stack_.back().kind == Ctx::Implicit && stack_.back().guardLet) {
            Ctx& c = stack_.back();
            bool closes = t.kind == Tok::Equals ? c.equals > 0 : !c.lambda;
            if (closes && stack_.size() >= 2 && stack_[stack_.size() - 2].kind == Ctx::Let) {
              virt(Tok::VRBrace, t, false);
              stack_.pop_back();
              stack_.pop_back();
            } else if (t.kind == Tok::Equals) {
              ++c.equals;
            }
          }
          break;
        case Tok::Semi:
          if (!stack_.empty() && stack_.back().guardLet) { stack_.back().equals = 0; stack_.back().lambda = false; }
          break;
        case Tok::Backslash:
          if (!stack_.empty() && stack_.back().kind == Ctx::Implicit && stack_.back().guardLet) stack_.back().lambda = true;
          break;
        case Tok::VarSym:
          if (!stack_.empty()) {
            if (opensBinary(in_, i, out_)) ++stack_.back().binary;
            else if (t.text == ">>" && stack_.back().binary > 0) --stack_.back().binary;
          }
          break;
        case Tok::Comma:
          while (stack_.size() >= 2 && stack_.back().kind == Ctx::Implicit && stack_.back().letBlock &&
                 stack_.back().binary == 0 &&
                 stack_[stack_.size() - 2].kind == Ctx::Let) {
            virt(Tok::VRBrace, t, false);
            stack_.pop_back();
            stack_.pop_back();
          }
          break;
        default: break;
      }
      out_.push_back(std::move(t));  // below only t's kind and line are read; lookahead reads kinds
      lastLine_ = t.line;
      switch (t.kind) {
        case Tok::LParen: case Tok::LBracket: stack_.push_back({Ctx::Bracket}); break;
        case Tok::LBrace: {
          Ctx c{Ctx::Explicit};
          c.record = !braceOpensBlock;
          stack_.push_back(c);
          break;
        }
        case Tok::KwIf: stack_.push_back({Ctx::If}); break;
        case Tok::KwCase: stack_.push_back({Ctx::Case}); break;
        case Tok::KwLet:
          stack_.push_back({Ctx::Let});
          expectBlock = true;
          expectLet = true;
          guardLet = out_.size() >= 2 && (out_[out_.size() - 2].kind == Tok::Bar || out_[out_.size() - 2].kind == Tok::Comma);
          break;
        case Tok::KwWhere: case Tok::KwDo: case Tok::KwOf: expectBlock = true; break;
        default: break;
      }
    }
    return std::move(out_);
  }

 private:
  std::vector<Token>& in_;
  std::vector<Token> out_;
  std::vector<Ctx> stack_;
  uint32_t lastLine_ = 0;

  // Column of the innermost layout context: -1 if none, 0 if explicit.
  int topLayoutCol() const {
    for (size_t k = stack_.size(); k-- > 0;) {
      if (stack_[k].kind == Ctx::Implicit) return static_cast<int>(stack_[k].col);
      if (stack_[k].kind == Ctx::Explicit) return 0;
    }
    return -1;
  }
  int topLayoutIndex() const {
    for (size_t k = stack_.size(); k-- > 0;)
      if (stack_[k].kind == Ctx::Implicit || stack_[k].kind == Ctx::Explicit) return static_cast<int>(k);
    return -1;
  }

  // Index of the nearest context of `kind`; with `implicitOnly`, searching stops at explicit
  // braces and brackets (other than the one looked for).
  int find(Ctx::Kind kind, bool implicitOnly) const {
    for (size_t k = stack_.size(); k-- > 0;) {
      if (stack_[k].kind == kind) return static_cast<int>(k);
      if (implicitOnly && (stack_[k].kind == Ctx::Explicit || stack_[k].kind == Ctx::Bracket)) return -1;
    }
    return -1;
  }

  // Pops everything above index k (closing implicit blocks), and k itself if `inclusive`.
  void popTo(int k, const Token& at, bool inclusive) {
    while (static_cast<int>(stack_.size()) > k + 1) {
      if (stack_.back().kind == Ctx::Implicit) virt(Tok::VRBrace, at, false);
      stack_.pop_back();
    }
    if (inclusive) stack_.pop_back();
  }

  void offside(const Token& t) {
    uint32_t n = t.col;
    while (true) {
      int k = topLayoutIndex();
      if (k >= 0 && stack_[k].kind == Ctx::Explicit && stack_[k].record) {
        // A record brace left open at a line that is not indented past the enclosing block:
        // drop it so the layout (and error recovery) goes on; the parser reports the `{`.
        int below = -1;
        for (int j = k - 1; j >= 0; --j)
          if (stack_[j].kind == Ctx::Implicit || stack_[j].kind == Ctx::Explicit) { below = j; break; }
        if (below >= 0 && stack_[below].kind == Ctx::Implicit &&
            (n < stack_[below].col || (n == stack_[below].col && t.kind != Tok::RBrace && t.kind != Tok::Comma))) {
          popTo(k, t, true);
          continue;
        }
        return;
      }
      if (k < 0 || stack_[k].kind == Ctx::Explicit) return;
      uint32_t m = stack_[k].col;
      if (n == m) {
        if ((t.kind == Tok::KwThen || t.kind == Tok::KwElse) && find(Ctx::If, true) > k)
          return;  // `if` split over lines in a `do`
        if (t.kind == Tok::KwWhere && k > 0) {
          // `where` cannot start a statement or an alternative: it ends the block (`main = do ... where`)
          popTo(k, t, false);
          virt(Tok::VRBrace, t, false);
          stack_.pop_back();
          continue;
        }
        popTo(k, t, false);
        virt(Tok::VSemi, t, false);
        stack_[k].equals = 0;
        stack_[k].lambda = false;
        return;
      }
      if (n < m) {
        popTo(k, t, false);
        virt(Tok::VRBrace, t, false);
        stack_.pop_back();
        continue;
      }
      return;
    }
  }

  // A virtual token placed at `next` (VLBrace) or just after the previous real token.
  void virt(Tok k, const Token& next, bool atNext) {
    Token v;
    v.kind = k;
    v.line = next.line;
    v.col = next.col;
    if (atNext || out_.empty()) {
      v.span = Span{next.span.file, next.span.begin, next.span.begin};
    } else {
      const Token* prev = nullptr;
      for (size_t j = out_.size(); j-- > 0;)
        if (out_[j].kind != Tok::VLBrace && out_[j].kind != Tok::VRBrace && out_[j].kind != Tok::VSemi) { prev = &out_[j]; break; }
      uint32_t e = prev ? prev->span.end : next.span.begin;
      v.span = Span{next.span.file, e, e};
    }
    out_.push_back(std::move(v));
  }
};

}  // namespace

std::vector<Token> layoutImpl(std::vector<Token> tokens, DiagnosticEngine& diags, bool topBlock) {
  (void)diags;
  return Layout(tokens).run(topBlock);
}

std::vector<Token> layout(std::vector<Token> tokens, DiagnosticEngine& diags) {
  return layoutImpl(std::move(tokens), diags, true);
}

}  // namespace weir::syntax
