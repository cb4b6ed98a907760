// The memory and lateness metrics of keyed and windowed rules: bytes of keyed state and late
// values dropped by event-time windows, with their lines of the Prometheus text and of the
// shutdown summary (engine.cpp calls state_metrics_text and state_summary).
//
// What "bytes of keyed state" counts: for each key of a rule, the objects of the key's state
// graph (`keyed`: the state value; `windowed`: the values its windows hold, with their
// timestamps and bookkeeping), each object once per key at its allocated size (header, fields,
// string bytes, rounded up to 8 bytes as the allocator does); immortal objects (literals,
// small Ints, nullary constructors) cost nothing. A key's size is measured when its state
// changes (a message, a window timer) -- each time while it is under 4 kB, then once per
// (size / 4 kB) changes, so that measuring stays cheap -- and the rule's gauge is the sum over
// its live keys; an evicted or ended key's size is subtracted. Not counted: the per-key actor itself (its
// mailbox and stack) and the router's map entry, a fixed cost per key (docs/performance.md).
// Threading: the ccalls run on the key actor's worker, which owns the state it measures.
#include <cstdio>
#include <sstream>
#include <unordered_set>
#include <vector>

#include "engine.hpp"

extern "C" {
#include "../object/values.h"
}

namespace weir::rule {

std::uint64_t graph_bytes(const weir_obj* root) {
  std::vector<const weir_obj*> stack{root};
  std::unordered_set<const weir_obj*> seen;   // only objects with more than one reference
  std::uint64_t total = 0;
  auto round8 = [](std::uint64_t n) { return (n + 7) & ~std::uint64_t(7); };
  while (!stack.empty()) {
    const weir_obj* o = stack.back();
    stack.pop_back();
    if (!o) continue;
    int rc = __atomic_load_n(&o->rc, __ATOMIC_RELAXED);   // shared objects: counted atomically
    if (rc == 0) continue;                                 // immortal: costs the state nothing
    // One reference (plain 1, or shared -1): reached only this once. More: maybe reached before.
    if (rc != 1 && rc != -1 && !seen.insert(o).second) continue;
    switch (WEIR_KIND(o)) {
      case WEIR_CON: {
        const weir_con* c = (const weir_con*)o;
        unsigned words = o->nfields + WEIR_RAW_WORDS(o);
        total += WEIR_HEADER_SIZE + 8u * (words ? words : 1);
        for (unsigned i = 0; i < o->nfields; i++) stack.push_back(c->fields[i]);
        break;
      }
      case WEIR_CLOSURE: {
        const weir_closure* c = (const weir_closure*)o;
        total += WEIR_CLOSURE_HEADER_SIZE + 8u * c->ncaptured;
        for (std::uint32_t i = 0; i < c->ncaptured; i++) stack.push_back(c->captured[i]);
        break;
      }
      case WEIR_PAP: {
        const weir_pap* p = (const weir_pap*)o;
        total += 24u + 8u * p->nargs;
        stack.push_back(p->fn);
        for (std::uint32_t i = 0; i < p->nargs; i++) stack.push_back(p->args[i]);
        break;
      }
      case WEIR_STRING:
      case WEIR_BYTES:
        total += round8(16u + ((const weir_string*)o)->len + 1);
        break;
      case WEIR_EXTERNAL:
        total += 24;
        break;
      default:   // Int, Float, Char
        total += 16;
    }
  }
  return total;
}

namespace {

std::string rule_label(const Rule& r) {
  std::string esc;
  for (char c : r.name) {
    if (c == '"' || c == '\\') esc += '\\';
    esc += c;
  }
  return "{rule=\"" + esc + "\"}";
}

bool per_key(const Rule& r) { return r.kind == "keyed" || r.kind == "windowed"; }

}  // namespace

void state_metrics_text(std::ostringstream& o, Engine& e) {
  o << "# HELP weir_rule_state_bytes Bytes of keyed state of a keyed or windowed rule (all its keys; docs/rules.md).\n"
       "# TYPE weir_rule_state_bytes gauge\n";
  for (auto& r : e.rules) o << "weir_rule_state_bytes" << rule_label(*r) << " " << r->m.state_bytes.load() << "\n";
  o << "# HELP weir_rule_late_total Event-time values dropped because they came after their windows had fired.\n"
       "# TYPE weir_rule_late_total counter\n";
  for (auto& r : e.rules) o << "weir_rule_late_total" << rule_label(*r) << " " << r->m.late.load() << "\n";
}

std::string state_summary(Engine& e) {
  std::string out;
  for (auto& r : e.rules) {
    if (!per_key(*r)) continue;
    if (out.empty()) out = "keyed rule                               keys     late  state-bytes\n";
    char line[256];
    std::snprintf(line, sizeof line, "%-36s %8lld %8llu %12lld\n", r->name.substr(0, 36).c_str(),
                  (long long)r->m.keys.load(), (unsigned long long)r->m.late.load(),
                  (long long)r->m.state_bytes.load());
    out += line;
  }
  return out;
}

}  // namespace weir::rule

using namespace weir::rule;

extern "C" {

// A key's measurement, as the key actor keeps it (one Int, opaque to Weir): the size in bytes in
// the low 40 bits, the changes to let pass before the next walk above them.
constexpr int kCountdownShift = 40;
constexpr std::int64_t kSizeMask = (std::int64_t(1) << kCountdownShift) - 1;
// A state over this size is walked once per (size / kWalkEvery) changes, so the walks cost at
// most about kWalkEvery bytes' worth of objects per message (a few hundred objects).
constexpr std::int64_t kWalkEvery = 4096;

// Rule.weir: ruleStateBytes :: Int -> Int -> s -> IO Int -- rule, the key's measurement (0 for
// a new key), its state after a change: the next measurement. The rule's gauge moves by the
// difference when the state is walked (docs/rules.md: what is counted).
weir_obj* weir_rule_state_bytes(weir_obj* rule, weir_obj* token, weir_obj* state) {
  Rule* r = engine().rule(int(weir_take_int(rule)));
  std::int64_t t = weir_take_int(token);
  std::int64_t old = t & kSizeMask, countdown = t >> kCountdownShift;
  if (countdown > 0) {   // a large state, measured recently: not this time
    weir_drop(state);
    return weir_box_int(old | ((countdown - 1) << kCountdownShift));
  }
  std::int64_t now = std::int64_t(graph_bytes(state)) & kSizeMask;
  weir_drop(state);
  if (r && now != old) r->m.state_bytes.fetch_add(now - old, std::memory_order_relaxed);   // relaxed: a gauge
  std::int64_t next = now / kWalkEvery;
  if (next > (1 << 20)) next = 1 << 20;
  return weir_box_int(now | (next << kCountdownShift));
}

// Rule.weir: ruleStateGone :: Int -> Int -> IO () -- a key ended (evicted, the end of the
// input or of the program): its bytes leave the rule's gauge.
weir_obj* weir_rule_state_gone(weir_obj* rule, weir_obj* token) {
  Rule* r = engine().rule(int(weir_take_int(rule)));
  std::int64_t size = weir_take_int(token) & kSizeMask;
  if (r && size) r->m.state_bytes.fetch_sub(size, std::memory_order_relaxed);
  return WEIR_UNIT;
}

// Rule.weir: ruleLate :: Int -> IO () -- an event-time value came too late and was dropped.
weir_obj* weir_rule_late(weir_obj* rule) {
  if (Rule* r = engine().rule(int(weir_take_int(rule)))) r->m.late.fetch_add(1, std::memory_order_relaxed);
  return WEIR_UNIT;
}

}  // extern "C"
