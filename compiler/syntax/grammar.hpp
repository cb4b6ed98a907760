// Spirit X3 building blocks over the token stream: primitive parsers matching token kinds,
// the shared parser state (furthest failure, diagnostics) and AST construction helpers.
// Only grammar.cpp includes this (X3 is heavy to compile).
#pragma once
#include <memory>
#include <string>
#include <initializer_list>
#include <type_traits>
#include <vector>

#include <boost/spirit/home/x3.hpp>

#include "syntax/ast.hpp"
#include "syntax/internal.hpp"
#include "syntax/token.hpp"

namespace weir::syntax::grammar {

namespace x3 = boost::spirit::x3;
using It = std::vector<Token>::const_iterator;

// ---------------------------------------------------------------- shared state
struct ParseState {
  It begin, end;
  It furthest;
  std::vector<Tok> expected;  // token kinds tried at `furthest`
  DiagnosticEngine* diags = nullptr;
  FileId file = 0;
  int depth = 0;  // nesting of expressions/patterns/types being parsed (see depth_directive)
};

// Nesting deeper than this is reported (E0024) instead of overflowing the stack.
inline constexpr int kMaxNesting = 400;
struct TooDeep {
  It where;
};

inline thread_local ParseState* g_state = nullptr;

inline void noteFail(It pos, Tok k) {
  ParseState* s = g_state;
  if (!s) return;
  if (pos > s->furthest) {
    s->furthest = pos;
    s->expected.clear();
  }
  if (pos == s->furthest && s->expected.size() < 64) s->expected.push_back(k);
}

template <class A>
inline void putTok(A& a, const Token* t) {
  using D = std::remove_cv_t<A>;
  if constexpr (std::is_assignable_v<D&, const Token*>) a = t;
}

// ---------------------------------------------------------------- primitives
// Matches one token of kind k; attribute: a pointer to the token.
struct tok_p : x3::parser<tok_p> {
  using attribute_type = const Token*;
  static bool const has_attribute = true;
  Tok k;
  constexpr explicit tok_p(Tok k) : k(k) {}
  template <class Iter, class Ctx, class RCtx, class Attr>
  bool parse(Iter& first, Iter const& last, Ctx const&, RCtx&, Attr& attr) const {
    if (first != last && first->kind == k) {
      putTok(attr, &*first);
      ++first;
      return true;
    }
    noteFail(first, k);
    return false;
  }
};

// Matches one token whose kind is in a small set; `name` is used in "expected ..." messages.
struct tokset_p : x3::parser<tokset_p> {
  using attribute_type = const Token*;
  static bool const has_attribute = true;
  Tok ks[6] = {};
  int n = 0;
  const char* name;
  tokset_p(std::initializer_list<Tok> kinds, const char* name) : name(name) {
    for (Tok k : kinds) ks[n++] = k;
  }
  template <class Iter, class Ctx, class RCtx, class Attr>
  bool parse(Iter& first, Iter const& last, Ctx const&, RCtx&, Attr& attr) const {
    if (first != last)
      for (int i = 0; i < n; ++i)
        if (first->kind == ks[i]) {
          putTok(attr, &*first);
          ++first;
          return true;
        }
    if (first != last) noteFail(first, ks[0]);
    return false;
  }
};

// Matches an operator token (VarSym) with exactly this text, e.g. `<<`, or a varid with this text.
struct text_p : x3::parser<text_p> {
  using attribute_type = const Token*;
  static bool const has_attribute = true;
  Tok k;
  const char* text;
  text_p(Tok k, const char* text) : k(k), text(text) {}
  template <class Iter, class Ctx, class RCtx, class Attr>
  bool parse(Iter& first, Iter const& last, Ctx const&, RCtx&, Attr& attr) const {
    if (first != last && first->kind == k && first->text == text) {
      putTok(attr, &*first);
      ++first;
      return true;
    }
    return false;
  }
};

// Succeeds (consuming nothing) when the next token is glued to the previous one (no space).
struct glued_p : x3::parser<glued_p> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  template <class Iter, class Ctx, class RCtx, class Attr>
  bool parse(Iter& first, Iter const& last, Ctx const&, RCtx&, Attr&) const {
    return first != last && !first->spaceBefore;
  }
};

inline constexpr tok_p T(Tok k) { return tok_p(k); }

// Counts nesting around the subject; throws TooDeep past kMaxNesting.
template <class Subject>
struct depth_directive : x3::unary_parser<Subject, depth_directive<Subject>> {
  using base_type = x3::unary_parser<Subject, depth_directive<Subject>>;
  using attribute_type = typename x3::traits::attribute_of<Subject, x3::unused_type>::type;
  static bool const has_attribute = Subject::has_attribute;
  constexpr depth_directive(Subject const& s) : base_type(s) {}
  template <class Iter, class Ctx, class RCtx, class Attr>
  bool parse(Iter& first, Iter const& last, Ctx const& ctx, RCtx& rctx, Attr& attr) const {
    ParseState* st = g_state;
    if (!st) return this->subject.parse(first, last, ctx, rctx, attr);
    if (st->depth >= kMaxNesting) throw TooDeep{first};
    struct Guard {
      ParseState* s;
      ~Guard() { --s->depth; }
    } guard{st};
    ++st->depth;
    return this->subject.parse(first, last, ctx, rctx, attr);
  }
};

// Sets the span of the enclosing rule's node (`_val`) to the tokens the subject consumed.
// (X3's own `_where` gives the remaining input, not the matched range.)
template <class Iter>
inline Span rangeSpan(Iter b, Iter e) {
  if (b == e) return Span{b->span.file, b->span.begin, b->span.begin};
  Span s = b->span;
  for (Iter i = e; i != b;) {
    --i;
    if (i->kind != Tok::VSemi && i->kind != Tok::VRBrace && i->kind != Tok::VLBrace) {
      if (i->span.end > s.end) s.end = i->span.end;
      break;
    }
  }
  return s;
}

template <class V, class Iter>
inline void applySpan(V& v, Iter b, Iter e) {
  if constexpr (std::is_same_v<V, ast::DeclPtr>) {
    if (v && v->doc.empty() && b != e) v->doc = b->doc;  // `-- |` before a nested declaration
  }
  if constexpr (requires { v->span; }) {
    if (v) v->span = rangeSpan(b, e);
  } else if constexpr (requires { v.span; }) {
    v.span = rangeSpan(b, e);
  }
}

template <class Subject>
struct span_directive : x3::unary_parser<Subject, span_directive<Subject>> {
  using base_type = x3::unary_parser<Subject, span_directive<Subject>>;
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  constexpr span_directive(Subject const& s) : base_type(s) {}
  template <class Iter, class Ctx, class RCtx, class Attr>
  bool parse(Iter& first, Iter const& last, Ctx const& ctx, RCtx& rctx, Attr&) const {
    Iter start = first;
    if (!this->subject.parse(first, last, ctx, rctx, x3::unused)) return false;
    applySpan(rctx, start, first);
    return true;
  }
};

}  // namespace weir::syntax::grammar

namespace boost::spirit::x3 {
template <>
struct get_info<weir::syntax::grammar::tok_p> {
  typedef std::string result_type;
  std::string operator()(weir::syntax::grammar::tok_p const& p) const {
    return std::string("`") + weir::syntax::tokSpelling(p.k) + "`";
  }
};
template <>
struct get_info<weir::syntax::grammar::tokset_p> {
  typedef std::string result_type;
  std::string operator()(weir::syntax::grammar::tokset_p const& p) const { return p.name; }
};
template <>
struct get_info<weir::syntax::grammar::text_p> {
  typedef std::string result_type;
  std::string operator()(weir::syntax::grammar::text_p const& p) const { return std::string("`") + p.text + "`"; }
};
// An action or omit around a parser is described like the parser itself.
template <class Subject, class Action>
struct get_info<action<Subject, Action>> {
  typedef std::string result_type;
  std::string operator()(action<Subject, Action> const& p) const { return what(p.subject); }
};
template <class Subject>
struct get_info<weir::syntax::grammar::span_directive<Subject>> {
  typedef std::string result_type;
  std::string operator()(weir::syntax::grammar::span_directive<Subject> const& p) const { return what(p.subject); }
};
template <class Subject>
struct get_info<omit_directive<Subject>> {
  typedef std::string result_type;
  std::string operator()(omit_directive<Subject> const& p) const { return what(p.subject); }
};
}  // namespace boost::spirit::x3
