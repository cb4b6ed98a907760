// Readable dumps of tokens (`--emit=tokens`) and of the AST (`--emit=ast`, tests).
#include <fmt/format.h>

#include "syntax/internal.hpp"
#include "syntax/parser.hpp"

namespace weir::syntax {

using namespace ast;

std::string dumpTokens(const std::vector<Token>& tokens) {
  std::string out;
  for (const Token& t : tokens) {
    out += fmt::format("{}:{} {}", t.line, t.col, tokName(t.kind));
    switch (t.kind) {
      case Tok::Integer: out += fmt::format(" {}", t.intValue); break;
      case Tok::Float: out += fmt::format(" {}", t.floatValue); break;
      case Tok::Char: out += fmt::format(" {}", t.charValue); break;
      case Tok::VLBrace: case Tok::VRBrace: case Tok::VSemi: case Tok::End: break;
      default:
        if (!t.text.empty()) out += " " + t.text;
    }
    out += "\n";
  }
  return out;
}

namespace {

std::string quote(const std::string& s, bool bytes) {
  std::string o = bytes ? "b\"" : "\"";
  for (unsigned char c : s) {
    if (c == '"') o += "\\\"";
    else if (c == '\\') o += "\\\\";
    else if (c == '\n') o += "\\n";
    else if (c == '\t') o += "\\t";
    else if (c < 0x20 || (bytes && c >= 0x80)) o += fmt::format("\\x{:02x}", c);
    else o += static_cast<char>(c);
  }
  return o + "\"";
}

std::string lit(const Literal& l) {
  switch (l.kind) {
    case Literal::Int: return std::to_string(l.i);
    case Literal::Float: return fmt::format("{}", l.f) + (fmt::format("{}", l.f).find_first_of(".en") == std::string::npos ? ".0" : "");
    case Literal::Char: {
      if (l.c >= 0x20 && l.c < 0x7F && l.c != '\'' && l.c != '\\') return fmt::format("'{}'", static_cast<char>(l.c));
      return fmt::format("'\\u{{{:X}}}'", l.c);
    }
    case Literal::String: return quote(l.s, false);
    case Literal::Bytes: return quote(l.s, true);
  }
  return "?";
}

std::string join(const std::vector<std::string>& v, const char* sep = " ") {
  std::string o;
  for (size_t i = 0; i < v.size(); ++i) { if (i) o += sep; o += v[i]; }
  return o;
}

std::string decls(const std::vector<DeclPtr>& ds) {
  std::vector<std::string> v;
  for (auto& d : ds) v.push_back(d ? dumpDecl(*d) : "<null>");
  return "[" + join(v, "; ") + "]";
}

std::string E(const ExprPtr& e) { return e ? dumpExpr(*e) : "<null>"; }
std::string P(const PatPtr& p) { return p ? dumpPat(*p) : "<null>"; }
std::string T(const TypePtr& t) { return t ? dumpType(*t) : "<null>"; }

std::string segments(const std::vector<BinSegment>& segs) {
  std::vector<std::string> v;
  for (auto& s : segs) {
    std::string o = s.value ? E(s.value) : P(s.pat);
    if (s.size) o += ":" + E(s.size);
    o += s.type == BinSegment::Integer ? "/integer" : s.type == BinSegment::Float ? "/float" : "/bytes";
    o += s.isSigned ? "-signed" : "-unsigned";
    o += s.little ? "-little" : "-big";
    v.push_back(o);
  }
  return "(binary " + join(v, ", ") + ")";
}

std::string guard(const Guard& g) {
  switch (g.kind) {
    case Guard::Bool: return E(g.expr);
    case Guard::Pattern: return "(<- " + P(g.pat) + " " + E(g.expr) + ")";
    case Guard::Let: return "(let " + decls(g.decls) + ")";
  }
  return "?";
}

std::string rhs(const Rhs& r) {
  std::string o;
  if (r.plain) o = "(= " + E(r.plain) + ")";
  else {
    std::vector<std::string> v;
    for (auto& g : r.guarded) {
      std::vector<std::string> gs;
      for (auto& x : g.guards) gs.push_back(guard(x));
      v.push_back("(| " + join(gs, ", ") + " = " + E(g.body) + ")");
    }
    o = join(v);
  }
  if (!r.where.empty()) o += " (where " + decls(r.where) + ")";
  return o;
}

std::string stmt(const Stmt& s) {
  switch (s.kind) {
    case Stmt::Bind: return "(<- " + P(s.pat) + " " + E(s.expr) + ")";
    case Stmt::Let: return "(let " + decls(s.decls) + ")";
    case Stmt::Expr: return E(s.expr);
  }
  return "?";
}

std::string fields(const std::vector<std::pair<std::string, ExprPtr>>& fs) {
  std::vector<std::string> v;
  for (auto& [n, e] : fs) v.push_back(n + "=" + E(e));
  return join(v);
}

}  // namespace

std::string dumpType(const Type& t) {
  switch (t.kind) {
    case Type::Var: case Type::Con: return t.name;
    case Type::App: { std::vector<std::string> v; for (auto& a : t.args) v.push_back(T(a)); return "(" + join(v) + ")"; }
    case Type::Fun: return "(-> " + T(t.args.at(0)) + " " + T(t.args.at(1)) + ")";
    case Type::Tuple: { std::vector<std::string> v; for (auto& a : t.args) v.push_back(T(a)); return "(tuple " + join(v) + ")"; }
    case Type::List: return "[" + T(t.args.at(0)) + "]";
    case Type::Unit: return "()";
    case Type::Record: {
      std::vector<std::string> v;
      for (auto& [n, ty] : t.fields) v.push_back(n + " :: " + T(ty));
      return "{" + join(v, ", ") + (t.rowVar.empty() ? "" : " | " + t.rowVar) + "}";
    }
    case Type::Forall: return "(forall " + join(t.vars) + ". " + T(t.args.at(0)) + ")";
  }
  return "?";
}

std::string dumpQualType(const QualType& q) {
  if (q.context.empty()) return T(q.type);
  std::vector<std::string> v;
  for (auto& c : q.context) v.push_back("(" + c.cls + " " + T(c.type) + ")");
  return "(=> " + join(v) + " " + T(q.type) + ")";
}

std::string dumpPat(const Pat& p) {
  std::vector<std::string> v;
  for (auto& a : p.args) v.push_back(P(a));
  switch (p.kind) {
    case Pat::Wild: return "_";
    case Pat::Var: return p.name;
    case Pat::Lit: return lit(p.lit);
    case Pat::Con: return p.args.empty() ? p.name : "(" + p.name + " " + join(v) + ")";
    case Pat::Tuple: return "(tuple " + join(v) + ")";
    case Pat::List: return "(list" + (v.empty() ? "" : " " + join(v)) + ")";
    case Pat::Cons: return "(: " + join(v) + ")";
    case Pat::As: return "(@ " + p.name + " " + join(v) + ")";
    case Pat::Record: {
      std::vector<std::string> f;
      for (auto& [n, q] : p.fields) f.push_back(n + "=" + P(q));
      return "(record " + join(f) + ")";
    }
    case Pat::Binary: return segments(p.segments);
    case Pat::Typed: return "(:: " + P(p.args.at(0)) + " " + T(p.type) + ")";
    case Pat::OpChain: {
      std::string o = "(pchain";
      for (size_t i = 0; i < p.args.size(); ++i) {
        o += " " + P(p.args[i]);
        if (i < p.ops.size()) o += " " + p.ops[i];
      }
      return o + ")";
    }
  }
  return "?";
}

std::string dumpExpr(const Expr& e) {
  std::vector<std::string> v;
  for (auto& a : e.args) v.push_back(E(a));
  switch (e.kind) {
    case Expr::Var: case Expr::Con: return e.name;
    case Expr::Lit: return lit(e.lit);
    case Expr::App: return "(app " + join(v) + ")";
    case Expr::Lam: {
      std::vector<std::string> ps;
      for (auto& p : e.pats) ps.push_back(P(p));
      return "(lam [" + join(ps) + "] " + join(v) + ")";
    }
    case Expr::Let: return "(let " + decls(e.decls) + " " + join(v) + ")";
    case Expr::If: return "(if " + join(v) + ")";
    case Expr::MultiIf: return "(multiif)";
    case Expr::Case: {
      std::string o = "(case " + join(v);
      for (auto& a : e.alts) o += " (alt " + P(a.pat) + " " + rhs(a.rhs) + ")";
      return o + ")";
    }
    case Expr::Do: {
      std::vector<std::string> s;
      for (auto& x : e.stmts) s.push_back(stmt(x));
      return "(do " + join(s) + ")";
    }
    case Expr::Tuple: return "(tuple " + join(v) + ")";
    case Expr::Unit: return "()";
    case Expr::List: return "(list" + (v.empty() ? "" : " " + join(v)) + ")";
    case Expr::OpChain: {
      std::string o = "(op";
      for (size_t i = 0; i < e.args.size(); ++i) {
        o += " " + v[i];
        if (i < e.ops.size()) o += " " + e.ops[i];
      }
      return o + ")";
    }
    case Expr::Neg: return "(neg " + join(v) + ")";
    case Expr::LeftSection: return "(lsection " + join(v) + " " + e.name + ")";
    case Expr::RightSection: return "(rsection " + e.name + " " + join(v) + ")";
    case Expr::TypeAnn: return "(:: " + join(v) + " " + (e.qualType ? dumpQualType(*e.qualType) : "<null>") + ")";
    case Expr::Record: return "(record " + fields(e.fields) + ")";
    case Expr::Access: return "(. " + join(v) + " " + e.name + ")";
    case Expr::Update: return "(update " + join(v) + " " + fields(e.fields) + ")";
    case Expr::Range: {
      std::string o = "(range " + v.at(0);
      size_t k = 1;
      if (e.rangeHasThen) o += " " + v.at(k++);
      o += " ..";
      if (e.rangeHasTo) o += " " + v.at(k++);
      return o + ")";
    }
    case Expr::Comprehension: {
      std::vector<std::string> s;
      for (auto& x : e.stmts) s.push_back(stmt(x));
      return "(comp " + join(v) + " | " + join(s, ", ") + ")";
    }
    case Expr::Interp: return "(interp " + join(v) + ")";
    case Expr::Binary: return segments(e.segments);
    case Expr::Hole: return "?" + e.name;
  }
  return "?";
}

std::string dumpDecl(const Decl& d) {
  auto qt = [&] { return d.qualType ? dumpQualType(*d.qualType) : std::string("<null>"); };
  switch (d.kind) {
    case Decl::TypeSig: return "(sig " + join(d.names) + " :: " + qt() + ")";
    case Decl::Clause: {
      std::vector<std::string> ps;
      for (auto& p : d.pats) ps.push_back(P(p));
      return "(clause " + d.name + " [" + join(ps) + "] " + rhs(d.rhs) + ")";
    }
    case Decl::PatBind: return "(patbind " + P(d.pat) + " " + rhs(d.rhs) + ")";
    case Decl::Fixity:
      return fmt::format("({} {} {})", d.assoc == Decl::Left ? "infixl" : d.assoc == Decl::Right ? "infixr" : "infix",
                         d.prec, join(d.names));
    case Decl::Data: case Decl::Newtype: {
      std::string o = (d.kind == Decl::Data ? "(data " : "(newtype ") + d.name;
      for (auto& v : d.tyvars) o += " " + v;
      for (auto& c : d.cons) {
        o += " (con " + c.name;
        for (auto& f : c.fields) o += " " + T(f);
        o += ")";
      }
      if (!d.deriving.empty()) o += " (deriving " + join(d.deriving) + ")";
      return o + ")";
    }
    case Decl::TypeSyn: return "(type " + d.name + (d.tyvars.empty() ? "" : " " + join(d.tyvars)) + " = " + qt() + ")";
    case Decl::Class: case Decl::Instance: {
      std::string o = (d.kind == Decl::Class ? "(class " : "(instance ");
      if (d.qualType && !d.qualType->context.empty()) {
        std::vector<std::string> v;
        for (auto& c : d.qualType->context) v.push_back("(" + c.cls + " " + T(c.type) + ")");
        o += "[" + join(v) + "] => ";
      }
      o += d.name;
      if (d.kind == Decl::Class) o += d.tyvars.empty() ? "" : " " + d.tyvars[0];
      else o += " " + (d.qualType ? T(d.qualType->type) : "<null>");
      if (!d.body.empty()) o += " " + decls(d.body);
      return o + ")";
    }
    case Decl::Foreign: return "(foreign " + d.foreignConv + " " + quote(d.foreignName, false) + " " + d.name + " :: " + qt() + ")";
  }
  return "?";
}

namespace {

// Pretty-prints a one-line S-expression: a list that fits in `width` stays on one line,
// otherwise its head stays on the first line and each element goes on its own line.
struct Pretty {
  const std::string& s;
  size_t width;
  std::string out;

  // End (exclusive) of the element starting at i.
  size_t elementEnd(size_t i) const {
    int depth = 0;
    for (; i < s.size(); ++i) {
      char c = s[i];
      if (c == '"') {
        for (++i; i < s.size() && s[i] != '"'; ++i)
          if (s[i] == '\\') ++i;
      } else if (c == '\'' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '(' || s[i - 1] == '[')) {
        for (++i; i < s.size() && s[i] != '\''; ++i)
          if (s[i] == '\\') ++i;
      } else if (c == '(' || c == '[') {
        ++depth;
      } else if (c == ')' || c == ']') {
        if (depth == 0) return i;
        if (--depth == 0) return i + 1;
      } else if (c == ' ' && depth == 0) {
        return i;
      }
    }
    return i;
  }

  void element(size_t b, size_t e, size_t indent) {
    if (e - b + indent <= width || (s[b] != '(' && s[b] != '[')) {
      out.append(s, b, e - b);
      return;
    }
    // a long list: "(head" then children on their own lines
    size_t i = b + 1;
    size_t h = elementEnd(i);
    out.append(s, b, h - b);
    i = h;
    bool broken = false;
    while (i < e - 1) {
      while (i < e - 1 && s[i] == ' ') ++i;
      if (i >= e - 1) break;
      size_t j = elementEnd(i);
      if (j <= i) j = i + 1;
      if (!broken && j - i <= 24 && s[i] != '(') {  // short leading atoms stay on the head line
        out += " ";
        out.append(s, i, j - i);
        i = j;
        continue;
      }
      broken = true;
      out += "\n" + std::string(indent + 2, ' ');
      element(i, j, indent + 2);
      i = j;
    }
    out += s[e - 1];
  }
};

std::string pretty(const std::string& line, size_t indent) {
  Pretty p{line, 100, {}};
  p.element(0, line.size(), indent);
  return p.out;
}

}  // namespace

std::string dumpModule(const Module& m) {
  std::string o = "(module " + m.name;
  if (m.hasExports) {
    std::vector<std::string> v;
    for (auto& x : m.exports) {
      std::string s = x.kind == ExportItem::Module ? "module " + x.name : x.name;
      if (x.allConstructors) s += "(..)";
      else if (!x.members.empty()) s += "(" + join(x.members, ", ") + ")";
      v.push_back(s);
    }
    o += "\n  (exports " + join(v, ", ") + ")";
  }
  for (auto& i : m.imports) {
    o += "\n  (import " + i.module;
    if (i.qualified) o += " qualified";
    if (!i.alias.empty()) o += " as " + i.alias;
    if (i.hiding) o += " hiding";
    if (i.hasList) {
      std::vector<std::string> v;
      for (auto& it : i.items) {
        std::string s = it.name;
        if (it.allConstructors) s += "(..)";
        else if (!it.members.empty()) s += "(" + join(it.members, ", ") + ")";
        v.push_back(s);
      }
      o += " (" + join(v, ", ") + ")";
    }
    o += ")";
  }
  for (auto& d : m.decls) {
    o += "\n  ";
    if (d && !d->doc.empty()) o += "(doc " + quote(d->doc, false) + ") ";
    o += d ? pretty(dumpDecl(*d), 2) : "<null>";
  }
  return o + ")\n";
}

}  // namespace weir::syntax
