#pragma once
// Everything a converted checkpoint folder holds besides its shards: the index, a config.json that
// matches the stored dtypes, the source's other files (tokenizer, generation config, ...), and an
// audit note of what was changed.

#include "core/dtype.h"
#include "core/result.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace ckpt {

struct ConfigChange {
    bool dequantized = false;   // quantized tensors were written as plain floats
    bool quantizedFp8 = false;  // outputs were re-quantized to FP8 e4m3 128x128
    std::uint32_t blockRows = 128, blockCols = 128;
    DType weightDtype = DType::BF16;  // dtype of the plain float weights written
};

// Returns the config to write. Removes quantization_config after dequantization (the original is
// kept in `auditOut`), writes a DeepSeek-style one after FP8 quantization, and sets torch_dtype
// (and text_config.torch_dtype when present) to the weight dtype.
nlohmann::json rewriteConfig(const nlohmann::json& source, const ConfigChange& change,
                             nlohmann::json& auditOut);

// model.safetensors.index.json: metadata.total_size exact (payload bytes), weight_map sorted.
Status writeIndexFile(const std::string& dstDir,
                      const std::vector<std::pair<std::string, std::string>>& weightMap,
                      std::uint64_t totalSize);

// Copies the source folder's other regular files (not shards, index, config.json, partial files or
// our journal) into dstDir. Returns the names copied. Existing files in dstDir are replaced only
// when `replace` (resume) is set.
Result<std::vector<std::string>> copyAuxiliaryFiles(const std::string& srcDir, const std::string& dstDir,
                                                    bool replace);

// "model-00001-of-00004.safetensors"
std::string shardFileName(std::uint32_t index, std::uint32_t count);

} // namespace ckpt
