#pragma once
// Pure data-movement ops of the executor: they never change a value's bits, only where it sits
// (transpose, slice, concat), plus exact integer casts. Float casts and dequantization go through
// the KernelBackend.

#include "core/convert/tensor_value.h"

namespace ckpt {

Result<TensorValue> transposeAxes(const TensorValue& in, std::uint32_t a, std::uint32_t b);
Result<TensorValue> sliceAxis(const TensorValue& in, std::uint32_t axis, std::uint64_t begin,
                              std::uint64_t end);
// Joins values of one dtype whose shapes agree except along `axis`.
Result<TensorValue> concatAxis(std::span<const TensorValue> parts, std::uint32_t axis);
// BOOL/U*/I* to another integer type; values that do not fit are an error (no silent wrap).
Result<TensorValue> castInteger(const TensorValue& in, DType to);

} // namespace ckpt
