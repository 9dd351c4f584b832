#pragma once
// A safetensors file opened read-only through mmap. The header is parsed and validated in full
// on open; tensor bytes are views into the mapping (no copies). Data may start at an unaligned
// offset (NeMo's consolidated writer does not pad): callers must not reinterpret_cast the bytes
// to wider types without checking alignment; memcpy or byte-wise decode instead.

#include "core/safetensors/safetensors_header.h"

#include <cstddef>
#include <memory>
#include <span>
#include <string>

namespace ckpt {

class SafetensorsFile {
public:
    static Result<std::shared_ptr<const SafetensorsFile>> open(const std::string& path);
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::string& path() const { return m_path; }
    const SafetensorsHeader& header() const { return m_header; }
    std::uint64_t fileSize() const { return m_size; }

    // Bytes of one tensor of this file's header.
    std::span<const std::byte> bytes(const TensorEntry& entry) const;
    // Raw view of [absoluteOffset, absoluteOffset + length) of the file; empty if out of range.
    std::span<const std::byte> range(std::uint64_t absoluteOffset, std::uint64_t length) const;

    // Advise the kernel about upcoming reads of a range (madvise WILLNEED). Not SEQUENTIAL: a
    // per-range advice splits the mapping's VMA, and readahead already handles streaming.
    void prefetch(std::uint64_t absoluteOffset, std::uint64_t length) const;
    // Let the kernel drop pages already consumed (madvise DONTNEED): keeps RSS bounded. Only
    // pages wholly inside the range are dropped, never a page shared with a neighbour.
    void release(std::uint64_t absoluteOffset, std::uint64_t length) const;

private:
    SafetensorsFile() = default;
    std::string m_path;
    SafetensorsHeader m_header;
    const std::byte* m_data = nullptr;  // whole-file mapping (MAP_PRIVATE, read-only)
    std::uint64_t m_size = 0;
};

} // namespace ckpt
