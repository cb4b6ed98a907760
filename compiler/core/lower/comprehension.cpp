// List comprehensions as loops: Wadler's translation ("The Implementation of Functional
// Programming Languages", ch. 7; GHC's desugarer without fusion), with no intermediate lists,
// no concatMap and no closures once the local loops are lifted.
//
// The checker desugars `[e | quals]` to concatMap (types/expr.cpp, desugarComprehension) to
// infer it; that spine is what this file walks, knowing the types:
//   TE[[e] ++ L]                                   = e : L
//   TE[if b then R else [] ++ L]                   = if b then TE[R ++ L] else L
//   TE[let ds in R ++ L]                           = let ds in TE[R ++ L]
//   TE[concatMap (\x -> case x of p -> R; _ -> []) l ++ L]
//     = letrec h us = case us of [] -> L
//                                (x : us') -> case x of p -> TE[R ++ h us']; _ -> h us'
//       in h l
// L is always `[]` or a call `h us'`, so it is duplicated freely. `e : h us'` in a loop is
// tail recursion modulo cons once liftLetRec has made h a top-level function (trmc runs again
// after lifting, core/trmc.hpp): constant stack.
// A generator over an Int range `[a .. b]` counts instead of building the range:
//     let a' = a; b' = b; letrec h i = if i > b' || i < a' then L else (case i of p -> TE[R ++ h (i + 1)]; _ -> h (i + 1))
//     in h a'
// (`i < a'`: past maxBound, i + 1 wraps to minBound and the loop stops as the range does).
// A generator over a one-element list `p <- [e]` (the idiom for binding with a pattern) is
//     let x = e in case x of p -> TE[R ++ L]; _ -> L
// A generator over another Foldable goes through its `toList`.
#include "core/lower/lowerer.hpp"

namespace weir::lower {

using ast::Expr;

namespace {

// The element type of a list type, or null.
types::TypeP listElem(const types::TypeP& t) {
  if (!t) return nullptr;
  types::TypeP p = types::prune(t);
  if (p->kind != types::Type::App) return nullptr;
  types::TypeP h = types::prune(p->a);
  if (h->kind != types::Type::Con || h->name != types::kList) return nullptr;
  return types::prune(p->b);
}

bool isIntType(const types::TypeP& t) {
  return t && t->kind == types::Type::Con && t->name == types::kInt;
}

ExprPtr cons(ExprPtr x, ExprPtr xs) { return core::mkCon(1, ":", {std::move(x), std::move(xs)}); }

}  // namespace

bool Lowerer::isComprehension(const Expr& e) {
  return e.name == "$comprehension" &&
         (e.kind == Expr::App || e.kind == Expr::If || e.kind == Expr::Let || e.kind == Expr::List);
}

// TE[[e] ++ tail()] for the spine node e (see the top of the file).
ExprPtr Lowerer::lowerComprehension(const Expr& e, const Fail& tail) {
  switch (e.kind) {
    case Expr::List:
      if (e.args.empty()) return tail();
      if (e.args.size() == 1) {
        ExprPtr x = lowerExpr(e.args[0]);  // the element first: evaluation order
        return cons(x, tail());
      }
      break;
    case Expr::If:
      if (e.args.size() == 3) {
        ExprPtr cond = lowerExpr(e.args[0]);
        ExprPtr then = lowerComprehension(*e.args[1], tail);
        return boolCase(cond, then, tail());
      }
      break;
    case Expr::Let:
      if (e.args.size() == 1) {
        const Expr* rest = e.args[0].get();
        return lowerLocalGroup(e.decls, [this, rest, &tail] { return lowerComprehension(*rest, tail); });
      }
      break;
    case Expr::App:
      if (e.args.size() == 3 && e.args[1]->kind == Expr::Lam && !e.args[1]->args.empty() &&
          e.args[1]->args[0]->kind == Expr::Case && !e.args[1]->args[0]->alts.empty() &&
          e.args[1]->args[0]->alts[0].rhs.plain)
        return lowerGenerator(e, tail);
      break;
    default:
      break;
  }
  fail("a list comprehension's desugaring has an unexpected shape");
  return tail();
}

// A generator `p <- l` and the qualifiers after it (R): one local loop h.
ExprPtr Lowerer::lowerGenerator(const Expr& e, const Fail& tail) {
  const ast::Alt& alt = e.args[1]->args[0]->alts[0];
  const ast::PatPtr pat = alt.pat;
  const Expr* rest = alt.rhs.plain.get();
  const ast::ExprPtr& gen = e.args[2];
  VarId h = fresh();
  auto call = [h](ExprPtr arg) { return core::mkApp(core::mkVar(h), {std::move(arg)}); };
  // The element x matched against p: TE[R ++ next()] if it matches, next() if not.
  auto element = [&](VarId x, const Fail& next) {
    Row r;
    r.pats.push_back(canon(pat));
    r.body = [this, rest, next](const Fail&) { return lowerComprehension(*rest, next); };
    return match({x}, {r}, next);
  };
  auto letrec = [](VarId f, VarId param, ExprPtr body, ExprPtr in) {
    return core::mkLetRec({core::Binding{f, core::mkLam({param}, std::move(body))}}, std::move(in));
  };

  const Expr& g = *gen;
  // `p <- [e]` (a binding with a pattern, `Just y <- [f x]`): no list and no loop.
  if (g.kind == Expr::List && g.args.size() == 1 && !isComprehension(g)) {
    VarId x = fresh();
    ExprPtr value = lowerExpr(g.args[0]);
    return core::mkLet(x, value, element(x, tail));
  }

  types::TypeP elem = listElem(gen->type);
  // [a .. b] over Int: a counting loop.
  if (isIntType(elem) && g.kind == Expr::App && g.args.size() == 3 && g.args[0]->kind == Expr::Var &&
      g.args[0]->name == "Prelude.enumFromTo") {
    VarId lo = fresh(), hi = fresh(), i = fresh();
    ExprPtr loE = lowerExpr(g.args[1]);
    ExprPtr hiE = lowerExpr(g.args[2]);
    auto next = [call, i] { return call(core::mkPrim(core::PrimOp::IntAdd, {core::mkVar(i), core::mkInt(1)})); };
    ExprPtr body = element(i, next);
    body = boolCase(core::mkPrim(core::PrimOp::IntLt, {core::mkVar(i), core::mkVar(lo)}), tail(), body);
    body = boolCase(core::mkPrim(core::PrimOp::IntGt, {core::mkVar(i), core::mkVar(hi)}), tail(), body);
    return core::mkLet(lo, loE, core::mkLet(hi, hiE, letrec(h, i, body, call(core::mkVar(lo)))));
  }

  ExprPtr list = lowerExpr(gen);
  if (!elem) {
    // Another Foldable (Maybe, Map, Set...): its toList, through concatMap's dictionary.
    const Expr& cm = *e.args[0];
    if (!cm.evidence || cm.evidence->dicts.empty()) {
      fail("a comprehension's generator is neither a list nor a Foldable");
      return tail();
    }
    std::vector<ExprPtr> extra;
    ExprPtr toList = methodRef("Prelude.toList", cm.evidence->dicts[0], extra);
    extra.push_back(list);
    list = core::mkApp(toList, extra);
  }
  VarId us = fresh(), x = fresh(), more = fresh();
  auto next = [call, more] { return call(core::mkVar(more)); };
  ExprPtr body = core::mkCase(us, {core::Alt{0, {}, tail(), "[]"}, core::Alt{1, {x, more}, element(x, next), ":"}});
  return letrec(h, us, body, call(list));
}

}  // namespace weir::lower
