#pragma once
// Deterministic values for demo tensors, and the real block quantizers that turn them into the
// on-disk FP8 / FP4 layouts (so dequantized demo weights are meaningful, not noise).
// Every tensor's values depend only on its seed name, never on generation order, so sharding
// or the family builder's declaration order cannot change the bytes.

#include "core/dtype.h"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace ckpt::demo {

// Gaussian values N(mean, stddev²) from a PRNG seeded by `seed` (a tensor name).
std::vector<float> normalValues(std::string_view seed, std::size_t count, float mean, float stddev);

// Plain float tensor bytes (little endian) of `dtype` (BF16, F16 or F32), RNE from f32.
std::vector<std::byte> encodeFloats(const std::vector<float>& values, DType dtype);

// FP8 block quantization of a [rows, cols] f32 matrix: per blockRows x blockCols block (edge
// blocks partial) the scale of numeric::fp8BlockScale (amax / 448, a power of two for F8_E8M0;
// a BF16 scale is rounded first and used as stored). Weight bytes = e4m3(RNE(x / s)).
struct Fp8Quantized {
    std::vector<std::byte> weight;  // F8_E4M3 [rows, cols]
    std::vector<std::byte> scale;   // scaleDtype [ceil(rows/br), ceil(cols/bc)]
};
Fp8Quantized quantizeFp8Block(const std::vector<float>& values, std::uint64_t rows, std::uint64_t cols,
                               std::uint32_t blockRows, std::uint32_t blockCols, DType scaleDtype);

// DeepSeek V4 FP4 experts: per row and 32 columns the E8M0 scale of numeric::fp4GroupScale
// (smallest 2^k >= amax / 6); codes e2m1(RNE(x / s)) packed two per byte, low nibble first.
struct Fp4Quantized {
    std::vector<std::byte> packed;  // I8 [rows, cols/2]
    std::vector<std::byte> scale;   // F8_E8M0 [rows, cols/32]
};
Fp4Quantized quantizeFp4(const std::vector<float>& values, std::uint64_t rows, std::uint64_t cols);

// V4 hash-layer routing table: `rows` tokens × `topK` distinct expert ids in [0, experts), I32.
std::vector<std::byte> expertTable(std::string_view seed, std::uint64_t rows, std::uint32_t topK,
                                   std::uint32_t experts);

} // namespace ckpt::demo
