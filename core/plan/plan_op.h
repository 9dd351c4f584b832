#pragma once
// One step of the small stack machine that produces an output tensor of a ConversionPlan.
//
// Evaluation model (what an executor must implement):
//   * Each PlanOutput carries an op list evaluated left to right over a stack of tensor values.
//     A value has a dtype and a shape; ops that compute (dequant, scale-absorb) yield F32, only
//     Cast and the quantize ops change the dtype otherwise.
//   * Read pushes a source tensor as stored (its on-disk dtype and shape), or with `index` only
//     element `index` of its axis 0 (a contiguous slab: shape without the first dimension), so
//     a stacked [E, ...] tensor is never loaded whole to produce one expert.
//   * DequantFp8Block / DequantFp4 pop a quantized weight, read their scale tensor themselves and
//     push the F32 result (fp4: logical shape, columns × 2).
//   * Transpose swaps two axes of the top value; Slice cuts [begin, end) of one axis; Concat pops
//     `count` values (pushed first = first in the result) and joins them along `axis`.
//   * ScaleAbsorb multiplies the top value by the scalar scale[index] of a 1-D scale tensor (Gemma4
//     per_expert_scale folded into one expert's down projection), in f32.
//   * Fill pushes a tensor of the output's shape and dtype filled with `value` (no source).
//   * Cast converts the top value to `dtype` (RNE on narrowing; integers convert exactly).
//   * QuantizeFp8Block / QuantizeFp4 pop a float value and push either the quantized weight or
//     its scale (`part`); the two outputs of one quantization share every op before the last,
//     so an executor may compute them together.
//   * Stack pops `count` values and stacks them along a new axis 0. It is only ever the last op,
//     and every element's sub-program ends with a Cast to the output dtype, so element i is
//     exactly the i-th contiguous slab of the output: an executor can stream, evaluating one
//     element at a time and writing it at offset i × (output bytes / count).
//   After the last op exactly one value remains; its dtype and shape equal the output's.

#include "core/dtype.h"

#include <cstdint>
#include <optional>
#include <string>

namespace ckpt {

enum class OpKind : std::uint8_t {
    Read,
    DequantFp8Block,
    DequantFp4,
    Transpose,
    Slice,
    Concat,
    Stack,
    ScaleAbsorb,
    Fill,
    Cast,
    QuantizeFp8Block,
    QuantizeFp4,
};

enum class QuantPart : std::uint8_t { Weight, Scale };

struct PlanOp {
    OpKind kind = OpKind::Read;
    std::string tensor;                  // Read: source; Dequant*: scale; ScaleAbsorb: scale vector
    std::optional<std::uint64_t> index;  // Read: element of axis 0; ScaleAbsorb: scale element
    std::uint32_t blockRows = 0;         // Dequant/QuantizeFp8Block: block rows (fp4: 1)
    std::uint32_t blockCols = 0;         // block columns (fp4: group size, 32)
    DType dtype = DType::F32;            // Cast: target; Dequant*/Quantize*: the scale's dtype
    std::uint32_t axis = 0;              // Transpose: first axis; Slice, Concat: the axis
    std::uint32_t axis2 = 0;             // Transpose: second axis
    std::uint64_t begin = 0, end = 0;    // Slice: [begin, end)
    std::uint32_t count = 0;             // Concat, Stack: number of popped values
    double value = 0.0;                  // Fill
    QuantPart part = QuantPart::Weight;  // Quantize*: which of the two results to push

    // The human/JSON spelling, e.g. "read layers.0.ffn.experts.3.w1.weight",
    // "dequant-fp8-block 128x128 scale=X.weight_scale_inv", "transpose 0,1", "stack axis=0 n=8".
    std::string describe() const;

    static PlanOp read(std::string tensor, std::optional<std::uint64_t> index = std::nullopt);
    static PlanOp dequantFp8Block(std::string scale, std::uint32_t rows, std::uint32_t cols,
                                  DType scaleDtype);
    static PlanOp dequantFp4(std::string scale, std::uint32_t group, DType scaleDtype);
    static PlanOp transpose(std::uint32_t a, std::uint32_t b);
    static PlanOp slice(std::uint32_t axis, std::uint64_t begin, std::uint64_t end);
    static PlanOp concat(std::uint32_t axis, std::uint32_t count);
    static PlanOp stack(std::uint32_t count);
    static PlanOp scaleAbsorb(std::string scale, std::uint64_t index);
    static PlanOp fill(double value);
    static PlanOp cast(DType dtype);
    static PlanOp quantizeFp8Block(std::uint32_t rows, std::uint32_t cols, DType scaleDtype,
                                   QuantPart part);
    static PlanOp quantizeFp4(std::uint32_t group, QuantPart part);
};

// "bf16", "f32", "i64": the lower-case spelling used in op strings.
std::string lowerDtypeName(DType dtype);

} // namespace ckpt
