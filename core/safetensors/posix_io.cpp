#include "core/safetensors/posix_io.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ckpt::detail {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept
{
    if (this != &other) {
        reset();
        m_fd = other.release();
    }
    return *this;
}

int UniqueFd::release()
{
    const int fd = m_fd;
    m_fd = -1;
    return fd;
}

void UniqueFd::reset()
{
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
}

Error errnoError(int errnum, const std::string& what, const std::string& file)
{
    const bool full = errnum == ENOSPC || errnum == EDQUOT;
    return makeError(full ? ErrorCode::DiskFull : ErrorCode::Io,
                     what + ": " + std::strerror(errnum), file);
}

Error errnoError(const std::string& what, const std::string& file)
{
    return errnoError(errno, what, file);
}

Result<UniqueFd> openForReading(const std::string& path)
{
    int fd = -1;
    do {
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return errnoError("cannot open for reading", path);
    return UniqueFd(fd);
}

Result<std::uint64_t> regularFileSize(int fd, const std::string& path)
{
    struct stat st {};
    if (::fstat(fd, &st) != 0) return errnoError("cannot stat", path);
    if (!S_ISREG(st.st_mode))
        return makeError(ErrorCode::Io, "not a regular file", path);
    return static_cast<std::uint64_t>(st.st_size);
}

Status preadExact(int fd, void* buffer, std::size_t length, std::uint64_t offset,
                  const std::string& path)
{
    auto* out = static_cast<char*>(buffer);
    while (length > 0) {
        const ssize_t got = ::pread(fd, out, length, static_cast<off_t>(offset));
        if (got < 0) {
            if (errno == EINTR) continue;
            return errnoError("read failed", path);
        }
        if (got == 0)
            return makeError(ErrorCode::Io, "unexpected end of file while reading", path);
        out += got;
        length -= static_cast<std::size_t>(got);
        offset += static_cast<std::uint64_t>(got);
    }
    return {};
}

Status writeAll(int fd, const void* data, std::size_t length, const std::string& path)
{
    const auto* in = static_cast<const char*>(data);
    while (length > 0) {
        const ssize_t put = ::write(fd, in, length);
        if (put < 0) {
            if (errno == EINTR) continue;
            return errnoError("write failed", path);
        }
        // A short write is not an error by itself; the next write() reports why (e.g. ENOSPC).
        in += put;
        length -= static_cast<std::size_t>(put);
    }
    return {};
}

Status closeChecked(UniqueFd& fd, const std::string& path)
{
    // No EINTR retry: on Linux the descriptor is released even when close() reports EINTR.
    if (::close(fd.release()) != 0 && errno != EINTR) return errnoError("close failed", path);
    return {};
}

} // namespace ckpt::detail
