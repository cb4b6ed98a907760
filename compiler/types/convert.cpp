// From AST types (in signatures, annotations and declarations) to checker types,
// expanding type synonyms.
#include <fmt/format.h>

#include "types/checker.hpp"

namespace weir::types {

TypeP Checker::convType(const ast::TypePtr& t, std::map<std::string, TypeP>& vars, bool bindNewVars) {
  using K = ast::Type::Kind;
  if (!t) return fresh();
  switch (t->kind) {
    case K::Var: {
      auto it = vars.find(t->name);
      if (it != vars.end()) return it->second;
      if (!bindNewVars) {
        auto& d = diags.error("E0230", t->span, fmt::format("type variable `{}` is not in scope", t->name));
        d.label = "not bound by the declaration's parameters";
        d.hint = "add it as a parameter of the type being declared";
        return fresh();
      }
      TypeP v = fresh();
      vars[t->name] = v;
      return v;
    }
    case K::Unit:
      return tcon(kUnit);
    case K::Con:
    case K::App: {
      // Collect the spine: head + arguments.
      std::vector<ast::TypePtr> argsAst;
      ast::TypePtr head = t;
      if (t->kind == K::App) {
        head = t->args[0];
        argsAst.assign(t->args.begin() + 1, t->args.end());
        while (head->kind == K::App) {
          argsAst.insert(argsAst.begin(), head->args.begin() + 1, head->args.end());
          head = head->args[0];
        }
      }
      std::vector<TypeP> args;
      for (auto& a : argsAst) args.push_back(convType(a, vars, bindNewVars));
      if (head->kind == K::Con) {
        auto syn = synonyms.find(head->name);
        if (syn != synonyms.end()) {
          if (args.size() < syn->second.params.size()) {
            auto& d = diags.error("E0231", t->span,
                                  fmt::format("type synonym `{}` needs {} argument(s), given {}", names::displayName(head->name),
                                              syn->second.params.size(), args.size()));
            d.label = "not enough arguments";
            return tcon(kError);
          }
          std::map<std::string, TypeP> sub;
          for (size_t i = 0; i < syn->second.params.size(); ++i) sub[syn->second.params[i]] = args[i];
          TypeP body = convType(syn->second.body, sub, false);
          std::vector<TypeP> rest(args.begin() + syn->second.params.size(), args.end());
          return tapps(body, rest);
        }
        auto data = out.datas.find(head->name);
        if (data != out.datas.end() && args.size() > data->second.params.size()) {
          auto& d = diags.error("E0232", t->span,
                                fmt::format("type `{}` takes {} argument(s), but is given {}", names::displayName(head->name),
                                            data->second.params.size(), args.size()));
          d.label = "too many type arguments";
          return tcon(kError);
        }
        return tapps(tcon(head->name), args);
      }
      return tapps(convType(head, vars, bindNewVars), args);
    }
    case K::Fun:
      return tfun(convValueType(t->args[0], vars, bindNewVars), convValueType(t->args[1], vars, bindNewVars));
    case K::Tuple: {
      std::vector<TypeP> elems;
      for (auto& a : t->args) elems.push_back(convValueType(a, vars, bindNewVars));
      if (elems.size() > 8) diags.error("E0233", t->span, "tuples have at most 8 components").hint = "use a record instead";
      return ttuple(elems);
    }
    case K::List:
      return tlist(t->args.empty() ? fresh() : convValueType(t->args[0], vars, bindNewVars));
    case K::Record: {
      TypeP row = trowEmpty();
      if (!t->rowVar.empty()) {
        auto it = vars.find(t->rowVar);
        if (it != vars.end()) row = it->second;
        else if (bindNewVars) { row = fresh(true); vars[t->rowVar] = row; }
        else { diags.error("E0230", t->span, fmt::format("row variable `{}` is not in scope", t->rowVar)); row = fresh(true); }
      }
      std::set<std::string> seen;
      for (auto it = t->fields.rbegin(); it != t->fields.rend(); ++it) {
        if (!seen.insert(it->first).second) {
          diags.error("E0234", t->span, fmt::format("field `{}` appears twice in this record type", it->first));
          continue;
        }
        row = trowExt(it->first, convValueType(it->second, vars, bindNewVars), row);
      }
      return trecord(row);
    }
    case K::Forall:
      return convType(t->args[0], vars, bindNewVars);
  }
  return fresh();
}

// A type in a place that holds values (a function's argument or result, a tuple component, a
// list element, a field, a whole signature): a type constructor must have all its arguments.
TypeP Checker::convValueType(const ast::TypePtr& t, std::map<std::string, TypeP>& vars, bool bindNewVars) {
  TypeP r = convType(t, vars, bindNewVars);
  if (!t || (t->kind != ast::Type::Con && t->kind != ast::Type::App)) return r;
  std::vector<TypeP> args;
  TypeP h = typeHead(prune(r), &args);
  if (h->kind != Type::Con || h->name == kError) return r;
  auto data = out.datas.find(h->name);
  if (data == out.datas.end() || args.size() >= data->second.params.size()) return r;
  ast::TypePtr head = t;
  while (head->kind == ast::Type::App && !head->args.empty()) head = head->args[0];
  size_t n = data->second.params.size();
  auto& d = diags.error("E0249", head->span,
                        fmt::format("type `{}` needs {} type argument{}, but is given {}", names::displayName(h->name), n,
                                    n == 1 ? "" : "s", args.size()));
  d.label = "missing type argument";
  std::string example = names::displayName(h->name);
  for (size_t i = args.size(); i < n; ++i) example += i == args.size() && h->name != kIO ? " Int" : " a";
  d.hint = fmt::format("a type constructor must be given its arguments here, e.g. `{}`", example);
  return tcon(kError);
}

// Converts a signature to a closed scheme: its type variables, in order of
// appearance, become Gen 0..n-1.
Scheme Checker::schemeFromSig(const ast::QualType& q, std::vector<std::string>* order) {
  std::map<std::string, TypeP> vars;
  int saved = level;
  level = 1 << 20;  // metas created here are generalised below
  TypeP t = convValueType(q.type, vars, true);
  std::vector<Pred> preds;
  for (auto& c : q.context) {
    TypeP ct = convType(c.type, vars, true);
    preds.push_back({c.cls, ct});
    if (!out.classes.count(c.cls)) {
      // Unknown class already reported by the renamer; keep going.
    }
  }
  level = saved;
  // Number the variables by first appearance in the type, then the context.
  std::vector<TypeP> metas;
  freeMetas(t, metas);
  for (auto& p : preds) freeMetas(p.type, metas);
  Scheme s;
  quantify(metas, vars, s);
  for (auto& p : preds) {
    TypeP pt = prune(p.type);
    bool mentionsVar = false;
    std::vector<TypeP> none;
    std::function<bool(TypeP)> hasGen = [&](TypeP x) {
      x = prune(x);
      if (x->kind == Type::Gen) return true;
      return (x->a && hasGen(x->a)) || (x->b && hasGen(x->b));
    };
    mentionsVar = hasGen(pt);
    if (!mentionsVar) {
      auto& d = diags.error("E0235", q.span, fmt::format("constraint `{}` mentions no type variable", Printer().show(p)));
      d.hint = "constraints in a signature must be about the signature's type variables";
    }
  }
  s.preds = preds;
  s.type = t;
  if (order) *order = s.genNames;
  return s;
}

// Turns metas into the scheme's quantified variables Gen 0..n-1 (binding each meta to its
// Gen), naming them after the source type variables in `vars`.
void quantify(const std::vector<TypeP>& metas, const std::map<std::string, TypeP>& vars, Scheme& s) {
  s.ngen = static_cast<int>(metas.size());
  for (size_t i = 0; i < metas.size(); ++i) {
    std::string name;
    for (auto& [n, v] : vars) if (prune(v) == metas[i]) name = n;
    s.genNames.push_back(name);
    s.genIsRow.push_back(metas[i]->row);
    metas[i]->ref = tgen(static_cast<int>(i), metas[i]->row);
  }
}

std::vector<TypeP> Checker::instantiateScheme(const Scheme& s, TypeP& type) {
  std::vector<TypeP> metas;
  for (int i = 0; i < s.ngen; ++i) metas.push_back(fresh(i < static_cast<int>(s.genIsRow.size()) && s.genIsRow[i]));
  type = instantiate(s.type, metas);
  return metas;
}

}  // namespace weir::types
