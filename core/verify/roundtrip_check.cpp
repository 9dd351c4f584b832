#include "core/verify/roundtrip_check.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace ckpt {
namespace {

std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

// The compare loops are branch-free, with 32-bit counts per chunk, so that they vectorise: they
// run over every element of every quantized weight.
constexpr std::uint64_t kCountChunk = 1u << 24;

// e4m3 codes that differ as values: 0x00/0x80 are both zero and 0x7F/0xFF both NaN; any other
// code is its own value.
std::uint64_t fp8CodeMismatches(const std::uint8_t* a, const std::uint8_t* b, std::uint64_t n)
{
    std::uint64_t count = 0;
    for (std::uint64_t i0 = 0; i0 < n; i0 += kCountChunk) {
        const std::uint64_t i1 = std::min(n, i0 + kCountChunk);
        std::uint32_t c = 0;
        for (std::uint64_t i = i0; i < i1; ++i) {
            const unsigned x = a[i] & 0x7fu, y = b[i] & 0x7fu;
            c += static_cast<unsigned>(a[i] != b[i]) & static_cast<unsigned>((x | y) != 0) & static_cast<unsigned>((x & y) != 0x7fu);
        }
        count += c;
    }
    return count;
}

// Packed e2m1 nibbles that differ as values (8, -0, equals 0).
std::uint64_t fp4CodeMismatches(const std::uint8_t* a, const std::uint8_t* b, std::uint64_t bytes)
{
    std::uint64_t count = 0;
    for (std::uint64_t i0 = 0; i0 < bytes; i0 += kCountChunk) {
        const std::uint64_t i1 = std::min(bytes, i0 + kCountChunk);
        std::uint32_t c = 0;
        for (std::uint64_t i = i0; i < i1; ++i) {
            const unsigned d = static_cast<unsigned>(a[i] ^ b[i]), o = static_cast<unsigned>(a[i] | b[i]);
            c += static_cast<unsigned>((d & 0xfu) != 0) & static_cast<unsigned>((o & 0x7u) != 0);
            c += static_cast<unsigned>((d & 0xf0u) != 0) & static_cast<unsigned>((o & 0x70u) != 0);
        }
        count += c;
    }
    return count;
}

// Elements whose value differs between two F32 arrays (+0 == -0, NaN == NaN).
std::uint64_t valueMismatches(const std::byte* a, const float* b, std::uint64_t n)
{
    std::uint32_t c = 0;  // n is one band (bandRows below), far below 2^32
    for (std::uint64_t i = 0; i < n; ++i) {
        float x;
        std::memcpy(&x, a + 4 * i, 4);
        c += static_cast<unsigned>(x != b[i]) & static_cast<unsigned>(x == x || b[i] == b[i]);
    }
    return c;
}

// The re-quantized codes are dequantized again a band of rows at a time (whole blocks of rows
// for FP8) into a buffer that stays in L2, and compared there. FP4 bands are at most 64 rows,
// enough to amortise a kernel call on real widths (64 x 2048 x 4 bytes = 512 KiB).
constexpr std::uint64_t kBandBytes = 256u << 10;
constexpr std::uint64_t kFp4BandRowsMax = 64;

std::uint64_t bandRows(std::uint64_t cols, std::uint64_t align, std::uint64_t most)
{
    const std::uint64_t rows = std::clamp<std::uint64_t>(kBandBytes / (4 * std::max<std::uint64_t>(cols, 1)), 1, most);
    return std::max<std::uint64_t>(align, rows / align * align);
}

Status fp8RoundTrip(KernelBackend& backend, const QuantPair& pair, const TensorValue& v,
                    std::span<const std::byte> stored, RoundTripCheck& rt)
{
    const std::uint64_t rows = v.shape[0], cols = v.shape[1];
    // The quantizer writes F32 or E8M0 scales; BF16-scaled checkpoints are re-quantized with F32
    // scales (the codes depend on the scale value, not its storage).
    const DType scaleDtype = pair.scaleDtype == DType::F8_E8M0 ? DType::F8_E8M0 : DType::F32;
    if (pair.scaleDtype == DType::BF16) rt.note = "BF16 scales re-quantized as F32";
    auto codes = TensorValue::allocate(DType::F8_E4M3, {rows, cols});  // uninitialised, recycled
    if (!codes) return codes.takeError();
    const std::uint64_t gridCols = ceilDiv(cols, pair.blockCols);
    std::vector<float> scales(ceilDiv(rows, pair.blockRows) * gridCols + 1);
    CKPT_TRY(backend.quantFp8Block({.in = v.bytes.data(), .inDtype = DType::F32, .rows = rows, .cols = cols,
                                    .blockRows = pair.blockRows, .blockCols = pair.blockCols,
                                    .outWeight = codes->mutableData(), .outScale = scales.data(), .scaleDtype = scaleDtype}));
    const auto* q = reinterpret_cast<const std::uint8_t*>(codes->mutableData());
    rt.codesChanged = fp8CodeMismatches(reinterpret_cast<const std::uint8_t*>(stored.data()), q, rows * cols);
    const std::uint64_t band = bandRows(cols, pair.blockRows, ~0ull), scaleBytes = scaleDtype == DType::F32 ? 4 : 1;
    std::vector<float> again(std::min(band, rows) * cols);
    for (std::uint64_t r0 = 0; r0 < rows; r0 += band) {
        const std::uint64_t n = std::min(band, rows - r0);
        CKPT_TRY(backend.dequantFp8Block({.weight = q + r0 * cols, .rows = n, .cols = cols,
                                          .scale = reinterpret_cast<const std::uint8_t*>(scales.data())
                                                   + (r0 / pair.blockRows) * gridCols * scaleBytes,
                                          .scaleDtype = scaleDtype, .blockRows = pair.blockRows,
                                          .blockCols = pair.blockCols, .out = again.data(), .outDtype = DType::F32}));
        rt.mismatched += valueMismatches(v.bytes.data() + 4 * r0 * cols, again.data(), n * cols);
    }
    rt.codes = rows * cols;
    return {};
}

Status fp4RoundTrip(KernelBackend& backend, const QuantPair& pair, const TensorValue& v,
                    std::span<const std::byte> stored, RoundTripCheck& rt)
{
    const std::uint64_t rows = v.shape[0], cols = v.shape[1], scaleCols = ceilDiv(cols, pair.blockCols);
    auto packed = TensorValue::allocate(DType::U8, {rows * cols / 2});
    if (!packed) return packed.takeError();
    std::vector<std::uint8_t> scales(rows * scaleCols);
    CKPT_TRY(backend.quantFp4({.in = v.bytes.data(), .inDtype = DType::F32, .rows = rows, .cols = cols,
                               .groupSize = pair.blockCols, .outPacked = packed->mutableData(), .outScale = scales.data()}));
    const auto* q = reinterpret_cast<const std::uint8_t*>(packed->mutableData());
    rt.codesChanged = fp4CodeMismatches(reinterpret_cast<const std::uint8_t*>(stored.data()), q, rows * cols / 2);
    const std::uint64_t band = bandRows(cols, 1, kFp4BandRowsMax);
    std::vector<float> again(std::min(band, rows) * cols);
    for (std::uint64_t r0 = 0; r0 < rows; r0 += band) {
        const std::uint64_t n = std::min(band, rows - r0);
        CKPT_TRY(backend.dequantFp4({.packed = q + r0 * cols / 2, .rows = n, .cols = cols,
                                     .scale = scales.data() + r0 * scaleCols, .scaleCols = scaleCols,
                                     .groupSize = pair.blockCols, .out = again.data(), .outDtype = DType::F32}));
        rt.mismatched += valueMismatches(v.bytes.data() + 4 * r0 * cols, again.data(), n * cols);
    }
    rt.codes = rows * cols;
    return {};
}

} // namespace

Result<RoundTripCheck> roundTripCheck(KernelBackend& backend, const Checkpoint& checkpoint, const QuantPair& pair,
                                      const TensorValue& dequantized)
{
    RoundTripCheck rt;
    if (dequantized.dtype != DType::F32 || dequantized.shape.size() != 2 || pair.blockCols == 0 ||
        pair.blockRows == 0) {
        rt.note = "round trip needs a 2-D F32 value and a non-zero block";
        return rt;
    }
    const TensorRef* w = checkpoint.find(pair.weight);
    if (!w) return makeError(ErrorCode::Internal, "quantized weight vanished", {}, pair.weight);
    auto stored = checkpoint.tensorBytes(*w);
    if (!stored) return stored.takeError();
    const bool fp4 = pair.scheme == QuantScheme::Fp4E2m1;
    const std::uint64_t expect = fp4 ? dequantized.elementCount() / 2 : dequantized.elementCount();
    if (stored->size() != expect) return makeError(ErrorCode::SizeMismatch, "weight bytes do not match its logical shape",
                                                   checkpoint.fileOf(*w), pair.weight);
    Status st = fp4 ? fp4RoundTrip(backend, pair, dequantized, *stored, rt)
                    : fp8RoundTrip(backend, pair, dequantized, *stored, rt);
    if (!st) {
        Error e = st.error();
        if (e.tensor.empty()) e.tensor = pair.weight;
        return e;
    }
    rt.done = true;
    return rt;
}

} // namespace ckpt
