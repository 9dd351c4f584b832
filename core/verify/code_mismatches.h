#pragma once
// Counts of elements that differ *as values* between two arrays of the same encoding, for the
// quantize(dequantize(q)) round trip (roundtrip_check.cpp): two codes that are the same number
// (+0 and -0; e4m3fn's two NaNs) are not a change, however their bits differ.

#include <cstddef>
#include <cstdint>

namespace ckpt {

// e4m3fn codes: 0x00 and 0x80 are both zero, 0x7F and 0xFF both NaN (e4m3fn has no inf and no
// other NaN); any other code is a value of its own.
std::uint64_t fp8CodeMismatches(const std::uint8_t* a, const std::uint8_t* b, std::uint64_t n);

// Packed e2m1 nibbles, two per byte: nibble 8 (-0) equals 0; e2m1 has no NaN or inf.
std::uint64_t fp4CodeMismatches(const std::uint8_t* a, const std::uint8_t* b, std::uint64_t bytes);

// F32 values (a unaligned, b aligned): +0 == -0, any NaN == any NaN.
std::uint64_t f32ValueMismatches(const std::byte* a, const float* b, std::uint64_t n);

} // namespace ckpt
