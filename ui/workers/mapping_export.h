#pragma once
// Writing the mapping preview to disk: JSON is core's planToJson (the same document as
// `ckptscope-cli map --json`); CSV has one line per output, dropped and consumed tensor with
// every source key listed (separated by ';'). Files are written atomically.

#include "core/plan/conversion_plan.h"

#include <string>

namespace ckpt::ui {

std::string mappingCsv(const ConversionPlan& plan);
// Format from the extension: ".json" -> JSON, anything else -> CSV.
Status exportMapping(const ConversionPlan& plan, const std::string& path);

} // namespace ckpt::ui
