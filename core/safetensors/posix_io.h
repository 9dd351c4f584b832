#pragma once
// Thin POSIX helpers shared by the safetensors reader and writer: an owning file descriptor and
// loops that finish reads and writes across EINTR and short transfers, with errno turned into an
// Error naming the file (ENOSPC / EDQUOT become DiskFull).

#include "core/result.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace ckpt::detail {

class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : m_fd(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : m_fd(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }
    int release();
    void reset();  // closes, ignoring errors (use closeChecked() where they matter)

private:
    int m_fd = -1;
};

// Error from the current errno: "<what>: <strerror>" with code Io, or DiskFull for ENOSPC/EDQUOT.
Error errnoError(const std::string& what, const std::string& file);
Error errnoError(int errnum, const std::string& what, const std::string& file);

Result<UniqueFd> openForReading(const std::string& path);
// fstat size of a regular file; an Io error for directories, devices and the like.
Result<std::uint64_t> regularFileSize(int fd, const std::string& path);
// Reads exactly `length` bytes at `offset`; a premature end of file is an Io error.
Status preadExact(int fd, void* buffer, std::size_t length, std::uint64_t offset,
                  const std::string& path);
// Writes all `length` bytes at the current position.
Status writeAll(int fd, const void* data, std::size_t length, const std::string& path);
// close() whose error is reported: on NFS a failed write can first show up here.
Status closeChecked(UniqueFd& fd, const std::string& path);

} // namespace ckpt::detail
