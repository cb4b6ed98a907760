// Inference for patterns: binds the pattern's variables (monomorphically) in env.
#include <fmt/format.h>

#include "types/checker.hpp"

namespace weir::types {

using ast::Pat;

void inferBinaryPat(Checker& c, ast::Pat& p, TypeP expected);  // binary.cpp

void Checker::inferPat(ast::PatPtr& pp, TypeP expected) {
  if (!pp) return;
  Pat& p = *pp;
  switch (p.kind) {
    case Pat::Wild:
      return;
    case Pat::Var: {
      auto it = env.find(p.name);
      if (it != env.end() && inProgress.count(p.name)) {
        // A pattern binding's variable, already given a type for its group.
        expect(it->second.type, expected, p.span);
        return;
      }
      env[p.name] = monoScheme(expected);
      return;
    }
    case Pat::As: {
      env[p.name] = monoScheme(expected);
      if (!p.args.empty()) inferPat(p.args[0], expected);
      return;
    }
    case Pat::Lit: {
      TypeP t;
      switch (p.lit.kind) {
        case ast::Literal::Int: t = tcon(kInt); break;
        case ast::Literal::Float:
          diags.error("E0254", p.span, "a `Float` literal cannot be used as a pattern")
              .hint = "compare with a guard instead: `| x == 1.5`";
          t = tcon(kFloat);
          break;
        case ast::Literal::Char: t = tcon(kChar); break;
        case ast::Literal::String: t = tcon(kString); break;
        case ast::Literal::Bytes: t = tcon(kBytes); break;
      }
      expect(t, expected, p.span, "a pattern");
      return;
    }
    case Pat::Con:
    case Pat::Cons: {
      std::string name = p.kind == Pat::Cons ? ":" : p.name;
      auto ci = out.cons.find(name);
      if (ci == out.cons.end()) {
        for (auto& a : p.args) inferPat(a, fresh());
        return;  // reported by the renamer
      }
      p.conTag = ci->second.tag;
      if (static_cast<int>(p.args.size()) != ci->second.arity) {
        auto& d = diags.error("E0206", p.span, fmt::format("constructor `{}` has {} field(s), but the pattern gives {}",
                                                           names::displayName(name), ci->second.arity, p.args.size()));
        d.label = "wrong number of fields";
        auto labels = recordConLabels(name);
        if (!labels.empty()) {
          // Haskell's positional match of a record constructor: name the fields instead.
          std::string fields;
          const std::string& text = diags.sources().get(p.span.file).text();
          for (size_t i = 0; i < labels.size(); ++i) {
            std::string v = i < p.args.size() && p.args[i]
                                ? text.substr(p.args[i]->span.begin, p.args[i]->span.end - p.args[i]->span.begin)
                                : "";
            fields += (i ? ", " : "") + (v.empty() || v == labels[i] ? labels[i] : labels[i] + " = " + v);
          }
          d.notes.push_back(fmt::format("`{}` holds one record, so its fields are matched by name, not by position",
                                        names::displayName(name)));
          d.hint = fmt::format("match the record: `{} {{ {} }}` (fields you leave out are ignored)",
                               names::displayName(name), fields);
        } else if (p.args.size() < static_cast<size_t>(ci->second.arity))
          d.hint = "use `_` for fields you do not need";
        for (auto& a : p.args) inferPat(a, fresh());
        return;
      }
      TypeP t;
      instantiateScheme(ci->second.scheme, t);
      for (auto& a : p.args) {
        TypeP from, to;
        isFun(t, &from, &to);
        inferPat(a, from);
        t = to;
      }
      expect(t, expected, p.span, "a pattern");
      return;
    }
    case Pat::Tuple: {
      std::vector<TypeP> elems;
      for (size_t i = 0; i < p.args.size(); ++i) elems.push_back(fresh());
      expect(ttuple(elems), expected, p.span, "a pattern");
      for (size_t i = 0; i < p.args.size(); ++i) inferPat(p.args[i], elems[i]);
      return;
    }
    case Pat::List: {
      TypeP elem = fresh();
      expect(tlist(elem), expected, p.span, "a pattern");
      for (auto& a : p.args) inferPat(a, elem);
      return;
    }
    case Pat::Record: {
      p.inferred = expected;
      {
        // A known closed record type: a field it does not have is E0221 at that field.
        std::vector<std::pair<std::string, TypeP>> have;
        std::vector<std::pair<std::string, Span>> named;
        for (auto& [f, fp] : p.fields) named.push_back({f, fp ? fieldNameSpan(fp->span, f) : p.span});
        {
          bool bad = unknownFields(expected, named, have);
          if (bad) {
            for (auto& [f, fp] : p.fields) {
              TypeP ft = fresh();
              for (auto& [l, lt] : have) if (l == f) ft = lt;
              inferPat(fp, ft);
            }
            return;
          }
        }
      }
      TypeP row = fresh(true);
      std::vector<std::pair<std::string, TypeP>> fs;
      for (auto& [f, fp] : p.fields) fs.push_back({f, fresh()});
      for (auto it = fs.rbegin(); it != fs.rend(); ++it) row = trowExt(it->first, it->second, row);
      expect(trecord(row), expected, p.span, "a record pattern");
      for (size_t i = 0; i < p.fields.size(); ++i) inferPat(p.fields[i].second, fs[i].second);
      return;
    }
    case Pat::Typed: {
      std::map<std::string, TypeP> vars;
      TypeP t = convValueType(p.type, vars, true);
      expect(t, expected, p.span, "a pattern type annotation");
      if (!p.args.empty()) inferPat(p.args[0], t);
      return;
    }
    case Pat::Binary:
      inferBinaryPat(*this, p, expected);  // binary.cpp
      return;
    case Pat::OpChain:
      return;  // resolved by the renamer
  }
}

}  // namespace weir::types
