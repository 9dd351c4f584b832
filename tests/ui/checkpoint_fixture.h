#pragma once
// Small checkpoints written with SafetensorsWriter for the UI tests: tensors with chosen bytes,
// so results can be recomputed independently with one direct KernelBackend call.

#include "core/safetensors/safetensors_writer.h"

#include <QTest>

#include <cstring>
#include <string>
#include <vector>

namespace ckpt::test {

struct FixtureTensor {
    std::string name;
    DType dtype;
    std::vector<std::uint64_t> shape;
    std::vector<std::byte> bytes;
};

template <typename T>
std::vector<std::byte> toBytes(const std::vector<T>& values)
{
    std::vector<std::byte> out(values.size() * sizeof(T));
    std::memcpy(out.data(), values.data(), out.size());
    return out;
}

// Deterministic pseudo-random bytes (xorshift), so every run sees the same tensor.
inline std::vector<std::byte> noiseBytes(std::size_t n, std::uint32_t seed)
{
    std::vector<std::byte> out(n);
    std::uint32_t x = seed | 1u;
    for (auto& b : out) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b = static_cast<std::byte>(x & 0x77u);  // clears bit 7 of e4m3: no NaN codes, positive
    }
    return out;
}

// Writes one .safetensors file; returns false (and fails the test) on error.
inline bool writeSafetensors(const std::string& path, const std::vector<FixtureTensor>& tensors)
{
    std::vector<DeclaredTensor> declared;
    for (const auto& t : tensors)
        declared.push_back({t.name, t.dtype, t.shape});
    auto writer = SafetensorsWriter::create(path, declared, {{"format", "pt"}});
    if (!writer.ok()) {
        qWarning("%s", writer.error().toString().c_str());
        return false;
    }
    for (const auto& t : tensors) {
        if (auto st = writer.value()->append(t.bytes); !st.ok()) {
            qWarning("%s", st.error().toString().c_str());
            return false;
        }
    }
    auto st = writer.value()->finish();
    if (!st.ok())
        qWarning("%s", st.error().toString().c_str());
    return st.ok();
}

} // namespace ckpt::test
