// The output of type checking: the renamed AST annotated in place (Expr::type,
// Expr::evidence) plus the tables the desugarer needs: data types and their
// constructors, classes, instances, and for every binding its scheme and the
// dictionary parameters it takes.
#pragma once
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "names/names.hpp"
#include "types/type.hpp"

namespace weir::types {

// A dictionary parameter of a binding (or an instance's context), e.g. `Eq a`.
struct DictVar {
  int id = 0;
  Pred pred;
};
using DictVarP = std::shared_ptr<DictVar>;

// How a dictionary is obtained at a use site.
struct Dict;
using DictP = std::shared_ptr<Dict>;
struct Dict {
  enum Kind {
    Param,     // a dictionary parameter of an enclosing binding       (param)
    Inst,      // an instance, applied to dictionaries for its context (instance, args)
    Super,     // superclass number `index` of another dictionary      (from, index)
    Hole,      // not solved yet (only during inference)               (pred, span)
    Record,    // Eq/Ord/Show of a closed record, built from the fields' dictionaries
               // (pred.cls, labels sorted, args = one dictionary per label)
  } kind = Hole;
  std::vector<std::string> labels;  // Record
  DictVarP param;
  int instance = -1;  // index into Checked::instances
  std::vector<DictP> args;
  DictP from;
  int index = 0;
  Pred pred;
  Span span;
  DictP filled;       // Hole: the solution
};

// Follows filled holes.
DictP resolveDict(DictP d);

}  // namespace weir::types

namespace weir::types {
struct Evidence {
  std::vector<DictP> dicts;  // one per predicate of the instantiated scheme, in order
  // A use of a binding from its own recursive group: it takes the same dictionary
  // parameters as the binding being defined, passed along unchanged.
  bool recursive = false;
};
}  // namespace weir::types

namespace weir::types {

struct ConInfo {
  std::string name;      // unique
  std::string type;      // unique name of its data type
  int tag = 0;
  int arity = 0;
  Scheme scheme;         // forall params. fields -> T params
};

struct DataInfo {
  std::string name;
  std::vector<std::string> params;
  std::vector<std::string> cons;  // in tag order
  bool isNewtype = false;
  bool builtin = false;
};

struct ClassInfo {
  std::string name;
  std::string tyvar;
  std::vector<std::string> supers;        // superclass names, in dictionary order
  std::vector<std::string> methods;       // unique method names, in dictionary order
  std::map<std::string, Scheme> methodSchemes;  // full scheme: forall a others. (C a, own preds) => t; gen 0 = a
  std::map<std::string, std::string> defaults;  // method -> binding name of the default ("Cls$dm$method")
};

struct InstanceInfo {
  int index = 0;
  std::string cls;
  std::string head;                 // head type constructor ("Int", "[]", "Prelude.Maybe")
  Scheme scheme;                    // ngen = instance type variables; preds = context; type = head type
  std::string dictName;             // unique name of the dictionary global/function
  std::map<std::string, std::string> methodImpls;  // method -> binding name of its implementation
  std::vector<DictVarP> contextParams;             // dictionary parameters for the context
  std::vector<DictP> superDicts;                   // how to build each superclass dictionary (given the context)
  Span span;
};

struct BindInfo {
  std::string name;
  Scheme scheme;
  std::vector<DictVarP> dictParams;  // leading parameters, in scheme.preds order
  bool isFunction = false;           // has value parameters (clauses with patterns or a lambda)
};

// A synthesised binding with no source (instance methods and default-method wrappers
// get ordinary BindInfos and their clauses live in the instance/class decl).
struct Checked {
  names::Program* program = nullptr;
  std::map<std::string, DataInfo> datas;
  std::map<std::string, ConInfo> cons;
  std::map<std::string, ClassInfo> classes;
  std::vector<InstanceInfo> instances;
  std::map<std::string, BindInfo> binds;     // every binding, top-level and local, by unique name
  std::map<std::string, std::string> foreigns;  // unique name -> "conv:cname"
  // Binding groups in dependency order (strongly connected components), keyed by
  // the address of the declaration list (top level, let, where): values before users.
  std::map<const void*, std::vector<std::vector<std::string>>> groupOrder;
  // Values in a recursive group whose references to the group are all under lambdas
  // (types/bindings.cpp); a group's names are listed with strict dependencies first.
  std::set<std::string> lazyRecursive;
  std::string entry;                          // unique name of main, if any
};

}  // namespace weir::types
