// See entry.hpp.
#include "core/entry.hpp"

#include <algorithm>

namespace weir::core {

namespace {

bool refersTo(const Expr& e, const std::string& name) {
  if (e.kind == Expr::Global && e.name == name) return true;
  bool found = false;
  forEachChild(const_cast<Expr&>(e), [&](ExprPtr& c) { found = found || refersTo(*c, name); });
  return found;
}

// body applied to w, with the application under body's lets.
ExprPtr applyTo(const ExprPtr& body, VarId w) {
  if (body->kind == Expr::Let) return mkLet(body->var, body->args[0], applyTo(body->args[1], w));
  if (body->kind == Expr::App) {  // f(a..) w = f(a.., w): the operands are evaluated first either way
    auto r = std::make_shared<Expr>(*body);
    r->args.push_back(mkVar(w));
    return r;
  }
  return mkApp(body, {mkVar(w)});
}

}  // namespace

bool entryAsFunction(Program& p) {
  auto g = std::find_if(p.globals.begin(), p.globals.end(), [&](const Global& x) { return x.name == p.entry; });
  if (g == p.globals.end()) return false;
  for (auto& f : p.functions)
    if (refersTo(*f.body, p.entry)) return false;
  for (auto& x : p.globals)
    if (refersTo(*x.body, p.entry)) return false;
  Function f;
  f.name = g->name;
  VarId w = p.nextVar++;
  f.params = {w};
  f.body = applyTo(g->body, w);
  p.globals.erase(g);
  p.functions.push_back(std::move(f));
  return true;
}

}  // namespace weir::core
