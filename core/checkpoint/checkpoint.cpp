#include "core/checkpoint/checkpoint.h"

#include "core/checkpoint/checkpoint_loader.h"
#include "core/safetensors/safetensors_file.h"

#include <algorithm>

namespace ckpt {

Result<std::shared_ptr<const Checkpoint>> Checkpoint::open(const std::string& path,
                                                           const OpenOptions& options)
{
    try {
        return CheckpointLoader(path, options).load();
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::Io, "out of memory while opening the checkpoint", path);
    } catch (const std::exception& e) {
        // No exception crosses the core API (filesystem_error, json type errors...).
        return makeError(ErrorCode::Internal, std::string("unexpected failure: ") + e.what(), path);
    }
}

const TensorRef* Checkpoint::find(std::string_view name) const
{
    auto it = std::lower_bound(m_tensors.begin(), m_tensors.end(), name,
                               [](const TensorRef& t, std::string_view n) { return t.name < n; });
    return it != m_tensors.end() && it->name == name ? &*it : nullptr;
}

Result<std::shared_ptr<const SafetensorsFile>> Checkpoint::mappedFile(std::uint32_t fileIndex) const
{
    if (fileIndex >= m_files.size())
        return makeError(ErrorCode::Internal, "file index " + std::to_string(fileIndex) + " out of range");
    {
        std::lock_guard lock(m_mapMutex);
        if (m_mapped[fileIndex]) return m_mapped[fileIndex];
    }
    // Opened outside the lock so that readers of other files are not held up; if two threads race
    // for the same file, the first mapping stored wins and the other is dropped.
    auto file = SafetensorsFile::open(m_files[fileIndex]);
    if (!file) return file.takeError();
    std::lock_guard lock(m_mapMutex);
    if (!m_mapped[fileIndex]) m_mapped[fileIndex] = std::move(file.value());
    return m_mapped[fileIndex];
}

Result<std::span<const std::byte>> Checkpoint::tensorBytes(const TensorRef& tensor) const
{
    auto file = mappedFile(tensor.fileIndex);
    if (!file) return file.takeError();
    auto bytes = file.value()->range(tensor.offset, tensor.nbytes);
    if (bytes.size() != tensor.nbytes)
        return makeError(ErrorCode::Io, "tensor data lies outside the file", m_files[tensor.fileIndex],
                         tensor.name);
    return bytes;
}

void Checkpoint::releasePages(const TensorRef& tensor, std::uint64_t from, std::uint64_t length) const
{
    if (from >= tensor.nbytes) return;
    length = std::min(length, tensor.nbytes - from);
    if (auto file = mappedFile(tensor.fileIndex); file.ok()) file.value()->release(tensor.offset + from, length);
}

} // namespace ckpt
