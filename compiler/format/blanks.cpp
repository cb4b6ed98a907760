// One blank line between top-level items, except between a type signature and the clauses
// of the same name (and between those clauses), where there is none; consecutive imports,
// fixity declarations, foreign imports and type declarations (data/newtype/type) keep the
// author's grouping (at most one blank line). A comment block right
// above an item (no blank line between) belongs to it, so the blank line goes above the
// comments.
#include "format/blanks.hpp"

#include <algorithm>

namespace weir::format {

using syntax::Tok;

namespace {

struct Item {
  uint32_t begin = 0, end = 0;  // byte offsets (end exclusive)
  enum Kind { Header, Import, Fixity, Foreign, TypeDecl, Named, Other } kind = Other;
  std::string key;  // Named: the name a signature or clause defines
};

// The line holding the piece that starts at or contains offset `at`.
size_t lineAt(const std::vector<Piece>& pieces, const std::vector<Line>& lines, uint32_t at) {
  size_t lo = 0;
  for (size_t k = 0; k < lines.size(); ++k)
    if (pieces[lines[k].first].begin <= at) lo = k;
    else break;
  return lo;
}

}  // namespace

void topLevelBlanks(const ast::Module& m, const std::vector<syntax::Token>& tokens, const std::vector<Piece>& pieces,
                    std::vector<Line>& lines) {
  if (lines.empty()) return;
  std::vector<Item> items;
  if (!tokens.empty() && tokens.front().kind == Tok::KwModule) {
    for (const auto& t : tokens)
      if (t.kind == Tok::KwWhere) { items.push_back({tokens.front().span.begin, t.span.end, Item::Header, ""}); break; }
  }
  for (const auto& i : m.imports) items.push_back({i.span.begin, i.span.end, Item::Import, ""});
  for (const auto& d : m.decls) {
    Item it{d->span.begin, d->span.end, Item::Other, ""};
    if (d->kind == ast::Decl::Fixity) it.kind = Item::Fixity;
    else if (d->kind == ast::Decl::Foreign) it.kind = Item::Foreign;
    else if (d->kind == ast::Decl::Data || d->kind == ast::Decl::Newtype || d->kind == ast::Decl::TypeSyn)
      it.kind = Item::TypeDecl;
    else if (d->kind == ast::Decl::TypeSig && !d->names.empty()) { it.kind = Item::Named; it.key = d->names.front(); }
    else if (d->kind == ast::Decl::Clause) { it.kind = Item::Named; it.key = d->name; }
    items.push_back(it);
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.begin < b.begin; });
  for (size_t i = 1; i < items.size(); ++i) {
    const Item& p = items[i - 1];
    const Item& d = items[i];
    if (d.end <= d.begin || p.end <= p.begin) continue;
    size_t pEnd = lineAt(pieces, lines, p.end - 1), dStart = lineAt(pieces, lines, d.begin);
    if (dStart <= pEnd || lines[dStart].oldIndent != 1) continue;
    if (p.kind == Item::Named && d.kind == Item::Named && p.key == d.key) {
      for (size_t k = pEnd + 1; k <= dStart; ++k) lines[k].blank = 0;
      continue;
    }
    if (p.kind == d.kind && (p.kind == Item::Import || p.kind == Item::Fixity || p.kind == Item::Foreign ||
                                p.kind == Item::TypeDecl)) continue;
    size_t h = dStart;
    while (h > pEnd + 1 && lines[h - 1].commentOnly && lines[h - 1].oldIndent == 1 && lines[h].oldBlank == 0) --h;
    lines[h].blank = 1;
  }
}

}  // namespace weir::format
