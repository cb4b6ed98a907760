// Internal to the types stage: the Checker and its parts (one file each:
// unify.cpp, convert.cpp, decls.cpp, expr.cpp, pattern.cpp, bindings.cpp, solve.cpp).
#pragma once
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "diag/diagnostic.hpp"
#include "syntax/ast.hpp"
#include "types/checked.hpp"
#include "types/infer.hpp"

namespace weir::types {

struct Synonym {
  std::vector<std::string> params;
  ast::TypePtr body;
};

// Outcome of unification, for precise messages.
struct UnifyError {
  enum Kind { None, Mismatch, Occurs, MissingField, ExtraField } kind = None;
  TypeP left, right;    // the innermost mismatching pair
  std::string field;    // MissingField / ExtraField
  TypeP record;         // the record lacking the field
};

std::string ambiguityHint(const std::string& cls);   // solve.cpp
// The names a group of declarations refers to; the variables a pattern binds (bindings.cpp).
void collectRefs(const std::vector<ast::DeclPtr>& decls, std::set<std::string>& out);
void collectPatVars(const ast::PatPtr& p, std::vector<std::string>& out);

void quantify(const std::vector<TypeP>& metas, const std::map<std::string, TypeP>& vars, Scheme& s);

class Checker {
 public:
  Checker(names::Program& program, DiagnosticEngine& diags);
  std::optional<Checked> run();

  // ---- state
  names::Program& prog;
  DiagnosticEngine& diags;
  Checked out;
  std::map<std::string, Scheme> env;                 // every value by unique name
  std::map<std::string, Synonym> synonyms;
  std::map<std::pair<std::string, std::string>, int> instanceIndex;  // (class, head) -> instance
  std::map<const ast::Decl*, int> instanceOfDecl;   // instance declaration -> its InstanceInfo
  std::vector<Span> unknownNames;                    // uses of names the renamer could not find (E0100)
  std::set<std::string> inProgress;                  // implicit bindings being inferred (monomorphic)
  int level = 0;
  int nextId = 0;
  std::vector<std::vector<DictP>> wanted;            // stack: one list per binding group
  std::vector<std::vector<DictVarP>> givens;         // stack of dictionary parameters in scope
  std::map<int, std::string> skolemOrigin;          // skolem id -> "the type signature of `f`"
  TypeP instHead;                                    // while checking an instance's methods: its head
  std::string instCls;                               //   and class
  size_t instContextSize = 0;                        //   and the number of constraints in its context
  std::vector<std::pair<size_t, TypeP>> holes;       // typed holes: diagnostic index, type (completed at the end)

  // ---- unify.cpp
  TypeP fresh(bool row = false);
  TypeP skolem(const std::string& name, bool row = false);
  bool unify(TypeP a, TypeP b, UnifyError& err);
  // Unifies found with expected; on failure reports E0201 at span with context.
  bool expect(TypeP found, TypeP expected, Span span, const std::string& what = "");
  void reportUnify(const UnifyError& err, TypeP found, TypeP expected, Span span, const std::string& what);
  // More for an E0201 on expression `e` (an argument of `app` when that is not null): "too few
  // arguments to `f`", and `String` where a list is expected (or the reverse) with the Data.String way.
  void mismatchHints(Diagnostic& d, const ast::Expr& e, const ast::Expr* app, TypeP found, TypeP expected);
  const ast::Expr* argOf = nullptr;  // infer(App) -> checkExpr: the application whose argument is checked

  // ---- convert.cpp (AST types -> types)
  TypeP convType(const ast::TypePtr& t, std::map<std::string, TypeP>& vars, bool bindNewVars);
  TypeP convValueType(const ast::TypePtr& t, std::map<std::string, TypeP>& vars, bool bindNewVars);
  std::set<std::string> brokenInstanceClasses;
  TypeP lamExpected;
  TypeP doExpected;   // the same for a `do` block  // checkExpr -> infer: the expected type of the lambda being checked  // classes with a rejected instance: no E0210 cascade
  Scheme schemeFromSig(const ast::QualType& q, std::vector<std::string>* order = nullptr);
  std::vector<TypeP> instantiateScheme(const Scheme& s, TypeP& type);  // returns the fresh metas

  // ---- decls.cpp
  void declareBuiltins();
  void declareData(ast::Decl& d);
  void declareSynonym(ast::Decl& d);
  void declareClass(ast::Decl& d);
  void declareInstance(ast::Decl& d);
  void declareForeign(ast::Decl& d);
  void checkInstanceBodies(ast::Decl& d, InstanceInfo& inst);
  void checkClassDefaults(ast::Decl& d);
  int classArity(const std::string& cls, int depth = 0);

  // ---- expr.cpp / pattern.cpp
  TypeP infer(ast::ExprPtr& e);
  void checkExpr(ast::ExprPtr& e, TypeP expected, const std::string& what = "");
  TypeP inferRhs(ast::Rhs& rhs, TypeP expected);
  void inferPat(ast::PatPtr& p, TypeP expected);
  TypeP inferDo(ast::Expr& e);
  ast::ExprPtr desugarComprehension(ast::Expr& e, size_t from);
  TypeP inferRecordAccess(ast::Expr& e);
  // Records: the literal (checked field by field against a known expected record type), the
  // labels of a record type as far as known, the span of `name` in `name = value`, and the
  // closest label to a misspelt one ("" if none is close).
  TypeP inferRecordLit(ast::Expr& e, TypeP expected);
  bool recordLabels(TypeP rec, std::vector<std::pair<std::string, TypeP>>& labels, bool& closed);
  std::vector<std::string> recordConLabels(const std::string& con);
  bool recordConPositional(ast::Expr& e);
  Span fieldNameSpan(Span value, const std::string& field);
  static std::string closestLabel(const std::vector<std::string>& labels, const std::string& field);
  // For a record update or pattern against a known closed record type: E0221 (with "did you
  // mean") at each field the type lacks. `have` receives the type's fields; true if any was bad.
  bool unknownFields(TypeP rec, const std::vector<std::pair<std::string, Span>>& fields,
                     std::vector<std::pair<std::string, TypeP>>& have);
  DictP want(const std::string& cls, TypeP type, Span span);

  // ---- bindings.cpp
  void inferGroup(std::vector<ast::DeclPtr>& decls, bool topLevel);
  void dropErrorsAfterUnknownNames();
  bool stringIsNotListError(size_t from) const;
  void inferClauses(const std::vector<ast::Decl*>& clauses, TypeP type);
  void checkExplicit(const std::string& name, const std::vector<ast::Decl*>& clauses, const Scheme& sch,
                     std::vector<DictVarP> extraGivens, Span span, std::vector<DictVarP>* paramsOut);

  // ---- exhaustive.cpp
  void checkMatch(const std::vector<std::vector<ast::PatPtr>>& rows, const std::vector<const ast::Rhs*>& rhss,
                  const std::vector<Span>& rowSpans, Span whole, const std::string& what);
  void checkIrrefutable(const ast::PatPtr& p, const std::string& what);

  // ---- solve.cpp
  void solve(DictP hole, std::vector<DictP>& stuck);
  bool solveFromGivens(DictP hole);
  bool samePredType(TypeP a, TypeP b);
  void reportNoInstance(DictP hole);
  std::vector<DictVarP> generalize(std::vector<DictP>& holes, const std::vector<TypeP>& types, bool canRetain,
                                   Span span);
  bool superPath(const std::string& from, const std::string& to, std::vector<int>& path);
};

}  // namespace weir::types
