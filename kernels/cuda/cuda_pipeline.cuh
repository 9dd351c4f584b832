#pragma once
// Streams host-memory work through the device: for each chunk, host input bytes are copied into
// pinned staging, sent H2D, processed by a kernel, and the results sent D2H and copied to the
// caller's memory. Two slots (stream + buffers each) alternate, so one chunk's transfers and
// kernel overlap the host copies of the next. Buffers grow to the largest chunk and are kept.

#include "core/result.h"

#include <cuda_runtime.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>

namespace ckpt::cuda {

inline constexpr int kPipeBuffers = 2;  // inputs and outputs per chunk, at most

struct ChunkIo {
    std::array<const std::uint8_t*, kPipeBuffers> in{};
    std::array<std::size_t, kPipeBuffers> inBytes{};
    std::array<std::uint8_t*, kPipeBuffers> out{};
    std::array<std::size_t, kPipeBuffers> outBytes{};
};

struct DeviceIo {
    std::array<const std::uint8_t*, kPipeBuffers> in{};
    std::array<std::uint8_t*, kPipeBuffers> out{};
};

class Pipeline {
public:
    Pipeline() = default;
    ~Pipeline();
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    Status init();  // creates the streams; buffers come on demand

    using Describe = std::function<ChunkIo(std::size_t chunk)>;
    using Launch = std::function<Status(std::size_t chunk, cudaStream_t stream, const DeviceIo& io)>;
    // Runs chunks 0..n-1 in order; the caller's output bytes are written when run() returns OK.
    Status run(std::size_t chunks, const Describe& describe, const Launch& launch);

private:
    struct Buffer {
        std::uint8_t* host = nullptr;  // pinned
        std::uint8_t* dev = nullptr;
        std::size_t capacity = 0;
    };
    struct Slot {
        cudaStream_t stream = nullptr;
        std::array<Buffer, kPipeBuffers> in, out;
        ChunkIo pending;
        bool busy = false;
    };

    static Status reserve(Buffer& b, std::size_t bytes);
    static void release(Buffer& b);
    Status runChunks(std::size_t chunks, const Describe& describe, const Launch& launch);
    Status finish(Slot& s);  // waits for the slot's chunk and copies its outputs out

    std::array<Slot, 2> m_slots;
};

} // namespace ckpt::cuda
