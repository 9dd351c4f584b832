#pragma once
// Collects a demo checkpoint's tensors (name, dtype, shape and how to fill them) and its JSON
// files, then writes it like a real HF release: shards in declaration order, an index,
// config.json and the side files a model folder carries. Family builders only declare.

#include "core/dtype.h"
#include "core/job_context.h"
#include "core/result.h"

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ckpt::demo {

using Shape = std::vector<std::uint64_t>;

enum class FillKind { Normal, Fp8Weight, Fp8Scale, Fp4Weight, Fp4Scale, ExpertTable };

struct Fill {
    FillKind kind = FillKind::Normal;
    float mean = 0.0f;
    float stddev = 0.02f;
    std::string seed;        // quantized pairs share their weight's name, so scale and data agree
    DType scaleDtype = DType::F32;  // Fp8*: F32, BF16 or F8_E8M0
    Shape logical;           // Fp8*/Fp4*: the unquantized [rows, cols]
    std::uint32_t topK = 0, experts = 0;  // ExpertTable
};

struct DemoTensor {
    std::string name;
    DType dtype = DType::BF16;
    Shape shape;
    Fill fill;
};

class DemoBuilder {
public:
    // Plain float tensor N(mean, stddev²) in dtype (BF16, F16 or F32).
    void add(const std::string& name, DType dtype, Shape shape, float mean, float stddev);
    // Weights ~N(0, stddev²) block-quantized to F8_E4M3 [rows, cols] + scale tensor `scaleName`
    // (128x128 grid) of scaleDtype.
    void addFp8(const std::string& weightName, const std::string& scaleName, std::uint64_t rows,
                std::uint64_t cols, DType scaleDtype, float stddev = 0.02f);
    // Weights ~N(0, stddev²) as V4 FP4: I8 [rows, cols/2] + F8_E8M0 `scaleName` [rows, cols/32].
    void addFp4(const std::string& weightName, const std::string& scaleName, std::uint64_t rows,
                std::uint64_t cols, float stddev = 0.02f);
    // I32 [rows, topK] of distinct expert ids (V4 hash-layer tid2eid).
    void addExpertTable(const std::string& name, std::uint64_t rows, std::uint32_t topK,
                        std::uint32_t experts);

    nlohmann::json& config() { return m_config; }
    nlohmann::json& generationConfig() { return m_generationConfig; }
    void setShardCount(std::size_t shards) { m_shards = shards; }
    // Ends the current shard after the tensors declared so far (real releases that put one
    // layer per shard); when used, it replaces the byte-balanced split of setShardCount().
    void endShard() { m_shardEnds.push_back(m_tensors.size()); }
    // Real headers, data left as holes (ftruncate): full-scale layouts without the disk.
    void setHeadersOnly(bool headersOnly) { m_headersOnly = headersOnly; }
    const std::vector<DemoTensor>& tensors() const { return m_tensors; }

    // Writes into the existing, empty folder `dst`. Removes what it wrote on failure/cancel.
    Status write(const std::string& dst, JobContext* job) const;

private:
    Status writeShards(const std::string& dst, JobContext* job, std::vector<std::string>& written) const;
    Status writeSideFiles(const std::string& dst, std::vector<std::string>& written) const;

    std::vector<DemoTensor> m_tensors;
    nlohmann::json m_config = nlohmann::json::object();
    nlohmann::json m_generationConfig = nlohmann::json::object();
    std::size_t m_shards = 3;
    std::vector<std::size_t> m_shardEnds;
    bool m_headersOnly = false;
    // Filled by writeShards: tensor name -> shard file, for the index.
    mutable nlohmann::json m_weightMap = nlohmann::json::object();
    mutable std::uint64_t m_totalSize = 0;
};

// Quantizing produces weight and scale together; the one not asked for is kept here so that the
// pair's second tensor (declared right after the first) is not quantized again.
struct QuantCache {
    std::string seed;
    FillKind kind = FillKind::Normal;  // which tensor `bytes` belongs to
    std::vector<std::byte> bytes;
};

// Writes a safetensors file whose header declares `tensors` and whose data is a hole of the
// right size (sparse), via a temporary name and rename like SafetensorsWriter.
Status writeSparseShard(const std::string& path, const std::vector<DemoTensor>& tensors,
                        std::size_t begin, std::size_t end);

// The bytes of one demo tensor (exposed for tests). `cache` may be null.
std::vector<std::byte> generateTensorBytes(const DemoTensor& tensor, QuantCache* cache = nullptr);

} // namespace ckpt::demo
