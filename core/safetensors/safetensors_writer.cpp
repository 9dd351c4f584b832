// Streaming writer: header first, then the payload through one bounded buffer, into a temporary
// file that only finish() renames into place, so a crash or a cancelled job never leaves a
// plausible-looking but incomplete checkpoint shard under the final name.

#include "core/safetensors/safetensors_writer.h"

#include "core/safetensors/posix_io.h"
#include "core/safetensors/utf8.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <optional>
#include <unistd.h>
#include <unordered_set>

namespace ckpt {
namespace {

// Large enough that write(2) overhead vanishes, small enough to keep many writers in memory.
constexpr std::size_t kBufferBytes = std::size_t{8} << 20;

Result<std::vector<TensorEntry>> layOut(std::vector<DeclaredTensor> tensors,
                                        const std::string& file)
{
    std::vector<TensorEntry> entries;
    entries.reserve(tensors.size());
    std::unordered_set<std::string> names;
    std::uint64_t offset = 0;
    for (DeclaredTensor& t : tensors) {
        if (t.name == "__metadata__" || !detail::isValidUtf8(t.name))
            return makeError(ErrorCode::InvalidArgument, "tensor name is not usable", file, t.name);
        if (!names.insert(t.name).second)
            return makeError(ErrorCode::DuplicateTensor, "tensor declared twice", file, t.name);
        const auto numel = elementCount(t.shape);
        std::uint64_t bits = 0;
        if (!numel || __builtin_mul_overflow(*numel, std::uint64_t(dtypeBits(t.dtype)), &bits))
            return makeError(ErrorCode::ShapeOverflow, "tensor size overflows 64 bits", file,
                             t.name);
        if (bits % 8 != 0)
            return makeError(ErrorCode::SizeMismatch,
                             "element count is not a whole number of bytes", file, t.name);
        TensorEntry e{std::move(t.name), t.dtype, std::move(t.shape), offset, 0};
        if (__builtin_add_overflow(offset, bits / 8, &e.end))
            return makeError(ErrorCode::ShapeOverflow, "payload size overflows 64 bits", file,
                             e.name);
        offset = e.end;
        entries.push_back(std::move(e));
    }
    return entries;
}

Status checkMetadata(const std::map<std::string, std::string>& metadata, const std::string& file)
{
    for (const auto& [key, value] : metadata)
        if (!detail::isValidUtf8(key) || !detail::isValidUtf8(value))
            return makeError(ErrorCode::InvalidArgument,
                             "__metadata__ entries must be valid UTF-8", file);
    return {};
}

Status syncDirectoryOf(const std::string& path)
{
    std::string dir = std::filesystem::path(path).parent_path().string();
    if (dir.empty()) dir = ".";
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return detail::errnoError("cannot open directory " + dir + " to sync it", path);
    detail::UniqueFd owner(fd);
    // Some file systems cannot sync a directory (EINVAL); the rename is then as durable as it
    // gets there.
    if (::fsync(fd) != 0 && errno != EINVAL)
        return detail::errnoError("cannot sync directory " + dir, path);
    return {};
}

} // namespace

struct SafetensorsWriter::Impl {
    std::string finalPath;
    std::string tempPath;
    std::vector<TensorEntry> entries;
    std::uint64_t payload = 0;
    std::uint64_t written = 0;
    std::size_t cursor = 0;  // first tensor whose end lies beyond `written`
    detail::UniqueFd fd;
    std::vector<std::byte> buffer;
    std::size_t used = 0;
    bool tempExists = false;
    bool finished = false;
    bool aborted = false;
    std::optional<Error> failure;  // sticky: after a failed write the file is unusable

    Status write(const void* data, std::size_t length);
    Status flush();
    Status fail(Error error)
    {
        failure = error;
        return error;
    }
};

Status SafetensorsWriter::Impl::flush()
{
    if (used == 0) return {};
    Status s = detail::writeAll(fd.get(), buffer.data(), used, finalPath);
    used = 0;
    return s ? s : fail(s.takeError());
}

Status SafetensorsWriter::Impl::write(const void* data, std::size_t length)
{
    if (used + length > buffer.size()) {
        CKPT_TRY(flush());
        if (length >= buffer.size()) {  // no point copying a big chunk through the buffer
            Status s = detail::writeAll(fd.get(), data, length, finalPath);
            return s ? s : fail(s.takeError());
        }
    }
    std::memcpy(buffer.data() + used, data, length);
    used += length;
    return {};
}

Result<std::unique_ptr<SafetensorsWriter>> SafetensorsWriter::create(
    const std::string& finalPath, std::vector<DeclaredTensor> tensors,
    const std::map<std::string, std::string>& metadata)
{
    auto entries = layOut(std::move(tensors), finalPath);
    if (!entries) return entries.takeError();
    CKPT_TRY(checkMetadata(metadata, finalPath));
    const std::string header = serializeSafetensorsHeader(*entries, metadata);
    if (header.size() > kMaxHeaderBytes)
        return makeError(ErrorCode::HeaderTooLarge, "too many tensors for one header", finalPath);

    std::unique_ptr<SafetensorsWriter> w(new SafetensorsWriter);
    w->m = std::make_unique<Impl>();
    Impl& m = *w->m;
    m.finalPath = finalPath;
    m.tempPath = finalPath + ".ckpt-partial";
    m.entries = std::move(*entries);
    m.payload = m.entries.empty() ? 0 : m.entries.back().end;
    // A leftover partial file is ours (an interrupted run): replace it. Unlinking first and then
    // creating with O_EXCL also never writes through a symlink planted at that name.
    if (::unlink(m.tempPath.c_str()) != 0 && errno != ENOENT)
        return detail::errnoError("cannot remove stale " + m.tempPath, finalPath);
    int fd = -1;
    do {
        fd = ::open(m.tempPath.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return detail::errnoError("cannot create " + m.tempPath, finalPath);
    m.fd = detail::UniqueFd(fd);
    m.tempExists = true;

    const std::uint64_t fileSize = 8 + header.size() + m.payload;
    m.buffer.resize(static_cast<std::size_t>(std::min<std::uint64_t>(kBufferBytes, fileSize)));
    unsigned char prefix[8];
    for (int i = 0; i < 8; ++i) prefix[i] = static_cast<unsigned char>(header.size() >> (8 * i));
    CKPT_TRY(m.write(prefix, 8));
    CKPT_TRY(m.write(header.data(), header.size()));
    w->skipEmptyTensors();
    return w;
}

SafetensorsWriter::~SafetensorsWriter() { abort(); }

void SafetensorsWriter::skipEmptyTensors()
{
    while (m->cursor < m->entries.size() && m->entries[m->cursor].end <= m->written) ++m->cursor;
}

Status SafetensorsWriter::append(std::span<const std::byte> bytes)
{
    if (m->finished || m->aborted)
        return makeError(ErrorCode::Internal, "append() after finish() or abort()", m->finalPath);
    if (m->failure) return *m->failure;
    if (bytes.size() > m->payload - m->written)
        return makeError(ErrorCode::Internal,
                         "appending " + std::to_string(bytes.size()) + " bytes exceeds the " +
                             std::to_string(m->payload - m->written) +
                             " payload bytes still expected",
                         m->finalPath);
    CKPT_TRY(m->write(bytes.data(), bytes.size()));
    m->written += bytes.size();
    skipEmptyTensors();
    return {};
}

std::size_t SafetensorsWriter::currentTensor() const { return m->cursor; }
std::size_t SafetensorsWriter::tensorCount() const { return m->entries.size(); }
const std::vector<TensorEntry>& SafetensorsWriter::entries() const { return m->entries; }
std::uint64_t SafetensorsWriter::payloadBytes() const { return m->payload; }
std::uint64_t SafetensorsWriter::bytesWritten() const { return m->written; }
const std::string& SafetensorsWriter::finalPath() const { return m->finalPath; }
const std::string& SafetensorsWriter::temporaryPath() const { return m->tempPath; }

Status SafetensorsWriter::finish()
{
    if (m->finished || m->aborted)
        return makeError(ErrorCode::Internal, "finish() after finish() or abort()", m->finalPath);
    Status s = commit();
    if (!s && !m->finished) abort();  // a failed finish leaves neither file behind
    return s;
}

Status SafetensorsWriter::commit()
{
    if (m->failure) return *m->failure;
    if (m->written < m->payload) {
        const TensorEntry& missing = m->entries[m->cursor];
        return makeError(ErrorCode::Internal,
                         "finish() with " + std::to_string(m->payload - m->written) +
                             " payload bytes missing; tensor incomplete (" +
                             std::to_string(m->written - std::min(m->written, missing.begin)) +
                             " of " + std::to_string(missing.nbytes()) + " bytes)",
                         m->finalPath, missing.name);
    }
    CKPT_TRY(m->flush());
    int rc = 0;
    do {
        rc = ::fsync(m->fd.get());
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return detail::errnoError("cannot sync " + m->tempPath, m->finalPath);
    CKPT_TRY(detail::closeChecked(m->fd, m->finalPath));
    if (::rename(m->tempPath.c_str(), m->finalPath.c_str()) != 0)
        return detail::errnoError("cannot rename " + m->tempPath, m->finalPath);
    m->tempExists = false;
    m->finished = true;
    // The file is complete and in place; a failure to sync the directory is still reported
    // (the rename may not survive a crash) but leaves the file where it is.
    return syncDirectoryOf(m->finalPath);
}

void SafetensorsWriter::abort()
{
    if (!m || m->finished) return;
    m->fd.reset();
    if (m->tempExists) ::unlink(m->tempPath.c_str());
    m->tempExists = false;
    m->aborted = true;
}

} // namespace ckpt
