// Public entry points of header parsing: the prefix and start checks, the schema pass, the
// layout pass, and readSafetensorsHeader() which reads only the 8 + N header bytes.

#include "core/safetensors/header_internal.h"
#include "core/safetensors/json_cursor.h"
#include "core/safetensors/posix_io.h"
#include "core/safetensors/utf8.h"

namespace ckpt {

const TensorEntry* SafetensorsHeader::find(std::string_view name) const
{
    for (const TensorEntry& e : tensors)
        if (e.name == name) return &e;
    return nullptr;
}

namespace detail {

Result<std::uint64_t> checkLengthPrefix(const unsigned char (&prefix)[8], std::uint64_t fileSize,
                                        const std::string& file)
{
    if (fileSize < 8)
        return makeError(ErrorCode::FileTooSmall,
                         "file has " + std::to_string(fileSize) +
                             " bytes, fewer than the 8-byte header length",
                         file);
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | prefix[i];  // little-endian on any host
    if (n > kMaxHeaderBytes)
        return makeError(ErrorCode::HeaderTooLarge,
                         "header length " + std::to_string(n) + " exceeds the limit of " +
                             std::to_string(kMaxHeaderBytes) + " bytes",
                         file);
    if (n > fileSize - 8)
        return makeError(ErrorCode::HeaderPastEof,
                         "header of " + std::to_string(n) + " bytes does not fit in a file of " +
                             std::to_string(fileSize) + " bytes",
                         file);
    return n;
}

} // namespace detail

Result<SafetensorsHeader> parseSafetensorsHeader(std::span<const char> json, std::uint64_t fileSize,
                                                 DataCheck check, const std::string& fileForErrors)
{
    const std::string& file = fileForErrors;
    SafetensorsHeader header;
    header.headerLength = json.size();
    header.dataStart = 8 + json.size();
    std::optional<std::uint64_t> bufferLength;
    if (check == DataCheck::Full) {
        if (fileSize < header.dataStart)
            return makeError(ErrorCode::HeaderPastEof,
                             "header of " + std::to_string(json.size()) +
                                 " bytes does not fit in a file of " + std::to_string(fileSize) +
                                 " bytes",
                             file);
        bufferLength = fileSize - header.dataStart;
    }
    if (!detail::isValidUtf8(json))
        return makeError(ErrorCode::HeaderNotUtf8, "header is not valid UTF-8", file);
    // The official library rejects a header whose first byte is not '{' (no leading space).
    if (json.empty() || json[0] != '{')
        return makeError(ErrorCode::HeaderNotObject, "header does not start with '{'", file);
    if (Status parsed = detail::parseHeaderJson(json, header, file); !parsed) {
        // A schema error met before a syntax error further on: the document is not JSON at all,
        // and that is the more useful report.
        if (parsed.error().code != ErrorCode::HeaderInvalidJson && !detail::isValidJson(json))
            return makeError(ErrorCode::HeaderInvalidJson, "header is not valid JSON", file);
        return parsed.takeError();
    }
    CKPT_TRY(detail::checkLayout(header, bufferLength, file));
    return header;
}

Result<SafetensorsHeader> readSafetensorsHeader(const std::string& path, DataCheck check)
{
    auto fd = detail::openForReading(path);
    if (!fd) return fd.takeError();
    auto size = detail::regularFileSize(fd->get(), path);
    if (!size) return size.takeError();
    unsigned char prefix[8] = {};
    if (*size >= 8) CKPT_TRY(detail::preadExact(fd->get(), prefix, 8, 0, path));
    auto n = detail::checkLengthPrefix(prefix, *size, path);
    if (!n) return n.takeError();
    std::string json(*n, '\0');
    CKPT_TRY(detail::preadExact(fd->get(), json.data(), json.size(), 8, path));
    return parseSafetensorsHeader(json, *size, check, path);
}

} // namespace ckpt
