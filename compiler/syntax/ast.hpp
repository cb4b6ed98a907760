// The surface AST. Every node has a Span. Nodes are "fat": one struct per
// syntactic category with a kind tag and the fields that kind uses, which keeps
// the parser's semantic actions and the later passes simple.
//
// Operator chains are kept flat (Expr::OpChain / Pat::OpChain) and re-associated
// by the renamer once fixities are known. Later stages annotate nodes in place
// (Expr::type, Expr::evidence...): the "typed AST" is this AST after inference.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "diag/source.hpp"

namespace weir::types { struct Type; struct Evidence; }

namespace weir::ast {

struct Type;
struct Pat;
struct Expr;
struct Decl;
using TypePtr = std::shared_ptr<Type>;
using PatPtr = std::shared_ptr<Pat>;
using ExprPtr = std::shared_ptr<Expr>;
using DeclPtr = std::shared_ptr<Decl>;

// ---------------------------------------------------------------- types
struct Type {
  enum Kind { Var, Con, App, Fun, Tuple, List, Unit, Record, Forall } kind = Con;
  Span span;
  std::string name;                 // Var / Con (possibly qualified "Map.Map")
  std::vector<TypePtr> args;        // App: head then args; Fun: [from, to]; Tuple: elems; List: [elem]; Forall: [body]
  std::vector<std::pair<std::string, TypePtr>> fields;  // Record
  std::string rowVar;               // Record: "r" in { x :: Int | r }, empty if closed
  std::vector<std::string> vars;    // Forall: bound variables
};

struct Constraint {
  std::string cls;   // "Eq"
  TypePtr type;      // usually a Var, may be an App (Functor f => ... f a)
  Span span;
};

struct QualType {
  std::vector<Constraint> context;
  TypePtr type;
  Span span;
};

// ---------------------------------------------------------------- literals
struct Literal {
  enum Kind { Int, Float, Char, String, Bytes } kind = Int;
  int64_t i = 0;
  double f = 0;
  uint32_t c = 0;
  std::string s;  // String (UTF-8) / Bytes (raw)
};

// ---------------------------------------------------------------- binary segments (section 6)
struct BinSegment {
  Span span;
  ExprPtr value;           // in expressions
  PatPtr pat;              // in patterns
  ExprPtr size;            // optional size expression (bits for integer/float, bytes for bytes)
  enum TypeKind { Integer, Float, Bytes } type = Integer;
  bool isSigned = false;
  bool little = false;
};

// ---------------------------------------------------------------- patterns
struct Pat {
  enum Kind {
    Wild,     // _
    Var,      // x                       (name)
    Lit,      // 1 'c' "s"  (negative numbers: lit with negative value)
    Con,      // Just p, Nothing, (:) is Cons below   (name, args)
    Tuple,    // (p1, p2)                (args)
    List,     // [p1, p2]                (args)
    Cons,     // p1 : p2                 (args = [head, tail])
    As,       // x@p                     (name, args=[p])
    Record,   // { speed = s, device }   (fields; a pun has pat == Var of the field name)
    Binary,   // <<a:8, rest/bytes>>     (segments)
    Typed,    // (p :: T)                (args=[p], type)
    OpChain,  // p1 op p2 op p3 before fixity resolution (args = operands, ops = operators)
  } kind = Wild;
  Span span;
  std::string name;
  std::vector<PatPtr> args;
  Literal lit;
  std::vector<std::pair<std::string, PatPtr>> fields;
  std::vector<BinSegment> segments;
  std::vector<std::string> ops;
  std::vector<Span> opSpans;
  TypePtr type;
  // Filled by the renamer/type checker:
  int conTag = -1;   // constructor tag once resolved
  std::shared_ptr<types::Type> inferred;  // the pattern's type (record patterns need it)
};

// ---------------------------------------------------------------- expressions
struct Guard {
  enum Kind { Bool, Pattern, Let } kind = Bool;  // `| e`, `| p <- e`, `| let ds`
  Span span;
  ExprPtr expr;
  PatPtr pat;
  std::vector<DeclPtr> decls;
};

struct GuardedExpr {
  Span span;
  std::vector<Guard> guards;  // all must hold
  ExprPtr body;
};

// Right-hand side of a clause, a case alternative or a pattern binding.
struct Rhs {
  Span span;
  ExprPtr plain;                      // `= e` (null when guarded)
  std::vector<GuardedExpr> guarded;   // `| g = e` ...
  std::vector<DeclPtr> where;         // `where` bindings scoping over all guards
};

struct Alt {  // case alternative
  Span span;
  PatPtr pat;
  Rhs rhs;
};

struct Stmt {  // do statement / comprehension qualifier
  enum Kind { Bind, Let, Expr } kind = Expr;  // p <- e | let ds | e  (in a comprehension Expr is a filter)
  Span span;
  PatPtr pat;
  ExprPtr expr;
  std::vector<DeclPtr> decls;
};

struct Expr {
  enum Kind {
    Var,          // x, Map.lookup, (+) as a name     (name)
    Con,          // Just, True, (,)                  (name)
    Lit,          // literal                          (lit)
    App,          // f a b                            (args = [f, a, b])
    Lam,          // \p1 p2 -> e                      (pats, args=[body])
    Let,          // let ds in e                      (decls, args=[body])
    If,           // if c then t else e               (args=[c, t, e])
    MultiIf,      // reserved
    Case,         // case e of alts                   (args=[scrutinee], alts)
    Do,           // do stmts                         (stmts; last is Expr)
    Tuple,        // (a, b)                           (args)
    Unit,         // ()
    List,         // [a, b]                           (args)
    OpChain,      // a + b * c, flat                  (args = operands, ops = operator names)
    Neg,          // -e                               (args=[e])
    LeftSection,  // (e op)                           (name = op, args=[e])
    RightSection, // (op e)                           (name = op, args=[e])
    TypeAnn,      // (e :: T)                         (args=[e], qualType)
    Record,       // { a = 1, b }                     (fields; a pun has expr Var of the field name)
    Access,       // e.field                          (args=[e], name = field)
    Update,       // e { a = 1 }                      (args=[e], fields)
    Range,        // [a ..] [a, b .. c]               (args = [from, then?, to?]; flags below)
    Comprehension,// [e | quals]                      (args=[e], stmts)
    Interp,       // "a ${e} b"                       (args = parts; string parts are Lit String)
    Binary,       // <<a:8, b/bytes>>                 (segments)
    Hole,         // ?name                            (name)
  } kind = Var;
  Span span;
  std::string name;
  Literal lit;
  std::vector<ExprPtr> args;
  std::vector<PatPtr> pats;
  std::vector<DeclPtr> decls;
  std::vector<Alt> alts;
  std::vector<Stmt> stmts;
  std::vector<std::string> ops;
  std::vector<Span> opSpans;
  std::vector<std::pair<std::string, ExprPtr>> fields;
  std::vector<BinSegment> segments;
  std::shared_ptr<QualType> qualType;
  bool rangeHasThen = false, rangeHasTo = false;

  // ---- filled by later stages (the typed AST) ----
  std::shared_ptr<types::Type> type;         // inferred type
  std::shared_ptr<types::Evidence> evidence; // class dictionaries a Var needs
  int resolved = -1;                         // renamer: binding id, or -1
};

// ---------------------------------------------------------------- declarations
struct ConDecl {
  Span span;
  std::string name;
  std::vector<TypePtr> fields;  // positional field types (a record field is one Record type)
};

struct Decl {
  enum Kind {
    TypeSig,   // f, g :: T                                   (names, qualType)
    Clause,    // f p1 p2 | g = e where ...  (one clause)     (name, pats, rhs); operator clause `x |+| y = ...` too
    PatBind,   // (a, b) = e                                  (pat, rhs)
    Fixity,    // infixl 6 +, -                               (names, assoc, prec)
    Data,      // data T a = C1 .. | C2 .. deriving (..)      (name, tyvars, cons, deriving)
    Newtype,   // newtype T a = C t deriving (..)             (name, tyvars, cons (one, one field), deriving)
    TypeSyn,   // type T a = t                                (name, tyvars, qualType->type)
    Class,     // class Ctx => C a where decls                (name, tyvars[0], qualType->context = superclasses, body)
    Instance,  // instance Ctx => C (T a) where decls         (name = class, qualType = context + head type, body)
    Foreign,   // foreign import ccall "c_name" f :: T        (name, foreignConv, foreignName, qualType)
  } kind = Clause;
  Span span;
  Span nameSpan;
  std::string name;
  std::vector<std::string> names;
  std::vector<Span> nameSpans;
  std::vector<PatPtr> pats;
  PatPtr pat;
  Rhs rhs;
  std::shared_ptr<QualType> qualType;
  enum Assoc { Left, Right, None } assoc = Left;
  int prec = 9;
  std::vector<std::string> tyvars;
  std::vector<ConDecl> cons;
  std::vector<std::string> deriving;
  std::vector<DeclPtr> body;
  std::string foreignConv;  // "ccall" or "prim"
  std::string foreignName;
  std::string doc;          // text of a preceding `-- |` comment
};

// ---------------------------------------------------------------- modules
struct ExportItem {
  Span span;
  enum Kind { Value, Type, Module } kind = Value;
  std::string name;
  bool allConstructors = false;      // T(..)
  std::vector<std::string> members;  // T(A, B)
};

struct ImportItem {
  Span span;
  std::string name;
  bool isType = false;
  bool allConstructors = false;
  std::vector<std::string> members;
};

struct Import {
  Span span;
  std::string module;
  bool qualified = false;
  std::string alias;                     // `as M`
  bool hasList = false;                  // import M (a, b)
  bool hiding = false;                   // import M hiding (a)
  std::vector<ImportItem> items;
};

struct Module {
  Span span;
  FileId file = 0;
  std::string name = "Main";
  bool hasExports = false;
  std::vector<ExportItem> exports;
  std::vector<Import> imports;
  std::vector<DeclPtr> decls;
};

}  // namespace weir::ast
