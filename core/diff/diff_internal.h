#pragma once
// Shared between the two diff modes (diff_direct.cpp, diff_map.cpp); not part of the API.

#include "core/diff/checkpoint_diff.h"
#include "core/diff/value_compare.h"

namespace ckpt::diff_detail {

Result<DiffReport> diffDirect(const Checkpoint& a, const Checkpoint& b, const DiffOptions& options,
                              KernelBackend& backend, JobContext* job);
Result<DiffReport> diffMapped(const Checkpoint& a, const Checkpoint& b, const DiffOptions& options,
                              KernelBackend& backend, JobContext* job);

// Decides `differs` from the kind and the metrics, then files the entry (differences and/or
// tensors) and counts it as compared.
void addEntry(DiffReport& report, TensorDiff entry, const DiffOptions& options);
// Sorts the lists (worst first) and sets `identical`.
void finishReport(DiffReport& report);

bool isPlainFloat(DType dtype);  // BF16, F16, F32: dtypes a dequantization can produce

} // namespace ckpt::diff_detail
