// FP8 e4m3 -> BF16 / F16 by exponent arithmetic, for CPUs with AVX2 but not AVX-512 (those take
// the byte-plane lookup of avx512_dequant.cpp; AVX2 has no 256-entry byte shuffle). Why it is
// exact: a normal code c = (sign, e, m) decodes to 2^(e - 7) (1 + m / 8), and its output is that
// times the scale rounded to f32, then to the output format; both roundings commute with the
// power of two wherever the results stay normal and finite, so the output bits are those of
// code 0x38 | m (e = 7) plus (e - 7) in the exponent field. Round to nearest even is symmetric,
// so a negative code only flips the sign bit. The 8 codes with e = 0 (zero and subnormals) and
// NaN take a 16-entry table instead. Whether a block's scale keeps every result in range is not
// argued but checked: fp8ExponentTable compares the formula with all 256 entries of the block's
// table, and a block where one differs keeps the table loop.

#include "kernels/cpu/avx2_kernels.h"

#if CKPT_CPU_AVX2

#include "kernels/cpu/avx2_codecs.h"

namespace ckpt::cpu::avx2 {

namespace {

// The formula for one code; shift puts the code's exponent bits (c & 0x78) at the output's.
std::uint16_t byFormula(const Fp8ExponentTable& t, unsigned c)
{
    const unsigned a = c & 0x7f;
    const bool special = (a & 0x78) == 0 || a == 0x7f;
    const unsigned base = special ? t.specialLo[a & 0xf] | t.specialHi[a & 0xf] << 8 : t.normalLo[a & 7] | t.normalHi[a & 7] << 8;
    return static_cast<std::uint16_t>(((base + ((a & 0x78) << t.shift)) & 0xffff) ^ ((c & 0x80) << 8));
}

template <unsigned Shift>
CKPT_AVX2 void decode(const std::uint8_t* codes, const Fp8ExponentTable& t, std::uint64_t n, std::uint8_t* out)
{
    const __m256i normalLo = _mm256_load_si256(reinterpret_cast<const __m256i*>(t.normalLo));
    const __m256i normalHi = _mm256_load_si256(reinterpret_cast<const __m256i*>(t.normalHi));
    const __m256i specialLo = _mm256_load_si256(reinterpret_cast<const __m256i*>(t.specialLo));
    const __m256i specialHi = _mm256_load_si256(reinterpret_cast<const __m256i*>(t.specialHi));
    const __m256i zero = _mm256_setzero_si256();
    for (std::uint64_t i = 0; i < n; i += 32) {
        // Qwords 0, 2, 1, 3: the in-lane unpacks below then give codes 0-15 and 16-31 in order.
        const __m256i c = _mm256_permute4x64_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(codes + i)), 0xd8);
        const __m256i e = _mm256_and_si256(c, _mm256_set1_epi8(0x78));
        const __m256i special = _mm256_or_si256(_mm256_cmpeq_epi8(e, zero),
                                                _mm256_cmpeq_epi8(_mm256_and_si256(c, _mm256_set1_epi8(0x7f)), _mm256_set1_epi8(0x7f)));
        const __m256i m = _mm256_and_si256(c, _mm256_set1_epi8(0x07)), k = _mm256_and_si256(c, _mm256_set1_epi8(0x0f));
        const __m256i lo = _mm256_blendv_epi8(_mm256_shuffle_epi8(normalLo, m), _mm256_shuffle_epi8(specialLo, k), special);
        const __m256i hi = _mm256_blendv_epi8(_mm256_shuffle_epi8(normalHi, m), _mm256_shuffle_epi8(specialHi, k), special);
        const __m256i sign = _mm256_and_si256(c, _mm256_set1_epi8(static_cast<char>(0x80)));
        const __m256i w0 = _mm256_xor_si256(_mm256_add_epi16(_mm256_unpacklo_epi8(lo, hi), _mm256_slli_epi16(_mm256_unpacklo_epi8(e, zero), Shift)),
                                            _mm256_unpacklo_epi8(zero, sign));
        const __m256i w1 = _mm256_xor_si256(_mm256_add_epi16(_mm256_unpackhi_epi8(lo, hi), _mm256_slli_epi16(_mm256_unpackhi_epi8(e, zero), Shift)),
                                            _mm256_unpackhi_epi8(zero, sign));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 2 * i), w0);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 2 * i + 32), w1);
    }
}

} // namespace

bool fp8ExponentTable(const std::uint16_t* table, DType outDtype, Fp8ExponentTable& t)
{
    t.shift = outDtype == DType::BF16 ? 4 : 7;
    for (unsigned k = 0; k < 16; ++k) {
        const unsigned m = k & 7;
        const unsigned normal = (table[0x38 | m] - (0x38u << t.shift)) & 0xffff;
        const unsigned special = k < 8 ? table[k] : k == 15 ? (table[0x7f] - (0x78u << t.shift)) & 0xffff : 0;
        for (unsigned half : {0u, 16u}) {
            t.normalLo[half + k] = static_cast<std::uint8_t>(normal), t.normalHi[half + k] = static_cast<std::uint8_t>(normal >> 8);
            t.specialLo[half + k] = static_cast<std::uint8_t>(special), t.specialHi[half + k] = static_cast<std::uint8_t>(special >> 8);
        }
    }
    for (unsigned c = 0; c < 256; ++c)
        if (byFormula(t, c) != table[c]) return false;
    return true;
}

std::uint64_t fp8ExponentDecode(const std::uint8_t* codes, const Fp8ExponentTable& t, std::uint64_t n, std::uint8_t* out)
{
    const std::uint64_t whole = n - n % 32;
    if (t.shift == 4) decode<4>(codes, t, whole, out);
    else decode<7>(codes, t, whole, out);
    return whole;
}

} // namespace ckpt::cpu::avx2

#endif // CKPT_CPU_AVX2
