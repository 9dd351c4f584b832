#pragma once
// The safetensors dtype set. Sub-byte types (F4, F6_*) count in bits, so sizes are always
// computed through byteSizeFor(), which also checks for overflow and whole bytes.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ckpt {

enum class DType : std::uint8_t {
    BOOL, U8, I8, U16, I16, U32, I32, U64, I64,
    F16, BF16, F32, F64,
    F8_E4M3, F8_E5M2, F8_E8M0, F8_E4M3FNUZ, F8_E5M2FNUZ,
    F4, F6_E2M3, F6_E3M2, C64,
};

inline constexpr int kDTypeCount = static_cast<int>(DType::C64) + 1;

std::optional<DType> parseDType(std::string_view name);
std::string_view dtypeName(DType dtype);  // the safetensors spelling, e.g. "F8_E4M3"
int dtypeBits(DType dtype);               // 1 element, in bits (4 for F4)

bool isFloatingPoint(DType dtype);  // F16, BF16, F32, F64 and every F8/F6/F4 kind
bool isInteger(DType dtype);        // BOOL, U*, I*

// numel × bits / 8; nullopt if the product overflows 64 bits or is not a whole number of bytes.
std::optional<std::uint64_t> byteSizeFor(DType dtype, std::span<const std::uint64_t> shape);
// Product of dims; nullopt on overflow. An empty shape is a scalar (1 element).
std::optional<std::uint64_t> elementCount(std::span<const std::uint64_t> shape);

} // namespace ckpt
