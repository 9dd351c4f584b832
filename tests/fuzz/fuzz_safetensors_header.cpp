// Fuzzes the strict safetensors header parser with both DataCheck modes. Checked beyond "no crash, no leak, no UB":
//  * Full is stricter than HeaderOnly: what HeaderOnly rejects, Full rejects;
//  * an accepted header's data length is exact: Full accepts a file of exactly 8 + N + dataLength
//    bytes, reports trailing bytes for one more and a tensor past the end for one fewer;
//  * serialising an accepted header and parsing the result gives the same tensors and metadata;
//  * every error carries the file name it was given.
#include "tests/fuzz/fuzz_support.h"

#include "core/safetensors/safetensors_header.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

using namespace ckpt;

namespace {

const std::string kFile = "fuzz.safetensors";

std::string describe(const TensorEntry& e)
{
    std::string s = e.name + " " + std::string(dtypeName(e.dtype)) + " [";
    for (auto d : e.shape) s += std::to_string(d) + ",";
    return s + "] " + std::to_string(e.begin) + ".." + std::to_string(e.end);
}

void checkError(const Error& e)
{
    FUZZ_CHECK(e.file == kFile, "error without the file: " + e.toString());
    FUZZ_CHECK(!e.message.empty(), "error without a message: " + e.toString());
}

void checkSameHeader(const SafetensorsHeader& a, const SafetensorsHeader& b)
{
    FUZZ_CHECK(a.tensors.size() == b.tensors.size(), "tensor count changed by the round trip");
    for (std::size_t i = 0; i < a.tensors.size(); ++i) {
        const TensorEntry& x = a.tensors[i];
        const TensorEntry& y = b.tensors[i];
        const bool same = x.name == y.name && x.dtype == y.dtype && x.shape == y.shape &&
                          x.begin == y.begin && x.end == y.end;
        FUZZ_CHECK(same, describe(x) + " came back as " + describe(y));
    }
    FUZZ_CHECK(a.metadata == b.metadata, "metadata changed by the round trip");
    FUZZ_CHECK(a.dataLength == b.dataLength, "data length changed by the round trip");
}

void checkAccepted(std::span<const char> json, const SafetensorsHeader& h)
{
    FUZZ_CHECK(h.headerLength == json.size() && h.dataStart == 8 + json.size(), "header length");
    std::uint64_t end = 0;
    for (const TensorEntry& e : h.tensors) {
        FUZZ_CHECK(e.begin == end, "accepted a header that does not tile: " + describe(e));
        FUZZ_CHECK(e.begin <= e.end, "begin after end: " + describe(e));
        const auto bytes = byteSizeFor(e.dtype, e.shape);
        FUZZ_CHECK(bytes && *bytes == e.nbytes(), "accepted a size mismatch: " + describe(e));
        end = e.end;
    }
    FUZZ_CHECK(end == h.dataLength, "dataLength is not the last end");

    const std::uint64_t exact = h.dataStart + h.dataLength;
    auto full = parseSafetensorsHeader(json, exact, DataCheck::Full, kFile);
    FUZZ_CHECK(full.ok(), "Full rejects the exact file size: " + full.error().toString());
    checkSameHeader(h, *full);
    if (exact < UINT64_MAX) {
        auto longer = parseSafetensorsHeader(json, exact + 1, DataCheck::Full, kFile);
        FUZZ_CHECK(!longer.ok() && longer.error().code == ErrorCode::TrailingBytes,
                   "one trailing byte not reported");
    }
    if (h.dataLength > 0) {
        auto shorter = parseSafetensorsHeader(json, exact - 1, DataCheck::Full, kFile);
        FUZZ_CHECK(!shorter.ok() && shorter.error().code == ErrorCode::OffsetsPastEnd,
                   "a tensor past the end not reported");
    }

    const std::string again = serializeSafetensorsHeader(h.tensors, h.metadata);
    FUZZ_CHECK((8 + again.size()) % 8 == 0, "serialised header is not padded to 8 bytes");
    auto reparsed = parseSafetensorsHeader(again, 0, DataCheck::HeaderOnly, kFile);
    FUZZ_CHECK(reparsed.ok(), "serialised header does not parse: " + reparsed.error().toString() +
                                  "\n" + again);
    checkSameHeader(h, *reparsed);
}

} // namespace

// The input is either a whole safetensors file (when its first 8 bytes are a little-endian
// length that fits: the real sample files are seeds) or, otherwise, the header JSON alone.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::span<const char> json(reinterpret_cast<const char*>(data), size);
    std::optional<std::uint64_t> fileSize;
    if (size >= 8) {
        std::uint64_t n = 0;
        for (int i = 7; i >= 0; --i) n = (n << 8) | data[i];
        if (n <= size - 8) {
            json = json.subspan(8, n);
            fileSize = size;
        }
    }
    auto loose = parseSafetensorsHeader(json, 0, DataCheck::HeaderOnly, kFile);
    if (fileSize) {
        auto asFile = parseSafetensorsHeader(json, *fileSize, DataCheck::Full, kFile);
        const bool exact = loose.ok() && loose->dataStart + loose->dataLength == *fileSize;
        FUZZ_CHECK(asFile.ok() == exact, "Full on the whole file disagrees with HeaderOnly");
        if (!asFile.ok()) checkError(asFile.error());
    }
    if (loose.ok()) {
        checkAccepted(json, *loose);
        return 0;
    }
    checkError(loose.error());
    // Any file size: the size check only adds reasons to reject.
    const std::uint64_t sizes[] = {8 + json.size(), 8 + json.size() + 64, 0};
    for (std::uint64_t anySize : sizes) {
        auto strict = parseSafetensorsHeader(json, anySize, DataCheck::Full, kFile);
        FUZZ_CHECK(!strict.ok(), "Full accepts what HeaderOnly rejects: " + loose.error().toString());
        checkError(strict.error());
    }
    return 0;
}
