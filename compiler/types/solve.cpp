// Class constraints: solving holes by instances and by dictionary parameters in
// scope (with superclasses), and generalising over what remains.
#include <algorithm>
#include <fmt/format.h>

#include "types/checker.hpp"

namespace weir::types {

DictP resolveDict(DictP d) {
  while (d && d->kind == Dict::Hole && d->filled) d = d->filled;
  return d;
}

DictP Checker::want(const std::string& cls, TypeP type, Span span) {
  auto d = std::make_shared<Dict>();
  d->kind = Dict::Hole;
  d->pred = {cls, type};
  d->span = span;
  if (!wanted.empty()) wanted.back().push_back(d);
  return d;
}

bool Checker::samePredType(TypeP a, TypeP b) {
  a = prune(a);
  b = prune(b);
  if (a == b) return true;
  if (a->kind != b->kind) return false;
  switch (a->kind) {
    case Type::Con: return a->name == b->name;
    case Type::Skolem:
    case Type::Gen: return a->id == b->id;
    case Type::Meta: return false;
    case Type::RowEmpty: return true;
    case Type::RowExt: if (a->name != b->name) return false; [[fallthrough]];
    default:
      return (!a->a || samePredType(a->a, b->a)) && (!a->b || samePredType(a->b, b->b));
  }
}

// Path of superclass indices from class `from` down to class `to` (empty if equal).
bool Checker::superPath(const std::string& from, const std::string& to, std::vector<int>& path) {
  if (from == to) return true;
  auto it = out.classes.find(from);
  if (it == out.classes.end()) return false;
  for (size_t i = 0; i < it->second.supers.size(); ++i) {
    path.push_back(static_cast<int>(i));
    if (superPath(it->second.supers[i], to, path)) return true;
    path.pop_back();
  }
  return false;
}

bool Checker::solveFromGivens(DictP hole) {
  for (auto frame = givens.rbegin(); frame != givens.rend(); ++frame)
    for (auto& g : *frame) {
      if (!samePredType(g->pred.type, hole->pred.type)) continue;
      std::vector<int> path;
      if (!superPath(g->pred.cls, hole->pred.cls, path)) continue;
      auto d = std::make_shared<Dict>();
      d->kind = Dict::Param;
      d->param = g;
      for (int idx : path) {
        auto s = std::make_shared<Dict>();
        s->kind = Dict::Super;
        s->from = d;
        s->index = idx;
        d = s;
      }
      hole->filled = d;
      return true;
    }
  return false;
}

// The hint of E0211 (a class constraint whose type nothing fixes).
std::string ambiguityHint(const std::string& cls) {
  if (cls == "Json.FromJson")
    return "say what to decode into, e.g. `(decode text :: Either String [Int])` or a signature on the function";
  return "add a type annotation that fixes the type, e.g. `(xs :: [Int])`";
}

void Checker::reportNoInstance(DictP hole) {
  // A rejected instance of this class, or a type that failed to resolve: reported already.
  if (brokenInstanceClasses.count(hole->pred.cls) || containsErrorType(hole->pred.type)) return;
  Printer pr;
  std::string p = pr.show(hole->pred);
  auto& d = diags.error("E0210", hole->span, fmt::format("no instance for `{}`", p));
  TypeP t = prune(hole->pred.type);
  d.label = fmt::format("`{}` is needed here", p);
  const std::string& cls = hole->pred.cls;
  auto isCon = [&](const char* n) { return t->kind == Type::Con && t->name == n; };
  if (isFun(t))
    d.notes.push_back(cls == "Json.ToJson" || cls == "Json.FromJson" ? "functions cannot be written as or read from JSON"
                                                                     : "functions cannot be compared or shown");
  else if (cls == "Prelude.Num" && isCon(kString))
    d.hint = "`+` adds numbers; use `++` to concatenate strings";
  else if (cls == "Prelude.Fractional" && isCon(kInt))
    d.hint = "`/` divides Floats; use `div` for integer division, or `toFloat` to convert an Int to a Float first";
  else if ((cls == "Prelude.Num" || cls == "Prelude.Fractional") && (isCon(kChar) || t->name == kBool))
    d.notes.push_back(fmt::format("`{}` is not a number", pr.show(t)));
  else {
    std::vector<TypeP> args;
    TypeP h = typeHead(t, &args);
    auto data = h->kind == Type::Con ? out.datas.find(h->name) : out.datas.end();
    // Only for types the program declares (not built-in or library types).
    bool own = data != out.datas.end() && !data->second.builtin && h->name.rfind("Prelude.", 0) != 0 &&
               h->name.rfind("Data.", 0) != 0 && h->name.rfind("Control.", 0) != 0;
    bool derivable = cls == "Prelude.Eq" || cls == "Prelude.Ord" || cls == "Prelude.Show";
    if (own && derivable)
      d.hint = fmt::format("add `deriving ({})` to the declaration of `{}`, or write `instance {} {}`",
                           names::displayName(cls), names::displayName(h->name), names::displayName(cls),
                           names::displayName(h->name));
    else if (own)
      d.hint = fmt::format("add `instance {} {}`", names::displayName(cls), names::displayName(h->name));
  }
}

// The classes every record has whenever its fields do (LANGUAGE.md section 3).
static bool structuralClass(const std::string& cls) {
  return cls == "Prelude.Eq" || cls == "Prelude.Ord" || cls == "Prelude.Show" || cls == "Json.ToJson" ||
         cls == "Json.FromJson";
}

void Checker::solve(DictP hole, std::vector<DictP>& stuck) {
  if (hole->filled) return;
  TypeP t = prune(hole->pred.type);
  std::vector<TypeP> args;
  TypeP h = typeHead(t, &args);
  if (t->kind == Type::Record && structuralClass(hole->pred.cls)) {
    // Records have Eq, Ord, Show, ToJson and FromJson structurally: field by field, in label order.
    std::vector<std::pair<std::string, TypeP>> fields;
    TypeP row = prune(t->a);
    while (row->kind == Type::RowExt) {
      fields.push_back({row->name, row->a});
      row = prune(row->b);
    }
    if (row->kind != Type::RowEmpty) {  // open row: the fields are not all known yet
      if (solveFromGivens(hole)) return;
      stuck.push_back(hole);
      return;
    }
    std::sort(fields.begin(), fields.end(), [](auto& x, auto& y) { return x.first < y.first; });
    auto d = std::make_shared<Dict>();
    d->kind = Dict::Record;
    d->pred = hole->pred;
    for (auto& [label, ft] : fields) {
      auto sub = std::make_shared<Dict>();
      sub->kind = Dict::Hole;
      sub->pred = {hole->pred.cls, ft};
      sub->span = hole->span;
      solve(sub, stuck);
      d->labels.push_back(label);
      d->args.push_back(sub);
    }
    hole->filled = d;
    return;
  }
  if (h->kind == Type::Con || t->kind == Type::Record) {
    std::string head = t->kind == Type::Record ? "{}" : h->name;
    auto it = instanceIndex.find({hole->pred.cls, head});
    if (it == instanceIndex.end()) {
      // A given might still match (e.g. `Show (f a)` is never solved by instances).
      if (solveFromGivens(hole)) return;
      reportNoInstance(hole);
      auto d = std::make_shared<Dict>();
      d->kind = Dict::Inst;
      d->instance = -1;
      hole->filled = d;
      return;
    }
    const InstanceInfo& inst = out.instances[it->second];
    TypeP instT;
    // The instance's variables take the level of what they unify with (`Eq [a]` reduces to
    // `Eq a` with the binding group's own `a`, which can then be generalised): created at
    // the outermost level they would drag `a` out of the group (KNOWN_BUGS.md 36).
    int savedLevel = level;
    level = 1 << 20;
    std::vector<TypeP> metas = instantiateScheme(inst.scheme, instT);
    level = savedLevel;
    UnifyError err;
    unify(instT, t, err);
    auto d = std::make_shared<Dict>();
    d->kind = Dict::Inst;
    d->instance = inst.index;
    for (auto& p : inst.scheme.preds) {
      auto sub = std::make_shared<Dict>();
      sub->kind = Dict::Hole;
      sub->pred = {p.cls, instantiate(p.type, metas)};
      sub->span = hole->span;
      solve(sub, stuck);
      d->args.push_back(sub);
    }
    hole->filled = d;
    return;
  }
  if (solveFromGivens(hole)) return;
  stuck.push_back(hole);
}

// Called after a binding group's inference at the outer level. Solves what it can;
// holes whose type mentions a meta of the group (level > this->level) are retained as
// dictionary parameters when canRetain (else reported as ambiguous); the rest are
// deferred to the enclosing group.
std::vector<DictVarP> Checker::generalize(std::vector<DictP>& holes, const std::vector<TypeP>& types, bool canRetain,
                                          Span span) {
  std::vector<DictP> stuck;
  for (auto& h : holes) solve(h, stuck);
  std::vector<DictVarP> params;
  std::vector<DictP> retained;
  std::vector<TypeP> typeMetas;
  for (auto& t : types) freeMetas(t, typeMetas);
  for (auto& h : stuck) {
    std::vector<TypeP> ms;
    freeMetas(h->pred.type, ms);
    bool local = false, inType = false;
    for (auto& m : ms) {
      if (m->level > level) local = true;
      if (std::find(typeMetas.begin(), typeMetas.end(), m) != typeMetas.end()) inType = true;
    }
    if (!local) {
      if (wanted.empty() && diags.hasErrors()) {
        h->filled = std::make_shared<Dict>();
        h->filled->kind = Dict::Inst;
        h->filled->instance = -1;
      } else if (wanted.empty()) {
        Printer pr;
        auto& d = diags.error("E0211", h->span, fmt::format("ambiguous type: cannot tell which `{}` instance to use",
                                                            names::displayName(h->pred.cls)));
        d.label = fmt::format("the type of this is `{}`, which is never fixed", pr.show(h->pred.type));
        d.hint = "add a type annotation, e.g. `(x :: [Int])`";
        h->filled = std::make_shared<Dict>();
        h->filled->kind = Dict::Inst;
        h->filled->instance = -1;
      } else {
        wanted.back().push_back(h);
      }
      continue;
    }
    if ((!canRetain || !inType) && diags.hasErrors()) {
      h->filled = std::make_shared<Dict>();
      h->filled->kind = Dict::Inst;
      h->filled->instance = -1;
      continue;
    }
    if (!canRetain || !inType) {
      Printer pr;
      auto& d = diags.error("E0211", h->span, fmt::format("ambiguous type: cannot tell which `{}` instance to use",
                                                          names::displayName(h->pred.cls)));
      d.label = fmt::format("`{}` is needed here, but the type is never fixed", pr.show(h->pred));
      d.hint = ambiguityHint(h->pred.cls);
      h->filled = std::make_shared<Dict>();
      h->filled->kind = Dict::Inst;
      h->filled->instance = -1;
      continue;
    }
    retained.push_back(h);
  }
  // Distinct predicates; one entailed by another's superclasses is not a parameter of its own
  // (`(Monad m, Applicative m)` is just `Monad m`).
  std::vector<Pred> distinct;
  for (auto& h : retained) {
    bool dup = false;
    for (auto& p : distinct) if (p.cls == h->pred.cls && samePredType(p.type, h->pred.type)) dup = true;
    if (!dup) distinct.push_back(h->pred);
  }
  for (auto& p : distinct) {
    bool entailed = false;
    for (auto& q : distinct) {
      std::vector<int> path;
      if (&p != &q && q.cls != p.cls && samePredType(p.type, q.type) && superPath(q.cls, p.cls, path)) entailed = true;
    }
    if (entailed) continue;
    auto dv = std::make_shared<DictVar>();
    dv->id = ++nextId;
    dv->pred = p;
    params.push_back(dv);
  }
  givens.push_back(params);
  for (auto& h : retained) {
    if (!solveFromGivens(h)) {
      auto d = std::make_shared<Dict>();
      d->kind = Dict::Inst;
      d->instance = -1;
      h->filled = d;
    }
  }
  givens.pop_back();
  (void)span;
  return params;
}

}  // namespace weir::types
