#include "core/convert/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>
#include <vector>

namespace ckpt {
namespace {

constexpr const char* kTempSuffix = ".ckpt-partial";

Status writeAll(int fd, const char* data, std::size_t size, const std::string& path)
{
    while (size > 0) {
        ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return writeError(errno, path, "write");
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return {};
}

std::string parentOf(const std::string& path)
{
    auto parent = std::filesystem::path(path).parent_path();
    return parent.empty() ? std::string(".") : parent.string();
}

} // namespace

Error writeError(int err, const std::string& path, std::string_view what)
{
    if (err == ENOSPC || err == EDQUOT)
        return makeError(ErrorCode::DiskFull,
                         std::string("no space left on the device (") + std::string(what) + ")", path);
    return makeError(ErrorCode::Io, std::string(what) + " failed: " + std::strerror(err), path);
}

Status syncDirectory(const std::string& dir)
{
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return makeError(ErrorCode::Io, std::string("open failed: ") + std::strerror(errno), dir);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0 && err != EINVAL) return writeError(err, dir, "fsync");
    return {};
}

Status writeFileAtomically(const std::string& path, std::string_view contents)
{
    const std::string tmp = path + kTempSuffix;
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return writeError(errno, tmp, "create");
    Status st = writeAll(fd, contents.data(), contents.size(), tmp);
    if (st.ok() && ::fsync(fd) != 0) st = writeError(errno, tmp, "fsync");
    ::close(fd);
    if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) st = writeError(errno, path, "rename");
    if (!st.ok()) {
        ::unlink(tmp.c_str());
        return st;
    }
    return syncDirectory(parentOf(path));
}

Status copyFileAtomically(const std::string& from, const std::string& to, bool replace)
{
    std::error_code ec;
    if (!replace && std::filesystem::exists(to, ec))
        return makeError(ErrorCode::DestinationInvalid, "refusing to overwrite an existing file", to);
    int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) return makeError(ErrorCode::Io, std::string("open failed: ") + std::strerror(errno), from);
    const std::string tmp = to + kTempSuffix;
    int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        int err = errno;
        ::close(in);
        return writeError(err, tmp, "create");
    }
    std::vector<char> buf(1 << 20);
    Status st;
    for (;;) {
        ssize_t n = ::read(in, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { st = makeError(ErrorCode::Io, std::string("read failed: ") + std::strerror(errno), from); break; }
        if (n == 0) break;
        st = writeAll(out, buf.data(), static_cast<std::size_t>(n), tmp);
        if (!st.ok()) break;
    }
    if (st.ok() && ::fsync(out) != 0) st = writeError(errno, tmp, "fsync");
    ::close(in);
    ::close(out);
    if (st.ok() && ::rename(tmp.c_str(), to.c_str()) != 0) st = writeError(errno, to, "rename");
    if (!st.ok()) ::unlink(tmp.c_str());
    return st;
}

} // namespace ckpt
