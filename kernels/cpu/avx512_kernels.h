#pragma once
// AVX-512 (F + BW + VL + VBMI) hot loops of the CPU backend, chosen at run time above the AVX2
// ones (avx2_kernels.h) on CPUs that have them (Intel since Ice Lake, AMD since Zen 4). Same
// contract: the same bytes as the scalar codecs. CKPT_CPU_ISA=avx2 turns them off (the tests
// run each suite that way too, so the AVX2 loops stay covered on AVX-512 machines), and
// CKPT_CPU_SCALAR=1 turns off both.

#include "kernels/cpu/avx2_kernels.h"
#include "kernels/cpu/fixed_bins.h"
#include "kernels/cpu/prefetch.h"

#include <cstdint>

namespace ckpt::cpu::avx512 {

#if CKPT_CPU_AVX2

// True when the CPU has AVX-512 F/BW/VL/VBMI, the OS saves the zmm state, and neither
// CKPT_CPU_SCALAR=1 nor CKPT_CPU_ISA=avx2 is set (read once).
bool available();

// rows x cols FP8 codes -> 16- or 32-bit outputs by lookup: block column j (blockCols wide) uses
// tables + 256 j, the output bits of every code under that block's scale. stream: non-temporal
// stores for the 64-byte aligned part of each segment.
void fp8LookupRows(const std::uint8_t* codes, std::uint64_t rows, std::uint64_t cols, const std::uint16_t* tables,
                   std::uint64_t blockCols, std::uint8_t* out, bool stream);
void fp8LookupRows(const std::uint8_t* codes, std::uint64_t rows, std::uint64_t cols, const std::uint32_t* tables,
                   std::uint64_t blockCols, std::uint8_t* out, bool stream);

// Stats of one reduce chunk of BF16 values, in the lane order of reduce_rules.h (the same
// partial as avx2::statsChunk). next / nextBytes: the chunk this thread takes next, if any, which
// it asks for while it reads this one (reduce_lanes.h, nextChunkPrefetch).
numeric::StatsPartial statsBf16Chunk(const std::uint8_t* p, std::uint64_t n, const std::uint8_t* next = nullptr,
                                     std::uint64_t nextBytes = 0);
// The same for F32 or F16 values (avx512_stats_f32.cpp).
numeric::StatsPartial statsF32Chunk(const std::uint8_t* p, DType dtype, std::uint64_t n, const std::uint8_t* next,
                                    std::uint64_t nextBytes);

// Whether errorChunk takes this pair of dtypes (BF16 or F32 on each side).
bool takesErrors(DType a, DType b);

// Error metrics of one reduce chunk, in the lane order of reduce_rules.h (the same partial as
// avx2::errorChunk). nextA / nextB / nextN: the chunk pair this thread takes next, as for stats.
numeric::ErrorPartial errorChunk(const std::uint8_t* a, DType aDtype, const std::uint8_t* b, DType bDtype,
                                 std::uint64_t n, double atol, double rtol, const std::uint8_t* nextA = nullptr,
                                 const std::uint8_t* nextB = nullptr, std::uint64_t nextN = 0);

// The FP8 quantizer's amax pass and encoder, as avx2::absMaxBits and avx2::fp8Encode.
std::uint32_t absMaxBits(const std::uint8_t* in, DType inDtype, std::uint64_t n, std::uint32_t m);
void fp8Encode(const std::uint8_t* in, DType inDtype, float scale, std::uint8_t* out, std::uint64_t n);

// One FP8 block's encoder for BF16 inputs (fp8Bf16Table, fp8EncodeBf16): the e4m3 code of every
// BF16 mantissa at the block's scale, so that most values take a table lookup instead of a
// division; the others (those whose code is subnormal or zero, subnormal inputs, and every value
// of a block whose scale is not a normal float >= 2^-119) take fp8Encode's path. Same codes as fp8Encode.
struct Fp8Bf16Table {
    alignas(64) std::uint8_t code[128];  // code of 1.m x 2^(e - 127) / scale, e = the scale's exponent field
    float scale = 0;
    bool lookup = false;                 // the scale is a normal float >= 2^-119, so the table holds
};

void fp8Bf16Table(float scale, Fp8Bf16Table& t);
void fp8EncodeBf16(const std::uint8_t* in, const Fp8Bf16Table& t, std::uint8_t* out, std::uint64_t n);

// A tile row of n BF16 values from a block boundary, in blocks of blockCols (a multiple of 32;
// the last block may be shorter), one call per row instead of one per block. Encode: block k by
// tables[k], with one next.step() per block. Amax: the running maxima of |x| over finite values
// in 32 lanes per block (`lanes`, zeroed by the caller), which fp8AbsMaxBf16Lanes reduces to
// absMaxBits' result for one block.
void fp8EncodeBf16Row(const std::uint8_t* in, const Fp8Bf16Table* tables, std::uint64_t blockCols, std::uint64_t n,
                      std::uint8_t* out, BlockPrefetch& next);
void fp8AbsMaxBf16Row(const std::uint8_t* in, std::uint64_t blockCols, std::uint64_t n, std::uint16_t* lanes);
std::uint32_t fp8AbsMaxBf16Lanes(const std::uint16_t* lanes);

// n (even) BF16 / F16 / F32 inputs from a group boundary, in groups of groupSize (even; the last
// may be shorter) -> n / 2 packed FP4 bytes and one scale byte per group (fp4GroupScale).
void fp4QuantGroups(const std::uint8_t* in, DType inDtype, std::uint64_t groupSize, std::uint64_t n,
                    std::uint8_t* out, std::uint8_t* scales);

// One full transpose tile of T = 64 / es rows (es = 1, 2, 4 or 8 bytes per element), each row
// one cache line: out[c][r] = in[r][c], rows inPitch and outPitch bytes apart. stream:
// non-temporal stores (out and outPitch 64-byte aligned).
void transposeTile(const std::uint8_t* in, std::uint64_t inPitch, std::uint8_t* out, std::uint64_t outPitch,
                   std::uint64_t es, bool stream);

// Fixed-bin histogram of n BF16 / F16 / F32 values (a spec fixedBinsF32 accepted), added to
// counts in cpu_histogram.cpp's layout (countsIndex, then the zeros at bins + 2).
void histogramFixed(const std::uint8_t* p, DType dtype, std::uint64_t n, const FixedBinsF32& f, std::uint64_t* counts);

// Orders this thread's non-temporal stores before whatever follows (end of a task).
void storeFence();

#else
inline bool available() { return false; }
#endif

} // namespace ckpt::cpu::avx512
