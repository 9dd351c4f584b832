// Header-only demo shards: the real safetensors header, then ftruncate to the full size so the
// data is a hole. Opening, inspecting and mapping such a layout behaves like the real checkpoint
// (file sizes match the headers) while the disk holds only the headers.

#include "core/demo/demo_builder.h"

#include "core/safetensors/posix_io.h"
#include "core/safetensors/safetensors_header.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace ckpt::demo {

Status writeSparseShard(const std::string& path, const std::vector<DemoTensor>& tensors, std::size_t begin,
                        std::size_t end)
{
    std::vector<TensorEntry> entries;
    entries.reserve(end - begin);
    std::uint64_t offset = 0;
    for (std::size_t i = begin; i < end; ++i) {
        const DemoTensor& t = tensors[i];
        const auto bytes = byteSizeFor(t.dtype, t.shape);
        if (!bytes) return makeError(ErrorCode::ShapeOverflow, "tensor size overflows 64 bits", path, t.name);
        entries.push_back(TensorEntry{t.name, t.dtype, t.shape, offset, offset + *bytes});
        offset += *bytes;
    }
    const std::string header = serializeSafetensorsHeader(entries, {{"format", "pt"}});
    std::string prefix(8, '\0');
    for (int i = 0; i < 8; ++i) prefix[std::size_t(i)] = static_cast<char>((header.size() >> (8 * i)) & 0xff);

    const std::string temp = path + ".ckpt-partial";
    ::unlink(temp.c_str());
    const int raw = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (raw < 0) return detail::errnoError("cannot create " + temp, path);
    detail::UniqueFd fd(raw);
    Status st = detail::writeAll(fd.get(), prefix.data(), prefix.size(), path);
    if (st) st = detail::writeAll(fd.get(), header.data(), header.size(), path);
    if (st && ::ftruncate(fd.get(), off_t(8 + header.size() + offset)) != 0)
        st = detail::errnoError("cannot extend to the declared size", path);
    if (st) st = detail::closeChecked(fd, path);
    if (st && ::rename(temp.c_str(), path.c_str()) != 0) st = detail::errnoError("cannot rename " + temp, path);
    if (!st) ::unlink(temp.c_str());
    return st;
}

} // namespace ckpt::demo
