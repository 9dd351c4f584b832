#include "core/verify/roundtrip_check.h"

#include "core/verify/code_mismatches.h"

#include <algorithm>
#include <vector>

namespace ckpt {
namespace {

std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

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
        rt.mismatched += f32ValueMismatches(v.bytes.data() + 4 * r0 * cols, again.data(), n * cols);
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
        rt.mismatched += f32ValueMismatches(v.bytes.data() + 4 * r0 * cols, again.data(), n * cols);
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
