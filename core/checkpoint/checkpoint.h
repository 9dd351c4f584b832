#pragma once
// A checkpoint on disk: a folder with model.safetensors.index.json + shards, a folder of
// *.safetensors without index, or one .safetensors file; plus config.json when present.
// Opening reads headers only (in parallel); tensor bytes are mapped lazily, file by file, so a
// 700 GB checkpoint opens in well under a second and nothing loads it into memory.

#include "core/checkpoint/family.h"
#include "core/checkpoint/quant_pairing.h"
#include "core/dtype.h"
#include "core/job_context.h"
#include "core/result.h"
#include "core/safetensors/safetensors_header.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ckpt {

class SafetensorsFile;

struct TensorRef {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::uint64_t> shape;
    std::uint32_t fileIndex = 0;  // into Checkpoint::files()
    std::uint64_t offset = 0;     // absolute byte offset in that file
    std::uint64_t nbytes = 0;
};

struct OpenOptions {
    // Accept files whose data is missing or truncated (header-only copies, sparse fixtures):
    // headers are validated but not against the file size. `map` and browsing use this.
    bool headerOnly = false;
    unsigned threads = 0;            // header parsing threads; 0 = hardware concurrency
    JobContext* job = nullptr;       // progress in files; cancellation
};

class Checkpoint {
public:
    static Result<std::shared_ptr<const Checkpoint>> open(const std::string& path,
                                                          const OpenOptions& options = {});

    const std::string& root() const { return m_root; }        // the folder (or the file's folder)
    const std::vector<std::string>& files() const { return m_files; }  // absolute shard paths
    const std::vector<TensorRef>& tensors() const { return m_tensors; } // sorted by name
    const TensorRef* find(std::string_view name) const;                 // binary search
    const std::string& fileOf(const TensorRef& t) const { return m_files[t.fileIndex]; }

    const nlohmann::json& config() const { return m_config; }  // {} when there is no config.json
    bool hasConfig() const { return m_hasConfig; }
    bool hasIndex() const { return m_hasIndex; }
    Family family() const { return m_family; }
    Layout layout() const { return m_layout; }
    std::uint64_t totalBytes() const { return m_totalBytes; }   // sum of tensor payloads
    const QuantPairing& quant() const { return m_quant; }
    const std::vector<std::string>& warnings() const { return m_warnings; }
    // __metadata__ of the first file (layout and family markers live there).
    const std::map<std::string, std::string>& metadata() const { return m_metadata; }

    // Maps the tensor's file on first use (thread-safe). Fails with Io for a header-only file
    // whose data is missing.
    Result<std::span<const std::byte>> tensorBytes(const TensorRef& tensor) const;
    Result<std::shared_ptr<const SafetensorsFile>> mappedFile(std::uint32_t fileIndex) const;
    // Lets the kernel drop the tensor's mapped pages once they are consumed, so that reading a
    // whole checkpoint does not leave it all counted in the process's memory.
    // `length` bytes from byte `from` of the tensor's data (one slab of a stacked tensor).
    void releasePages(const TensorRef& tensor, std::uint64_t from = 0, std::uint64_t length = ~0ull) const;

private:
    Checkpoint() = default;
    friend class CheckpointLoader;

    std::string m_root;
    std::vector<std::string> m_files;
    std::vector<TensorRef> m_tensors;
    nlohmann::json m_config = nlohmann::json::object();
    bool m_hasConfig = false;
    bool m_hasIndex = false;
    Family m_family = Family::Unknown;
    Layout m_layout = Layout::Hf;
    std::uint64_t m_totalBytes = 0;
    QuantPairing m_quant;
    std::vector<std::string> m_warnings;
    std::map<std::string, std::string> m_metadata;

    mutable std::mutex m_mapMutex;
    mutable std::vector<std::shared_ptr<const SafetensorsFile>> m_mapped;  // lazily filled
};

// Family from config.json (model_type / architectures / text_config), falling back to key
// patterns when there is no config. Layout from __metadata__ "ckptscope.layout" or key patterns
// (grouped experts => native).
Family detectFamily(const nlohmann::json& config, const std::vector<TensorRef>& tensors);
Layout detectLayout(const std::map<std::string, std::string>& metadata,
                    const std::vector<TensorRef>& tensors);

} // namespace ckpt
