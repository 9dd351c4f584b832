#include "core/verify/code_mismatches.h"

#include <algorithm>
#include <cstring>

namespace ckpt {
namespace {

// The compare loops are branch-free, with 32-bit counts per chunk, so that they vectorise: they
// run over every element of every quantized weight.
constexpr std::uint64_t kCountChunk = 1u << 24;

template <class CountRange>
std::uint64_t countInChunks(std::uint64_t n, CountRange countRange)
{
    std::uint64_t count = 0;
    for (std::uint64_t i0 = 0; i0 < n; i0 += kCountChunk) count += countRange(i0, std::min(n, i0 + kCountChunk));
    return count;
}

} // namespace

std::uint64_t fp8CodeMismatches(const std::uint8_t* a, const std::uint8_t* b, std::uint64_t n)
{
    return countInChunks(n, [&](std::uint64_t i0, std::uint64_t i1) {
        std::uint32_t c = 0;
        for (std::uint64_t i = i0; i < i1; ++i) {
            const unsigned x = a[i] & 0x7fu, y = b[i] & 0x7fu;
            c += static_cast<unsigned>(a[i] != b[i]) & static_cast<unsigned>((x | y) != 0) & static_cast<unsigned>((x & y) != 0x7fu);
        }
        return c;
    });
}

std::uint64_t fp4CodeMismatches(const std::uint8_t* a, const std::uint8_t* b, std::uint64_t bytes)
{
    return countInChunks(bytes, [&](std::uint64_t i0, std::uint64_t i1) {
        std::uint32_t c = 0;
        for (std::uint64_t i = i0; i < i1; ++i) {
            const unsigned d = static_cast<unsigned>(a[i] ^ b[i]), o = static_cast<unsigned>(a[i] | b[i]);
            c += static_cast<unsigned>((d & 0xfu) != 0) & static_cast<unsigned>((o & 0x7u) != 0);
            c += static_cast<unsigned>((d & 0xf0u) != 0) & static_cast<unsigned>((o & 0x70u) != 0);
        }
        return c;
    });
}

std::uint64_t f32ValueMismatches(const std::byte* a, const float* b, std::uint64_t n)
{
    return countInChunks(n, [&](std::uint64_t i0, std::uint64_t i1) {
        std::uint32_t c = 0;
        for (std::uint64_t i = i0; i < i1; ++i) {
            float x;
            std::memcpy(&x, a + 4 * i, 4);
            c += static_cast<unsigned>(x != b[i]) & static_cast<unsigned>(x == x || b[i] == b[i]);
        }
        return c;
    });
}

} // namespace ckpt
