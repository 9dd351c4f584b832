#include "dtype.h"

#include <array>

namespace ckpt {
namespace {

struct DTypeTraits {
    DType dtype;
    std::string_view name;
    int bits;
};

constexpr std::array<DTypeTraits, kDTypeCount> kTraits{{
    {DType::BOOL, "BOOL", 8},
    {DType::U8, "U8", 8},
    {DType::I8, "I8", 8},
    {DType::U16, "U16", 16},
    {DType::I16, "I16", 16},
    {DType::U32, "U32", 32},
    {DType::I32, "I32", 32},
    {DType::U64, "U64", 64},
    {DType::I64, "I64", 64},
    {DType::F16, "F16", 16},
    {DType::BF16, "BF16", 16},
    {DType::F32, "F32", 32},
    {DType::F64, "F64", 64},
    {DType::F8_E4M3, "F8_E4M3", 8},
    {DType::F8_E5M2, "F8_E5M2", 8},
    {DType::F8_E8M0, "F8_E8M0", 8},
    {DType::F8_E4M3FNUZ, "F8_E4M3FNUZ", 8},
    {DType::F8_E5M2FNUZ, "F8_E5M2FNUZ", 8},
    {DType::F4, "F4", 4},
    {DType::F6_E2M3, "F6_E2M3", 6},
    {DType::F6_E3M2, "F6_E3M2", 6},
    {DType::C64, "C64", 64},
}};

constexpr const DTypeTraits& traits(DType d) { return kTraits[static_cast<int>(d)]; }

static_assert([] {
    for (int i = 0; i < kDTypeCount; ++i)
        if (static_cast<int>(kTraits[i].dtype) != i) return false;
    return true;
}(), "kTraits must be indexed by DType");

} // namespace

std::optional<DType> parseDType(std::string_view name)
{
    for (const auto& t : kTraits)
        if (t.name == name) return t.dtype;
    return std::nullopt;
}

std::string_view dtypeName(DType dtype) { return traits(dtype).name; }
int dtypeBits(DType dtype) { return traits(dtype).bits; }

bool isInteger(DType d)
{
    switch (d) {
    case DType::BOOL: case DType::U8: case DType::I8: case DType::U16: case DType::I16:
    case DType::U32: case DType::I32: case DType::U64: case DType::I64:
        return true;
    default:
        return false;
    }
}

bool isFloatingPoint(DType d) { return !isInteger(d) && d != DType::C64; }

std::optional<std::uint64_t> elementCount(std::span<const std::uint64_t> shape)
{
    std::uint64_t n = 1;
    for (std::uint64_t dim : shape)
        if (__builtin_mul_overflow(n, dim, &n)) return std::nullopt;
    return n;
}

std::optional<std::uint64_t> byteSizeFor(DType dtype, std::span<const std::uint64_t> shape)
{
    auto n = elementCount(shape);
    if (!n) return std::nullopt;
    std::uint64_t bits = 0;
    if (__builtin_mul_overflow(*n, static_cast<std::uint64_t>(dtypeBits(dtype)), &bits))
        return std::nullopt;
    if (bits % 8 != 0) return std::nullopt;
    return bits / 8;
}

} // namespace ckpt
