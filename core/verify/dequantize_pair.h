#pragma once
// The dequantized value of one quantized weight, computed the way the HF -> HF plan computes it
// (read, dequant-fp8-block / dequant-fp4 with its scale, cast): diff, verify and hist all go
// through OpEvaluator, so what they measure is exactly what `convert` would write.

#include "core/checkpoint/quant_pairing.h"
#include "core/convert/op_evaluator.h"
#include "core/convert/tensor_value.h"
#include "core/plan/plan_op.h"

#include <vector>

namespace ckpt {

// Ops for `pair` producing `out` (BF16, F16 or F32; F32 = the exact f32 products, no cast).
std::vector<PlanOp> dequantOps(const QuantPair& pair, DType out);

// Evaluates dequantOps with `evaluator`; errors name the weight.
Result<TensorValue> dequantizePair(OpEvaluator& evaluator, const QuantPair& pair, DType out);

} // namespace ckpt
