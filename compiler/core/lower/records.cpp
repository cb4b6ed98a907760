// Structural records. A record value is a constructor object whose fields are in
// label order and whose tag is its *shape*: the program-wide number of its label set
// (whole-program compilation knows every record literal, hence every shape).
//  - where the record's type is closed, a field is a projection at a known index;
//  - where it is open (row-polymorphic code), a switch on the shape picks the index;
//  - an update rebuilds the object with the same shape;
//  - record patterns read the fields they mention and match them as new columns.
// A shape's constructor is named `{record}#<shape>`. Its fields are raw words (core::ConLayout,
// as a data constructor's Int fields) where every record of that shape the program builds has
// that field at Int (Float, Char, Bool): the lowering notes the field types of each literal and
// of each FromJson decoder it makes (the only places a record is built; an update keeps its
// record's type) and lays the shapes out at the end (recordLayouts). One field's type variable
// anywhere keeps that field a pointer in every record of the shape.
#include <fmt/format.h>

#include "core/lower/lowerer.hpp"

namespace weir::lower {

namespace {

void collectExpr(const ast::ExprPtr& e, std::function<void(const ast::Expr&)> f);

void collectRhs(const ast::Rhs& r, const std::function<void(const ast::Expr&)>& f) {
  if (r.plain) collectExpr(r.plain, f);
  for (auto& g : r.guarded) {
    for (auto& guard : g.guards) {
      if (guard.expr) collectExpr(guard.expr, f);
      for (auto& d : guard.decls) collectRhs(d->rhs, f);
    }
    collectExpr(g.body, f);
  }
  for (auto& d : r.where) collectRhs(d->rhs, f);
}

void collectExpr(const ast::ExprPtr& e, std::function<void(const ast::Expr&)> f) {
  if (!e) return;
  f(*e);
  for (auto& a : e->args) collectExpr(a, f);
  for (auto& d : e->decls) collectRhs(d->rhs, f);
  for (auto& alt : e->alts) collectRhs(alt.rhs, f);
  for (auto& s : e->stmts) {
    collectExpr(s.expr, f);
    for (auto& d : s.decls) collectRhs(d->rhs, f);
  }
  for (auto& [l, fe] : e->fields) collectExpr(fe, f);
}

}  // namespace

void Lowerer::collectShapes() {
  auto visit = [this](const ast::Expr& e) {
    if (e.kind != ast::Expr::Record) return;
    std::vector<std::string> labels;
    for (auto& [l, fe] : e.fields) labels.push_back(l);
    shapeOf(labels);
  };
  for (auto& d : checked.program->decls) {
    collectRhs(d->rhs, visit);
    for (auto& b : d->body) collectRhs(b->rhs, visit);
  }
}

int Lowerer::shapeOf(std::vector<std::string> labels) {
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  auto it = shapeIds.find(labels);
  if (it != shapeIds.end()) return it->second;
  int id = static_cast<int>(shapes.size());
  shapeReps.push_back(std::vector<int>(labels.size(), -1));
  shapes.push_back(labels);
  shapeIds[labels] = id;
  return id;
}

std::string Lowerer::recordCon(int shape) { return "{record}#" + std::to_string(shape); }

// -1 (no record built yet) joins to the rep; two different reps join to Boxed.
void Lowerer::noteRecordReps(int shape, const std::vector<core::Rep>& reps) {
  auto& have = shapeReps[shape];
  for (size_t i = 0; i < have.size() && i < reps.size(); ++i) {
    int r = static_cast<int>(reps[i]);
    if (have[i] == -1) have[i] = r;
    else if (have[i] != r) have[i] = static_cast<int>(core::Rep::Boxed);
  }
}

// A FromJson decoder builds records of the (closed) type it decodes: its fields' types are
// evidence as a literal's are.
void Lowerer::noteRecordType(types::TypeP t) {
  t = types::prune(t);
  if (!t || t->kind != types::Type::Record) return;
  std::map<std::string, core::Rep> fields;  // by label: the shape's order
  for (types::TypeP row = types::prune(t->a); row->kind == types::Type::RowExt; row = types::prune(row->b))
    fields[row->name] = scalarRep(row->a);
  std::vector<std::string> labels;
  std::vector<core::Rep> reps;
  for (auto& [l, r] : fields) labels.push_back(l), reps.push_back(r);
  noteRecordReps(shapeOf(labels), reps);
}

// The layouts of the shapes whose fields are raw in every record built (noteRecordReps).
void Lowerer::recordLayouts() {
  if (core::ConLayout::switchedOff()) return;
  for (size_t s = 0; s < shapes.size(); ++s) {
    std::vector<core::Rep> reps;
    bool any = false;
    for (int r : shapeReps[s]) {
      reps.push_back(r == -1 ? core::Rep::Boxed : static_cast<core::Rep>(r));
      any = any || reps.back() != core::Rep::Boxed;
    }
    if (any) prog.layouts[recordCon(static_cast<int>(s))] = core::ConLayout::of(std::move(reps));
  }
}

bool Lowerer::closedLabels(types::TypeP t, std::vector<std::string>& labels) {
  t = types::prune(t);
  if (!t || t->kind != types::Type::Record) return false;
  types::TypeP row = types::prune(t->a);
  while (row->kind == types::Type::RowExt) {
    labels.push_back(row->name);
    row = types::prune(row->b);
  }
  if (row->kind != types::Type::RowEmpty) return false;
  std::sort(labels.begin(), labels.end());
  return true;
}

ExprPtr Lowerer::recordLiteral(const ast::Expr& e) {
  std::vector<std::string> labels;
  std::vector<std::pair<std::string, VarId>> vals;
  std::map<std::string, core::Rep> reps;
  ExprPtr body;
  std::vector<std::pair<VarId, ExprPtr>> lets;
  for (auto& [l, fe] : e.fields) {
    VarId v = fresh();
    lets.push_back({v, lowerExpr(fe)});  // fields are evaluated in source order
    vals.push_back({l, v});
    labels.push_back(l);
    reps[l] = scalarRep(fe->type);
  }
  int shape = shapeOf(labels);
  std::vector<ExprPtr> fields;
  std::vector<core::Rep> fieldReps;
  for (auto& l : shapes[shape])
    for (auto& [vl, v] : vals)
      if (vl == l) {
        fields.push_back(core::mkVar(v));
        fieldReps.push_back(reps[l]);
        break;
      }
  noteRecordReps(shape, fieldReps);
  body = core::mkCon(shape, recordCon(shape), fields);
  for (auto it = lets.rbegin(); it != lets.rend(); ++it) body = core::mkLet(it->first, it->second, body);
  return body;
}

// Builds `k(fields of the record in variable r, shape)` for every shape the record may have.
ExprPtr Lowerer::switchShapes(VarId r, types::TypeP type, const std::vector<std::string>& need,
                              const std::function<ExprPtr(int shape, const std::vector<VarId>& fields)>& k) {
  auto e = std::make_shared<core::Expr>();
  e->kind = core::Expr::Case;
  e->scrut = r;
  std::vector<std::string> closed;
  bool isClosed = closedLabels(type, closed);
  for (size_t s = 0; s < shapes.size(); ++s) {
    if (isClosed && shapes[s] != closed) continue;
    bool hasAll = true;
    for (auto& l : need)
      if (!std::binary_search(shapes[s].begin(), shapes[s].end(), l)) hasAll = false;
    if (!hasAll) continue;
    core::Alt alt;
    alt.tag = static_cast<int>(s);
    alt.con = recordCon(alt.tag);
    for (size_t i = 0; i < shapes[s].size(); ++i) alt.fields.push_back(fresh());
    alt.body = k(static_cast<int>(s), alt.fields);
    e->alts.push_back(std::move(alt));
  }
  if (e->alts.empty()) e->deflt = core::mkError("record of an unknown shape (compiler bug)", "");
  return e;
}

ExprPtr Lowerer::recordField(ExprPtr rec, types::TypeP type, const std::string& label) {
  std::vector<std::string> closed;
  if (closedLabels(type, closed)) {
    auto it = std::find(closed.begin(), closed.end(), label);
    if (it != closed.end()) {
      auto p = core::mkProj(rec, static_cast<int>(it - closed.begin()));
      p->name = recordCon(shapeOf(closed));
      return p;
    }
  }
  VarId r = fresh();
  return core::mkLet(r, rec, switchShapes(r, type, {label}, [&](int shape, const std::vector<VarId>& fields) {
    const auto& labels = shapes[shape];
    size_t i = std::lower_bound(labels.begin(), labels.end(), label) - labels.begin();
    return core::mkVar(fields[i]);
  }));
}

ExprPtr Lowerer::recordUpdate(const ast::Expr& e) {
  VarId r = fresh();
  ExprPtr rec = lowerExpr(e.args[0]);
  std::vector<std::pair<VarId, ExprPtr>> lets;
  std::map<std::string, VarId> vals;
  std::vector<std::string> need;
  for (auto& [l, fe] : e.fields) {
    VarId v = fresh();
    lets.push_back({v, lowerExpr(fe)});
    vals[l] = v;
    need.push_back(l);
  }
  ExprPtr body = switchShapes(r, e.args[0]->type, need, [&](int shape, const std::vector<VarId>& fields) {
    std::vector<ExprPtr> out;
    const auto& labels = shapes[shape];
    for (size_t i = 0; i < labels.size(); ++i) {
      auto it = vals.find(labels[i]);
      out.push_back(core::mkVar(it != vals.end() ? it->second : fields[i]));
    }
    return core::mkCon(shape, recordCon(shape), out);
  });
  body = core::mkLet(r, rec, body);
  for (auto it = lets.rbegin(); it != lets.rend(); ++it) body = core::mkLet(it->first, it->second, body);
  return body;
}

}  // namespace weir::lower
