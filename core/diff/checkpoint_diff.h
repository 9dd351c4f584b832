#pragma once
// Diff of two checkpoints: which tensors exist only on one side, which differ in shape or dtype,
// and per-tensor value metrics. Reads tensor data, bounded: plain tensors are compared straight
// from their mappings in chunks of at most kCompareChunkBytes; values that must be computed
// (dequantized weights, plan outputs) are produced one tensor, or one stacked expert, at a time,
// as the plan executor does.
//
// Modes:
//  * direct (default): tensors are matched by name. When exactly one side of a name is a
//    quantized weight (FP8 HF vs its BF16 export), that side is dequantized into the other side's
//    dtype (the HF -> HF plan's ops), and its scale tensor is not reported as only-in-A/B.
//  * map: A is converted through the plan A -> B's layout (dtype and FP8 re-quantization chosen to
//    match B) and every plan output present in B is compared with B's tensor. A faithful
//    conversion shows no difference. Source tensors the plan drops are listed in `dropped` with
//    the plan's reason and do not make the checkpoints differ.
// Tolerance: a value pair is over tolerance when |a - b| > atol + rtol * |a| (a = A); a tensor
// differs when any pair is (the default 0/0 means exact; NaN == NaN, +0 == -0). A shape or dtype
// mismatch always differs.

#include "core/checkpoint/checkpoint.h"
#include "core/kernel_backend.h"
#include "core/plan/conversion_plan.h"
#include "core/result.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ckpt {

class JobContext;

struct DiffOptions {
    double atol = 0.0;
    double rtol = 0.0;
    bool map = false;
    // Keep an entry for every compared tensor in DiffReport::tensors (GUI tables), not only the
    // differing ones.
    bool recordAll = false;
};

enum class DiffKind { Shape, Dtype, Values };
std::string_view diffKindName(DiffKind kind);  // "shape", "dtype", "values"

struct TensorDiff {
    std::string name;           // B's name (== A's, or the plan output's name in map mode)
    DiffKind kind = DiffKind::Values;
    bool differs = false;       // beyond tolerance, or a shape/dtype mismatch
    DType dtypeA = DType::F32, dtypeB = DType::F32;  // as compared (A after dequant/plan)
    std::vector<std::uint64_t> shapeA, shapeB;
    bool valuesCompared = false;  // false for shape mismatches and undecodable dtypes
    bool bytesEqual = false;      // fast path: identical bytes, metrics not decoded
    std::string via;            // "bytes", "values", "dequantized A", "dequantized B", "plan"
    ErrorMetrics metrics;       // a = A (the reference side)

    double maxAbs() const { return metrics.maxAbs; }
    double rmse() const { return metrics.rmse(); }
    double cosine() const { return metrics.cosine(); }
    // Relative L2 error ||a - b|| / ||a|| (0 when both are 0, +inf when only A is all zeros).
    double relativeError() const;
};

struct DiffReport {
    bool identical = true;      // no only-in-A/B names and no differing tensor
    std::uint64_t compared = 0; // tensors whose shapes/dtypes/values were compared
    std::vector<std::string> onlyInA, onlyInB;  // sorted
    std::vector<TensorDiff> differences;        // worst first: shape, dtype, then by max_abs
    std::vector<TensorDiff> tensors;            // every compared tensor (recordAll), by name
    std::vector<DroppedTensor> dropped;         // map mode: A's tensors the plan leaves out
    std::vector<std::string> warnings;          // map mode: the plan's warnings
};

// Errors: Io for unreadable data, Cancelled, PlanInvalid / UnknownFamily when the plan of A cannot
// be built (map mode), InvalidArgument for negative tolerances.
Result<DiffReport> diffCheckpoints(const Checkpoint& a, const Checkpoint& b, const DiffOptions& options,
                                   KernelBackend& backend, JobContext* job);

} // namespace ckpt
