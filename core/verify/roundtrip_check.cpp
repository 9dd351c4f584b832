#include "core/verify/roundtrip_check.h"

#include <cmath>
#include <cstring>
#include <vector>

namespace ckpt {
namespace {

std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

// e4m3: 0x00/0x80 are ±0, 0x7F/0xFF NaN; everything else is its own value.
std::uint8_t fp8Key(std::uint8_t b)
{
    if ((b & 0x7f) == 0) return 0;
    if ((b & 0x7f) == 0x7f) return 0x7f;
    return b;
}

std::uint8_t fp4Key(std::uint8_t nibble) { return nibble == 8 ? 0 : nibble; }  // -0 == +0

// Elements whose value differs between two F32 arrays (+0 == -0, NaN == NaN).
std::uint64_t valueMismatches(const std::byte* a, const float* b, std::uint64_t n)
{
    std::uint64_t count = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
        float x;
        std::memcpy(&x, a + 4 * i, 4);
        count += !(x == b[i] || (std::isnan(x) && std::isnan(b[i])));
    }
    return count;
}

Status fp8RoundTrip(KernelBackend& backend, const QuantPair& pair, const TensorValue& v,
                    std::span<const std::byte> stored, RoundTripCheck& rt)
{
    const std::uint64_t rows = v.shape[0], cols = v.shape[1];
    // The quantizer writes F32 or E8M0 scales; BF16-scaled checkpoints are re-quantized with F32
    // scales (the codes depend on the scale value, not its storage).
    const DType scaleDtype = pair.scaleDtype == DType::F8_E8M0 ? DType::F8_E8M0 : DType::F32;
    if (pair.scaleDtype == DType::BF16) rt.note = "BF16 scales re-quantized as F32";
    std::vector<std::uint8_t> codes(rows * cols);
    std::vector<float> scales(ceilDiv(rows, pair.blockRows) * ceilDiv(cols, pair.blockCols) + 1);
    CKPT_TRY(backend.quantFp8Block({.in = v.bytes.data(), .inDtype = DType::F32, .rows = rows, .cols = cols,
                                    .blockRows = pair.blockRows, .blockCols = pair.blockCols,
                                    .outWeight = codes.data(), .outScale = scales.data(), .scaleDtype = scaleDtype}));
    std::vector<float> again(rows * cols);
    CKPT_TRY(backend.dequantFp8Block({.weight = codes.data(), .rows = rows, .cols = cols, .scale = scales.data(),
                                      .scaleDtype = scaleDtype, .blockRows = pair.blockRows,
                                      .blockCols = pair.blockCols, .out = again.data(), .outDtype = DType::F32}));
    const auto* q = reinterpret_cast<const std::uint8_t*>(stored.data());
    for (std::uint64_t i = 0; i < rows * cols; ++i) rt.codesChanged += fp8Key(q[i]) != fp8Key(codes[i]);
    rt.mismatched = valueMismatches(v.bytes.data(), again.data(), rows * cols);
    rt.codes = rows * cols;
    return {};
}

Status fp4RoundTrip(KernelBackend& backend, const QuantPair& pair, const TensorValue& v,
                    std::span<const std::byte> stored, RoundTripCheck& rt)
{
    const std::uint64_t rows = v.shape[0], cols = v.shape[1];
    std::vector<std::uint8_t> packed(rows * cols / 2);
    std::vector<std::uint8_t> scales(rows * ceilDiv(cols, pair.blockCols));
    CKPT_TRY(backend.quantFp4({.in = v.bytes.data(), .inDtype = DType::F32, .rows = rows, .cols = cols,
                               .groupSize = pair.blockCols, .outPacked = packed.data(), .outScale = scales.data()}));
    std::vector<float> again(rows * cols);
    CKPT_TRY(backend.dequantFp4({.packed = packed.data(), .rows = rows, .cols = cols, .scale = scales.data(),
                                 .scaleCols = ceilDiv(cols, pair.blockCols), .groupSize = pair.blockCols,
                                 .out = again.data(), .outDtype = DType::F32}));
    const auto* q = reinterpret_cast<const std::uint8_t*>(stored.data());
    for (std::uint64_t i = 0; i < rows * cols / 2; ++i) {
        rt.codesChanged += fp4Key(q[i] & 0xf) != fp4Key(packed[i] & 0xf);
        rt.codesChanged += fp4Key(q[i] >> 4) != fp4Key(packed[i] >> 4);
    }
    rt.mismatched = valueMismatches(v.bytes.data(), again.data(), rows * cols);
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
