#include "core/convert/destination_guard.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace ckpt {
namespace {

fs::path normalised(const fs::path& p)
{
    std::error_code ec;
    fs::path abs = fs::absolute(p, ec);
    fs::path canon = fs::weakly_canonical(ec ? p : abs, ec);
    return (ec ? abs : canon).lexically_normal();
}

// True when `inner` is `outer` or lies below it (component-wise, so /a/bc is not inside /a/b).
bool isWithin(const fs::path& inner, const fs::path& outer)
{
    auto i = inner.begin();
    for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
        if (o->empty()) continue;  // trailing separator
        if (i == inner.end() || *i != *o) return false;
    }
    return true;
}

} // namespace

Status checkDestination(const std::string& source, const std::string& destination, bool resume)
{
    std::error_code ec;
    fs::path src = normalised(source);
    if (fs::is_regular_file(src, ec)) src = src.parent_path();
    fs::path dst = normalised(destination);

    if (dst == src)
        return makeError(ErrorCode::DestinationInvalid, "the destination is the source folder", destination);
    if (isWithin(dst, src))
        return makeError(ErrorCode::DestinationInvalid, "the destination lies inside the source folder",
                         destination);
    if (isWithin(src, dst))
        return makeError(ErrorCode::DestinationInvalid, "the source lies inside the destination folder",
                         destination);
    if (!fs::exists(dst, ec)) return {};
    if (!fs::is_directory(dst, ec))
        return makeError(ErrorCode::DestinationInvalid, "the destination exists and is not a folder",
                         destination);
    const bool empty = fs::is_empty(dst, ec);
    if (ec) return makeError(ErrorCode::Io, "cannot list the destination: " + ec.message(), destination);
    if (empty) return {};
    if (!resume)
        return makeError(ErrorCode::DestinationInvalid,
                         "the destination is not empty (use --resume to finish an interrupted conversion)",
                         destination);
    if (!fs::exists(dst / kJournalFileName, ec))
        return makeError(ErrorCode::DestinationInvalid,
                         "--resume given but the destination holds no ckptscope journal; refusing to "
                         "write into a folder this tool did not create",
                         destination);
    return {};
}

} // namespace ckpt
