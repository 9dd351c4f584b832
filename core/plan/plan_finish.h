#pragma once
// The passes that run after the adapters: FP8 export of HF outputs, and finishing (ordering,
// duplicate check, shard assignment, totals, file metadata).

#include "core/plan/family_adapter.h"

#include <string_view>

namespace ckpt {

// Replaces each 2-D float output whose name the rule accepts by an F8_E4M3 weight and its scale
// (two outputs sharing the same sub-program; plan_op.h).
void applyFp8Export(PlanContext& ctx, const Fp8ExportRule& rule);

// Sorts, checks that no two sources produce one output name (PlanInvalid) and that every
// source tensor was accounted for (Internal), assigns shards and fills totals and metadata.
Result<ConversionPlan> finishPlan(PlanContext& ctx);

// "layers.2.x" < "layers.10.x": digit runs compare as numbers.
bool naturalLess(std::string_view a, std::string_view b);

} // namespace ckpt
