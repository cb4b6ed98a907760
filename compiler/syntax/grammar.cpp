// The Weir grammar in Boost.Spirit X3 over the token stream produced by lex + layout.
//
// Style: rules carry shared_ptr AST nodes; semantic actions build them piecewise
// (`_val` is the rule's node, `_attr` the sub-parser's result), no attribute fusion.
// `>` expectation points commit once a construct is unambiguous (after a keyword, `=`...),
// producing "expected X, found Y"; patterns never commit, so statements and clauses can
// try `pat <-` / `f pats =` first and fall back to expressions.
// parseModule (bottom of the file) drives the top-level declarations one by one, so a
// syntax error skips to the next top-level declaration and the rest is still parsed.
#include <fmt/format.h>

#include "syntax/grammar.hpp"
#include "syntax/parser.hpp"

namespace weir::syntax::grammar {

using namespace ast;
using x3::_attr;
using x3::_val;

// ---------------------------------------------------------------- helpers
template <class N, class K>
static std::shared_ptr<N> make(K kind, Span sp = {}) {
  auto n = std::make_shared<N>();
  n->kind = kind;
  n->span = sp;
  return n;
}

static Literal litOf(const Token& t) {
  Literal l;
  switch (t.kind) {
    case Tok::Integer: l.kind = Literal::Int; l.i = t.intValue; break;
    case Tok::Float: l.kind = Literal::Float; l.f = t.floatValue; break;
    case Tok::Char: l.kind = Literal::Char; l.c = t.charValue; break;
    case Tok::String: l.kind = Literal::String; l.s = t.text; break;
    case Tok::Bytes: l.kind = Literal::Bytes; l.s = t.text; break;
    default: break;
  }
  return l;
}

static Diagnostic* semanticError(const char* code, Span sp, std::string msg) {
  if (!g_state || !g_state->diags) return nullptr;
  return &g_state->diags->error(code, sp, std::move(msg));
}

static std::vector<Constraint> toContext(const TypePtr& t) {
  std::vector<Constraint> out;
  if (!t) return out;
  std::vector<TypePtr> items;
  if (t->kind == Type::Tuple) items = t->args;
  else if (t->kind == Type::Unit) return out;
  else items.push_back(t);
  for (auto& c : items) {
    if (c->kind == Type::App && c->args.size() == 2 && c->args[0]->kind == Type::Con) {
      out.push_back(Constraint{c->args[0]->name, c->args[1], c->span});
    } else {
      if (auto* d = semanticError("E0022", c->span, "invalid constraint `" + dumpType(*c) + "`"))
        d->hint = "a constraint is a class applied to one type, like `Eq a` or `Functor f`";
    }
  }
  return out;
}

ExprPtr buildInterp(const Token& t);

// ---------------------------------------------------------------- token classes
static const tokset_p varid_({Tok::VarId}, "a name");
static const tokset_p qvarid_({Tok::VarId, Tok::QVarId}, "a name");
static const tokset_p conid_({Tok::ConId}, "a capitalised name");
static const tokset_p qconid_({Tok::ConId, Tok::QConId}, "a capitalised name");
static const tokset_p modname_({Tok::ConId, Tok::QConId}, "a module name");
static const tokset_p opsym_({Tok::VarSym, Tok::QVarSym, Tok::ConSym, Tok::Minus, Tok::Colon}, "an operator");
static const tokset_p secsym_({Tok::VarSym, Tok::QVarSym, Tok::ConSym, Tok::Colon}, "an operator");
static const tokset_p varsym_({Tok::VarSym, Tok::QVarSym, Tok::Minus}, "an operator");
static const tokset_p consym_({Tok::ConSym, Tok::Colon}, "a constructor operator");
static const tokset_p backname_({Tok::VarId, Tok::QVarId, Tok::ConId, Tok::QConId}, "a name");
static const tokset_p literal_({Tok::Integer, Tok::Float, Tok::Char, Tok::String, Tok::Bytes}, "a literal");
static const tokset_p number_({Tok::Integer, Tok::Float}, "a number");
static const tokset_p open_({Tok::VLBrace, Tok::LBrace}, "the start of a block");
static const tokset_p close_({Tok::VRBrace, Tok::RBrace}, "the end of the block");
static const tokset_p semi_({Tok::VSemi, Tok::Semi}, "`;`");
static const tokset_p eqbar_({Tok::Equals, Tok::Bar}, "`=`");
static const tokset_p fixkw_({Tok::KwInfixl, Tok::KwInfixr, Tok::KwInfix}, "a fixity keyword");
static const tokset_p dotsym_({Tok::Dot, Tok::VarSym}, "`.`");
static const text_p binOpen_(Tok::VarSym, "<<");
static const text_p binClose_(Tok::VarSym, ">>");
static const text_p binEmpty_(Tok::VarSym, "<<>>");
static const text_p slash_(Tok::VarSym, "/");
static const text_p bang_(Tok::VarSym, "!");
static const glued_p glued_{};

// `{ p ; p ; ... }` with virtual or explicit braces; `close` names what may come next in
// error messages ("expected a statement, found ...").
// Succeeds (consuming nothing) at the start of a block item: right after `{` or `;`.
struct itemStart_p : x3::parser<itemStart_p> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  template <class Iter, class Ctx, class RCtx, class Attr>
  bool parse(Iter& first, Iter const&, Ctx const&, RCtx&, Attr&) const {
    if (!g_state || first == g_state->begin) return false;
    Tok k = (first - 1)->kind;
    return k == Tok::VLBrace || k == Tok::LBrace || k == Tok::VSemi || k == Tok::Semi;
  }
};
static const itemStart_p itemStart_{};

template <class P>
static auto block(P const& p, tokset_p const& item, tokset_p const& itemEnd) {
  return open_ >> *semi_ >> -(p % +semi_) >> *semi_ >> (close_ | (itemStart_ > item) | (x3::eps > itemEnd));
}
// Never-matching parsers that only name what was expected.
static const tokset_p stmt_({Tok::Error}, "a statement");
static const tokset_p altItem_({Tok::Error}, "a case alternative");
static const tokset_p declItem_({Tok::Error}, "a declaration");
static const tokset_p stmtEnd_({Tok::Error}, "the end of the statement");
static const tokset_p altEnd_({Tok::Error}, "the end of the case alternative");
static const tokset_p declEnd_({Tok::Error}, "the end of the declaration");

// ---------------------------------------------------------------- rules
#define RULE(name, attr, desc) \
  struct name##_id;            \
  static const x3::rule<name##_id, attr> name = desc;

// types
RULE(type_, TypePtr, "a type")
RULE(btype, TypePtr, "a type")
RULE(atype, TypePtr, "a type")
RULE(qualtype, std::shared_ptr<QualType>, "a type")
// patterns
RULE(pat, PatPtr, "a pattern")
RULE(pat10, PatPtr, "a pattern")
RULE(apat, PatPtr, "a pattern")
RULE(binseg_p, BinSegment, "a binary segment")
// expressions
RULE(expr, ExprPtr, "an expression")
RULE(infixexp, ExprPtr, "an expression")
RULE(operand, ExprPtr, "an expression")
RULE(exp10, ExprPtr, "an expression")
RULE(fexp, ExprPtr, "an expression")
// Operands/operators collected before building a node, so a lone operand costs no extra node.
struct Chain {
  std::vector<ExprPtr> args;
  std::vector<std::string> ops;
  std::vector<Span> opSpans;
};
RULE(chain, Chain, "an expression")
RULE(apps, std::vector<ExprPtr>, "an expression")
RULE(aexp, ExprPtr, "an expression")
RULE(atom, ExprPtr, "an expression")
RULE(parenexp, ExprPtr, "an expression")
RULE(parenbody, ExprPtr, "an expression")
RULE(listexp, ExprPtr, "an expression")
RULE(listbody, ExprPtr, "an expression")
RULE(recordexp, ExprPtr, "a record")
RULE(binexp, ExprPtr, "binary data")
RULE(binseg_e, BinSegment, "a binary segment")
RULE(lambda, ExprPtr, "a lambda")
RULE(letexp, ExprPtr, "a let expression")
RULE(ifexp, ExprPtr, "an if expression")
RULE(caseexp, ExprPtr, "a case expression")
RULE(doexp, ExprPtr, "a do block")
RULE(op, const Token*, "an operator")
RULE(conop, const Token*, "a constructor operator")
RULE(varop, const Token*, "an operator")
RULE(binspec, BinSegment, "a segment type like `big`, `float` or `bytes`")
RULE(stmt, Stmt, "a statement")
RULE(stmtblock, std::vector<Stmt>, "a block of statements")
RULE(alt, Alt, "a case alternative")
RULE(altblock, std::vector<Alt>, "case alternatives")
RULE(rhs_eq, Rhs, "`=`")
RULE(rhs_arrow, Rhs, "`->`")
RULE(guard, Guard, "a guard")
RULE(gexp_eq, GuardedExpr, "a guard")
RULE(gexp_arrow, GuardedExpr, "a guard")
// declarations
RULE(declblock, std::vector<DeclPtr>, "a block of declarations")
RULE(decl, DeclPtr, "a declaration")
RULE(topdecl, DeclPtr, "a declaration")
RULE(funname, const Token*, "a function name")
RULE(typesig, DeclPtr, "a type signature")
RULE(fixity, DeclPtr, "a fixity declaration")
RULE(opclause, DeclPtr, "a declaration")
RULE(funclause, DeclPtr, "a declaration")
RULE(patbind, DeclPtr, "a declaration")
RULE(datadecl, DeclPtr, "a data declaration")
RULE(newtypedecl, DeclPtr, "a newtype declaration")
RULE(typesyn, DeclPtr, "a type synonym")
RULE(classdecl, DeclPtr, "a class declaration")
RULE(instdecl, DeclPtr, "an instance declaration")
RULE(foreigndecl, DeclPtr, "a foreign import")
RULE(condecl, ConDecl, "a constructor")
RULE(deriving_, std::vector<std::string>, "`deriving`")
RULE(derivbody, std::vector<std::string>, "a class name or a list of classes in parentheses")
RULE(ctxhead, std::shared_ptr<QualType>, "a class or instance head")
// modules
RULE(header, Module, "a module header")
RULE(importdecl, Import, "an import")
RULE(impitem, ImportItem, "an import item")
RULE(expitem, ExportItem, "an export item")
RULE(members, ImportItem, "a member list")

// ---------------------------------------------------------------- actions
#define ACT(name, ...) \
  static const auto name = [](auto& ctx) { __VA_ARGS__; };

ACT(pass, _val(ctx) = _attr(ctx))

// node[p]: p builds `_val` through actions; afterwards `_val`'s span covers what p consumed.
template <class P>
static auto node(P const& p) { return span_directive<typename x3::extension::as_parser<P>::value_type>(x3::as_parser(p)); }
template <class P>
static auto nodeS(P const& p) { return node(p); }
// deep[p]: p may recurse; counts the nesting (see kMaxNesting).
template <class P>
static auto deep(P const& p) { return depth_directive<typename x3::extension::as_parser<P>::value_type>(x3::as_parser(p)); }

// ---- types
ACT(t_var, const Token* t = _attr(ctx); auto n = make<Type>(Type::Var, t->span); n->name = t->text; _val(ctx) = n)
ACT(t_con, const Token* t = _attr(ctx); auto n = make<Type>(Type::Con, t->span); n->name = t->text; _val(ctx) = n)
ACT(t_unit, _val(ctx) = make<Type>(Type::Unit))
ACT(t_funcon, auto n = make<Type>(Type::Con); n->name = "->"; _val(ctx) = n)
ACT(t_tuplecon, auto n = make<Type>(Type::Con); n->name = "(" + std::string(_attr(ctx).size(), ',') + ")"; _val(ctx) = n)
ACT(t_listcon, auto n = make<Type>(Type::Con); n->name = "[]"; _val(ctx) = n)
ACT(t_toTuple, auto n = make<Type>(Type::Tuple); n->args.push_back(_val(ctx)); _val(ctx) = n)
ACT(t_push, _val(ctx)->args.push_back(_attr(ctx)))
ACT(t_list, auto n = make<Type>(Type::List); n->args.push_back(_attr(ctx)); _val(ctx) = n)
ACT(t_rec, _val(ctx) = make<Type>(Type::Record))
ACT(t_field, _val(ctx)->fields.emplace_back(_attr(ctx)->text, nullptr))
ACT(t_fieldType, _val(ctx)->fields.back().second = _attr(ctx))
ACT(t_row, _val(ctx)->rowVar = _attr(ctx)->text)
ACT(t_fun, auto n = make<Type>(Type::Fun); n->args = {_val(ctx), _attr(ctx)}; n->span = Span::merge(_val(ctx)->span, _attr(ctx)->span); _val(ctx) = n)
ACT(t_forall, _val(ctx) = make<Type>(Type::Forall))
ACT(t_forallVar, _val(ctx)->vars.push_back(_attr(ctx)->text))
ACT(t_newApp, _val(ctx) = make<Type>(Type::App))
ACT(t_collapse, if (_val(ctx)->args.size() == 1) _val(ctx) = _val(ctx)->args[0])
ACT(q_type, if (!_val(ctx)) _val(ctx) = std::make_shared<QualType>(); _val(ctx)->type = _attr(ctx))
ACT(q_ctx, _val(ctx)->context = toContext(_val(ctx)->type))

auto const type__def = deep(node(
    (T(Tok::KwForall)[t_forall] > varid_[t_forallVar] > *varid_[t_forallVar] > dotsym_ > type_[t_push]) |
    (btype[pass] >> -(T(Tok::RArrow) > type_[t_fun]))));
auto const btype_def = node(x3::omit[x3::eps[t_newApp] >> atype[t_push] >> *atype[t_push]][t_collapse]);
auto const atype_def = deep(node(
    varid_[t_var] | qconid_[t_con] |
    (T(Tok::LParen) >> (T(Tok::RParen)[t_unit] | (T(Tok::RArrow) >> T(Tok::RParen))[t_funcon] |
                        ((+T(Tok::Comma))[t_tuplecon] >> T(Tok::RParen)) |
                        (type_[pass] >> (T(Tok::RParen) |
                                         (T(Tok::Comma)[t_toTuple] > type_[t_push] > *(T(Tok::Comma) > type_[t_push]) > T(Tok::RParen)) |
                                         (x3::eps > T(Tok::RParen)))))) |
    (T(Tok::LBracket) >> (T(Tok::RBracket)[t_listcon] | (type_[t_list] > T(Tok::RBracket)))) |
    (T(Tok::LBrace)[t_rec] > -((varid_[t_field] > T(Tok::DColon) > -bang_ > type_[t_fieldType]) % T(Tok::Comma)) >
     -(T(Tok::Bar) > varid_[t_row]) > T(Tok::RBrace))));
auto const qualtype_def = node(type_[q_type] >> -(T(Tok::DArrow)[q_ctx] > type_[q_type]));

// ---- patterns
ACT(p_var, const Token* t = _attr(ctx);
    auto n = make<Pat>(t->text == "_" ? Pat::Wild : Pat::Var, t->span); if (n->kind == Pat::Var) n->name = t->text; _val(ctx) = n)
ACT(p_as, const Token* t = _attr(ctx); auto n = make<Pat>(Pat::As, t->span); n->name = t->text; _val(ctx) = n)
ACT(p_push, _val(ctx)->args.push_back(_attr(ctx)))
ACT(p_con, const Token* t = _attr(ctx); auto n = make<Pat>(Pat::Con, t->span); n->name = t->text; _val(ctx) = n)
ACT(p_lit, const Token* t = _attr(ctx); auto n = make<Pat>(Pat::Lit, t->span); n->lit = litOf(*t); _val(ctx) = n)
ACT(p_neglit, const Token* t = _attr(ctx); auto n = make<Pat>(Pat::Lit, t->span); n->lit = litOf(*t);
    n->lit.i = static_cast<int64_t>(0ull - static_cast<uint64_t>(n->lit.i)); n->lit.f = -n->lit.f; _val(ctx) = n)
ACT(p_unit, auto n = make<Pat>(Pat::Con); n->name = "()"; _val(ctx) = n)
ACT(p_toTuple, auto n = make<Pat>(Pat::Tuple); n->args.push_back(_val(ctx)); _val(ctx) = n)
ACT(p_toTyped, auto n = make<Pat>(Pat::Typed); n->args.push_back(_val(ctx)); _val(ctx) = n)
ACT(p_type, _val(ctx)->type = _attr(ctx))
ACT(p_list, _val(ctx) = make<Pat>(Pat::List))
ACT(p_rec, _val(ctx) = make<Pat>(Pat::Record))
ACT(p_pun, const Token* t = _attr(ctx); auto v = make<Pat>(Pat::Var, t->span); v->name = t->text;
    _val(ctx)->fields.emplace_back(t->text, v))
ACT(p_fieldPat, _val(ctx)->fields.back().second = _attr(ctx))
ACT(p_bin, _val(ctx) = make<Pat>(Pat::Binary))
ACT(p_seg, _val(ctx)->segments.push_back(_attr(ctx)))
ACT(p_newChain, _val(ctx) = make<Pat>(Pat::OpChain))
ACT(p_op, const Token* t = _attr(ctx); _val(ctx)->ops.push_back(t->text); _val(ctx)->opSpans.push_back(t->span))
ACT(p_finishChain,
    auto n = _val(ctx);
    if (n->args.size() == 1) { _val(ctx) = n->args[0]; return; }
    n->ops.resize(n->args.size() - 1);
    n->opSpans.resize(n->args.size() - 1);
    bool allCons = true;
    for (auto& o : n->ops) allCons &= o == ":";
    if (allCons) {
      PatPtr acc = n->args.back();
      for (size_t i = n->args.size() - 1; i-- > 0;) {
        auto c = make<Pat>(Pat::Cons, Span::merge(n->args[i]->span, acc->span));
        c->args = {n->args[i], acc};
        acc = c;
      }
      _val(ctx) = acc;
    })
ACT(s_pat, _val(ctx).pat = _attr(ctx))
ACT(s_value, _val(ctx).value = _attr(ctx))
ACT(s_size, _val(ctx).size = _attr(ctx))
ACT(s_negValue, const Token* t = _attr(ctx); auto n = make<Expr>(Expr::Lit, t->span); n->lit = litOf(*t);
    n->span.begin = (t - 1)->span.begin;
    n->lit.i = static_cast<int64_t>(0ull - static_cast<uint64_t>(n->lit.i)); n->lit.f = -n->lit.f; _val(ctx).value = n)

auto const pat_def = node(x3::omit[x3::eps[p_newChain] >> pat10[p_push] >> *(conop[p_op] >> pat10[p_push])][p_finishChain]);
auto const pat10_def = node((qconid_[p_con] >> +apat[p_push]) | apat[pass]);
auto const apat_def = deep(node(
    (varid_[p_as] >> T(Tok::At) >> apat[p_push]) | varid_[p_var] | qconid_[p_con] | literal_[p_lit] |
    (T(Tok::Minus) >> number_[p_neglit]) |
    (T(Tok::LParen) >> (T(Tok::RParen)[p_unit] |
                        (pat[pass] >> (T(Tok::RParen) |
                                       (T(Tok::Comma)[p_toTuple] >> (pat[p_push] % T(Tok::Comma)) >> T(Tok::RParen)) |
                                       (T(Tok::DColon)[p_toTyped] >> type_[p_type] >> T(Tok::RParen)))))) |
    (T(Tok::LBracket)[p_list] >> -(pat[p_push] % T(Tok::Comma)) >> T(Tok::RBracket)) |
    (T(Tok::LBrace)[p_rec] >> -((varid_[p_pun] >> -(T(Tok::Equals) >> pat[p_fieldPat])) % T(Tok::Comma)) >>
     T(Tok::RBrace)) |
    (binEmpty_[p_bin]) |
    (binOpen_[p_bin] >> glued_ >> (binseg_p[p_seg] % T(Tok::Comma)) >> binClose_)));

ACT(b_spec,
    const Token* t = _attr(ctx); auto& s = _val(ctx); const std::string& w = t->text;
    if (w == "integer") s.type = BinSegment::Integer;
    else if (w == "float") s.type = BinSegment::Float;
    else if (w == "bytes" || w == "binary") s.type = BinSegment::Bytes;
    else if (w == "signed") s.isSigned = true;
    else if (w == "unsigned") s.isSigned = false;
    else if (w == "big") s.little = false;
    else if (w == "little") s.little = true;
    else if (auto* d = semanticError("E0018", t->span, "unknown binary segment specifier `" + w + "`"))
      d->hint = "use a type (integer, float, bytes), a signedness (signed, unsigned) or an endianness (big, little)")
static const tokset_p segsize_({Tok::Integer, Tok::VarId}, "a size");
ACT(b_sizeTok, const Token* t = _attr(ctx);
    auto n = make<Expr>(t->kind == Tok::Integer ? Expr::Lit : Expr::Var, t->span);
    if (t->kind == Tok::Integer) n->lit = litOf(*t); else n->name = t->text; _val(ctx).size = n)

auto const binspec_def = varid_[b_spec] >> *(T(Tok::Minus) >> varid_[b_spec]);
ACT(b_specs, auto& s = _val(ctx); const BinSegment& a = _attr(ctx); s.type = a.type; s.isSigned = a.isSigned; s.little = a.little)
auto const binseg_p_def = nodeS(apat[s_pat] >> -(T(Tok::Colon) >> (segsize_[b_sizeTok] | (T(Tok::LParen) >> expr[s_size] >> T(Tok::RParen)))) >>
                                -(slash_ >> binspec[b_specs]));
auto const binseg_e_def = nodeS(((T(Tok::Minus) >> glued_ >> number_[s_negValue]) | aexp[s_value]) >> -(T(Tok::Colon) >> (segsize_[b_sizeTok] | (T(Tok::LParen) >> expr[s_size] >> T(Tok::RParen)))) >>
                                -(slash_ >> binspec[b_specs]));

// ---- expressions
ACT(e_var, const Token* t = _attr(ctx); auto n = make<Expr>(Expr::Var, t->span); n->name = t->text; _val(ctx) = n)
ACT(e_con, const Token* t = _attr(ctx); auto n = make<Expr>(Expr::Con, t->span); n->name = t->text; _val(ctx) = n)
ACT(e_opvar, const Token* t = _attr(ctx);
    auto n = make<Expr>(t->kind == Tok::ConSym || t->kind == Tok::Colon ? Expr::Con : Expr::Var, t->span);
    n->name = t->text; _val(ctx) = n)
ACT(e_lit, const Token* t = _attr(ctx); auto n = make<Expr>(Expr::Lit, t->span); n->lit = litOf(*t); _val(ctx) = n)
ACT(e_hole, const Token* t = _attr(ctx); auto n = make<Expr>(Expr::Hole, t->span); n->name = t->text; _val(ctx) = n)
ACT(e_interp, _val(ctx) = buildInterp(*_attr(ctx)))
ACT(e_unit, _val(ctx) = make<Expr>(Expr::Unit))
ACT(e_tuplecon, auto n = make<Expr>(Expr::Con); n->name = "(" + std::string(_attr(ctx).size(), ',') + ")"; _val(ctx) = n)
ACT(e_push, _val(ctx)->args.push_back(_attr(ctx)))
ACT(e_toTuple, auto n = make<Expr>(Expr::Tuple); n->args.push_back(_val(ctx)); _val(ctx) = n)
ACT(e_rsection, const Token* t = _attr(ctx); auto n = make<Expr>(Expr::RightSection); n->name = t->text; _val(ctx) = n)
ACT(e_lsection, const Token* t = _attr(ctx); auto n = make<Expr>(Expr::LeftSection); n->name = t->text;
    n->args.push_back(_val(ctx)); _val(ctx) = n)
ACT(e_newList, _val(ctx) = make<Expr>(Expr::List))
ACT(e_toRange, auto n = make<Expr>(Expr::Range); n->args = _val(ctx)->args; _val(ctx) = n)
ACT(e_rangeThen, _val(ctx)->rangeHasThen = true)
ACT(e_rangeTo, _val(ctx)->rangeHasTo = true; _val(ctx)->args.push_back(_attr(ctx)))
ACT(e_toComp, auto n = make<Expr>(Expr::Comprehension); n->args = _val(ctx)->args; _val(ctx) = n)
ACT(e_qual, _val(ctx)->stmts.push_back(_attr(ctx)))
ACT(e_rec, _val(ctx) = make<Expr>(Expr::Record))
ACT(e_pun, const Token* t = _attr(ctx); auto v = make<Expr>(Expr::Var, t->span); v->name = t->text;
    _val(ctx)->fields.emplace_back(t->text, v))
ACT(e_fieldVal, _val(ctx)->fields.back().second = _attr(ctx))
ACT(e_bin, _val(ctx) = make<Expr>(Expr::Binary))
ACT(e_seg, _val(ctx)->segments.push_back(_attr(ctx)))
ACT(e_access, const Token* t = _attr(ctx); auto n = make<Expr>(Expr::Access, Span::merge(_val(ctx)->span, t->span));
    n->name = t->text; n->args.push_back(_val(ctx)); _val(ctx) = n)
ACT(e_canUpdate, auto k = _val(ctx)->kind;
    x3::_pass(ctx) = k != Expr::Con && k != Expr::Lit && k != Expr::Interp && k != Expr::Hole)
ACT(e_update, ExprPtr r = _attr(ctx); auto n = make<Expr>(Expr::Update, Span::merge(_val(ctx)->span, r->span));
    n->fields = std::move(r->fields); n->args.push_back(_val(ctx)); _val(ctx) = n)
ACT(e_neg, _val(ctx) = make<Expr>(Expr::Neg))
ACT(e_ann, auto n = make<Expr>(Expr::TypeAnn); n->args.push_back(_val(ctx)); n->qualType = _attr(ctx); _val(ctx) = n)
ACT(e_mkLam, _val(ctx) = make<Expr>(Expr::Lam))
ACT(e_lamPat, _val(ctx)->pats.push_back(_attr(ctx)))
ACT(e_mkLet, _val(ctx) = make<Expr>(Expr::Let))
ACT(e_decls, _val(ctx)->decls = std::move(_attr(ctx)))
ACT(e_mkIf, _val(ctx) = make<Expr>(Expr::If))
ACT(e_mkCase, _val(ctx) = make<Expr>(Expr::Case))
ACT(e_alts, _val(ctx)->alts = std::move(_attr(ctx)))
ACT(e_mkDo, _val(ctx) = make<Expr>(Expr::Do))
ACT(e_stmts, _val(ctx)->stmts = std::move(_attr(ctx)))

auto const expr_def = node(infixexp[pass] >> -(T(Tok::DColon) > qualtype[e_ann]));
ACT(c_arg, _val(ctx).args.push_back(_attr(ctx)))
ACT(c_op, const Token* t = _attr(ctx); _val(ctx).ops.push_back(t->text); _val(ctx).opSpans.push_back(t->span))
ACT(c_build, Chain& c = _attr(ctx);
    if (c.args.size() == 1) { _val(ctx) = c.args[0]; return; }
    auto n = make<Expr>(Expr::OpChain); n->args = std::move(c.args); n->ops = std::move(c.ops);
    n->opSpans = std::move(c.opSpans); _val(ctx) = n)
ACT(a_build, auto& v = _attr(ctx);
    if (v.size() == 1) { _val(ctx) = v[0]; return; }
    auto n = make<Expr>(Expr::App); n->args = std::move(v); _val(ctx) = n)
ACT(a_arg, _val(ctx).push_back(_attr(ctx)))
auto const chain_def = operand[c_arg] >> *((&(op >> !T(Tok::RParen)) >> op[c_op]) > operand[c_arg]);
auto const infixexp_def = node(chain[c_build]);
auto const operand_def = deep(node((T(Tok::Minus)[e_neg] > exp10[e_push]) | exp10[pass]));
auto const exp10_def = lambda[pass] | letexp[pass] | ifexp[pass] | caseexp[pass] | doexp[pass] | fexp[pass];
auto const lambda_def = node(T(Tok::Backslash)[e_mkLam] > apat[e_lamPat] > *apat[e_lamPat] > T(Tok::RArrow) > expr[e_push]);
auto const letexp_def = node(T(Tok::KwLet)[e_mkLet] > declblock[e_decls] > T(Tok::KwIn) > expr[e_push]);
auto const ifexp_def = node(T(Tok::KwIf)[e_mkIf] > expr[e_push] > T(Tok::KwThen) > expr[e_push] > T(Tok::KwElse) > expr[e_push]);
auto const caseexp_def = node(T(Tok::KwCase)[e_mkCase] > expr[e_push] > T(Tok::KwOf) > altblock[e_alts]);
auto const doexp_def = node(T(Tok::KwDo)[e_mkDo] > stmtblock[e_stmts]);
// In argument position, `<<` followed by a space is the operator, not binary data.
auto const apps_def = aexp[a_arg] >> *(!(binOpen_ >> !glued_) >> aexp[a_arg]);
auto const fexp_def = node(apps[a_build]);
auto const aexp_def = atom[pass] >> *((T(Tok::Dot) > varid_[e_access]) |
                                      (&T(Tok::LBrace) >> x3::eps[e_canUpdate] >> recordexp[e_update]));
auto const atom_def = qvarid_[e_var] | qconid_[e_con] | literal_[e_lit] | T(Tok::Hole)[e_hole] |
                      T(Tok::InterpString)[e_interp] | parenexp[pass] | listexp[pass] | recordexp[pass] | binexp[pass];
auto const parenexp_def = node(T(Tok::LParen) > parenbody[pass]);
auto const parenbody_def = (
    (T(Tok::RParen)[e_unit] | (!binEmpty_ >> opsym_[e_opvar] >> T(Tok::RParen)) | ((+T(Tok::Comma))[e_tuplecon] >> T(Tok::RParen)) |
     (((!(binOpen_ >> glued_) >> !binEmpty_ >> secsym_[e_rsection]) | (T(Tok::Backquote) >> backname_[e_rsection] >> T(Tok::Backquote))) >> !T(Tok::RParen) >
      infixexp[e_push] > T(Tok::RParen)) |
     (expr[pass] >> (T(Tok::RParen) |
                     (T(Tok::Comma)[e_toTuple] > expr[e_push] > *(T(Tok::Comma) > expr[e_push]) > T(Tok::RParen)) |
                     (op[e_lsection] >> T(Tok::RParen)) | (x3::eps > T(Tok::RParen))))));
auto const listexp_def = node(T(Tok::LBracket) > listbody[pass]);
auto const listbody_def = x3::eps[e_newList] >> (
    (T(Tok::RBracket) |
     (expr[e_push] >>
      ((T(Tok::DotDot)[e_toRange] >> -expr[e_rangeTo] > T(Tok::RBracket)) |
       (T(Tok::Bar)[e_toComp] > stmt[e_qual] > *(T(Tok::Comma) > stmt[e_qual]) > T(Tok::RBracket)) |
       (T(Tok::Comma) > expr[e_push] >
        ((T(Tok::DotDot)[e_toRange][e_rangeThen] >> -expr[e_rangeTo] > T(Tok::RBracket)) |
         (*(T(Tok::Comma) > expr[e_push]) > T(Tok::RBracket)))) |
       (x3::eps > T(Tok::RBracket))))));
auto const recordexp_def = node(T(Tok::LBrace)[e_rec] > -((varid_[e_pun] >> -(T(Tok::Equals) > expr[e_fieldVal])) % T(Tok::Comma)) >
                                T(Tok::RBrace));
auto const binexp_def = node(binEmpty_[e_bin] | (binOpen_[e_bin] >> (binseg_e[e_seg] % T(Tok::Comma)) >> binClose_));
auto const op_def = opsym_[pass] | (T(Tok::Backquote) > backname_[pass] > T(Tok::Backquote));
auto const conop_def = consym_[pass] | (T(Tok::Backquote) >> qconid_[pass] >> T(Tok::Backquote));
auto const varop_def = varsym_[pass] | (T(Tok::Backquote) >> qvarid_[pass] >> T(Tok::Backquote));

// ---- statements, alternatives, right-hand sides
ACT(st_bind, _val(ctx).kind = Stmt::Bind)
ACT(st_pat, _val(ctx) = Stmt{}; _val(ctx).pat = _attr(ctx))
ACT(st_expr, _val(ctx).expr = _attr(ctx))
ACT(st_let, _val(ctx) = Stmt{}; _val(ctx).kind = Stmt::Let; _val(ctx).decls = std::move(_attr(ctx)))
ACT(st_plain, _val(ctx) = Stmt{}; _val(ctx).kind = Stmt::Expr; _val(ctx).expr = _attr(ctx))
ACT(st_push, _val(ctx).push_back(std::move(_attr(ctx))))
ACT(al_pat, _val(ctx).pat = _attr(ctx))
ACT(al_rhs, _val(ctx).rhs = std::move(_attr(ctx)))
ACT(r_plain, _val(ctx).plain = _attr(ctx))
ACT(r_guarded, _val(ctx).guarded.push_back(std::move(_attr(ctx))))
ACT(r_where, _val(ctx).where = std::move(_attr(ctx)))
ACT(ge_guard, _val(ctx).guards.push_back(std::move(_attr(ctx))))
ACT(ge_body, _val(ctx).body = _attr(ctx))
ACT(g_pat, _val(ctx) = Guard{}; _val(ctx).kind = Guard::Pattern; _val(ctx).pat = _attr(ctx))
ACT(g_expr, _val(ctx).expr = _attr(ctx))
ACT(g_let, _val(ctx) = Guard{}; _val(ctx).kind = Guard::Let; _val(ctx).decls = std::move(_attr(ctx)))
ACT(g_bool, _val(ctx) = Guard{}; _val(ctx).kind = Guard::Bool; _val(ctx).expr = _attr(ctx))

auto const stmt_def = nodeS(((pat[st_pat] >> T(Tok::LArrow)[st_bind]) > expr[st_expr]) |
                            (T(Tok::KwLet) >> declblock[st_let] >> !T(Tok::KwIn)) | expr[st_plain]);
auto const stmtblock_def = block(stmt[st_push], stmt_, stmtEnd_);
auto const alt_def = nodeS(pat[al_pat] > rhs_arrow[al_rhs]);
auto const altblock_def = block(alt[st_push], altItem_, altEnd_);
auto const guard_def = nodeS(((pat[g_pat] >> T(Tok::LArrow)) > expr[g_expr]) | (T(Tok::KwLet) > declblock[g_let]) | expr[g_bool]);
auto const gexp_eq_def = nodeS(T(Tok::Bar) > guard[ge_guard] > *(T(Tok::Comma) > guard[ge_guard]) > T(Tok::Equals) > expr[ge_body]);
auto const gexp_arrow_def = nodeS(T(Tok::Bar) > guard[ge_guard] > *(T(Tok::Comma) > guard[ge_guard]) > T(Tok::RArrow) > expr[ge_body]);
auto const rhs_eq_def = nodeS(((T(Tok::Equals) > expr[r_plain]) | +gexp_eq[r_guarded]) >> -(T(Tok::KwWhere) > declblock[r_where]));
auto const rhs_arrow_def = nodeS(((T(Tok::RArrow) > expr[r_plain]) | +gexp_arrow[r_guarded]) >> -(T(Tok::KwWhere) > declblock[r_where]));

// ---- declarations
ACT(d_push, if (_attr(ctx)) _val(ctx).push_back(_attr(ctx)))
ACT(d_sig, _val(ctx) = make<Decl>(Decl::TypeSig))
ACT(d_sigName, const Token* t = _attr(ctx); _val(ctx)->names.push_back(t->text); _val(ctx)->nameSpans.push_back(t->span))
ACT(d_qual, _val(ctx)->qualType = _attr(ctx))
ACT(d_fixity, const Token* t = _attr(ctx); auto d = make<Decl>(Decl::Fixity);
    d->assoc = t->kind == Tok::KwInfixl ? Decl::Left : t->kind == Tok::KwInfixr ? Decl::Right : Decl::None; _val(ctx) = d)
ACT(d_prec, const Token* t = _attr(ctx); _val(ctx)->prec = static_cast<int>(t->intValue);
    if (t->intValue < 0 || t->intValue > 9) {
      if (auto* d = semanticError("E0019", t->span, fmt::format("precedence {} is out of range", t->intValue))) {
        d->label = "must be between 0 and 9";
        d->hint = "0 binds loosest, 9 tightest; `+` is 6 and `*` is 7";
      }
      _val(ctx)->prec = 9;
    })
ACT(d_clause, _val(ctx) = make<Decl>(Decl::Clause))
ACT(d_clauseName, const Token* t = _attr(ctx); auto d = make<Decl>(Decl::Clause); d->name = t->text; d->nameSpan = t->span; _val(ctx) = d)
ACT(d_pat, _val(ctx)->pats.push_back(_attr(ctx)))
ACT(d_opName, const Token* t = _attr(ctx); _val(ctx)->name = t->text; _val(ctx)->nameSpan = t->span)
ACT(d_rhs, _val(ctx)->rhs = std::move(_attr(ctx)))
ACT(d_patbind, auto d = make<Decl>(Decl::PatBind); d->pat = _attr(ctx); _val(ctx) = d)
ACT(d_data, _val(ctx) = make<Decl>(Decl::Data))
ACT(d_newtype, _val(ctx) = make<Decl>(Decl::Newtype))
ACT(d_typesyn, _val(ctx) = make<Decl>(Decl::TypeSyn))
ACT(d_name, const Token* t = _attr(ctx); _val(ctx)->name = t->text; _val(ctx)->nameSpan = t->span)
ACT(d_tyvar, _val(ctx)->tyvars.push_back(_attr(ctx)->text))
ACT(d_con, _val(ctx)->cons.push_back(std::move(_attr(ctx))))
ACT(d_deriving, _val(ctx)->deriving = std::move(_attr(ctx)))
ACT(d_synType, auto q = std::make_shared<QualType>(); q->type = _attr(ctx); q->span = q->type->span; _val(ctx)->qualType = q)
ACT(c_name, const Token* t = _attr(ctx); _val(ctx).name = t->text; _val(ctx).span = t->span)
ACT(c_field, _val(ctx).fields.push_back(_attr(ctx)))
ACT(c_clear, _val(ctx).fields.clear())
ACT(dv_push, _val(ctx).push_back(_attr(ctx)->text))
ACT(d_class, _val(ctx) = make<Decl>(Decl::Class))
ACT(d_instance, _val(ctx) = make<Decl>(Decl::Instance))
ACT(d_body, _val(ctx)->body = std::move(_attr(ctx)))
ACT(h_type, _val(ctx) = std::make_shared<QualType>(); _val(ctx)->type = _attr(ctx))
ACT(h_ctx, _val(ctx)->context = toContext(_val(ctx)->type); _val(ctx)->type = _attr(ctx))
ACT(d_classHead,
    auto q = _attr(ctx); auto& d = _val(ctx); d->qualType = q; TypePtr h = q->type;
    if (h && h->kind == Type::App && h->args.size() == 2 && h->args[0]->kind == Type::Con && h->args[1]->kind == Type::Var) {
      d->name = h->args[0]->name; d->nameSpan = h->args[0]->span; d->tyvars.push_back(h->args[1]->name);
    } else if (h) {
      if (auto* e = semanticError("E0021", h->span, "invalid class head `" + dumpType(*h) + "`"))
        e->hint = "a class declaration names the class and one type variable: `class Describe a where ...`";
    })
ACT(d_instHead,
    auto q = _attr(ctx); auto& d = _val(ctx); TypePtr h = q->type;
    if (h && h->kind == Type::App && h->args.size() >= 2 && h->args[0]->kind == Type::Con) {
      d->name = h->args[0]->name; d->nameSpan = h->args[0]->span;
      TypePtr arg;
      if (h->args.size() == 2) arg = h->args[1];
      else { arg = make<Type>(Type::App, Span::merge(h->args[1]->span, h->args.back()->span)); arg->args.assign(h->args.begin() + 1, h->args.end()); }
      q->type = arg;
      d->qualType = q;
    } else if (h) {
      d->qualType = q;
      if (auto* e = semanticError("E0021", h->span, "invalid instance head `" + dumpType(*h) + "`"))
        e->hint = "an instance names the class and the type: `instance Describe Alert where ...`";
    })
ACT(d_foreign, _val(ctx) = make<Decl>(Decl::Foreign))
ACT(d_conv, const Token* t = _attr(ctx); _val(ctx)->foreignConv = t->text;
    if (t->text != "ccall" && t->text != "prim") {
      if (auto* e = semanticError("E0020", t->span, "unknown calling convention `" + t->text + "`"))
        e->hint = "use `ccall` for a C function or `prim` for a runtime primitive";
    })
ACT(d_fname, _val(ctx)->foreignName = _attr(ctx)->text)

auto const declblock_def = block(decl[d_push], declItem_, declEnd_);
auto const decl_def = typesig[pass] | fixity[pass] | opclause[pass] | funclause[pass] | patbind[pass];
auto const topdecl_def = datadecl[pass] | newtypedecl[pass] | typesyn[pass] | classdecl[pass] | instdecl[pass] |
                         foreigndecl[pass] | decl[pass];
auto const funname_def = varid_[pass] | (T(Tok::LParen) >> opsym_[pass] >> T(Tok::RParen));
auto const typesig_def = node(x3::eps[d_sig] >> (funname[d_sigName] % T(Tok::Comma)) >> T(Tok::DColon) > qualtype[d_qual]);
auto const fixity_def = node(fixkw_[d_fixity] > -T(Tok::Integer)[d_prec] > op[d_sigName] > *(T(Tok::Comma) > op[d_sigName]));
auto const opclause_def = node((x3::eps[d_clause] >> pat10[d_pat] >> varop[d_opName] >> pat10[d_pat] >> &eqbar_) > rhs_eq[d_rhs]);
auto const funclause_def = node((funname[d_clauseName] >> *apat[d_pat] >> &eqbar_) > rhs_eq[d_rhs]);
auto const patbind_def = node((pat[d_patbind] >> &eqbar_) > rhs_eq[d_rhs]);
// `!` before a field type (Haskell's strictness annotation) is accepted and ignored: Weir is strict.
// `Int :+ Int` declares an infix constructor operator (its fields are the two operand types).
auto const condecl_def = ((-bang_ >> btype[c_field] >> consym_[c_name]) > -bang_ > btype[c_field]) |
                         (x3::eps[c_clear] >> qconid_[c_name] > *(-bang_ >> atype[c_field]));
auto const derivbody_def = qconid_[dv_push] | (T(Tok::LParen) > -(qconid_[dv_push] % T(Tok::Comma)) > T(Tok::RParen));
auto const deriving__def = T(Tok::KwDeriving) > derivbody[pass];
auto const datadecl_def = node(T(Tok::KwData)[d_data] > conid_[d_name] > *varid_[d_tyvar] >
                               -(T(Tok::Equals) > condecl[d_con] > *(T(Tok::Bar) > condecl[d_con])) > -deriving_[d_deriving]);
auto const newtypedecl_def = node(T(Tok::KwNewtype)[d_newtype] > conid_[d_name] > *varid_[d_tyvar] > T(Tok::Equals) >
                                  condecl[d_con] > -deriving_[d_deriving]);
auto const typesyn_def = node(T(Tok::KwType)[d_typesyn] > conid_[d_name] > *varid_[d_tyvar] > T(Tok::Equals) > type_[d_synType]);
auto const ctxhead_def = node(btype[h_type] >> -(T(Tok::DArrow) > btype[h_ctx]));
auto const classdecl_def = node(T(Tok::KwClass)[d_class] > ctxhead[d_classHead] > -(T(Tok::KwWhere) > declblock[d_body]));
auto const instdecl_def = node(T(Tok::KwInstance)[d_instance] > ctxhead[d_instHead] > -(T(Tok::KwWhere) > declblock[d_body]));
auto const foreigndecl_def = node(T(Tok::KwForeign)[d_foreign] > T(Tok::KwImport) > varid_[d_conv] > T(Tok::String)[d_fname] >
                                  funname[d_opName] > T(Tok::DColon) > qualtype[d_qual]);

// ---- module header and imports
ACT(m_name, _val(ctx).name = _attr(ctx)->text)
ACT(m_hasExports, _val(ctx).hasExports = true)
ACT(m_export, _val(ctx).exports.push_back(std::move(_attr(ctx))))
ACT(i_qualified, _val(ctx).qualified = true)
ACT(i_module, _val(ctx).module = _attr(ctx)->text)
ACT(i_alias, _val(ctx).alias = _attr(ctx)->text)
ACT(i_hiding, _val(ctx).hiding = true)
ACT(i_hasList, _val(ctx).hasList = true)
ACT(i_item, _val(ctx).items.push_back(std::move(_attr(ctx))))
ACT(ii_value, _val(ctx).name = _attr(ctx)->text)
ACT(ii_type, _val(ctx).name = _attr(ctx)->text; _val(ctx).isType = true)
ACT(ii_members, _val(ctx).allConstructors = _attr(ctx).allConstructors; _val(ctx).members = std::move(_attr(ctx).members))
ACT(mb_all, _val(ctx).allConstructors = true)
ACT(mb_push, _val(ctx).members.push_back(_attr(ctx)->text))
ACT(ex_module, _val(ctx).kind = ExportItem::Module; _val(ctx).name = _attr(ctx)->text)
ACT(ex_value, _val(ctx).kind = ExportItem::Value; _val(ctx).name = _attr(ctx)->text)
ACT(ex_type, _val(ctx).kind = ExportItem::Type; _val(ctx).name = _attr(ctx)->text)

static const tokset_p member_({Tok::VarId, Tok::ConId}, "a name");
auto const members_def = T(Tok::LParen) > (T(Tok::DotDot)[mb_all] | -((member_[mb_push] | (T(Tok::LParen) >> opsym_[mb_push] >> T(Tok::RParen))) % T(Tok::Comma))) > T(Tok::RParen);
auto const impitem_def = nodeS(funname[ii_value] | (qconid_[ii_type] >> -members[ii_members]));
auto const expitem_def = nodeS((T(Tok::KwModule) > modname_[ex_module]) | funname[ex_value] | (qconid_[ex_type] >> -members[ii_members]));
auto const header_def = T(Tok::KwModule) > modname_[m_name] >
                        -(T(Tok::LParen)[m_hasExports] > -(expitem[m_export] % T(Tok::Comma)) > -T(Tok::Comma) > T(Tok::RParen)) >
                        T(Tok::KwWhere);
static const text_p qualifiedKw_(Tok::VarId, "qualified");
static const text_p asKw_(Tok::VarId, "as");
static const text_p hidingKw_(Tok::VarId, "hiding");
auto const importdecl_def = nodeS(T(Tok::KwImport) > -qualifiedKw_[i_qualified] > modname_[i_module] >
                                  -(asKw_ > modname_[i_alias]) > -hidingKw_[i_hiding] >
                                  -(T(Tok::LParen)[i_hasList] > -(impitem[i_item] % T(Tok::Comma)) > -T(Tok::Comma) > T(Tok::RParen)));

BOOST_SPIRIT_DEFINE(type_, btype, atype, qualtype, pat, pat10, apat, binseg_p, binspec)
BOOST_SPIRIT_DEFINE(expr, infixexp, chain, apps, operand, exp10, fexp, aexp, atom, parenexp, parenbody, listexp, listbody, recordexp, binexp, binseg_e,
                    lambda, letexp, ifexp, caseexp, doexp, op, conop, varop)
BOOST_SPIRIT_DEFINE(stmt, stmtblock, alt, altblock, rhs_eq, rhs_arrow, guard, gexp_eq, gexp_arrow)
BOOST_SPIRIT_DEFINE(declblock, decl, topdecl, funname, typesig, fixity, opclause, funclause, patbind, datadecl,
                    newtypedecl, typesyn, classdecl, instdecl, foreigndecl, condecl, deriving_, derivbody, ctxhead)
BOOST_SPIRIT_DEFINE(header, importdecl, impitem, expitem, members)

// ---------------------------------------------------------------- error reporting
class Reporter {
 public:
  Reporter(DiagnosticEngine& d, It begin, It end) : diags_(d), begin_(begin), end_(end) {}

  bool alreadyAt(It pos) {
    uint32_t off = pos->span.begin;
    for (uint32_t o : reported_)
      if (o == off) return true;
    reported_.push_back(off);
    return false;
  }

  const Token* prevReal(It pos) const {
    while (pos != begin_) {
      --pos;
      if (pos->kind != Tok::VSemi && pos->kind != Tok::VLBrace && pos->kind != Tok::VRBrace) return &*pos;
    }
    return nullptr;
  }

  Span spanAt(It pos) const {
    Span s = pos->span;
    if (s.end == s.begin) {
      const SourceFile& f = diags_.sources().get(s.file);
      if (s.end < f.text().size() && f.text()[s.end] != '\n') s.end += 1;
    }
    return s;
  }

  static bool isVirtual(Tok k) { return k == Tok::VSemi || k == Tok::VRBrace || k == Tok::VLBrace; }

  bool atEof(It pos) const {
    for (It i = pos; i != end_; ++i) {
      if (i->kind == Tok::End) return true;
      if (!isVirtual(i->kind)) return false;
    }
    return true;
  }
  std::string describe(It pos) const { return atEof(pos) ? endName_ : describeToken(*pos); }
  // What the end of the token range is called in messages (`}` for the inside of `${...}`).
  void setEndName(std::string n) { endName_ = std::move(n); }

  // The first real token after the virtual ones at pos.
  It nextReal(It pos) const {
    while (pos != end_ && isVirtual(pos->kind)) ++pos;
    return pos;
  }

  // A block item that failed where layout closed it: a line indented too little (it ended the
  // item's block) follows. Reports E0017 at that line; returns false if that is not the case.
  bool badIndentation(It pos) {
    It f = g_state ? g_state->furthest : pos;
    if (f <= pos || f == end_ || !isVirtual(f->kind) || atEof(f)) return false;
    It r = nextReal(f);
    const Token* prev = prevReal(f);
    if (r == end_ || !prev || r->line <= prev->line || alreadyAt(r)) return false;
    auto& d = diags_.error("E0017", spanAt(r), "found " + describe(r) + " on a line indented too little to continue the line above");
    d.label = "indented too little";
    if (const Token* start = itemStart(f))
      d.hint = fmt::format("a line continuing `{}` must be indented more than column {}, where it starts", start->text.empty() ? tokSpelling(start->kind) : start->text, start->col);
    else
      d.hint = "indent this line more than the start of the line it continues";
    return true;
  }

  void expected(It pos, const std::string& which) {
    if (pos->kind == Tok::Error) return;
    std::string what = which;
    if (what.find("boost") != std::string::npos || what.find("::") != std::string::npos) what = "something else";
    bool item = what == "a declaration" || what == "a statement" || what == "a case alternative";
    if (item && badIndentation(pos)) return;
    if (alreadyAt(pos)) return;
    if (what == "a declaration" && pos->kind == Tok::KwWhere) {
      whereAtItemStart(pos);
      return;
    }
    if (what == "a declaration" && topLevelOnly(pos->kind)) {
      auto& d = diags_.error("E0116", spanAt(pos), fmt::format("`{}` declarations are only allowed at the top level", tokSpelling(pos->kind)));
      d.label = "declaration not allowed here";
      d.hint = "only value definitions, type signatures and fixity declarations may appear in `let` and `where`; move this declaration to the top level of the module";
      return;
    }
    const char* code = "E0014";
    if (what == "an expression") code = "E0011";
    else if (what == "a pattern") code = "E0012";
    else if (what == "a type") code = "E0013";
    else if (what == "a declaration") code = "E0015";
    else if (what == "a class or instance head") code = "E0021";
    else if (what == "`)`" || what == "`]`" || what == "`}`") code = "E0016";
    else if (isVirtual(pos->kind) && !atEof(pos)) code = "E0017";
    // The layout closed a block here because the next line is indented less than the block's
    // items (`let x =` / `1` in a `do`): that line is the mistake, not a missing expression.
    bool dedent = false;
    if (pos->kind == Tok::VRBrace && !atEof(pos)) {
      It r = nextReal(pos);
      const Token* prev = prevReal(pos);
      dedent = r != end_ && prev && r->line > prev->line && r->col > 1;
      if (dedent) code = "E0017";
    }
    bool itemEnd = what.rfind("the end of the", 0) == 0;
    bool continuation = false;
    if (itemEnd) {
      const Token* start = itemStart(pos);
      continuation = start && start->line < pos->line;
      if (continuation) code = "E0017";
    }
    std::string found = describe(pos);
    const Token* prev = prevReal(pos);
    std::string msg = "expected " + what;
    if (prev && prev->kind != Tok::String && prev->kind != Tok::InterpString && prev->kind != Tok::Bytes)
      msg += " after " + describeToken(*prev);
    msg += ", found " + found;
    auto& d = diags_.error(code, spanAt(pos), msg);
    d.label = "expected " + what + " here";
    hint(d, what, pos);
    if (continuation)
      d.hint = "this line is indented more than the items of its block, so it continues the previous item; "
               "to start a new item, align it exactly with the others";
    if (dedent)
      d.hint = "the next line is indented less than the items of this block, so the block ends here; "
               "indent the continuation more than the start of the item it continues";
    if (what == "the end of the statement" && pos->kind == Tok::Equals) {
      const Token* start = itemStart(pos);
      std::string lhs = start && start->kind == Tok::VarId ? start->text : "x";
      d.hint = fmt::format("to define a name in a `do` block, use `let`: `let {} = ...`; to compare, use `==`", lhs);
    }
    if (std::string_view(code) == "E0016") {
      Tok open = what == "`)`" ? Tok::LParen : what == "`]`" ? Tok::LBracket : Tok::LBrace;
      Tok close = what == "`)`" ? Tok::RParen : what == "`]`" ? Tok::RBracket : Tok::RBrace;
      if (const Token* o = findOpener(pos, open, close))
        d.secondary.push_back(Label{o->span, std::string("unclosed `") + tokSpelling(open) + "` opened here"});
    }
  }

  // First token of the block item (statement, alternative, declaration) containing pos.
  const Token* itemStart(It pos) const {
    int depth = 0;
    It i = pos;
    while (i != begin_) {
      --i;
      Tok k = i->kind;
      if (k == Tok::VRBrace || k == Tok::RBrace || k == Tok::RParen || k == Tok::RBracket) ++depth;
      else if (k == Tok::VLBrace || k == Tok::LBrace || k == Tok::LParen || k == Tok::LBracket || k == Tok::VSemi ||
               k == Tok::Semi) {
        if (depth == 0) return i + 1 == pos ? nullptr : &*(i + 1);
        if (k != Tok::VSemi && k != Tok::Semi) --depth;
      }
    }
    return &*begin_;
  }

  // The innermost unclosed `open` before pos.
  const Token* findOpener(It pos, Tok open, Tok close) const {
    int depth = 0;
    while (pos != begin_) {
      --pos;
      if (pos->kind == close) ++depth;
      else if (pos->kind == open && depth-- == 0) return &*pos;
    }
    return nullptr;
  }

  void unexpected(It pos, It declStart, const std::vector<Tok>& expectedKinds) {
    if (pos->kind == Tok::Error || alreadyAt(pos)) return;
    std::vector<std::string> names;
    static const Tok interesting[] = {Tok::Equals, Tok::Bar, Tok::DColon, Tok::RArrow, Tok::LArrow, Tok::KwThen,
                                      Tok::KwElse, Tok::KwOf, Tok::KwIn, Tok::RParen, Tok::RBracket, Tok::RBrace,
                                      Tok::Comma};
    for (Tok want : interesting)
      for (Tok k : expectedKinds)
        if (k == want) { names.push_back(std::string("`") + tokSpelling(k) + "`"); break; }
    std::string found = describe(pos);
    if (pos == declStart) {
      if (pos->kind == Tok::KwWhere) { whereAtItemStart(pos); return; }
      auto& d = diags_.error("E0015", spanAt(pos), "expected a declaration, found " + found);
      d.label = "a declaration cannot start here";
      It next = pos + 1;
      if (isVirtual(pos->kind) || pos->kind == Tok::VRBrace)
        d.hint = "check the indentation of this line";
      else if (pos->kind == Tok::KwImport)
        d.hint = "imports must come before the other declarations";
      else if (pos->kind == Tok::KwModule)
        d.hint = "the module header `module Name where` must be the first declaration of the file, before the imports";
      else if ((pos->kind == Tok::VarSym || pos->kind == Tok::ConSym || pos->kind == Tok::Minus) && next != end_ &&
               (next->kind == Tok::DColon || next->kind == Tok::Comma))
        d.hint = fmt::format("write the operator in parentheses: `({}) :: ...`", pos->text);
      else
        d.hint = "a declaration is a type signature `f :: T`, a definition `f x = ...`, or `data`, `type`, `class`, `instance`, `import`...";
      return;
    }
    // A line indented less than the block above it ends that block; it cannot continue the item.
    if (!isVirtual(pos->kind) && pos != begin_ && (pos - 1)->kind == Tok::VRBrace) {
      const Token* prev = prevReal(pos);
      if (prev && prev->line < pos->line && !atEof(pos)) {
        auto& d = diags_.error("E0017", spanAt(pos), "unexpected " + withoutArticle(found) + ": this line is indented less than the block above it");
        d.label = "indented less than the block above";
        d.hint = "a line indented less than the items of a block (statements, case alternatives, `where` bindings) ends "
                 "the block; align it exactly with the items above to continue the block";
        return;
      }
    }
    if (pos->kind == Tok::RParen || pos->kind == Tok::RBracket || pos->kind == Tok::RBrace) {
      auto& d = diags_.error("E0016", spanAt(pos), "unmatched " + found);
      d.label = "this closing bracket has no matching opening bracket";
      d.hint = "remove it, or add the missing opening bracket";
      return;
    }
    std::string msg = "unexpected " + withoutArticle(found);
    if (!names.empty()) {
      msg = "expected ";
      for (size_t i = 0; i < names.size() && i < 4; ++i) {
        if (i) msg += i + 1 == std::min<size_t>(names.size(), 4) ? " or " : ", ";
        msg += names[i];
      }
      const Token* prev = prevReal(pos);
      if (prev && prev->kind != Tok::String && prev->kind != Tok::InterpString && prev->kind != Tok::Bytes)
        msg += " after " + describeToken(*prev);
      msg += ", found " + found;
    }
    auto& d = diags_.error(isVirtual(pos->kind) && !atEof(pos) ? "E0017" : "E0010", spanAt(pos), msg);
    d.label = "unexpected " + withoutArticle(found);
    if (isVirtual(pos->kind))
      d.hint = "if the code continues on the next line, indent that line more than the start of this one";
    if (pos->kind == Tok::Equals) guardEqualsHint(d, pos);
  }

  static std::string withoutArticle(const std::string& s) {
    for (const char* a : {"the ", "a ", "an "})
      if (s.rfind(a, 0) == 0) return s.substr(std::string_view(a).size());
    return s;
  }

  static bool topLevelOnly(Tok k) {
    return k == Tok::KwData || k == Tok::KwNewtype || k == Tok::KwType || k == Tok::KwClass || k == Tok::KwInstance ||
           k == Tok::KwImport || k == Tok::KwForeign;
  }

  // `where` where a declaration or an item should start: it is not indented under its definition.
  void whereAtItemStart(It pos) {
    auto& d = diags_.error("E0017", spanAt(pos), "`where` at the start of an item: it is not indented under the definition it belongs to");
    d.label = "indent this `where`";
    d.hint = "a `where` belongs to the definition above it and must be indented more than that definition's first "
             "line, for example by two spaces";
  }

  // `| n = 0 = ...`: a guard that compares with `=`; the first `=` after `|` ended the guard.
  void guardEqualsHint(Diagnostic& d, It pos) {
    int depth = 0;
    It firstEq = end_;
    for (It i = pos; i != begin_;) {
      --i;
      Tok k = i->kind;
      if (k == Tok::RParen || k == Tok::RBracket || k == Tok::RBrace) ++depth;
      else if (k == Tok::LParen || k == Tok::LBracket || k == Tok::LBrace) {
        if (depth-- == 0) return;
      } else if (depth == 0) {
        if (k == Tok::Equals) {
          if (firstEq != end_) return;
          firstEq = i;
        } else if (k == Tok::Bar) {
          if (firstEq == end_) return;
          d.hint = "a guard compares with `==`: write `| x == 0 = ...`; a single `=` ends the guard and starts the right-hand side";
          d.secondary.push_back(Label{firstEq->span, "this `=` ended the guard; did you mean `==`?"});
          return;
        } else if (k == Tok::VSemi || k == Tok::Semi || k == Tok::VLBrace || k == Tok::KwWhere) {
          return;
        }
      }
    }
  }

  void tooDeep(It pos) {
    if (alreadyAt(pos)) return;
    auto& d = diags_.error("E0024", spanAt(pos), fmt::format("nested more than {} levels deep", kMaxNesting));
    d.label = "too deeply nested here";
    d.hint = "split the expression into smaller named parts with `let` or `where`";
  }

  void hint(Diagnostic& d, const std::string& what, It pos) {
    if (what == "`then`" && pos->kind == Tok::Equals) d.hint = "to compare, use `==`: `if x == 5 then ...` (a single `=` defines a name)";
    else if (what == "`then`") d.hint = "an `if` needs both branches: `if cond then a else b`";
    else if (what == "`else`") d.hint = "every `if` needs an `else` branch: `if cond then a else b`";
    else if (what == "`in`") d.hint = "a `let` expression ends with `in` and the expression using the bindings; inside `do`, write `let` without `in`";
    else if (what == "`of`") d.hint = "a case expression reads `case e of` followed by the alternatives";
    else if (what == "`->`") d.hint = "case alternatives and lambdas use `->`: `Just x -> x`, `\\x -> x + 1`";
    else if (what == "`)`" || what == "`]`" || what == "`}`") d.hint = "a bracket opened before this point is not closed";
    else if (isVirtual(pos->kind)) d.hint = "the code continues on the next line but that line is not indented enough to be part of it";
  }

 private:
  DiagnosticEngine& diags_;
  It begin_, end_;
  std::vector<uint32_t> reported_;
  std::string endName_ = "the end of the file";
};

// Skips past a broken declaration: to the next `;` of the block the declaration started
// in, or to that block's end.
// With a layout (implicit) module body only virtual tokens count, since an explicit brace may
// be the very thing left unclosed; with an explicit body only explicit ones do.
static It recover(It declStart, It errPos, It end, bool explicitBody) {
  Tok open = explicitBody ? Tok::LBrace : Tok::VLBrace;
  Tok close = explicitBody ? Tok::RBrace : Tok::VRBrace;
  Tok semi = explicitBody ? Tok::Semi : Tok::VSemi;
  int depth = 0;
  It i = declStart;
  for (; i != end && i->kind != Tok::End; ++i) {
    Tok k = i->kind;
    if (k == open) ++depth;
    else if (k == close) {
      if (depth == 0) return i;
      --depth;
    } else if (k == semi && depth == 0 && i >= errPos) {
      return i;
    }
  }
  return i;
}

// Parses one rule on a token range with error reporting; used for `${...}` parts.
template <class Rule, class Attr>
static bool parseWith(Rule const& r, It& it, It end, Attr& out, Reporter& rep) {
  if (g_state) { g_state->furthest = it; g_state->expected.clear(); }
  try {
    if (x3::parse(it, end, r, out)) return true;
    It at = g_state ? std::max(g_state->furthest, it) : it;
    rep.unexpected(at, It{}, g_state ? g_state->expected : std::vector<Tok>{});
  } catch (x3::expectation_failure<It> const& e) {
    rep.expected(e.where(), e.which());
  } catch (TooDeep const& e) {
    rep.tooDeep(e.where);
  }
  return false;
}

ExprPtr buildInterp(const Token& t) {
  auto n = make<Expr>(Expr::Interp, t.span);
  ParseState* st = g_state;
  const std::string& raw = t.text;
  uint32_t base = t.span.begin + 1;  // just after the opening quote
  std::string cur;
  uint32_t curStart = base;
  auto flush = [&](uint32_t endOff) {
    if (cur.empty()) return;
    auto l = make<Expr>(Expr::Lit, Span{t.span.file, curStart, endOff});
    l->lit.kind = Literal::String;
    l->lit.s = std::move(cur);
    cur.clear();
    n->args.push_back(l);
  };
  for (size_t i = 0; i < raw.size();) {
    if (raw[i] == '\\') {
      std::string err;
      if (!decodeEscape(raw, i, cur, false, err)) cur += "\xEF\xBF\xBD";
      continue;
    }
    if (raw[i] == '$' && i + 1 < raw.size() && raw[i + 1] == '{') {
      flush(base + static_cast<uint32_t>(i));
      size_t a = i + 2, j = interpHoleEnd(raw, a);
      uint32_t absA = base + static_cast<uint32_t>(a), absB = base + static_cast<uint32_t>(std::min(j, raw.size()));
      bool blank = true;
      for (size_t k = a; k < j && k < raw.size(); ++k) blank &= raw[k] == ' ';
      if (!st || !st->diags) { i = j + 1; continue; }
      DiagnosticEngine& diags = *st->diags;
      if (blank) {
        diags.error("E0023", Span{t.span.file, absA - 2, absB + 1}, "empty interpolation `${}` in string")
            .hint = "put an expression of type String inside, like `${show x}`, or write `\\${` for a literal `${`";
      } else {
        const SourceFile& file = diags.sources().get(t.span.file);
        std::vector<Token> toks = layoutImpl(lexRange(file, t.span.file, absA, absB, diags), diags, false);
        ParseState saved = *st;
        st->begin = toks.begin();
        st->end = toks.end();
        st->furthest = toks.begin();
        Reporter rep(diags, toks.begin(), toks.end());
        rep.setEndName("`}`");
        It it = toks.begin();
        ExprPtr e;
        if (parseWith(expr, it, toks.end(), e, rep)) {
          if (it->kind != Tok::End) rep.unexpected(it, It{}, {});
          else n->args.push_back(e);
        }
        *st = saved;
      }
      curStart = absB + 1;
      i = j + 1;
      continue;
    }
    cur += raw[i++];
  }
  flush(base + static_cast<uint32_t>(raw.size()));
  return n;
}

}  // namespace weir::syntax::grammar

namespace weir::syntax {

using namespace grammar;

std::optional<ast::Module> parseModule(const std::vector<Token>& tokens, FileId id, DiagnosticEngine& diags) {
  ast::Module m;
  m.file = id;
  if (tokens.empty()) return m;
  ParseState st;
  st.begin = tokens.begin();
  st.end = tokens.end();
  st.furthest = tokens.begin();
  st.diags = &diags;
  st.file = id;
  ParseState* savedState = g_state;
  g_state = &st;
  Reporter rep(diags, tokens.begin(), tokens.end());
  It it = tokens.begin(), end = tokens.end();
  m.span = Span{id, tokens.front().span.begin, tokens.back().span.end};

  auto resetFurthest = [&](It at) { st.furthest = at; st.expected.clear(); };

  if (it->kind == Tok::KwModule) {
    resetFurthest(it);
    It start = it;
    try {
      if (!x3::parse(it, end, header, m)) rep.unexpected(std::max(st.furthest, it), start, st.expected);
    } catch (x3::expectation_failure<It> const& e) {
      rep.expected(e.where(), e.which());
      // skip to the start of the body
      while (it->kind != Tok::End && it->kind != Tok::VLBrace && it->kind != Tok::LBrace) ++it;
    }
  }
  bool explicitBody = it->kind == Tok::LBrace;
  if (it->kind == Tok::VLBrace || it->kind == Tok::LBrace) {
    ++it;
  } else if (it->kind != Tok::End) {
    rep.expected(it, "`where`");
    while (it->kind != Tok::End && it->kind != Tok::VLBrace && it->kind != Tok::LBrace) ++it;
    if (it->kind != Tok::End) ++it;
  }

  while (it->kind != Tok::End) {
    if (it->kind == Tok::VSemi || it->kind == Tok::Semi) { ++it; continue; }
    if (it->kind == Tok::VRBrace || it->kind == Tok::RBrace) {
      ++it;
      if (it->kind != Tok::End) {
        rep.unexpected(it, it, {});
        it = end - 1;
      }
      break;
    }
    It start = it;
    resetFurthest(it);
    bool ok = false;
    It errPos = it;
    try {
      if (it->kind == Tok::KwImport) {
        ast::Import imp;
        if (x3::parse(it, end, importdecl, imp)) {
          m.imports.push_back(std::move(imp));
          ok = true;
        }
      } else {
        ast::DeclPtr d;
        if (x3::parse(it, end, topdecl, d) && d) {
          d->doc = start->doc;
          m.decls.push_back(std::move(d));
          ok = true;
        }
      }
      if (!ok) {
        errPos = std::max(st.furthest, it);
        rep.unexpected(errPos, start, st.expected);
      }
    } catch (x3::expectation_failure<It> const& e) {
      errPos = e.where();
      rep.expected(errPos, e.which());
    } catch (TooDeep const& e) {
      errPos = e.where;
      rep.tooDeep(errPos);
    }
    st.depth = 0;
    if (ok) {
      Tok k = it->kind;
      if (k == Tok::VSemi || k == Tok::Semi || k == Tok::VRBrace || k == Tok::RBrace || k == Tok::End) continue;
      errPos = it;
      rep.unexpected(it, start, {});
      ok = false;
    }
    it = recover(start, errPos, end, explicitBody);
    if (it == end) { it = end - 1; break; }
  }
  g_state = savedState;
  return m;
}

std::optional<ast::Module> parseFile(const SourceFile& file, FileId id, DiagnosticEngine& diags) {
  return parseModule(layout(lex(file, id, diags), diags), id, diags);
}

}  // namespace weir::syntax
