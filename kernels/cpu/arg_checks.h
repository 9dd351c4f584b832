#pragma once
// Argument validation shared by every backend, so CPU and CUDA reject the same calls with the
// same error codes (InvalidArgument for shapes/pointers, UnsupportedDtype for dtypes).

#include "core/kernel_backend.h"

namespace ckpt {

Status checkArgs(const Fp8BlockDequantArgs& a);
Status checkArgs(const Fp4DequantArgs& a);
Status checkArgs(const Fp8BlockQuantArgs& a);
Status checkArgs(const Fp4QuantArgs& a);
Status checkArgs(const CastArgs& a);
Status checkArgs(const TransposeArgs& a);
Status checkReduceInput(const void* data, DType dtype, std::uint64_t count);
// Also sizes hist.counts to spec.bins when it is empty (first call of a stream).
Status checkHistogram(Histogram& hist);

std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b);
std::uint32_t elementBytes(DType dt);  // whole-byte dtypes only

} // namespace ckpt
