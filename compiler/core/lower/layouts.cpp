// Constructor layouts (core::ConLayout): which fields of each constructor are raw words. A field
// whose declared type is Int, Float, Char or Bool is raw in every value of its type, whatever
// the type's parameters are instantiated to: the layout is the constructor's, not the use's.
#include "core/lower/lowerer.hpp"

namespace weir::lower {

namespace {

// Modules whose data types the C runtime builds or reads field by field (runtime/rule/
// engine.cpp, props.cpp, bridge.cpp, replay.cpp, testing.cpp; runtime/sched/lang.c): they keep
// every field a pointer, as that C code expects.
bool runtimeBuildsIts(const std::string& type) {
  for (const char* m : {"Mqtt.", "Rule.", "Actor.", "Test.", "Time."})
    if (type.rfind(m, 0) == 0) return true;
  return false;
}

}  // namespace

core::Rep Lowerer::scalarRep(types::TypeP t) {
  if (!t) return core::Rep::Boxed;
  t = types::prune(t);
  if (t->kind != types::Type::Con) return core::Rep::Boxed;
  if (t->name == types::kInt) return core::Rep::Int;
  if (t->name == types::kFloat) return core::Rep::Float;
  if (t->name == types::kChar) return core::Rep::Char;
  if (t->name == types::kBool) return core::Rep::Bool;
  return core::Rep::Boxed;
}

void Lowerer::collectLayouts() {  // none with WEIR_RAW_FIELDS=0 (ConLayout::switchedOff)
  if (core::ConLayout::switchedOff()) return;
  for (auto& [name, ci] : checked.cons) {
    auto d = checked.datas.find(ci.type);
    if (ci.arity == 0 || d == checked.datas.end() || d->second.isNewtype || d->second.builtin) continue;
    if (runtimeBuildsIts(ci.type)) continue;
    std::vector<core::Rep> reps;
    types::TypeP t = ci.scheme.type, from, to;
    bool any = false;
    while (types::isFun(t, &from, &to) && reps.size() < static_cast<size_t>(ci.arity)) {
      reps.push_back(scalarRep(from));
      any = any || reps.back() != core::Rep::Boxed;
      t = to;
    }
    if (!any || reps.size() != static_cast<size_t>(ci.arity)) continue;
    prog.layouts[name] = core::ConLayout::of(std::move(reps));
  }
}

}  // namespace weir::lower
