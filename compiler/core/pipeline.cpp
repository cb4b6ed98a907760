// The Core pass pipeline: the one list of passes, in order (see pipeline.hpp).
#include "core/pipeline.hpp"

#include <cstdlib>

#include "core/borrow.hpp"
#include "core/callsite.hpp"
#include "core/globals.hpp"
#include "core/ioarity.hpp"
#include "core/lift.hpp"
#include "core/peel.hpp"
#include "core/rc.hpp"
#include "core/record_fields.hpp"
#include "core/repr.hpp"
#include "core/reuse.hpp"
#include "core/simplify.hpp"
#include "core/specialise.hpp"
#include "core/trmc.hpp"
#include "core/verify.hpp"

namespace weir::core {

namespace {

bool inLibrary(const std::string& dir, const std::string& loc) { return loc.rfind(dir + "/", 0) == 0; }

const Pass* named(const std::vector<Pass>& list, const std::string& name) {
  for (auto& p : list)
    if (name == p.name) return &p;
  return nullptr;
}

}  // namespace

const std::vector<Pass>& passes() {
  // The order is the contract: each comment says what the pass needs from the ones before it.
  static const std::vector<Pass> list = {
      // Before pruning: the copies replace the generic functions, which then become unreachable.
      {"specialise", "copies of functions for the dictionaries and functions they are called with",
       [](Program& p, const PipelineOptions&) { specialise(p); }, true, "WEIR_SPECIALISE"},
      {"prune", "drops the functions and globals the entry point cannot reach",
       [](Program& p, const PipelineOptions&) { pruneUnreachable(p); }, false, nullptr},
      {"call-sites", "keeps the call sites of library functions that can fail, for their error messages",
       [](Program& p, const PipelineOptions& o) {
         if (!o.libraryDir.empty())
           markLibraryCallSites(p, [&](const std::string& l) { return inLibrary(o.libraryDir, l); });
       },
       false, nullptr},
      // Before the simplifier, which then inlines what the straight-line IO code calls.
      {"io-arity", "functions returning IO actions take the world token at once (straight-line IO)",
       [](Program& p, const PipelineOptions&) { ioArity(p); }, true, "WEIR_IO_ARITY"},
      // After call-sites (inlining gives a library failure its caller's location), before trmc
      // (which then sees the inlined code).
      {"simplify", "inlining, beta reduction, case-of-known-constructor, dead lets",
       [](Program& p, const PipelineOptions&) { simplify(p); }, true, "WEIR_SIMPLIFY"},
      {"trmc", "tail recursion modulo constructors: destination-passing workers",
       [](Program& p, const PipelineOptions&) { trmc(p); }, true, "WEIR_TRMC"},
      // Last of the optimisations: they may change what a global refers to.
      {"order-globals", "orders the globals so each is initialised after those it uses",
       [](Program& p, const PipelineOptions&) { orderGlobals(p); }, false, nullptr},
      // The back end's passes: what --emit=core-rc shows and codegen receives.
      {"lift-letrec", "local recursive functions become top-level functions",
       [](Program& p, const PipelineOptions&) { liftLetRec(p); }, false, nullptr},
      {"trmc-lifted", "trmc again, for the local functions just lifted",
       [](Program& p, const PipelineOptions&) { trmc(p); }, true, "WEIR_TRMC"},
      // After lift-letrec, which makes local walks top-level functions whose self-calls it sees;
      // before borrow and rc, which treat the peeled cases as any other Core.
      {"peel", "non-tail recursive calls answer the callee's cheap cases at the call site",
       [](Program& p, const PipelineOptions&) { peelBaseCases(p); }, true, "WEIR_PEEL"},
      // After specialisation, pruning and simplification, which leave only the copies of a
      // generalised record-building function that are called; before borrow, rc and unbox, which
      // read the layouts.
      {"record-fields", "record fields raw where every record built stores a raw value in them",
       [](Program& p, const PipelineOptions&) { rawRecordFields(p); }, true, "WEIR_RECORD_FIELDS"},
      {"borrow", "infers which parameters are borrowed (^v) rather than owned",
       [](Program& p, const PipelineOptions&) { inferBorrowed(p); }, true, "WEIR_BORROW"},
      {"rc", "inserts dup and drop (Perceus reference counting)",
       [](Program& p, const PipelineOptions&) { insertRc(p, /*inferBorrow=*/false); }, false, nullptr},
      {"unbox", "raw Int/Float/Char/Bool parameters and results where their uses allow it",
       [](Program& p, const PipelineOptions&) { inferReps(p); }, true, "WEIR_UNBOX",
       [](Program& p) { inferReps(p, /*unbox=*/false); }},
      // After rc, whose scrutinee drops it turns into drop-reuses.
      {"reuse", "a unique matched cell is rebuilt in place (Perceus reuse tokens)",
       [](Program& p, const PipelineOptions&) { insertReuse(p); }, true, "WEIR_REUSE"},
  };
  return list;
}

const Pass* findPass(const std::string& name) { return named(passes(), name); }

std::string passNames() {
  std::string s;
  for (auto& p : passes()) s += (s.empty() ? "" : ", ") + std::string(p.name);
  return s;
}

PipelineOptions PipelineOptions::fromEnvironment() {
  PipelineOptions o;
  for (auto& p : passes())
    if (const char* v = p.envSwitch ? std::getenv(p.envSwitch) : nullptr; v && std::string(v) == "0") o.off.insert(p.name);
  for (const char* var : {"WEIR_VERIFY_CORE", "WEIR_VERIFY_RC"})
    if (const char* v = std::getenv(var); v && *v && std::string(v) != "0") o.verify = true;
  return o;
}

// One run of the verifier, counted where the caller asked.
static bool verified(const Program& p, const VerifyOptions& vo, const PipelineOptions& o, std::string& error) {
  if (o.verified) ++*o.verified;
  return verify(p, vo, error);
}

bool runPasses(Program& p, const std::vector<Pass>& list, const PipelineOptions& o, std::string& error) {
  for (auto* opt : {&o.from, &o.after})
    if (!opt->empty() && !named(list, *opt)) {
      error = "there is no Core pass `" + *opt + "`";
      return false;
    }
  for (auto& name : o.off) {
    const Pass* q = named(list, name);
    if (!q || !q->switchable) {
      error = q ? "the Core pass `" + name + "` cannot be switched off" : "there is no Core pass `" + name + "`";
      return false;
    }
  }
  // What the verifier may expect: the invariants the passes before establish.
  auto establish = [](const Pass& pass, VerifyOptions& vo) {
    if (std::string(pass.name) == "lift-letrec") vo.noLetRec = true;
    if (std::string(pass.name) == "rc") vo.rcInserted = true;
  };
  VerifyOptions vo;
  bool running = false;
  for (auto& pass : list) {
    if (!running && (o.from.empty() || o.from == pass.name)) {
      running = true;
      if (o.verify && !verified(p, vo, o, error)) {
        error = std::string("before pass ") + pass.name + ": " + error;
        return false;
      }
    }
    if (running) {
      if (!o.off.count(pass.name)) pass.run(p, o);
      else if (pass.whenOff) pass.whenOff(p);
    }
    establish(pass, vo);
    if (running && o.verify && !verified(p, vo, o, error)) {
      error = std::string("after pass ") + pass.name + ": " + error;
      return false;
    }
    if (o.after == pass.name) break;
  }
  return true;
}

bool runPipeline(Program& p, const PipelineOptions& o, std::string& error) { return runPasses(p, passes(), o, error); }

}  // namespace weir::core
