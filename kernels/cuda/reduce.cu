// Stats and error metrics on the device in the fixed order of core/numeric/reduce_rules.h: one
// CUDA block of kReduceLanes threads per reduce chunk, thread l accumulating lane l in element
// order, then the same lane tree as the CPU. Chunk partials go back to the host, which folds
// them exactly as the CPU backend does, so both give the same bits.

#include "core/numeric/element_io.h"
#include "kernels/cpu/arg_checks.h"
#include "kernels/cuda/cuda_check.cuh"
#include "kernels/cuda/cuda_ops.cuh"

namespace ckpt::cuda {

using numeric::ErrorPartial;
using numeric::kReduceChunk;
using numeric::kReduceLanes;
using numeric::StatsPartial;

static_assert(kReduceLanes == kThreads, "one thread per reduction lane");

namespace {

__device__ double treeFold(double* lanes, double v)
{
    const unsigned l = threadIdx.x;
    lanes[l] = v;
    __syncthreads();
    for (unsigned s = kReduceLanes / 2; s >= 1; s /= 2) {
        if (l < s) lanes[l] += lanes[l + s];
        __syncthreads();
    }
    const double r = lanes[0];
    __syncthreads();
    return r;
}

__global__ void statsKernel(const std::uint8_t* data, DType dt, std::uint64_t count, StatsPartial* out)
{
    __shared__ double lanes[kReduceLanes];
    __shared__ unsigned long long cnt[3];
    __shared__ double exMin[kReduceLanes], exMax[kReduceLanes], exAbs[kReduceLanes];
    const std::uint64_t c0 = blockIdx.x * std::uint64_t{kReduceChunk};
    const std::uint64_t n = min(std::uint64_t{kReduceChunk}, count - c0);
    const unsigned l = threadIdx.x;
    if (l < 3) cnt[l] = 0;
    double sum = 0, sq = 0, mn = INFINITY, mx = -INFINITY, am = 0;
    unsigned long long nan = 0, inf = 0, zero = 0;
    for (std::uint64_t k = l; k < n; k += kReduceLanes) {
        const double v = numeric::loadF64(data, dt, c0 + k);
        const bool isNan = numeric::isNanF64(v), isInf = numeric::isInfF64(v);
        const double f = isNan || isInf ? 0.0 : v;
        sum += f;
        sq += f * f;
        nan += isNan, inf += isInf, zero += v == 0.0;
        if (!isNan) {
            mn = numeric::lessTotal(v, mn) ? v : mn;
            mx = numeric::lessTotal(mx, v) ? v : mx;
            am = fabs(v) > am ? fabs(v) : am;
        }
    }
    __syncthreads();
    atomicAdd(&cnt[0], nan), atomicAdd(&cnt[1], inf), atomicAdd(&cnt[2], zero);
    exMin[l] = mn, exMax[l] = mx, exAbs[l] = am;
    const double tSum = treeFold(lanes, sum);
    const double tSq = treeFold(lanes, sq);
    if (l == 0) {
        StatsPartial p;
        p.count = n, p.nan = cnt[0], p.inf = cnt[1], p.zero = cnt[2];
        p.min = INFINITY, p.max = -INFINITY, p.absMax = 0;
        for (unsigned i = 0; i < kReduceLanes; ++i) {  // min/max are order-free (lessTotal)
            p.min = numeric::lessTotal(exMin[i], p.min) ? exMin[i] : p.min;
            p.max = numeric::lessTotal(p.max, exMax[i]) ? exMax[i] : p.max;
            p.absMax = exAbs[i] > p.absMax ? exAbs[i] : p.absMax;
        }
        p.sum = tSum, p.sumSq = tSq;
        out[blockIdx.x] = p;
    }
}

__global__ void errorKernel(const std::uint8_t* a, DType aDt, const std::uint8_t* b, DType bDt,
                            std::uint64_t count, double atol, double rtol, ErrorPartial* out)
{
    __shared__ double lanes[kReduceLanes];
    __shared__ unsigned long long cnt[3];
    __shared__ unsigned long long maxBits;
    const std::uint64_t c0 = blockIdx.x * std::uint64_t{kReduceChunk};
    const std::uint64_t n = min(std::uint64_t{kReduceChunk}, count - c0);
    const unsigned l = threadIdx.x;
    if (l < 3) cnt[l] = 0;
    if (l == 0) maxBits = 0;
    double se = 0, sa = 0, dot = 0, sb = 0, mx = 0;
    unsigned long long nan = 0, inf = 0, over = 0;
    for (std::uint64_t k = l; k < n; k += kReduceLanes) {
        const double x = numeric::loadF64(a, aDt, c0 + k), y = numeric::loadF64(b, bDt, c0 + k);
        const bool isNan = numeric::isNanF64(x) || numeric::isNanF64(y);
        const bool isInf = !isNan && (numeric::isInfF64(x) || numeric::isInfF64(y));
        const bool fin = !isNan && !isInf;
        nan += isNan, inf += isInf, over += numeric::pairOverTolerance(x, y, atol, rtol);
        const double fx = fin ? x : 0.0, fy = fin ? y : 0.0, e = fx - fy;
        se += e * e, sa += fx * fx, dot += fx * fy, sb += fy * fy;
        mx = fabs(e) > mx ? fabs(e) : mx;
    }
    __syncthreads();
    atomicAdd(&cnt[0], nan), atomicAdd(&cnt[1], inf), atomicAdd(&cnt[2], over);
    atomicMax(&maxBits, static_cast<unsigned long long>(numeric::f64ToBits(mx)));  // mx >= 0
    const double tSe = treeFold(lanes, se), tSa = treeFold(lanes, sa);
    const double tDot = treeFold(lanes, dot), tSb = treeFold(lanes, sb);
    if (l == 0) {
        ErrorPartial p;
        p.count = n, p.nan = cnt[0], p.inf = cnt[1], p.over = cnt[2];
        p.maxAbs = numeric::bitsToF64(maxBits);
        p.sumSqErr = tSe, p.sumSqRef = tSa, p.dot = tDot, p.sumSqB = tSb;
        out[blockIdx.x] = p;
    }
}

// Pipeline chunks are whole numbers of reduce chunks, so chunk boundaries match the CPU's.
constexpr std::uint64_t kReducePerPipe = 256;  // reduce chunks per pipeline chunk (16 Mi elements)

} // namespace

Status statsPartials(Pipeline& pipe, const std::uint8_t* data, DType dt, std::uint64_t count,
                     std::vector<StatsPartial>& parts)
{
    const std::uint64_t per = kReducePerPipe * kReduceChunk, eb = elementBytes(dt);
    parts.assign(ceilDiv(count, kReduceChunk), StatsPartial{});
    auto elems = [&](std::size_t k) { return std::min(per, count - k * per); };
    return pipe.run(
        ceilDiv(count, per),
        [&](std::size_t k) {
            ChunkIo io;
            io.in[0] = data + k * per * eb, io.inBytes[0] = elems(k) * eb;
            io.out[0] = reinterpret_cast<std::uint8_t*>(parts.data() + k * kReducePerPipe);
            io.outBytes[0] = ceilDiv(elems(k), kReduceChunk) * sizeof(StatsPartial);
            return io;
        },
        [&](std::size_t k, cudaStream_t st, const DeviceIo& d) -> Status {
            statsKernel<<<static_cast<unsigned>(ceilDiv(elems(k), kReduceChunk)), kReduceLanes, 0, st>>>(
                d.in[0], dt, elems(k), reinterpret_cast<StatsPartial*>(d.out[0]));
            CKPT_CUDA_TRY_LAUNCH();
            return {};
        });
}

Status errorPartials(Pipeline& pipe, const std::uint8_t* a, DType aDt, const std::uint8_t* b,
                     DType bDt, std::uint64_t count, double atol, double rtol,
                     std::vector<ErrorPartial>& parts)
{
    const std::uint64_t per = kReducePerPipe * kReduceChunk, ab = elementBytes(aDt), bb = elementBytes(bDt);
    parts.assign(ceilDiv(count, kReduceChunk), ErrorPartial{});
    auto elems = [&](std::size_t k) { return std::min(per, count - k * per); };
    return pipe.run(
        ceilDiv(count, per),
        [&](std::size_t k) {
            ChunkIo io;
            io.in[0] = a + k * per * ab, io.inBytes[0] = elems(k) * ab;
            io.in[1] = b + k * per * bb, io.inBytes[1] = elems(k) * bb;
            io.out[0] = reinterpret_cast<std::uint8_t*>(parts.data() + k * kReducePerPipe);
            io.outBytes[0] = ceilDiv(elems(k), kReduceChunk) * sizeof(ErrorPartial);
            return io;
        },
        [&](std::size_t k, cudaStream_t st, const DeviceIo& d) -> Status {
            errorKernel<<<static_cast<unsigned>(ceilDiv(elems(k), kReduceChunk)), kReduceLanes, 0, st>>>(
                d.in[0], aDt, d.in[1], bDt, elems(k), atol, rtol, reinterpret_cast<ErrorPartial*>(d.out[0]));
            CKPT_CUDA_TRY_LAUNCH();
            return {};
        });
}

} // namespace ckpt::cuda
