#pragma once
// A value on the executor's stack: dtype, shape and bytes. Bytes either view a source mapping
// (zero-copy reads) or are owned. Source views may be unaligned; owned storage is 64-byte aligned.

#include "core/dtype.h"
#include "core/result.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace ckpt {

class AlignedBuffer {
public:
    AlignedBuffer() = default;
    explicit AlignedBuffer(std::size_t bytes);
    std::byte* data() { return m_data.get(); }
    const std::byte* data() const { return m_data.get(); }
    std::size_t size() const { return m_size; }

private:
    struct Free {
        std::size_t capacity;  // what freeLargeBuffer needs back (large_buffer_policy.h)
        void operator()(std::byte* p) const;
    };
    std::unique_ptr<std::byte, Free> m_data{nullptr, Free{0}};
    std::size_t m_size = 0;
};

struct TensorValue {
    DType dtype = DType::F32;
    std::vector<std::uint64_t> shape;
    std::span<const std::byte> bytes;          // what the value is
    std::shared_ptr<AlignedBuffer> storage;    // set when the value owns its bytes
    // Only on the evaluator's stack: a 2-D value whose bytes still hold its [shape[1], shape[0]]
    // transpose, so a transpose followed by a concatenation is one pass (op_evaluator.h).
    bool transposePending = false;

    std::uint64_t elementCount() const;
    // A value of `dtype`/`shape` with fresh (uninitialised) owned storage.
    static Result<TensorValue> allocate(DType dtype, std::vector<std::uint64_t> shape);
    std::byte* mutableData() { return storage ? storage->data() : nullptr; }
};

std::string shapeToString(const std::vector<std::uint64_t>& shape);

} // namespace ckpt
