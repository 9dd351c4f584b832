// Read-only whole-file mapping of a safetensors file. Mapping (rather than reading) lets the
// executor stream tensors of any size with the page cache doing the buffering, and lets the GUI
// open a 700 GB checkpoint without reading more than its headers.

#include "core/safetensors/safetensors_file.h"

#include "core/safetensors/header_internal.h"
#include "core/safetensors/posix_io.h"

#include <algorithm>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

namespace ckpt {
namespace {

std::uint64_t pageSize()
{
    static const std::uint64_t size = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    return size;
}

} // namespace

Result<std::shared_ptr<const SafetensorsFile>> SafetensorsFile::open(const std::string& path)
{
    auto fd = detail::openForReading(path);
    if (!fd) return fd.takeError();
    auto size = detail::regularFileSize(fd->get(), path);
    if (!size) return size.takeError();
    if (*size < 8) {
        const unsigned char none[8] = {};
        return detail::checkLengthPrefix(none, *size, path).takeError();
    }
    void* map = ::mmap(nullptr, *size, PROT_READ, MAP_PRIVATE, fd->get(), 0);
    if (map == MAP_FAILED) return detail::errnoError("cannot map", path);
    // Owned from here on, so every early return below unmaps.
    std::shared_ptr<SafetensorsFile> file(new SafetensorsFile);
    file->m_path = path;
    file->m_data = static_cast<const std::byte*>(map);
    file->m_size = *size;
    // The mapping keeps the file referenced; the descriptor is not needed any more.
    fd->reset();

    unsigned char prefix[8];
    std::memcpy(prefix, map, 8);
    auto n = detail::checkLengthPrefix(prefix, *size, path);
    if (!n) return n.takeError();
    const auto* json = reinterpret_cast<const char*>(file->m_data) + 8;
    auto header = parseSafetensorsHeader(std::span<const char>(json, *n), *size, DataCheck::Full,
                                         path);
    if (!header) return header.takeError();
    file->m_header = std::move(*header);
    return std::shared_ptr<const SafetensorsFile>(std::move(file));
}

SafetensorsFile::~SafetensorsFile()
{
    if (m_data) ::munmap(const_cast<std::byte*>(m_data), m_size);
}

std::span<const std::byte> SafetensorsFile::bytes(const TensorEntry& entry) const
{
    return range(m_header.dataStart + entry.begin, entry.nbytes());
}

std::span<const std::byte> SafetensorsFile::range(std::uint64_t absoluteOffset,
                                                  std::uint64_t length) const
{
    if (absoluteOffset > m_size || length > m_size - absoluteOffset) return {};
    return {m_data + absoluteOffset, static_cast<std::size_t>(length)};
}

void SafetensorsFile::prefetch(std::uint64_t absoluteOffset, std::uint64_t length) const
{
    if (absoluteOffset >= m_size || length == 0) return;
    const std::uint64_t end = absoluteOffset + std::min(length, m_size - absoluteOffset);
    // madvise needs a page-aligned start; widening the range only reads a little more ahead.
    const std::uint64_t first = absoluteOffset / pageSize() * pageSize();
    ::madvise(const_cast<std::byte*>(m_data) + first, end - first, MADV_WILLNEED);
}

void SafetensorsFile::release(std::uint64_t absoluteOffset, std::uint64_t length) const
{
    if (absoluteOffset >= m_size || length == 0) return;
    const std::uint64_t end = absoluteOffset + std::min(length, m_size - absoluteOffset);
    // Narrow to whole pages inside the range: a page shared with a neighbouring tensor may still
    // be in use. The last partial page of the file counts as whole, since nothing follows it.
    const std::uint64_t first = (absoluteOffset + pageSize() - 1) / pageSize() * pageSize();
    const std::uint64_t last = end == m_size ? end : end / pageSize() * pageSize();
    if (last <= first) return;
    // Dropping pages of a read-only private file mapping is safe: they are re-read on access.
    ::madvise(const_cast<std::byte*>(m_data) + first, last - first, MADV_DONTNEED);
}

} // namespace ckpt
