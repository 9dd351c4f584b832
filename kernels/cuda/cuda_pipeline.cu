#include "kernels/cuda/cuda_pipeline.cuh"

#include "kernels/cuda/cuda_check.cuh"

#include <cstring>

namespace ckpt::cuda {

Pipeline::~Pipeline()
{
    for (Slot& s : m_slots) {
        if (s.stream) cudaStreamSynchronize(s.stream);
        for (Buffer& b : s.in) release(b);
        for (Buffer& b : s.out) release(b);
        if (s.stream) cudaStreamDestroy(s.stream);
    }
}

Status Pipeline::init()
{
    for (Slot& s : m_slots)
        if (!s.stream) CKPT_CUDA_TRY(cudaStreamCreateWithFlags(&s.stream, cudaStreamNonBlocking));
    return {};
}

void Pipeline::release(Buffer& b)
{
    if (b.host) cudaFreeHost(b.host);
    if (b.dev) cudaFree(b.dev);
    b = Buffer{};
}

Status Pipeline::reserve(Buffer& b, std::size_t bytes)
{
    if (bytes <= b.capacity) return {};
    release(b);
    // Round up so slowly growing chunks do not reallocate every time.
    const std::size_t cap = bytes + bytes / 4 + 4096;
    CKPT_CUDA_TRY(cudaMallocHost(&b.host, cap));
    CKPT_CUDA_TRY(cudaMalloc(&b.dev, cap));
    b.capacity = cap;
    return {};
}

Status Pipeline::finish(Slot& s)
{
    if (!s.busy) return {};
    s.busy = false;
    CKPT_CUDA_TRY(cudaStreamSynchronize(s.stream));
    for (int k = 0; k < kPipeBuffers; ++k)
        if (s.pending.outBytes[k] != 0) std::memcpy(s.pending.out[k], s.out[k].host, s.pending.outBytes[k]);
    return {};
}

Status Pipeline::run(std::size_t chunks, const Describe& describe, const Launch& launch)
{
    Status result = runChunks(chunks, describe, launch);
    if (!result) {
        // Drop whatever is in flight: its outputs belong to a call that has failed.
        for (Slot& s : m_slots) {
            cudaStreamSynchronize(s.stream);
            s.busy = false;
        }
        (void)cudaGetLastError();
    }
    return result;
}

Status Pipeline::runChunks(std::size_t chunks, const Describe& describe, const Launch& launch)
{
    for (std::size_t i = 0; i < chunks; ++i) {
        Slot& s = m_slots[i % 2];
        if (auto f = finish(s); !f) return f;
        const ChunkIo io = describe(i);
        DeviceIo dio;
        for (int k = 0; k < kPipeBuffers; ++k) {
            if (auto r = reserve(s.in[k], io.inBytes[k]); !r) return r;
            if (auto r = reserve(s.out[k], io.outBytes[k]); !r) return r;
            dio.in[k] = s.in[k].dev;
            dio.out[k] = s.out[k].dev;
            if (io.inBytes[k] == 0) continue;
            std::memcpy(s.in[k].host, io.in[k], io.inBytes[k]);  // sources may be unaligned mmaps
            CKPT_CUDA_TRY(cudaMemcpyAsync(s.in[k].dev, s.in[k].host, io.inBytes[k], cudaMemcpyHostToDevice, s.stream));
        }
        if (auto l = launch(i, s.stream, dio); !l) return l;
        for (int k = 0; k < kPipeBuffers; ++k)
            if (io.outBytes[k] != 0)
                CKPT_CUDA_TRY(cudaMemcpyAsync(s.out[k].host, s.out[k].dev, io.outBytes[k], cudaMemcpyDeviceToHost, s.stream));
        s.pending = io;
        s.busy = true;
    }
    for (std::size_t i = chunks; i < chunks + 2; ++i)
        if (auto f = finish(m_slots[i % 2]); !f) return f;
    return {};
}

} // namespace ckpt::cuda
