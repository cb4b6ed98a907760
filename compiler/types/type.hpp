// Types of the checker: meta variables (union-find with levels), constructors,
// application, quantified (Gen) and rigid (Skolem) variables, and rows for
// structural records. Functions are `App(App(Con "->", a), b)`.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace weir::types {

struct Type;
using TypeP = std::shared_ptr<Type>;

struct Type {
  enum Kind { Meta, Con, App, Gen, Skolem, RowEmpty, RowExt, Record } kind = Con;
  std::string name;   // Con: unique type name; RowExt: label; Skolem: source name
  TypeP a, b;         // App: a b; RowExt: a = field type, b = rest of row; Record: a = row
  int id = 0;         // Meta / Skolem: unique id; Gen: index into the scheme
  int level = 0;      // Meta: binding level for generalisation
  TypeP ref;          // Meta: bound to this type once solved
  bool row = false;   // Meta/Gen/Skolem standing for a row
};

TypeP tcon(const std::string& name);
TypeP tapp(TypeP a, TypeP b);
TypeP tapps(TypeP head, const std::vector<TypeP>& args);
TypeP tfun(TypeP from, TypeP to);
TypeP tfuns(const std::vector<TypeP>& from, TypeP to);
TypeP tlist(TypeP elem);
TypeP ttuple(const std::vector<TypeP>& elems);  // 0 elems = unit
TypeP tgen(int index, bool row = false);
TypeP trecord(TypeP row);
TypeP trowExt(const std::string& label, TypeP field, TypeP rest);
TypeP trowEmpty();

// Well-known type names.
inline const char* kInt = "Int";
inline const char* kFloat = "Float";
inline const char* kChar = "Char";
inline const char* kString = "String";
inline const char* kBytes = "Bytes";
inline const char* kIO = "IO";
inline const char* kArrow = "->";
inline const char* kList = "[]";
inline const char* kUnit = "()";
inline const char* kBool = "Prelude.Bool";
// The type of something whose type could not be resolved (an error already reported): it
// unifies with every type, so the mistake is reported once.
inline const char* kError = "?error";
inline bool isErrorType(const TypeP& t);

std::string tupleName(size_t n);  // "(,)" for 2

// Follows bound metas (with path compression).
TypeP prune(TypeP t);
inline bool isErrorType(const TypeP& t) {
  TypeP p = prune(t);
  return p->kind == Type::Con && p->name == kError;
}
bool containsErrorType(TypeP t);

// Spine: head and arguments of a type application.
TypeP typeHead(TypeP t, std::vector<TypeP>* args = nullptr);
bool isFun(TypeP t, TypeP* from = nullptr, TypeP* to = nullptr);

// Class predicate `C t`.
struct Pred {
  std::string cls;
  TypeP type;
};

// A type scheme: forall gen_0..gen_{n-1}. preds => type.
struct Scheme {
  int ngen = 0;
  std::vector<bool> genIsRow;
  std::vector<std::string> genNames;  // for printing; may be empty
  std::vector<Pred> preds;
  TypeP type;
};

Scheme monoScheme(TypeP t);

// Replaces Gen i by args[i].
TypeP instantiate(TypeP t, const std::vector<TypeP>& args);

// Printing. A Printer names metas a, b, c... consistently across calls, so
// "expected X, found Y" in one message use the same letters.
class Printer {
 public:
  std::string show(TypeP t);
  std::string show(const Pred& p);
  std::string show(const Scheme& s);
  std::string showAtom(TypeP t) { return showPrec(t, 2); }
  // Notes "`a1` is the `a` of ..." are possible only with the skolems' origins; this says
  // whether two different rigid variables were printed with names made distinct.
  bool renamedSkolems() const { return renamed_; }
  const std::map<int, std::string>& skolemNames() const { return skolemNames_; }
 private:
  std::string showPrec(TypeP t, int prec);
  std::string varName(const Type* t);
  std::map<int, std::string> metaNames_;
  std::vector<std::string> genNames_;
  std::map<int, std::string> skolemNames_;   // skolem id -> printed name (distinct per name)
  std::map<std::string, int> skolemByName_;  // printed name -> skolem id
  bool renamed_ = false;
  int next_ = 0;
};

// Occurs check / free metas.
bool occurs(const Type* meta, TypeP t);
void freeMetas(TypeP t, std::vector<TypeP>& out);

}  // namespace weir::types
