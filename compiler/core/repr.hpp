// Representation inference: which parameters and results of top-level functions travel as raw
// machine values (core::Rep: Int i64, Float double, Char i32, Bool i1) instead of pointers to
// boxed objects. Run after rc insertion (the last pass before codegen); codegen reads
// Function::paramReps / resultRep and gives the function that direct-call signature (the
// worker); its closure wrapper, used for every call that is not a saturated direct call,
// keeps the uniform boxed convention and converts.
//
// Core is untyped, but the checked program is typed, so how a value is used says what it is:
//  - a parameter is an Int (Float, Char) when it is an operand of an Int (Float, Char)
//    primitive, the scrutinee of a literal case on Int (Char) literals, or passed to a
//    parameter of a direct call that is one (a least fixpoint); a Bool when it is the
//    scrutinee of a case whose alternatives name True and False;
//  - a result is Int/Float/Char when every value the function returns (its tail positions) is
//    one: an arithmetic primitive, a literal, a raw variable, or a tail call of a function
//    whose result is (a least fixpoint from "no value": a branch that fails returns nothing);
//    Bool when each is a comparison, True/False, a raw Bool variable or such a call.
//  - a raw field of a constructor (core::ConLayout) is such evidence too: a variable bound to
//    one is a raw variable, and a parameter stored in one is no boxed use but evidence.
// A parameter with evidence is kept raw only if no use of it needs a boxed object (stored in a
// constructor, captured by a lambda, passed to a boxed position, returned boxed, given to a
// consuming primitive like show): otherwise each such use would allocate a fresh box where the
// caller's box was shared before. One exception: a parameter with exactly one such use stays
// raw when the function is only ever called directly and every call passes that argument raw
// (a literal, arithmetic, a raw variable): boxed, each call would box it (a comprehension's
// counting loop boxed its counter every iteration to store it in one result in a few). Demoting
// a parameter can make a result boxed and that can demote further parameters; the loop runs
// until nothing changes.
//
// Raw values have no reference count: Dup/Drop of a raw variable are no-ops, and each use that
// needs an object boxes it afresh (small Ints come from the runtime's static cache). Mutually
// tail-calling functions always get the same result representation (each one's result joins
// the others'), so a tail call between them stays a tail call.
//
// The pipeline's pass "unbox" (core/pipeline.hpp); switched off (--pass-off=unbox, WEIR_UNBOX=0)
// it runs with unbox = false: every value boxed, for measuring.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <unordered_map>

#include "core/core.hpp"

namespace weir::core {

// Sets paramReps and resultRep of every function of p (the entry function stays boxed);
// with unbox = false, every one Boxed.
void inferReps(Program& p, bool unbox = true);

// The number of uses of each variable of `body` that need a boxed object, given the
// representations in p (of the callees), the function's parameters and their reps, and the
// representation its tail positions return (`result`). A use inside a lambda counts once, as
// the capture. Codegen keeps a raw let-bound variable raw when it has at most one such use
// (that use boxes it) and boxes it at once otherwise (one box shared by counting, as before).
std::unordered_map<VarId, int> boxedUses(const Program& p, const std::vector<VarId>& params,
                                         const std::vector<Rep>& paramReps, Rep result, const Expr& body);

// The functions of a program by name, built once: codegen counts the uses of every function's
// variables against one of these (building it per function would be quadratic).
struct Callees {
  std::unordered_map<std::string, const Function*> byName;
  const Program& prog;  // for its constructor layouts (Program::fieldRep)
  explicit Callees(const Program& p);
  Rep fieldRep(const std::string& con, size_t k) const { return prog.fieldRep(con, k); }
  // storedReps' assumption about fields it is deciding: what a read of one gives (-1: nothing
  // yet); null elsewhere.
  const std::map<std::pair<std::string, size_t>, int>* assumed = nullptr;
  // What a read of field k of con gives, as an int Rep (-1 under an assumption of nothing).
  int readRep(const std::string& con, size_t k) const {
    if (assumed)
      if (auto it = assumed->find({con, k}); it != assumed->end()) return it->second;
    return static_cast<int>(fieldRep(con, k));
  }
  // The function a saturated direct call `(@f)(args)` calls, or null.
  const Function* direct(const Expr& e) const;
};
std::unordered_map<VarId, int> boxedUses(const Callees& c, const std::vector<VarId>& params,
                                         const std::vector<Rep>& paramReps, Rep result, const Expr& body);

// For each constructor `wanted` selects that p builds, and each of its fields not raw already:
// the representation every value stored in it has (given the paramReps/resultRep inferReps
// set), where all agree on one raw kind; Boxed where one store is boxed or two disagree (and for
// the fields raw already). A store of the same field read back (an update that keeps a field)
// holds what the others stored.
std::map<std::string, std::vector<Rep>> storedReps(const Program& p,
                                                   const std::function<bool(const std::string&)>& wanted);

// The raw representation a scalar primitive reads its operands as (Int for the Int ones and
// the conversions from Int, Float, Char), or Boxed for the others.
Rep operandRep(PrimOp op);
// The raw representation of a primitive's result before any boxing (Int/Float arithmetic,
// Bool comparisons), or Boxed.
Rep primResultRep(PrimOp op);

}  // namespace weir::core
