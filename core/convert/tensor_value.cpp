#include "core/convert/tensor_value.h"

#include <cstdlib>
#include <new>

namespace ckpt {

AlignedBuffer::AlignedBuffer(std::size_t bytes) : m_size(bytes)
{
    // aligned_alloc needs a size that is a multiple of the alignment; never zero.
    const std::size_t rounded = ((bytes + 63) / 64) * 64;
    void* p = std::aligned_alloc(64, rounded == 0 ? 64 : rounded);
    if (!p) throw std::bad_alloc();
    m_data.reset(static_cast<std::byte*>(p));
}

void AlignedBuffer::Free::operator()(std::byte* p) const { std::free(p); }

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
