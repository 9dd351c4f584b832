#pragma once
// The options that shape a conversion plan, shared by `map` and `convert` so that `map` previews
// exactly the plan `convert` runs.

#include "cli/arg_parser.h"
#include "core/plan/conversion_plan.h"

namespace ckpt::cli {

// Option names this reads: --to, --dtype, --quantize, --max-shard-size, and the flag --skip-invalid.
Result<PlanOptions> planOptionsFromArgs(const ParsedArgs& args, const ArgSpec& spec);

} // namespace ckpt::cli
