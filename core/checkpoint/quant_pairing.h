#pragma once
// Pairs each quantized weight with its scale tensor and infers the scheme and block shape,
// from header facts (names, dtypes, shapes) and config.json only.
//   DeepSeek V3:  X.weight F8_E4M3 + X.weight_scale_inv [ceil(r/b0), ceil(c/b1)]
//   DeepSeek V4:  X.weight F8_E4M3 + X.scale (or X.weight_scale_inv), same grid (F32/BF16/E8M0)
//                 X.weight I8 [out, in/2] + X.scale F8_E8M0 [out, in/32]  -> fp4_e2m1, block [1,32]
// Problems (weight without scale, wrong scale shape, orphan scale, block size that contradicts
// config.json) are collected, each naming the tensor; whether they are fatal is the caller's call.

#include "core/dtype.h"
#include "core/result.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ckpt {

struct TensorRef;

enum class QuantScheme { Fp8Block, Fp4E2m1 };
std::string_view quantSchemeName(QuantScheme scheme);  // "fp8_block", "fp4_e2m1"

struct QuantPair {
    std::string weight;
    std::string scale;
    QuantScheme scheme = QuantScheme::Fp8Block;
    std::uint32_t blockRows = 128;  // fp4: 1
    std::uint32_t blockCols = 128;  // fp4: 32
    DType weightDtype = DType::F8_E4M3;
    DType scaleDtype = DType::F32;
    std::vector<std::uint64_t> logicalShape;  // dequantized shape (fp4: columns × 2)
};

struct QuantPairing {
    std::vector<QuantPair> pairs;          // sorted by weight name
    std::vector<Error> problems;           // ScaleMissing, ScaleShapeMismatch, ScaleDtypeInvalid,
                                           // ConfigInvalid (block size contradicts config)
    std::vector<std::string> orphanScales; // scale tensors whose weight does not exist

    const QuantPair* findByWeight(std::string_view weight) const;
    bool isScale(std::string_view name) const;  // name is the scale of some pair
};

// `tensors` sorted by name. `config` may be null/empty. `files` (indexed by TensorRef::fileIndex)
// labels each problem's file field with the weight's shard; empty leaves it blank. `configFile`
// names config.json in problems about the config itself (a malformed weight_block_size).
QuantPairing pairQuantizedTensors(const std::vector<TensorRef>& tensors,
                                  const nlohmann::json& config,
                                  std::span<const std::string> files = {},
                                  const std::string& configFile = "config.json");

// Block shape declared by config.json's quantization_config.weight_block_size, if any
// (nullopt also when it is malformed: a list that is not two positive integers).
std::optional<std::pair<std::uint32_t, std::uint32_t>> configBlockSize(const nlohmann::json& config);

// The FP8 block-scale grid of a weight: leading dims kept, then [ceil(r/b0), ceil(c/b1)] over the
// last two (V3-1: 576x7168 with 128x128 -> [5, 56]). Empty for a weight with fewer than 2 dims
// or a zero block.
std::vector<std::uint64_t> scaleGridShape(const std::vector<std::uint64_t>& weightShape,
                                          std::uint32_t blockRows, std::uint32_t blockCols);

} // namespace ckpt
