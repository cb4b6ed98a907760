// Record fields made raw after specialisation (record_fields.hpp).
#include "core/record_fields.hpp"

#include "core/repr.hpp"

namespace weir::core {

namespace {

bool isRecord(const std::string& con) { return con.rfind("{record}#", 0) == 0; }

}  // namespace

int rawRecordFields(Program& p) {
  int made = 0;
  if (ConLayout::switchedOff()) return made;
  for (bool changed = true; changed;) {
    changed = false;
    inferReps(p);
    for (auto& [con, stored] : storedReps(p, isRecord)) {
      const ConLayout* l = p.layout(con);
      const std::vector<Rep> before = l ? l->reps : std::vector<Rep>(stored.size(), Rep::Boxed);
      std::vector<Rep> reps = before;
      for (size_t k = 0; k < reps.size() && k < stored.size(); k++)
        if (reps[k] == Rep::Boxed) reps[k] = stored[k];
      ConLayout widened = ConLayout::of(std::move(reps));  // at most MAX_RAW raw words
      if (widened.reps == before) continue;
      for (size_t k = 0; k < before.size(); k++) made += before[k] != widened.reps[k];
      p.layouts[con] = std::move(widened);
      changed = true;
    }
  }
  inferReps(p, /*unbox=*/false);  // every parameter and result Boxed again, as before this pass
  return made;
}

}  // namespace weir::core
