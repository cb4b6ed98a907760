// Internal to the lowering: the Lowerer and its parts (lower.cpp: top level,
// dictionaries, CAF order; expr.cpp: expressions; match.cpp: pattern matching).
#pragma once
#include <unordered_map>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/lower/lower.hpp"
#include "syntax/ast.hpp"

namespace weir::lower {

using core::ExprPtr;
using core::VarId;

// A pattern in the canonical form the match compiler works on.
struct CPat;
using CPatP = std::shared_ptr<CPat>;
struct CPat {
  enum Kind { Wild, Con, Int, Char, String, Record, Binary } kind = Wild;
  std::vector<std::string> binds;  // variables (and as-names) bound to this position
  std::string type;                // Con: data type
  std::string con;                 // Con: constructor
  int tag = 0;
  std::vector<CPatP> args;
  int64_t i = 0;
  std::string s;
  std::vector<std::pair<std::string, CPatP>> fields;  // Record: the fields it mentions
  std::shared_ptr<types::Type> recordType;            // Record: the scrutinee's type
  const ast::Pat* bin = nullptr;                      // Binary: the `<<...>>` (or `b"..."`) pattern (binary.cpp)
};

using Fail = std::function<ExprPtr()>;

struct Row {
  std::vector<CPatP> pats;
  std::map<std::string, VarId> binds;           // source variable -> Core variable
  std::function<ExprPtr(const Fail&)> body;     // right-hand side, given what to do if its guards fail
};

class Lowerer {
 public:
  Lowerer(const types::Checked& c, const SourceManager& sm) : checked(c), sources(sm) {}
  std::optional<core::Program> run(std::string& error);

  const types::Checked& checked;
  const SourceManager& sources;
  core::Program prog;
  std::string bug;                               // first internal error
  std::string libraryDir;                        // the standard library's folder ("" = none)
  std::map<FileId, bool> libraryFiles;           // cache for inLibrary
  bool inLibrary(Span s);

  // Scopes (current function).
  std::map<std::string, VarId> locals;
  std::map<std::string, VarId> thunked;         // a value of a lazy local group -> its `v$ ()` function           // unique local name -> Core var
  std::map<int, VarId> dictVars;                 // DictVar id -> Core var
  std::vector<std::vector<types::DictVarP>> groupDicts;  // dict params of the bindings being defined (recursive uses)
  std::map<std::string, std::vector<types::DictVarP>> localDictParams;  // local binding -> its dict params

  // Top level.
  std::map<std::string, int> arity;              // global function -> number of parameters
  std::map<std::string, std::string> alias;      // binding defined as another global (`x = y`)
  std::map<std::string, core::PrimOp> primWrappers;  // global -> the prim it wraps (inlined when saturated)
  std::map<std::string, std::string> conWrappers;    // constructor -> its wrapper function
  std::set<std::string> emitted;

  VarId fresh() { return prog.nextVar++; }
  std::string loc(Span s) const { return sources.location(s); }
  void fail(const std::string& msg) { if (bug.empty()) bug = msg; }

  // lower.cpp
  void lowerTopLevel();
  void lowerBinding(const std::string& name, const std::vector<const ast::Decl*>& clauses,
                    const types::BindInfo& bi, bool top);
  void lowerForeign(const ast::Decl& d);
  void lowerTopPatBind(const ast::Decl& d);
  void lowerInstances();
  ExprPtr lowerDict(const types::DictP& d);
  ExprPtr methodRef(const std::string& method, const types::DictP& dict, std::vector<ExprPtr>& extraArgs);
  std::string conWrapper(const std::string& con);
  int methodArity(const std::string& method);
  ExprPtr thisDict(const types::InstanceInfo& inst);

  // expr.cpp
  ExprPtr lowerExpr(const ast::ExprPtr& e);
  ExprPtr lowerApp(const ast::Expr& head, std::vector<ExprPtr> args, Span span);
  ExprPtr lowerVar(const ast::Expr& e, std::vector<ExprPtr>& args);
  ExprPtr etaPrim(core::PrimOp op, int n, std::vector<ExprPtr>& args, Span span);
  ExprPtr lowerDo(const ast::Expr& e, size_t from);
  ExprPtr lowerLocalGroup(const std::vector<ast::DeclPtr>& decls, const std::function<ExprPtr()>& body);
  ExprPtr lowerLazyGroup(const std::vector<std::string>& group, std::map<std::string, std::vector<const ast::Decl*>>& clauses,
                         const std::function<ExprPtr()>& rest);
  ExprPtr lowerRhs(const ast::Rhs& rhs, const Fail& fail);
  ExprPtr lowerGuards(const ast::Rhs& rhs, size_t gi, const Fail& fail);
  ExprPtr lowerGuardAlt(const ast::Rhs& rhs, size_t gi, size_t gj, const Fail& fail, const Fail& next);
  ExprPtr lowerFunctionBody(const std::vector<const ast::Decl*>& clauses, const std::vector<VarId>& params,
                            const std::string& name, Span span);
  ExprPtr boolCase(ExprPtr cond, ExprPtr ifTrue, ExprPtr ifFalse);
  int trueTag() const;

  // comprehension.cpp
  static bool isComprehension(const ast::Expr& e);
  ExprPtr lowerComprehension(const ast::Expr& e, const Fail& tail);
  ExprPtr lowerGenerator(const ast::Expr& e, const Fail& tail);

  // records.cpp
  std::vector<std::vector<std::string>> shapes;          // shape id -> sorted labels
  std::map<std::vector<std::string>, int> shapeIds;
  std::vector<std::vector<int>> shapeReps;  // shape id -> each field's core::Rep in every record built so far (-1: none yet)
  std::string recordCon(int shape);         // the shape's constructor name
  void noteRecordReps(int shape, const std::vector<core::Rep>& reps);
  void noteRecordType(types::TypeP recordType);
  void recordLayouts();                     // core::Program::layouts of the shapes, once all are built
  void collectShapes();
  void collectLayouts();   // layouts.cpp: core::Program::layouts
  int shapeOf(std::vector<std::string> labels);
  bool closedLabels(types::TypeP t, std::vector<std::string>& labels);
  ExprPtr recordLiteral(const ast::Expr& e);
  ExprPtr recordField(ExprPtr rec, types::TypeP type, const std::string& label);
  ExprPtr recordUpdate(const ast::Expr& e);
  ExprPtr switchShapes(VarId r, types::TypeP type, const std::vector<std::string>& need,
                       const std::function<ExprPtr(int, const std::vector<VarId>&)>& k);

  // layouts.cpp: Int, Float, Char or Bool for a type that is one (a raw field), Boxed otherwise
  static core::Rep scalarRep(types::TypeP t);

  // record_instances.cpp
  std::string recordDictFunction(const std::string& cls, const std::vector<std::string>& labels);

  // match.cpp
  CPatP canon(const ast::PatPtr& p);
  ExprPtr match(std::vector<VarId> occs, std::vector<Row> rows, const Fail& fail);
  ExprPtr shareFailure(const std::function<ExprPtr(const Fail&)>& code, const Fail& rest);
  // Placeholders of shareFailure still to be filled, and the list each belongs to.
  std::unordered_map<const core::Expr*, std::weak_ptr<std::vector<ExprPtr>>> holeOwner;
  ExprPtr bindRow(const Row& row, const Fail& fail);
  ExprPtr matchFailure(const std::string& what, Span span);
};

}  // namespace weir::lower
