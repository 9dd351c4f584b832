// The transpose's full tiles in AVX-512: a tile is T = 64 / es rows of one cache line each, so
// it is loaded as T whole lines, transposed in registers and stored as T whole lines, with no
// staging buffer in between (the SSE2 tiles of cpu_transpose.cpp go through one, and its
// store-to-load round trip was half their time).
//
// Why two steps: the unpack instructions work inside 128-bit lanes. Groups of G = 16 / es rows
// are first transposed lane by lane (log2 G rounds of unpacks of doubling element width, register
// i paired with i + G/2; loading the group's rows in bit-reversed order leaves the columns in
// natural order). Output row G*L + j is then lane L of register j of the T / G = 4 groups: a
// 4 x 4 transpose of lanes, two rounds of shuffle_i32x4.

#include "kernels/cpu/avx512_kernels.h"

#if CKPT_CPU_AVX2

#include "kernels/cpu/avx512_target.h"

namespace ckpt::cpu::avx512 {
namespace {

// unpacklo (High false) or unpackhi of Bits-wide elements.
template <int Bits, bool High>
CKPT_AVX512_INLINE __m512i unpack(__m512i a, __m512i b)
{
    if constexpr (Bits == 8) return High ? _mm512_unpackhi_epi8(a, b) : _mm512_unpacklo_epi8(a, b);
    else if constexpr (Bits == 16) return High ? _mm512_unpackhi_epi16(a, b) : _mm512_unpacklo_epi16(a, b);
    else if constexpr (Bits == 32) return High ? _mm512_unpackhi_epi32(a, b) : _mm512_unpacklo_epi32(a, b);
    else return High ? _mm512_unpackhi_epi64(a, b) : _mm512_unpacklo_epi64(a, b);
}

// The rounds of unpacks from element width Bits up to 64 on the G registers of one group.
template <int G, int Bits>
CKPT_AVX512_INLINE void unpackRounds(__m512i* r)
{
    if constexpr (Bits <= 64) {
        __m512i t[G];
        for (int i = 0; i < G / 2; ++i) {
            t[2 * i] = unpack<Bits, false>(r[i], r[i + G / 2]);
            t[2 * i + 1] = unpack<Bits, true>(r[i], r[i + G / 2]);
        }
        for (int i = 0; i < G; ++i) r[i] = t[i];
        unpackRounds<G, Bits * 2>(r);
    }
}

constexpr int bitReversed(int i, int bits)
{
    int v = 0;
    for (int b = 0; b < bits; ++b) v |= ((i >> b) & 1) << (bits - 1 - b);
    return v;
}

constexpr int log2Of(int g) { return g <= 1 ? 0 : 1 + log2Of(g / 2); }

CKPT_AVX512_INLINE void storeLine(std::uint8_t* p, __m512i v, bool stream)
{
    if (stream) _mm512_stream_si512(reinterpret_cast<__m512i*>(p), v);
    else _mm512_storeu_si512(p, v);
}

template <int ES>
CKPT_AVX512_INLINE void transposeTileOf(const std::uint8_t* in, std::uint64_t inPitch, std::uint8_t* out,
                                        std::uint64_t outPitch, bool stream)
{
    constexpr int G = 16 / ES;
    __m512i r[4][G];
    for (int g = 0; g < 4; ++g) {
        for (int i = 0; i < G; ++i)
            r[g][i] = _mm512_loadu_si512(in + static_cast<std::uint64_t>(G * g + bitReversed(i, log2Of(G))) * inPitch);
        unpackRounds<G, 8 * ES>(r[g]);
    }
    // r[g][j], lane L: column G*L + j of rows G*g .. G*g + G-1.
    for (int j = 0; j < G; ++j) {
        const __m512i t0 = _mm512_shuffle_i32x4(r[0][j], r[1][j], 0x44), t1 = _mm512_shuffle_i32x4(r[0][j], r[1][j], 0xee);
        const __m512i t2 = _mm512_shuffle_i32x4(r[2][j], r[3][j], 0x44), t3 = _mm512_shuffle_i32x4(r[2][j], r[3][j], 0xee);
        storeLine(out + static_cast<std::uint64_t>(j) * outPitch, _mm512_shuffle_i32x4(t0, t2, 0x88), stream);
        storeLine(out + static_cast<std::uint64_t>(G + j) * outPitch, _mm512_shuffle_i32x4(t0, t2, 0xdd), stream);
        storeLine(out + static_cast<std::uint64_t>(2 * G + j) * outPitch, _mm512_shuffle_i32x4(t1, t3, 0x88), stream);
        storeLine(out + static_cast<std::uint64_t>(3 * G + j) * outPitch, _mm512_shuffle_i32x4(t1, t3, 0xdd), stream);
    }
}

} // namespace

CKPT_AVX512 void transposeTile(const std::uint8_t* in, std::uint64_t inPitch, std::uint8_t* out,
                               std::uint64_t outPitch, std::uint64_t es, bool stream)
{
    switch (es) {
    case 1: transposeTileOf<1>(in, inPitch, out, outPitch, stream); break;
    case 2: transposeTileOf<2>(in, inPitch, out, outPitch, stream); break;
    case 4: transposeTileOf<4>(in, inPitch, out, outPitch, stream); break;
    default: transposeTileOf<8>(in, inPitch, out, outPitch, stream); break;
    }
}

} // namespace ckpt::cpu::avx512

#endif // CKPT_CPU_AVX2
