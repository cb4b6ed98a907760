// The Core verifier: checks that a program is well formed, the invariants every pass relies on
// and must keep (core.hpp). The pipeline runs it after every pass when asked
// (PipelineOptions::verify, WEIR_VERIFY_CORE=1; tests) and names the pass that broke it.
//
// Rules checked (each failure message starts with the function or global it is in):
//  1. Scope: every variable is bound before it is used, lexically: by the function's
//     parameters, a Let, a Lam's parameters, a LetRec (in all its lambdas and its body) or the
//     fields of a Case alternative; a Case/LitCase scrutinee and a Dup/Drop variable too.
//  2. Unique binders: no variable is bound twice within a function or global (passes key maps
//     on variable ids), and every bound id is below Program::nextVar.
//  3. Shapes: each node has the operands its kind needs (App: a callee and at least one
//     argument; Let: 2; Lam, LetRec, Proj, Dup, Drop: 1; a Lam has parameters; LetRec binds Lams);
//     a primitive has core::primArity operands; LitCase has a default; Case alternatives have
//     distinct tags >= 0.
//  4. Constructors: a constructor name is used with one tag and one arity everywhere (Con nodes
//     and the Case alternatives that name it); tags are >= 0. A record's constructor is named by its shape
//     (`{record}#3`, tag 3). A constructor with a
//     layout (Program::layouts: raw fields) has the layout's arity.
//  5. Top level: function and global names are unique; every Global reference names one of
//     them; a function has at least one parameter and no more borrowed flags than parameters;
//     the entry point (if any) exists.
//  6. Stage: no LetRec once lift-letrec has run; no Dup/Drop before rc has run; after it,
//     Program::rcInserted is set and core::verifyRc (rc.hpp's ownership rules) holds.
//  7. Reuse tokens (core/reuse.hpp): a drop-reuse is the drop that starts a case alternative
//     of its scrutinee (core::scrutineeDrop) and binds a fresh token, in scope for the rest of
//     the alternative; a constructor built in a token's cell has as many fields as the matched
//     one (verifyRc checks that each token is used once on every path).
#pragma once
#include <string>

#include "core/core.hpp"

namespace weir::core {

struct VerifyOptions {
  bool noLetRec = false;    // liftLetRec has run
  bool rcInserted = false;  // insertRc has run: Dup/Drop allowed, verifyRc checked
};

// True when p satisfies the rules above; otherwise false with the first problem in `error`.
bool verify(const Program& p, const VerifyOptions& options, std::string& error);

}  // namespace weir::core
