#pragma once
// What every avx512_*.cpp includes first: the intrinsics, the target attributes of its
// functions (chosen at run time by avx512::available(), so the file itself is compiled for the
// baseline ISA), and the one warning that GCC 12 gets wrong on them.

// GCC 12 warns on AVX-512 intrinsics whose pass-through operand is _mm512_undefined_*()
// (GCC bug 105593, fixed in 12.3 / 13): a false positive (as -Wuninitialized where the
// intrinsic is inlined into a loop, e.g. _mm512_reduce_max_epu32), silenced for the files that
// include this header (implementation files only).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include <immintrin.h>

#define CKPT_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vbmi,popcnt")))
#define CKPT_AVX512_INLINE __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vbmi,popcnt"), always_inline)) inline
