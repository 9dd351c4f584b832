#include "core/convert/tensor_value.h"

#include "core/convert/large_buffer_policy.h"

#include <new>

namespace ckpt {

AlignedBuffer::AlignedBuffer(std::size_t bytes) : m_size(bytes)
{
    std::size_t capacity = 0;
    std::byte* p = allocateLargeBuffer(bytes, capacity);
    m_data = std::unique_ptr<std::byte, Free>(p, Free{capacity});
}

void AlignedBuffer::Free::operator()(std::byte* p) const { freeLargeBuffer(p, capacity); }

std::uint64_t TensorValue::elementCount() const
{
    return ckpt::elementCount(shape).value_or(0);
}

Result<TensorValue> TensorValue::allocate(DType dtype, std::vector<std::uint64_t> shape)
{
    auto bytes = byteSizeFor(dtype, shape);
    if (!bytes)
        return makeError(ErrorCode::ShapeOverflow, "tensor size overflows: " + shapeToString(shape));
    TensorValue v;
    v.dtype = dtype;
    v.shape = std::move(shape);
    try {
        v.storage = std::make_shared<AlignedBuffer>(static_cast<std::size_t>(*bytes));
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::Io, "out of memory allocating " + std::to_string(*bytes) + " bytes");
    }
    v.bytes = {v.storage->data(), v.storage->size()};
    return v;
}

std::string shapeToString(const std::vector<std::uint64_t>& shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

} // namespace ckpt
