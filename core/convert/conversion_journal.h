#pragma once
// The journal a conversion keeps in DST (.ckptscope-convert.json). It names the plan it belongs
// to (a fingerprint of the plan and of the source headers) and every output shard that was
// completely written, fsync'd and renamed. --resume trusts exactly those shards (after checking
// their sizes) and redoes everything else, so a resumed run gives byte-identical output.

#include "core/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ckpt {

struct FinishedShard {
    std::string file;        // name inside DST
    std::uint64_t bytes = 0; // file size when it was finished
};

class ConversionJournal {
public:
    // A new journal for a fresh run (written at once, so DST is recognisable as ours).
    static Result<ConversionJournal> create(const std::string& dstDir, std::string fingerprint,
                                            std::string source);
    // Loads the journal of an interrupted run; fails when it belongs to another plan/source.
    static Result<ConversionJournal> resume(const std::string& dstDir, const std::string& fingerprint);

    bool isFinished(const std::string& file) const;
    Status markFinished(const std::string& file, std::uint64_t bytes);  // durable before return
    Status markComplete();                                              // whole job done
    bool complete() const { return m_complete; }
    const std::vector<FinishedShard>& finished() const { return m_finished; }
    const std::string& path() const { return m_path; }

private:
    Status save() const;
    std::string m_path;
    std::string m_fingerprint;
    std::string m_source;
    std::vector<FinishedShard> m_finished;
    bool m_complete = false;
};

// 64-bit FNV-1a as 16 hex digits: a stable fingerprint, not a security hash.
std::string fingerprintOf(std::string_view text);

} // namespace ckpt
