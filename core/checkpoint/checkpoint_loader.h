#pragma once
// Builds a Checkpoint (friend of it): resolves the shard list, reads the headers in parallel,
// checks the index against the shards, then detects family, layout and quant pairs.

#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/checkpoint_index.h"

#include <optional>

namespace ckpt {

class CheckpointLoader {
public:
    CheckpointLoader(std::string path, const OpenOptions& options);
    Result<std::shared_ptr<const Checkpoint>> load();

private:
    Status resolveFiles();
    Status resolveIndexedFolder(const std::string& indexPath);
    Status resolveBareFolder();
    Status readConfig();
    Status collectTensors(std::vector<SafetensorsHeader> headers);
    Status checkDuplicates() const;
    Status checkAgainstIndex() const;
    void detect();

    std::string m_path;
    OpenOptions m_options;
    std::shared_ptr<Checkpoint> m_ckpt;
    std::optional<CheckpointIndex> m_index;
};

} // namespace ckpt
