#pragma once
// The JSON form of a plan, shared by `ckptscope-cli map --json` and the GUI's export. Required
// keys (DESIGN.md): {"outputs": [{"name","dtype","shape","sources","ops"}...], "dropped":
// [names...], "warnings": [...]}. Added keys: "family", "from", "to", "shards", "total_bytes",
// per output "shard" and "nbytes", "dropped_reasons" [{"name","reason"}] and "consumed" [names]
// with "consumed_reasons".

#include "core/plan/conversion_plan.h"

#include <nlohmann/json.hpp>

namespace ckpt {

nlohmann::json planToJson(const ConversionPlan& plan);

} // namespace ckpt
