#include "core/safetensors/utf8.h"

#include <cstdint>
#include <cstring>

namespace ckpt::detail {
namespace {

// Validates one multi-byte sequence starting at s[i] (a non-ASCII lead byte); returns its length
// or 0 when invalid. Ranges follow the Unicode table "Well-Formed UTF-8 Byte Sequences".
std::size_t sequenceLength(const unsigned char* s, std::size_t i, std::size_t n)
{
    const unsigned char b0 = s[i];
    auto cont = [&](std::size_t k, unsigned char lo, unsigned char hi) {
        return i + k < n && s[i + k] >= lo && s[i + k] <= hi;
    };
    if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1, 0x80, 0xBF) ? 2 : 0;
    if (b0 == 0xE0) return cont(1, 0xA0, 0xBF) && cont(2, 0x80, 0xBF) ? 3 : 0;
    if ((b0 >= 0xE1 && b0 <= 0xEC) || b0 == 0xEE || b0 == 0xEF)
        return cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) ? 3 : 0;
    if (b0 == 0xED)  // excludes the UTF-16 surrogates U+D800..U+DFFF
        return cont(1, 0x80, 0x9F) && cont(2, 0x80, 0xBF) ? 3 : 0;
    if (b0 == 0xF0)
        return cont(1, 0x90, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
    if (b0 >= 0xF1 && b0 <= 0xF3)
        return cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
    if (b0 == 0xF4)
        return cont(1, 0x80, 0x8F) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
    return 0;  // 0x80..0xC1 (continuation or overlong lead) and 0xF5..0xFF
}

} // namespace

bool isValidUtf8(std::span<const char> bytes)
{
    const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t n = bytes.size();
    std::size_t i = 0;
    while (i < n) {
        // Headers are almost all ASCII: test eight bytes at a time for a set high bit.
        if (i + 8 <= n) {
            std::uint64_t word;
            std::memcpy(&word, s + i, 8);
            if ((word & 0x8080808080808080ull) == 0) {
                i += 8;
                continue;
            }
        }
        if (s[i] < 0x80) {
            ++i;
            continue;
        }
        const std::size_t len = sequenceLength(s, i, n);
        if (len == 0) return false;
        i += len;
    }
    return true;
}

} // namespace ckpt::detail
