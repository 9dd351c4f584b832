#pragma once
// Sanity of one quantized weight's scale tensor. Scales are decoded with the scheme's own rule
// (FP8 block: F32/BF16 values or OCP E8M0 where 0xFF is NaN; FP4: DeepSeek V4 E8M0 where byte 0
// is 0.0 and 0xFF is +inf). Scale tensors are small (1/16384 of an FP8 weight, 1/32 of an FP4
// one), so the whole tensor is decoded at once.

#include "core/checkpoint/checkpoint.h"

#include <cstdint>
#include <string>

namespace ckpt {

// A scale whose log2 is more than this many binades from the tensor's median log2 scale is an
// outlier: real block scales of one weight span a few binades; 16 (a factor of 65536) only
// happens through corruption or a block of (near) zeros.
inline constexpr double kDefaultOutlierLog2 = 16.0;

struct ScaleCheck {
    std::uint64_t count = 0;        // scales checked (FP4 padding columns excluded)
    std::uint64_t zero = 0, inf = 0, nan = 0, negative = 0, outliers = 0;
    double medianLog2 = 0;          // over finite positive scales
    std::string firstProblem;       // e.g. "scale[1, 0] = 0" for the first bad or outlier scale

    bool invalid() const { return zero + inf + nan + negative > 0; }  // makes a tensor fail
};

Result<ScaleCheck> checkScales(const Checkpoint& checkpoint, const QuantPair& pair,
                               double outlierLog2 = kDefaultOutlierLog2);

} // namespace ckpt
