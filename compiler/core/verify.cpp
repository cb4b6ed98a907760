// The Core verifier (verify.hpp): one walk per function and global with the variables in scope.
#include "core/verify.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_set>
#include <utility>

#include "core/rc.hpp"

namespace weir::core {

namespace {

struct Verifier {
  const Program& prog;
  const VerifyOptions& opts;
  std::set<std::string> topNames;
  std::map<std::string, std::pair<int, size_t>> conShape;  // name -> (tag, arity), first seen
  std::string where;                                       // the function or global walked
  std::unordered_set<VarId> bound, inScope;
  std::map<VarId, size_t> tokenFields;            // reuse tokens in scope: the size of their cell
  std::unordered_set<const Expr*> reuseDrops;      // drops that may bind a token (scrutineeDrop)
  std::string error;

  Verifier(const Program& p, const VerifyOptions& o) : prog(p), opts(o) {}

  bool fail(const std::string& msg) {
    if (error.empty()) error = where + ": " + msg;
    return false;
  }
  static std::string var(VarId v) { return "v" + std::to_string(v); }

  bool bind(VarId v) {
    if (v < 0 || v >= prog.nextVar)
      return fail("binds " + var(v) + ", outside the program's variable ids (nextVar " + std::to_string(prog.nextVar) + ")");
    if (!bound.insert(v).second) return fail("binds " + var(v) + " twice");
    inScope.insert(v);
    return true;
  }
  bool use(VarId v, const char* what) {
    if (!inScope.count(v)) return fail(std::string(what) + " " + var(v) + " is not bound there");
    return true;
  }
  bool constructor(const std::string& name, int tag, size_t arity, const char* what) {
    if (tag < 0) return fail(std::string(what) + " " + name + " has tag " + std::to_string(tag));
    if (name.empty()) return true;
    if (const ConLayout* l = prog.layout(name); l && l->reps.size() != arity)  // codegen places fields by it
      return fail(std::string(what) + " " + name + " with " + std::to_string(arity) + " fields, its layout has " +
                  std::to_string(l->reps.size()));
    auto [it, fresh] = conShape.emplace(name, std::make_pair(tag, arity));
    if (fresh || it->second == std::make_pair(tag, arity)) return true;
    return fail(std::string(what) + " " + name + " with tag " + std::to_string(tag) + " and " + std::to_string(arity) +
                " fields, elsewhere tag " + std::to_string(it->second.first) + " and " +
                std::to_string(it->second.second) + " fields");
  }
  bool operands(const Expr& e, size_t n, const char* kind) {
    if (e.args.size() == n && std::all_of(e.args.begin(), e.args.end(), [](auto& a) { return a != nullptr; })) return true;
    return fail(std::string(kind) + " with " + std::to_string(e.args.size()) + " operands, expected " + std::to_string(n));
  }

  // Binds vs in scope for `inner` only (ids stay in `bound`: bound once per function).
  template <class F>
  bool scoped(const std::vector<VarId>& vs, F&& inner) {
    for (VarId v : vs)
      if (!bind(v)) return false;
    bool ok = inner();
    for (VarId v : vs) inScope.erase(v);
    return ok;
  }

  bool expr(const Expr& e) {
    switch (e.kind) {
      case Expr::Var: return use(e.var, "variable");
      case Expr::Global:
        if (!topNames.count(e.name)) return fail("refers to `" + e.name + "`, which is no function or global of the program");
        return true;
      case Expr::LitInt: case Expr::LitFloat: case Expr::LitChar: case Expr::LitString: return true;
      case Expr::App:
        if (e.args.size() < 2) return fail("a call with no argument");
        return children(e);
      case Expr::Lam:
        if (e.params.empty()) return fail("a lambda with no parameter");
        if (!operands(e, 1, "a lambda")) return false;
        return scoped(e.params, [&] { return expr(*e.args[0]); });
      case Expr::Let:
        if (!operands(e, 2, "a let")) return false;
        if (!expr(*e.args[0])) return false;
        return scoped({e.var}, [&] { return expr(*e.args[1]); });
      case Expr::LetRec: {
        if (opts.noLetRec) return fail("a letrec after lift-letrec");
        if (!operands(e, 1, "a letrec")) return false;
        std::vector<VarId> vs;
        for (auto& b : e.binds) {
          if (!b.lam || b.lam->kind != Expr::Lam) return fail("letrec binds " + var(b.var) + " to something not a lambda");
          vs.push_back(b.var);
        }
        return scoped(vs, [&] {
          for (auto& b : e.binds)
            if (!expr(*b.lam)) return false;
          return expr(*e.args[0]);
        });
      }
      case Expr::Con:
        if (!constructor(e.name, e.tag, e.args.size(), "constructor")) return false;
        if (e.token >= 0) {
          if (!use(e.token, "reuse token")) return false;
          if (tokenFields[e.token] != e.args.size())
            return fail("constructor " + e.name + " with " + std::to_string(e.args.size()) + " fields in the cell of reuse token " +
                        var(e.token) + ", which has " + std::to_string(tokenFields[e.token]));
        }
        return children(e);
      case Expr::Proj:
        if (!operands(e, 1, "a projection")) return false;
        if (e.index < 0) return fail("a projection of field " + std::to_string(e.index));
        return expr(*e.args[0]);
      case Expr::Case: {
        if (!use(e.scrut, "case scrutinee")) return false;
        std::set<int> tags;
        for (auto& a : e.alts) {
          if (!a.body) return fail("a case alternative with no body");
          if (!tags.insert(a.tag).second) return fail("two case alternatives for tag " + std::to_string(a.tag));
          if (!constructor(a.con, a.tag, a.fields.size(), "case alternative")) return false;
          if (const Expr* d = scrutineeDrop(a, e.scrut); d && d->token >= 0) {
            reuseDrops.insert(d);
            tokenFields[d->token] = a.fields.size();
          }
          if (!scoped(a.fields, [&] { return expr(*a.body); })) return false;
        }
        if (e.alts.empty() && !e.deflt) return fail("a case with no alternative");
        return !e.deflt || expr(*e.deflt);
      }
      case Expr::LitCase:
        if (!use(e.scrut, "case scrutinee")) return false;
        if (!e.deflt) return fail("a literal case with no default");
        for (auto& a : e.litAlts)
          if (!a.body) return fail("a literal case alternative with no body");
        return children(e);
      case Expr::Prim: {
        int n = primArity(e.prim);
        if (n >= 0 && e.args.size() != static_cast<size_t>(n))
          return fail(std::string("primitive ") + primName(e.prim) + " with " + std::to_string(e.args.size()) +
                      " operands, expected " + std::to_string(n));
        return children(e);
      }
      case Expr::Error: return true;
      case Expr::Dup: case Expr::Drop: {
        const char* what = e.kind == Expr::Dup ? "dup" : "drop";
        if (!opts.rcInserted) return fail(std::string("a ") + what + " before reference counting was inserted");
        if (!operands(e, 1, what)) return false;
        if (!use(e.var, what)) return false;
        if (e.kind == Expr::Drop && e.token >= 0) {
          if (!reuseDrops.count(&e)) return fail("drop-reuse of " + var(e.var) + " that does not start a case alternative of it");
          return scoped({e.token}, [&] { return expr(*e.args[0]); });
        }
        return expr(*e.args[0]);
      }
      case Expr::FreeReuse:
        if (!opts.rcInserted) return fail("a free-reuse before reference counting was inserted");
        if (!operands(e, 1, "free-reuse")) return false;
        return use(e.var, "reuse token") && expr(*e.args[0]);
    }
    return fail("an expression of unknown kind " + std::to_string(static_cast<int>(e.kind)));
  }
  bool children(const Expr& e) {
    for (auto& a : e.args)
      if (!a) return fail("a missing operand");
    bool ok = true;
    forEachChild(const_cast<Expr&>(e), [&](ExprPtr& c) { ok = ok && expr(*c); });
    return ok;
  }

  bool run() {
    for (auto& f : prog.functions)
      if (!topNames.insert(f.name).second) return fail("two functions or globals named `" + f.name + "`");
    for (auto& g : prog.globals)
      if (!topNames.insert(g.name).second) return fail("two functions or globals named `" + g.name + "`");
    if (!prog.entry.empty() && !topNames.count(prog.entry)) return fail("the entry point `" + prog.entry + "` is missing");
    for (auto& f : prog.functions) {
      where = "function " + f.name;
      bound.clear();
      inScope.clear();
      if (f.params.empty()) return fail("no parameter");
      if (f.borrowed.size() > f.params.size()) return fail("more borrowed flags than parameters");
      if (!f.body) return fail("no body");
      if (!scoped(f.params, [&] { return expr(*f.body); })) return false;
    }
    for (auto& g : prog.globals) {
      where = "global " + g.name;
      bound.clear();
      inScope.clear();
      if (!g.body) return fail("no body");
      if (!expr(*g.body)) return false;
    }
    where = "the program";
    if (opts.rcInserted) {
      if (!prog.rcInserted) return fail("Program::rcInserted is not set after rc");
      std::string rcError;
      if (!verifyRc(prog, rcError)) return fail("reference counting: " + rcError);
    }
    return true;
  }
};

}  // namespace

bool verify(const Program& p, const VerifyOptions& options, std::string& error) {
  Verifier v(p, options);
  if (v.run()) return true;
  error = v.error;
  return false;
}

}  // namespace weir::core
