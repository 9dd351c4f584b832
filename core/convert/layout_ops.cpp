#include "core/convert/layout_ops.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace ckpt {
namespace {

std::uint64_t product(const std::vector<std::uint64_t>& s, std::size_t from, std::size_t to)
{
    std::uint64_t n = 1;
    for (std::size_t i = from; i < to; ++i) n *= s[i];
    return n;
}

Result<std::size_t> elementBytes(DType d)
{
    int bits = dtypeBits(d);
    if (bits % 8 != 0)
        return makeError(ErrorCode::UnsupportedDtype,
                         std::string("cannot rearrange sub-byte dtype ") + std::string(dtypeName(d)));
    return static_cast<std::size_t>(bits / 8);
}

// dst[c][r] = src[r][c] for one rows x cols matrix of `es`-byte elements, in cache-sized tiles.
template <std::size_t ES>
void transposeTile2d(const std::byte* src, std::byte* dst, std::uint64_t rows, std::uint64_t cols)
{
    constexpr std::uint64_t T = 32;
    for (std::uint64_t r0 = 0; r0 < rows; r0 += T)
        for (std::uint64_t c0 = 0; c0 < cols; c0 += T) {
            const std::uint64_t r1 = std::min(rows, r0 + T), c1 = std::min(cols, c0 + T);
            for (std::uint64_t r = r0; r < r1; ++r)
                for (std::uint64_t c = c0; c < c1; ++c)
                    std::memcpy(dst + (c * rows + r) * ES, src + (r * cols + c) * ES, ES);
        }
}

void transpose2d(const std::byte* src, std::byte* dst, std::uint64_t rows, std::uint64_t cols,
                 std::size_t es)
{
    switch (es) {
    case 1: transposeTile2d<1>(src, dst, rows, cols); break;
    case 2: transposeTile2d<2>(src, dst, rows, cols); break;
    case 4: transposeTile2d<4>(src, dst, rows, cols); break;
    default: transposeTile2d<8>(src, dst, rows, cols); break;
    }
}

bool rangeOf(DType d, long double& lo, long double& hi)
{
    switch (d) {
    case DType::BOOL: lo = 0; hi = 1; return true;
    case DType::U8: lo = 0; hi = 255; return true;
    case DType::I8: lo = -128; hi = 127; return true;
    case DType::U16: lo = 0; hi = 65535; return true;
    case DType::I16: lo = -32768; hi = 32767; return true;
    case DType::U32: lo = 0; hi = 4294967295.0L; return true;
    case DType::I32: lo = -2147483648.0L; hi = 2147483647.0L; return true;
    case DType::U64: lo = 0; hi = 18446744073709551615.0L; return true;
    case DType::I64: lo = -9223372036854775808.0L; hi = 9223372036854775807.0L; return true;
    default: return false;
    }
}

// Integer element i of `p` as a wide signed/unsigned pair (unaligned-safe).
bool loadInteger(const std::byte* p, DType d, std::uint64_t i, std::int64_t& s, std::uint64_t& u, bool& isUnsigned)
{
    isUnsigned = false;
    switch (d) {
    case DType::BOOL: case DType::U8: { std::uint8_t v; std::memcpy(&v, p + i, 1); u = v; isUnsigned = true; return true; }
    case DType::I8: { std::int8_t v; std::memcpy(&v, p + i, 1); s = v; return true; }
    case DType::U16: { std::uint16_t v; std::memcpy(&v, p + 2 * i, 2); u = v; isUnsigned = true; return true; }
    case DType::I16: { std::int16_t v; std::memcpy(&v, p + 2 * i, 2); s = v; return true; }
    case DType::U32: { std::uint32_t v; std::memcpy(&v, p + 4 * i, 4); u = v; isUnsigned = true; return true; }
    case DType::I32: { std::int32_t v; std::memcpy(&v, p + 4 * i, 4); s = v; return true; }
    case DType::U64: { std::memcpy(&u, p + 8 * i, 8); isUnsigned = true; return true; }
    case DType::I64: { std::memcpy(&s, p + 8 * i, 8); return true; }
    default: return false;
    }
}

} // namespace

Result<TensorValue> transposeAxes(const TensorValue& in, std::uint32_t a, std::uint32_t b)
{
    const std::size_t rank = in.shape.size();
    if (a >= rank || b >= rank)
        return makeError(ErrorCode::PlanInvalid, "transpose axes out of range for shape " + shapeToString(in.shape));
    if (a == b) return in;
    if (a > b) std::swap(a, b);
    auto es = elementBytes(in.dtype);
    if (!es) return es.takeError();
    std::vector<std::uint64_t> outShape = in.shape;
    std::swap(outShape[a], outShape[b]);
    auto out = TensorValue::allocate(in.dtype, outShape);
    if (!out) return out;
    // View the tensor as [pre, A, mid, B, post]; the result is [pre, B, mid, A, post].
    const std::uint64_t pre = product(in.shape, 0, a), A = in.shape[a], mid = product(in.shape, a + 1, b),
                        B = in.shape[b], unit = product(in.shape, b + 1, rank) * *es;
    const std::byte* src = in.bytes.data();
    std::byte* dst = out->mutableData();
    if (mid == 1 && unit == *es) {
        for (std::uint64_t p = 0; p < pre; ++p)
            transpose2d(src + p * A * B * unit, dst + p * A * B * unit, A, B, *es);
        return out;
    }
    for (std::uint64_t p = 0; p < pre; ++p)
        for (std::uint64_t j = 0; j < B; ++j)
            for (std::uint64_t m = 0; m < mid; ++m)
                for (std::uint64_t i = 0; i < A; ++i)
                    std::memcpy(dst + (((p * B + j) * mid + m) * A + i) * unit,
                                src + (((p * A + i) * mid + m) * B + j) * unit, unit);
    return out;
}

Result<TensorValue> sliceAxis(const TensorValue& in, std::uint32_t axis, std::uint64_t begin, std::uint64_t end)
{
    if (axis >= in.shape.size() || begin > end || end > in.shape[axis])
        return makeError(ErrorCode::PlanInvalid, "slice [" + std::to_string(begin) + ", " + std::to_string(end)
                         + ") of axis " + std::to_string(axis) + " out of range for " + shapeToString(in.shape));
    auto es = elementBytes(in.dtype);
    if (!es) return es.takeError();
    std::vector<std::uint64_t> outShape = in.shape;
    outShape[axis] = end - begin;
    auto out = TensorValue::allocate(in.dtype, outShape);
    if (!out) return out;
    const std::uint64_t outer = product(in.shape, 0, axis);
    const std::uint64_t inner = product(in.shape, axis + 1, in.shape.size()) * *es;
    const std::uint64_t rowIn = in.shape[axis] * inner, rowOut = (end - begin) * inner;
    for (std::uint64_t o = 0; o < outer; ++o)
        std::memcpy(out->mutableData() + o * rowOut, in.bytes.data() + o * rowIn + begin * inner, rowOut);
    return out;
}

Result<TensorValue> concatAxis(std::span<const TensorValue> parts, std::uint32_t axis)
{
    if (parts.empty()) return makeError(ErrorCode::PlanInvalid, "concat of nothing");
    const TensorValue& first = parts.front();
    if (axis >= first.shape.size()) return makeError(ErrorCode::PlanInvalid, "concat axis out of range");
    std::vector<std::uint64_t> outShape = first.shape;
    outShape[axis] = 0;
    for (const auto& p : parts) {
        bool same = p.dtype == first.dtype && p.shape.size() == first.shape.size();
        for (std::size_t d = 0; same && d < p.shape.size(); ++d)
            same = d == axis || p.shape[d] == first.shape[d];
        if (!same)
            return makeError(ErrorCode::PlanInvalid, "cannot concatenate " + shapeToString(p.shape) + " with "
                             + shapeToString(first.shape));
        outShape[axis] += p.shape[axis];
    }
    auto es = elementBytes(first.dtype);
    if (!es) return es.takeError();
    auto out = TensorValue::allocate(first.dtype, outShape);
    if (!out) return out;
    const std::uint64_t outer = product(first.shape, 0, axis);
    const std::uint64_t inner = product(first.shape, axis + 1, first.shape.size()) * *es;
    std::byte* dst = out->mutableData();
    for (std::uint64_t o = 0; o < outer; ++o)
        for (const auto& p : parts) {
            const std::uint64_t row = p.shape[axis] * inner;
            std::memcpy(dst, p.bytes.data() + o * row, row);
            dst += row;
        }
    return out;
}

Result<TensorValue> castInteger(const TensorValue& in, DType to)
{
    long double lo = 0, hi = 0;
    if (!isInteger(in.dtype) || !rangeOf(to, lo, hi))
        return makeError(ErrorCode::UnsupportedDtype, std::string("no integer cast from ")
                         + std::string(dtypeName(in.dtype)) + " to " + std::string(dtypeName(to)));
    auto out = TensorValue::allocate(to, in.shape);
    if (!out) return out;
    const std::size_t es = static_cast<std::size_t>(dtypeBits(to) / 8);
    const std::uint64_t n = in.elementCount();
    for (std::uint64_t i = 0; i < n; ++i) {
        std::int64_t s = 0;
        std::uint64_t u = 0;
        bool isU = false;
        loadInteger(in.bytes.data(), in.dtype, i, s, u, isU);
        const long double v = isU ? static_cast<long double>(u) : static_cast<long double>(s);
        if (v < lo || v > hi)
            return makeError(ErrorCode::UnsupportedDtype, "value " + (isU ? std::to_string(u) : std::to_string(s))
                             + " at element " + std::to_string(i) + " does not fit " + std::string(dtypeName(to)));
        // Two's complement little-endian: the low bytes of the 64-bit value are the narrow value.
        const std::uint64_t bits = isU ? u : static_cast<std::uint64_t>(s);
        std::memcpy(out->mutableData() + i * es, &bits, es);
    }
    return out;
}

} // namespace ckpt
