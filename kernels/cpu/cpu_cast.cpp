// Elementwise dtype conversion on the CPU: decode through core/numeric to f32 (f64 for F64
// input), round once to the output dtype. Templated per dtype pair so the inner loops carry no
// dtype switch.

#include "core/numeric/element_io.h"
#include "kernels/cpu/arg_checks.h"
#include "kernels/cpu/cpu_ops.h"

#include <cstring>

namespace ckpt::cpu {

using namespace ckpt::numeric;

namespace {

template <DType In>
inline float loadAsF32(const std::uint8_t* p, std::uint64_t i)
{
    return loadF32(p, In, i);  // In is a constant: the switch folds away
}

template <DType Out>
inline void storeF32As(std::uint8_t* p, std::uint64_t i, float v)
{
    if constexpr (Out == DType::F64) {
        const double d = v;
        std::memcpy(p + 8 * i, &d, 8);
    } else {
        storeFromF32(p, Out, i, v);
    }
}

template <DType In, DType Out>
void castRange(const std::uint8_t* in, std::uint8_t* out, std::uint64_t i0, std::uint64_t i1)
{
    for (std::uint64_t i = i0; i < i1; ++i) {
        if constexpr (In == DType::F64) {
            double d;
            std::memcpy(&d, in + 8 * i, 8);
            if constexpr (Out == DType::F64) std::memcpy(out + 8 * i, &d, 8);
            else if constexpr (Out == DType::F32) storeF32As<Out>(out, i, f64ToF32(d));
            else storeF32As<Out>(out, i, f64ToF32RoundOdd(d));  // one correct rounding overall
        } else {
            storeF32As<Out>(out, i, loadAsF32<In>(in, i));
        }
    }
}

using CastFn = void (*)(const std::uint8_t*, std::uint8_t*, std::uint64_t, std::uint64_t);

template <DType In>
CastFn pickOut(DType out)
{
    switch (out) {
    case DType::BF16: return castRange<In, DType::BF16>;
    case DType::F16: return castRange<In, DType::F16>;
    case DType::F32: return castRange<In, DType::F32>;
    default: return castRange<In, DType::F64>;
    }
}

CastFn pickCast(DType in, DType out)
{
    switch (in) {
    case DType::BF16: return pickOut<DType::BF16>(out);
    case DType::F16: return pickOut<DType::F16>(out);
    case DType::F32: return pickOut<DType::F32>(out);
    case DType::F64: return pickOut<DType::F64>(out);
    case DType::F8_E4M3: return pickOut<DType::F8_E4M3>(out);
    case DType::F8_E5M2: return pickOut<DType::F8_E5M2>(out);
    default: return pickOut<DType::F8_E8M0>(out);
    }
}

} // namespace

void cast(ThreadPool& pool, const CastArgs& a)
{
    const CastFn fn = pickCast(a.inDtype, a.outDtype);
    const auto* in = static_cast<const std::uint8_t*>(a.in);
    auto* out = static_cast<std::uint8_t*>(a.out);
    const std::uint64_t tasks = ceilDiv(a.count, kTaskElements);
    pool.run(tasks, [&](std::size_t t) {
        const std::uint64_t i0 = t * kTaskElements;
        fn(in, out, i0, std::min(a.count, i0 + kTaskElements));
    });
}

} // namespace ckpt::cpu
