#pragma once
// Hand-written AVX2 hot loops of the CPU backend (kernels/cpu/avx2_*.cpp), next to the portable
// loops of cpu_*.cpp that stay the fallback for CPUs without AVX2 and for other architectures.
// Both give the same bytes: the AVX2 code is the same integer / exact-float arithmetic as the
// core/numeric codecs, lane by lane, and the reductions keep the lane order of reduce_rules.h.
// The tests run each suite twice, once with CKPT_CPU_SCALAR=1 (portable loops only).

#include "core/dtype.h"
#include "core/numeric/reduce_rules.h"

#include <cstdint>

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__) && !defined(__CUDACC__)
#define CKPT_CPU_AVX2 1
#else
#define CKPT_CPU_AVX2 0
#endif

namespace ckpt::cpu::avx2 {

// The smallest output that is written with non-temporal stores: large outputs would only evict
// the caches, and streaming skips the read-for-ownership; smaller ones stay cached for whoever
// reads them next (the convert's write(2), the verify's compare).
inline constexpr std::uint64_t kStreamMinBytes = std::uint64_t{4} << 20;

#if CKPT_CPU_AVX2

// The streaming threshold in use: half the last-level cache (what glibc's memcpy keeps cached
// too, about), at least kStreamMinBytes; CKPT_CPU_STREAM_MIN_BYTES overrides it. Read once.
std::uint64_t streamMinBytes();

// True when the CPU has AVX2 and FMA (every AVX2 CPU has both) and CKPT_CPU_SCALAR is not set
// to 1 (read once).
bool available();

// Orders this thread's non-temporal stores before whatever follows (end of a task).
void storeFence();

// One row of FP8 codes -> BF16 / F16 / F32: block column j (blockCols wide) uses scales[j].
// stream: use non-temporal stores where the output is 32-byte aligned.
void fp8DequantRow(const std::uint8_t* w, const float* scales, std::uint64_t blockCols,
                   std::uint64_t cols, std::uint8_t* out, DType outDtype, bool stream);

// table[b] = the BF16 / F16 bits of e4m3ToF32(b) * scale for every code b: the per-block
// tables of the FP8 dequant, 16 products per step instead of one.
void fp8Table16(float scale, DType outDtype, std::uint16_t* table);

// One block's FP8 -> BF16 / F16 decode by exponent arithmetic (avx2_fp8_exponent.cpp says why it
// is exact): fp8ExponentTable derives it from the block's 256-entry table and says whether it
// reproduces every entry; fp8ExponentDecode then decodes the first n - n % 32 codes of a segment
// and returns how many it did (the rest is for the table loop).
struct Fp8ExponentTable {
    alignas(32) std::uint8_t normalLo[32], normalHi[32], specialLo[32], specialHi[32];  // 16 entries, twice
    unsigned shift = 4;  // c & 0x78 << shift is the exponent's place: 4 for BF16, 7 for F16
};
bool fp8ExponentTable(const std::uint16_t* table, DType outDtype, Fp8ExponentTable& t);
std::uint64_t fp8ExponentDecode(const std::uint8_t* codes, const Fp8ExponentTable& t, std::uint64_t n, std::uint8_t* out);
// The same for F32 outputs: the f32 bits of the products.
void fp8Table32(float scale, std::uint32_t* table);

// n packed FP4 bytes (2n elements, low nibble first) in groups of groupBytes bytes, group g
// scaled by scale byte scales[g] -> outBytes-wide outputs by lookup: for scale byte s, planes
// + s * outBytes * 16 holds outBytes tables of 16 bytes, byte k of the output for each code.
void fp4DequantGroups(const std::uint8_t* packed, const std::uint8_t* scales, std::uint64_t groupBytes,
                      std::uint64_t n, const std::uint8_t* planes, unsigned outBytes, std::uint8_t* out,
                      bool stream);

// max |x| bits over the finite values of n BF16 / F16 / F32 inputs, folded into m.
std::uint32_t absMaxBits(const std::uint8_t* in, DType inDtype, std::uint64_t n, std::uint32_t m);

// out[i] = f32ToE4m3(in[i] / scale) for n BF16 / F16 / F32 inputs.
void fp8Encode(const std::uint8_t* in, DType inDtype, float scale, std::uint8_t* out, std::uint64_t n);

// pairs packed FP4 bytes from 2 * pairs inputs: f32ToE2m1(x / scale), low nibble first.
void fp4Encode(const std::uint8_t* in, DType inDtype, float scale, std::uint8_t* out, std::uint64_t pairs);

// Whether the byte arithmetic of the BF16 FP8 table encoders (avx2_fp8_bf16.cpp,
// avx512_fp8_bf16.cpp) takes a block of this scale (> 0): a normal scale whose exponent field E
// is at least 8, as q = e - (E - 8) must not wrap.
inline bool fp8ByteTableTakes(float scale)
{
    const std::uint32_t e = numeric::f32ToBits(scale) >> 23;
    return e >= 8 && e <= 254;
}

// One FP8 block's encoder for BF16 inputs (avx2_fp8_bf16.cpp): the block's 128-entry code
// table in 16-entry buckets, so most values take two byte shuffles instead of a division; the
// others, and every value of a block whose table does not split so, take fp8Encode's path.
struct Fp8Bf16Buckets {
    alignas(32) std::uint8_t base[32], rise[32];  // 16 entries, twice
    float scale = 0;
    bool lookup = false;
};
void fp8Bf16Buckets(float scale, Fp8Bf16Buckets& t);
void fp8EncodeBf16(const std::uint8_t* in, const Fp8Bf16Buckets& t, std::uint8_t* out, std::uint64_t n);

// groups whole FP4 groups of 32 inputs from a group boundary: one scale byte each
// (fp4GroupScale) and 16 packed bytes each.
void fp4Groups32(const std::uint8_t* in, DType inDtype, std::uint64_t groups, std::uint8_t* out, std::uint8_t* scales);
// The codes alone of BF16 groups with scale bytes bytes[g], by one vector lookup per class of
// exponent instead of a widening to f32 (avx2_fp4_bf16.cpp); false, and nothing written, where
// a byte is outside [3, 252], which the f32 loop takes.
bool fp4Groups32Bf16(const std::uint8_t* in, const std::uint8_t* bytes, std::uint64_t groups, std::uint8_t* out);

// Stats of one reduce chunk of BF16 / F16 / F32 values, in the lane order of reduce_rules.h.
// statsChunk walks a chunk without NaN or inf in register passes and falls back to
// statsChunkClassified (every value classified, lane sums in memory) for one that has them.
// next / nextBytes: the chunk this thread takes next, asked for meanwhile (reduce_lanes.h).
numeric::StatsPartial statsChunk(const std::uint8_t* p, DType dtype, std::uint64_t n, const std::uint8_t* next = nullptr,
                                 std::uint64_t nextBytes = 0);
numeric::StatsPartial statsChunkClassified(const std::uint8_t* p, DType dtype, std::uint64_t n);

// Error metrics of one reduce chunk of BF16 / F16 / F32 pairs, in the lane order of reduce_rules.h
// (register passes where no value is NaN or inf, as statsChunk). nextA / nextB / nextN: the
// chunk pair this thread takes next, asked for meanwhile.
numeric::ErrorPartial errorChunk(const std::uint8_t* a, DType aDtype, const std::uint8_t* b, DType bDtype,
                                 std::uint64_t n, double atol, double rtol, const std::uint8_t* nextA = nullptr,
                                 const std::uint8_t* nextB = nullptr, std::uint64_t nextN = 0);

#else
inline std::uint64_t streamMinBytes() { return kStreamMinBytes; }
inline bool available() { return false; }
#endif

} // namespace ckpt::cpu::avx2
