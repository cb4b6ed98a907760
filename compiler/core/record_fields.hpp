// Record fields made raw after specialisation: the pipeline's pass "record-fields" (after peel,
// before borrow).
//
// The lowering lays a record shape's field out as a raw word where the type of every record of
// that shape it builds says the field is an Int (Float, Char, Bool) (core/lower/records.cpp). A
// literal in a generalised local function has a type variable there instead --
//     record m r = M.insertWith merge r.device first m
//       where merge new old = { count = old.count + 1, total = old.total + new.total, ... }
// (`merge` has no signature, so `total` is any Num) -- and keeps the field a pointer in every
// record of the shape, though after specialisation the only copy of `merge` left stores Ints.
//
// This pass makes such a field raw when every record of the shape the program still builds
// stores in it a value the representation inference (core/repr.hpp: storedReps) proves raw of
// one kind, or the same field read back (an update that keeps it). It repeats while a field
// changes: a raw field's reads are raw values, which other records may store. The parameter and
// result representations it computes on the way are cleared: the pass "unbox" decides them.
// Switched off (--pass-off=record-fields, WEIR_RECORD_FIELDS=0), the lowering's layouts stay;
// with WEIR_RAW_FIELDS=0 (every field a pointer) it does nothing either.
#pragma once
#include "core/core.hpp"

namespace weir::core {

// Widens Program::layouts of the record constructors (`{record}#N`); returns the number of
// fields made raw.
int rawRecordFields(Program& p);

}  // namespace weir::core
