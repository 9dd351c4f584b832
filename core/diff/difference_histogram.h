#pragma once
// Histogram of one tensor's element-wise differences A - B (the diff view's plot; `diff` itself
// only reports summary metrics). The pair is matched by name as the direct diff matches it: a
// quantized weight on one side only is dequantized into the other side's dtype first (the same
// OpEvaluator ops as diffCheckpoints), everything else is compared as stored. Plain tensors are
// streamed from their mappings in chunks of kDifferenceChunkElements: each chunk of both sides is
// decoded to f64 by KernelBackend::cast (integers widened here), subtracted in f64 (exact for
// every dtype up to F32, the difference of two F64s rounds once), and counted by
// KernelBackend::accumulateHistogram. A first pass gathers the finite range of the differences
// so the fixed bins span [min, max]; memory stays at two chunks of f64 whatever the tensor size.
// NaN differences (a NaN on either side, inf - inf) count in `nan`, infinite ones in `inf`;
// `zeros` counts equal elements.

#include "core/checkpoint/checkpoint.h"
#include "core/kernel_backend.h"

#include <cstdint>
#include <string>

namespace ckpt {

class JobContext;

inline constexpr std::uint64_t kDifferenceChunkElements = 1ull << 22;  // 32 MiB of f64 per side

struct DifferenceHistogramRequest {
    std::string tensor;        // present in both checkpoints under this name
    std::uint32_t bins = 128;
};

struct DifferenceHistogram {
    std::string tensor;
    std::string via;           // "values", "dequantized A" or "dequantized B"
    Histogram histogram;       // fixed bins over [min, max] of the finite differences
    double min = 0, max = 0;   // finite extremes of A - B (0 when there is none)
    std::uint64_t count = 0;   // element pairs counted
};

// Errors: InvalidArgument naming the tensor when it is missing on a side, when the (dequantized)
// shapes differ, or for a bin count outside 1..100000; UnsupportedDtype for dtypes no kernel
// decodes (F4, F6, FNUZ, complex); Io, Cancelled.
Result<DifferenceHistogram> differenceHistogram(const Checkpoint& a, const Checkpoint& b,
                                                const DifferenceHistogramRequest& request,
                                                KernelBackend& backend, JobContext* job);

} // namespace ckpt
