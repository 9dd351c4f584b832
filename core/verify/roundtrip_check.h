#pragma once
// quantize(dequantize(q)) round trip of one quantized weight: the dequantized f32 values are
// re-quantized with the same block shape and scale dtype by the kernels' quantizer, and the codes
// compared with the stored ones. Codes alone overstate a change: with power-of-two scales a block
// whose largest code is small comes back with half the scale and twice the codes, the same values
// (FP4 blocks with max code <= 3 do). So `mismatched` counts elements whose *value* changes
// (the re-quantized codes dequantized again, compared with the first dequantization; +0 == -0,
// NaN == NaN), and `codesChanged` the raw code differences. A checkpoint made by an amax/max-code
// quantizer (DeepSeek's) comes back value for value; other quantizers legitimately differ in some
// values, so mismatches warn, never fail.

#include "core/checkpoint/checkpoint.h"
#include "core/convert/tensor_value.h"
#include "core/kernel_backend.h"

#include <cstdint>
#include <string>

namespace ckpt {

struct RoundTripCheck {
    bool done = false;
    std::uint64_t codes = 0;       // codes compared (elements of the logical weight)
    std::uint64_t mismatched = 0;  // elements whose value differs after the round trip
    std::uint64_t codesChanged = 0;  // stored codes that differ from the re-quantized ones (±0 alike)
    std::string note;              // why it was not done, or an approximation made
    double rate() const { return codes ? static_cast<double>(mismatched) / static_cast<double>(codes) : 0.0; }
};

// `dequantized` is the pair's F32 value (logical shape).
Result<RoundTripCheck> roundTripCheck(KernelBackend& backend, const Checkpoint& checkpoint, const QuantPair& pair,
                                      const TensorValue& dequantized);

} // namespace ckpt
