#include "types/type.hpp"

#include <fmt/format.h>
#include <functional>

#include "names/names.hpp"

namespace weir::types {

TypeP tcon(const std::string& name) {
  auto t = std::make_shared<Type>();
  t->kind = Type::Con;
  t->name = name;
  return t;
}
TypeP tapp(TypeP a, TypeP b) {
  auto t = std::make_shared<Type>();
  t->kind = Type::App;
  t->a = std::move(a);
  t->b = std::move(b);
  return t;
}
TypeP tapps(TypeP head, const std::vector<TypeP>& args) {
  for (auto& a : args) head = tapp(head, a);
  return head;
}
TypeP tfun(TypeP from, TypeP to) { return tapp(tapp(tcon(kArrow), std::move(from)), std::move(to)); }
TypeP tfuns(const std::vector<TypeP>& from, TypeP to) {
  for (auto it = from.rbegin(); it != from.rend(); ++it) to = tfun(*it, to);
  return to;
}
TypeP tlist(TypeP elem) { return tapp(tcon(kList), std::move(elem)); }
std::string tupleName(size_t n) { return "(" + std::string(n - 1, ',') + ")"; }
TypeP ttuple(const std::vector<TypeP>& elems) {
  if (elems.empty()) return tcon(kUnit);
  return tapps(tcon(tupleName(elems.size())), elems);
}
TypeP tgen(int index, bool row) {
  auto t = std::make_shared<Type>();
  t->kind = Type::Gen;
  t->id = index;
  t->row = row;
  return t;
}
TypeP trecord(TypeP row) {
  auto t = std::make_shared<Type>();
  t->kind = Type::Record;
  t->a = std::move(row);
  return t;
}
TypeP trowExt(const std::string& label, TypeP field, TypeP rest) {
  auto t = std::make_shared<Type>();
  t->kind = Type::RowExt;
  t->name = label;
  t->a = std::move(field);
  t->b = std::move(rest);
  return t;
}
TypeP trowEmpty() {
  static TypeP e = [] { auto t = std::make_shared<Type>(); t->kind = Type::RowEmpty; return t; }();
  return e;
}

TypeP prune(TypeP t) {
  if (!t || t->kind != Type::Meta || !t->ref) return t;
  TypeP r = prune(t->ref);
  t->ref = r;
  return r;
}

TypeP typeHead(TypeP t, std::vector<TypeP>* args) {
  t = prune(t);
  std::vector<TypeP> rev;
  while (t->kind == Type::App) {
    rev.push_back(t->b);
    t = prune(t->a);
  }
  if (args) args->assign(rev.rbegin(), rev.rend());
  return t;
}

bool isFun(TypeP t, TypeP* from, TypeP* to) {
  t = prune(t);
  if (t->kind != Type::App) return false;
  TypeP f = prune(t->a);
  if (f->kind != Type::App) return false;
  TypeP h = prune(f->a);
  if (h->kind != Type::Con || h->name != kArrow) return false;
  if (from) *from = f->b;
  if (to) *to = t->b;
  return true;
}

Scheme monoScheme(TypeP t) {
  Scheme s;
  s.type = std::move(t);
  return s;
}

TypeP instantiate(TypeP t, const std::vector<TypeP>& args) {
  t = prune(t);
  switch (t->kind) {
    case Type::Gen:
      return t->id < static_cast<int>(args.size()) ? args[t->id] : t;
    case Type::App: {
      TypeP a = instantiate(t->a, args), b = instantiate(t->b, args);
      if (a == t->a && b == t->b) return t;
      return tapp(a, b);
    }
    case Type::RowExt: {
      TypeP a = instantiate(t->a, args), b = instantiate(t->b, args);
      if (a == t->a && b == t->b) return t;
      return trowExt(t->name, a, b);
    }
    case Type::Record: {
      TypeP a = instantiate(t->a, args);
      return a == t->a ? t : trecord(a);
    }
    default:
      return t;
  }
}

bool containsErrorType(TypeP t) {
  t = prune(t);
  if (t->kind == Type::Con && t->name == kError) return true;
  return (t->a && containsErrorType(t->a)) || (t->b && containsErrorType(t->b));
}

bool occurs(const Type* meta, TypeP t) {
  t = prune(t);
  if (t.get() == meta) return true;
  if (t->a && occurs(meta, t->a)) return true;
  if (t->b && occurs(meta, t->b)) return true;
  return false;
}

void freeMetas(TypeP t, std::vector<TypeP>& out) {
  t = prune(t);
  if (t->kind == Type::Meta) {
    for (auto& o : out) if (o == t) return;
    out.push_back(t);
    return;
  }
  if (t->a) freeMetas(t->a, out);
  if (t->b) freeMetas(t->b, out);
}

// ---------------------------------------------------------------- printing

std::string Printer::varName(const Type* t) {
  auto it = metaNames_.find(t->id);
  if (it != metaNames_.end()) return it->second;
  std::string n;
  do {
    int k = next_++;
    n = std::string(1, static_cast<char>('a' + k % 26));
    if (k >= 26) n += std::to_string(k / 26);
  } while (std::find(genNames_.begin(), genNames_.end(), n) != genNames_.end());
  metaNames_[t->id] = n;
  return n;
}

std::string Printer::show(TypeP t) { return showPrec(t, 0); }

std::string Printer::show(const Pred& p) {
  std::string cls = names::displayName(p.cls);
  return cls + " " + showPrec(p.type, 2);
}

std::string Printer::show(const Scheme& s) {
  genNames_ = s.genNames;
  std::string out;
  if (!s.preds.empty()) {
    if (s.preds.size() == 1) out = show(s.preds[0]) + " => ";
    else {
      out = "(";
      for (size_t i = 0; i < s.preds.size(); ++i) out += (i ? ", " : "") + show(s.preds[i]);
      out += ") => ";
    }
  }
  out += show(s.type);
  genNames_.clear();
  return out;
}

// prec: 0 top, 1 function argument (left of ->), 2 type application argument
std::string Printer::showPrec(TypeP t, int prec) {
  t = prune(t);
  switch (t->kind) {
    case Type::Meta: return varName(t.get());
    case Type::Skolem: {
      // Two different rigid variables with one name (`a` of an outer and of a local
      // signature) must not print alike: the second becomes `a1`.
      auto it = skolemNames_.find(t->id);
      if (it != skolemNames_.end()) return it->second;
      std::string n = t->name;
      for (int k = 1; skolemByName_.count(n); ++k) { n = t->name + std::to_string(k); renamed_ = true; }
      skolemNames_[t->id] = n;
      skolemByName_[n] = t->id;
      return n;
    }
    case Type::Gen:
      if (t->id < static_cast<int>(genNames_.size()) && !genNames_[t->id].empty()) return genNames_[t->id];
      return std::string(1, static_cast<char>('a' + t->id % 26)) + (t->id >= 26 ? std::to_string(t->id / 26) : "");
    case Type::Con: return t->name == kError ? "?" : names::displayName(t->name);
    case Type::RowEmpty: return "{}";
    case Type::RowExt:
    case Type::Record: {
      TypeP row = t->kind == Type::Record ? prune(t->a) : t;
      std::string out = "{ ";
      bool first = true;
      while (row->kind == Type::RowExt) {
        out += (first ? "" : ", ") + row->name + " :: " + showPrec(row->a, 0);
        first = false;
        row = prune(row->b);
      }
      if (row->kind != Type::RowEmpty) out += std::string(first ? "" : " ") + "| " + showPrec(row, 0);
      out += first && row->kind == Type::RowEmpty ? "}" : " }";
      return out;
    }
    case Type::App: {
      TypeP from, to;
      if (isFun(t, &from, &to)) {
        std::string s = showPrec(from, 1) + " -> " + showPrec(to, 0);
        return prec > 0 ? "(" + s + ")" : s;
      }
      std::vector<TypeP> args;
      TypeP head = typeHead(t, &args);
      if (head->kind == Type::Con && head->name == kList && args.size() == 1) return "[" + showPrec(args[0], 0) + "]";
      if (head->kind == Type::Con && head->name.size() >= 3 && head->name[0] == '(' && head->name[1] == ',' &&
          args.size() == head->name.size() - 1) {
        std::string s = "(";
        for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + showPrec(args[i], 0);
        return s + ")";
      }
      std::string s = showPrec(head, 2);
      for (auto& a : args) s += " " + showPrec(a, 2);
      return prec > 1 ? "(" + s + ")" : s;
    }
  }
  return "?";
}

}  // namespace weir::types
