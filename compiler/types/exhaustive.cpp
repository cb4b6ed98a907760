// Exhaustiveness and redundancy of pattern matches (Maranget, "Warnings for pattern
// matching", JFP 2007): a match that misses a case is an error naming example values
// it misses (`Nothing`, `Just (Left _)`); a clause no value can reach is a warning.
// Rows with guards that may fail do not count towards exhaustiveness.
#include <fmt/format.h>

#include "types/checker.hpp"

namespace weir::types {

namespace {

struct EPat;
using EPatP = std::shared_ptr<EPat>;
struct EPat {
  enum Kind { Wild, Con, Lit } kind = Wild;
  std::string con;         // Con: constructor unique name
  std::string type;        // Con: its data type
  std::vector<EPatP> args;
  std::string lit;         // Lit: printed literal (also its identity)
};

using Row = std::vector<EPatP>;

EPatP wild() { return std::make_shared<EPat>(); }

// A record pattern is a product with one constructor, "{}", whose fields are every label
// any record pattern of the match mentions (sorted); a label a pattern does not mention is a
// wildcard. One label set for all positions is sound: a label absent from a position's
// record type is a wildcard in every row there.
const char* const kRecord = "{}";

void patRecordLabels(const ast::PatPtr& p, std::set<std::string>& out) {
  if (!p) return;
  if (p->kind == ast::Pat::Record)
    for (auto& [f, fp] : p->fields) out.insert(f);
  for (auto& a : p->args) patRecordLabels(a, out);
  for (auto& [f, fp] : p->fields) patRecordLabels(fp, out);
  for (auto& sg : p->segments) patRecordLabels(sg.pat, out);
}

struct Analyzer {
  const Checked& out;
  int budget = 20000;  // bounds the work on pathological matches
  int binaryCount = 0;  // identities of binary patterns
  std::vector<std::string> labels;  // of the record pattern product (kRecord)

  EPatP canon(const ast::PatPtr& p) {
    auto e = wild();
    if (!p) return e;
    auto con = [&](const std::string& name, std::vector<EPatP> args) {
      auto it = out.cons.find(name);
      // Unknown constructors and wrong field counts were reported already.
      if (it == out.cons.end() || static_cast<int>(args.size()) != it->second.arity) return wild();
      e->kind = EPat::Con;
      e->con = name;
      e->type = it->second.type;
      e->args = std::move(args);
      return e;
    };
    switch (p->kind) {
      case ast::Pat::As:
      case ast::Pat::Typed:
        return p->args.empty() ? e : canon(p->args[0]);
      case ast::Pat::Lit:
        e->kind = EPat::Lit;
        switch (p->lit.kind) {
          case ast::Literal::Int: e->lit = std::to_string(p->lit.i); break;
          case ast::Literal::Char: e->lit = "'" + std::string(1, static_cast<char>(p->lit.c)) + "'#" + std::to_string(p->lit.c); break;
          default: e->lit = "\"" + p->lit.s + "\""; break;
        }
        return e;
      case ast::Pat::Con: {
        std::vector<EPatP> args;
        for (auto& a : p->args) args.push_back(canon(a));
        return con(p->name, std::move(args));
      }
      case ast::Pat::Cons:
        return con(":", {canon(p->args[0]), canon(p->args[1])});
      case ast::Pat::Tuple: {
        if (p->args.empty()) return con("()", {});
        std::vector<EPatP> args;
        for (auto& a : p->args) args.push_back(canon(a));
        return con(tupleName(p->args.size()), std::move(args));
      }
      case ast::Pat::List: {
        EPatP list = std::make_shared<EPat>();
        list->kind = EPat::Con; list->con = "[]"; list->type = "[]";
        for (auto it = p->args.rbegin(); it != p->args.rend(); ++it) {
          auto cell = std::make_shared<EPat>();
          cell->kind = EPat::Con; cell->con = ":"; cell->type = "[]";
          cell->args = {canon(*it), list};
          list = cell;
        }
        return list;
      }
      case ast::Pat::Binary:
        // `<<rest/bytes>>` (one unsized bytes segment binding a variable) matches everything.
        if (p->segments.size() == 1 && p->segments[0].type == ast::BinSegment::Bytes && !p->segments[0].size &&
            p->segments[0].pat &&
            (p->segments[0].pat->kind == ast::Pat::Var || p->segments[0].pat->kind == ast::Pat::Wild))
          return e;
        // Otherwise refutable, and never complete: a literal of its own (two binary patterns
        // are never treated as the same, so neither makes the other unreachable).
        e->kind = EPat::Lit;
        e->lit = "<<...>>#" + std::to_string(++binaryCount);
        return e;
      case ast::Pat::Record: {
        if (labels.empty()) return e;
        e->kind = EPat::Con;
        e->con = kRecord;
        e->type = kRecord;
        for (auto& l : labels) {
          EPatP a = wild();
          for (auto& [f, fp] : p->fields)
            if (f == l && fp) a = canon(fp);
          e->args.push_back(a);
        }
        return e;
      }
      default:
        return e;  // variables, wildcards
    }
  }

  int arityOf(const std::string& con) {
    if (con == kRecord) return static_cast<int>(labels.size());
    auto it = out.cons.find(con);
    return it == out.cons.end() ? 0 : it->second.arity;
  }

  // Rows whose first pattern matches constructor c (or literal), with that column expanded.
  std::vector<Row> specialize(const std::vector<Row>& rows, const EPat& c) {
    std::vector<Row> outRows;
    size_t n = c.kind == EPat::Con ? static_cast<size_t>(arityOf(c.con)) : 0;
    for (auto& r : rows) {
      const EPatP& p = r[0];
      Row nr;
      if (p->kind == EPat::Wild) {
        for (size_t i = 0; i < n; ++i) nr.push_back(wild());
      } else if (p->kind == c.kind && ((c.kind == EPat::Con && p->con == c.con) || (c.kind == EPat::Lit && p->lit == c.lit))) {
        nr = p->args;
      } else {
        continue;
      }
      nr.insert(nr.end(), r.begin() + 1, r.end());
      outRows.push_back(std::move(nr));
    }
    return outRows;
  }

  std::vector<Row> defaults(const std::vector<Row>& rows) {
    std::vector<Row> outRows;
    for (auto& r : rows)
      if (r[0]->kind == EPat::Wild) outRows.emplace_back(r.begin() + 1, r.end());
    return outRows;
  }

  // The constructors present in the first column, and whether they are all of the type's.
  std::vector<EPatP> heads(const std::vector<Row>& rows, bool& complete, std::string& type) {
    std::vector<EPatP> hs;
    complete = false;
    for (auto& r : rows) {
      const EPatP& p = r[0];
      if (p->kind == EPat::Wild) continue;
      bool seen = false;
      for (auto& h : hs) if (h->kind == p->kind && h->con == p->con && h->lit == p->lit) seen = true;
      if (!seen) hs.push_back(p);
      if (p->kind == EPat::Con) type = p->type;
    }
    if (!hs.empty() && hs[0]->kind == EPat::Con) {
      auto d = out.datas.find(type);
      if (d != out.datas.end() && d->second.cons.size() == hs.size()) complete = true;
      if (type == kRecord) complete = true;
    }
    return hs;
  }

  bool useful(const std::vector<Row>& rows, const Row& q) {
    if (--budget < 0) return true;
    if (q.empty()) return rows.empty();
    const EPatP& q0 = q[0];
    if (q0->kind != EPat::Wild) {
      Row nq = q0->args;
      nq.insert(nq.end(), q.begin() + 1, q.end());
      return useful(specialize(rows, *q0), nq);
    }
    bool complete;
    std::string type;
    auto hs = heads(rows, complete, type);
    if (complete) {
      for (auto& h : hs) {
        Row nq;
        for (int i = 0; i < arityOf(h->con); ++i) nq.push_back(wild());
        nq.insert(nq.end(), q.begin() + 1, q.end());
        if (useful(specialize(rows, *h), nq)) return true;
      }
      return false;
    }
    return useful(defaults(rows), Row(q.begin() + 1, q.end()));
  }

  // Example value vectors (of width n) that no row matches; at most a few.
  std::vector<Row> missing(const std::vector<Row>& rows, size_t n) {
    if (--budget < 0) return {};
    if (n == 0) return rows.empty() ? std::vector<Row>{Row{}} : std::vector<Row>{};
    bool complete;
    std::string type;
    auto hs = heads(rows, complete, type);
    std::vector<Row> result;
    if (!hs.empty() && hs[0]->kind == EPat::Con) {
      // Every constructor of the type: present ones recursively, absent ones via the defaults.
      auto d = out.datas.find(type);
      if (d != out.datas.end()) {
        std::vector<Row> def;
        bool defDone = false;
        for (auto& c : d->second.cons) {
          EPat h;
          h.kind = EPat::Con;
          h.con = c;
          h.type = type;
          bool present = false;
          for (auto& x : hs) if (x->con == c) present = true;
          size_t a = static_cast<size_t>(arityOf(c));
          if (present) {
            for (auto& w : missing(specialize(rows, h), a + n - 1)) {
              auto cp = std::make_shared<EPat>(h);
              cp->args.assign(w.begin(), w.begin() + a);
              Row r{cp};
              r.insert(r.end(), w.begin() + a, w.end());
              result.push_back(r);
              if (result.size() >= 3) return result;
            }
          } else {
            if (!defDone) { def = missing(defaults(rows), n - 1); defDone = true; }
            for (auto& w : def) {
              auto cp = std::make_shared<EPat>(h);
              for (size_t i = 0; i < a; ++i) cp->args.push_back(wild());
              Row r{cp};
              r.insert(r.end(), w.begin(), w.end());
              result.push_back(r);
              if (result.size() >= 3) return result;
            }
          }
        }
        return result;
      }
    }
    if (complete) {
      for (auto& h : hs) {
        size_t a = static_cast<size_t>(arityOf(h->con));
        for (auto& w : missing(specialize(rows, *h), a + n - 1)) {
          auto c = std::make_shared<EPat>(*h);
          c->args.assign(w.begin(), w.begin() + a);
          Row r{c};
          r.insert(r.end(), w.begin() + a, w.end());
          result.push_back(r);
          if (result.size() >= 3) return result;
        }
      }
      return result;
    }
    auto ws = missing(defaults(rows), n - 1);
    for (auto& w : ws) {
      EPatP first = wild();
      if (!hs.empty() && hs[0]->kind == EPat::Con) {
        // Name a constructor the rows do not cover.
        auto d = out.datas.find(type);
        if (d != out.datas.end())
          for (auto& c : d->second.cons) {
            bool present = false;
            for (auto& h : hs) if (h->con == c) present = true;
            if (present) continue;
            first = std::make_shared<EPat>();
            first->kind = EPat::Con;
            first->con = c;
            first->type = type;
            for (int i = 0; i < arityOf(c); ++i) first->args.push_back(wild());
            break;
          }
      }
      Row r{first};
      r.insert(r.end(), w.begin(), w.end());
      result.push_back(r);
      if (result.size() >= 3) break;
    }
    return result;
  }

  std::string show(const EPatP& p, bool atom) {
    switch (p->kind) {
      case EPat::Wild: return "_";
      case EPat::Lit: return p->lit.substr(0, p->lit.find('#'));
      case EPat::Con: {
        if (p->con == "[]") return "[]";
        if (p->con == kRecord) {
          std::string s;
          for (size_t i = 0; i < p->args.size() && i < labels.size(); ++i)
            if (p->args[i]->kind != EPat::Wild) s += (s.empty() ? "" : ", ") + labels[i] + " = " + show(p->args[i], false);
          return s.empty() ? "_" : "{ " + s + " }";
        }
        if (p->con == ":") {
          std::string s = show(p->args[0], true) + " : " + show(p->args[1], false);
          return atom ? "(" + s + ")" : s;
        }
        if (p->con.size() >= 2 && p->con[0] == '(' && p->con != "()") {
          std::string s = "(";
          for (size_t i = 0; i < p->args.size(); ++i) s += (i ? ", " : "") + show(p->args[i], false);
          return s + ")";
        }
        std::string s = names::displayName(p->con);
        for (auto& a : p->args) s += " " + show(a, true);
        return atom && !p->args.empty() ? "(" + s + ")" : s;
      }
    }
    return "_";
  }
};

bool guardAlwaysTrue(const ast::Guard& g) {
  if (g.kind == ast::Guard::Let) return true;
  if (g.kind != ast::Guard::Bool || !g.expr) return false;
  return (g.expr->kind == ast::Expr::Var && g.expr->name == "Prelude.otherwise") ||
         (g.expr->kind == ast::Expr::Con && g.expr->name == "Prelude.True");
}

// A right-hand side without guards, or whose last guarded alternative always succeeds.
bool rhsTotal(const ast::Rhs& rhs) {
  if (rhs.plain) return true;
  for (auto& g : rhs.guarded) {
    bool all = true;
    for (auto& guard : g.guards) if (!guardAlwaysTrue(guard)) all = false;
    if (all) return true;
  }
  return false;
}

bool irrefutable(const ast::PatPtr& p, const Checked& out) {
  if (!p) return true;
  switch (p->kind) {
    case ast::Pat::Wild:
    case ast::Pat::Var:
      return true;
    case ast::Pat::As:
    case ast::Pat::Typed:
      return p->args.empty() || irrefutable(p->args[0], out);
    case ast::Pat::Tuple:
      for (auto& a : p->args) if (!irrefutable(a, out)) return false;
      return true;
    case ast::Pat::Record:
      for (auto& [f, fp] : p->fields) if (!irrefutable(fp, out)) return false;
      return true;
    case ast::Pat::Con: {
      auto c = out.cons.find(p->name);
      if (c == out.cons.end()) return true;  // unknown constructor: reported already
      auto d = out.datas.find(c->second.type);
      if (d == out.datas.end() || d->second.cons.size() != 1) return false;
      for (auto& a : p->args) if (!irrefutable(a, out)) return false;
      return true;
    }
    case ast::Pat::Binary:
      return p->segments.size() == 1 && p->segments[0].type == ast::BinSegment::Bytes && !p->segments[0].size &&
             p->segments[0].pat && (p->segments[0].pat->kind == ast::Pat::Var || p->segments[0].pat->kind == ast::Pat::Wild);
    default:
      return false;  // literals, lists, cons
  }
}

}  // namespace

// A pattern binding (`let`/`where`/top level) or a `<-` in `do` must match every value:
// Weir has no MonadFail and no lazy pattern bindings, so a failure could only be a crash.
void Checker::checkIrrefutable(const ast::PatPtr& p, const std::string& what) {
  if (!p || irrefutable(p, out)) return;
  Analyzer an{out};
  std::set<std::string> ls;
  patRecordLabels(p, ls);
  an.labels.assign(ls.begin(), ls.end());
  auto miss = an.missing({Row{an.canon(p)}}, 1);
  auto& d = diags.error("E0273", p->span, fmt::format("this pattern can fail: {} must match every value", what));
  std::string list;
  if (an.budget >= 0)
    for (auto& m : miss) {
      std::string s = an.show(m[0], false);
      if (s == "_") { list.clear(); break; }
      list += (list.empty() ? "`" : ", `") + s + "`";
    }
  if (!list.empty()) {
    d.label = "it does not match " + list;
    d.hint = fmt::format("use `case` and handle {} too: `case ... of` with one alternative per case", list);
  } else {
    d.label = p->kind == ast::Pat::Binary ? "it matches only some `Bytes` values" : "it does not match every value";
    d.hint = "use `case` and handle the other values too, e.g. with a last alternative `_ -> ...`";
  }
}

void Checker::checkMatch(const std::vector<std::vector<ast::PatPtr>>& rowsAst, const std::vector<const ast::Rhs*>& rhss,
                         const std::vector<Span>& rowSpans, Span whole, const std::string& what) {
  if (rowsAst.empty()) return;
  Analyzer an{out};
  std::set<std::string> ls;
  for (auto& row : rowsAst)
    for (auto& p : row) patRecordLabels(p, ls);
  an.labels.assign(ls.begin(), ls.end());
  std::vector<Row> counted;  // rows that always succeed once matched
  size_t width = rowsAst[0].size();
  for (size_t i = 0; i < rowsAst.size(); ++i) {
    if (rowsAst[i].size() != width) return;  // arity errors are reported elsewhere
    Row r;
    for (auto& p : rowsAst[i]) r.push_back(an.canon(p));
    if (!an.useful(counted, r)) {
      auto& d = diags.warning("E0271", rowSpans[i], fmt::format("this clause of {} can never match", what));
      d.label = "every value it matches is matched by an earlier clause";
      d.hint = "remove it, or move it above the clause that covers it";
    }
    if (!rhss[i] || rhsTotal(*rhss[i])) counted.push_back(r);
  }
  auto miss = an.missing(counted, width);
  if (miss.empty() || an.budget < 0) return;
  std::string list;
  for (auto& m : miss) {
    std::string s;
    for (size_t i = 0; i < m.size(); ++i) s += (i ? " " : "") + an.show(m[i], m.size() > 1);
    list += (list.empty() ? "`" : ", `") + s + "`";
  }
  auto& d = diags.error("E0270", whole, fmt::format("the patterns of {} do not cover every case", what));
  d.label = "missing " + list;
  d.hint = "add a clause for the missing cases, or end with a catch-all `_`";
}

}  // namespace weir::types
