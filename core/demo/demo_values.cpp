#include "core/demo/demo_values.h"

#include "core/numeric/bf16.h"
#include "core/numeric/e8m0.h"
#include "core/numeric/f16.h"
#include "core/numeric/fp4_e2m1.h"
#include "core/numeric/fp8_e4m3.h"
#include "core/numeric/quant_rules.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <numeric>

namespace ckpt::demo {
namespace {

static_assert(std::endian::native == std::endian::little,
              "safetensors is little endian; the demo writes host-order bytes");

// splitmix64: seeds xoshiro and is good enough on its own for a seed hash chain.
std::uint64_t splitmix64(std::uint64_t& state)
{
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// xoshiro256**: fast, and (unlike std::normal_distribution) the same on every standard library.
class Rng {
public:
    explicit Rng(std::string_view seed)
    {
        std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a of the seed name
        for (char c : seed) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
        for (auto& s : m_s) s = splitmix64(h);
    }
    std::uint64_t next()
    {
        const std::uint64_t result = std::rotl(m_s[1] * 5, 7) * 9;
        const std::uint64_t t = m_s[1] << 17;
        m_s[2] ^= m_s[0];
        m_s[3] ^= m_s[1];
        m_s[1] ^= m_s[2];
        m_s[0] ^= m_s[3];
        m_s[2] ^= t;
        m_s[3] = std::rotl(m_s[3], 45);
        return result;
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)

private:
    std::uint64_t m_s[4];
};

template <typename T>
void putLe(std::vector<std::byte>& out, std::size_t index, T value)
{
    std::memcpy(out.data() + index * sizeof(T), &value, sizeof(T));
}

float blockAbsMax(const std::vector<float>& v, std::uint64_t cols, std::uint64_t r0, std::uint64_t r1,
                  std::uint64_t c0, std::uint64_t c1)
{
    float amax = 0.0f;
    for (std::uint64_t r = r0; r < r1; ++r)
        for (std::uint64_t c = c0; c < c1; ++c) amax = std::max(amax, std::fabs(v[r * cols + c]));
    return amax;
}

} // namespace

std::vector<float> normalValues(std::string_view seed, std::size_t count, float mean, float stddev)
{
    Rng rng(seed);
    std::vector<float> out(count);
    // Marsaglia's polar method: two values per accepted pair, one log and no trigonometry
    // (sincos dominated the generation time of the small demos).
    for (std::size_t i = 0; i < count; i += 2) {
        double u, v, s;
        do {
            u = 2.0 * rng.uniform() - 1.0;
            v = 2.0 * rng.uniform() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        const double factor = std::sqrt(-2.0 * std::log(s) / s);
        out[i] = static_cast<float>(mean + stddev * u * factor);
        if (i + 1 < count) out[i + 1] = static_cast<float>(mean + stddev * v * factor);
    }
    return out;
}

std::vector<std::byte> encodeFloats(const std::vector<float>& values, DType dtype)
{
    std::vector<std::byte> out(values.size() * static_cast<std::size_t>(dtypeBits(dtype) / 8));
    for (std::size_t i = 0; i < values.size(); ++i) {
        switch (dtype) {
        case DType::BF16: putLe(out, i, numeric::f32ToBf16(values[i])); break;
        case DType::F16: putLe(out, i, numeric::f32ToF16(values[i])); break;
        default: putLe(out, i, values[i]); break;  // F32 (builders only ask for these three)
        }
    }
    return out;
}

Fp8Quantized quantizeFp8Block(const std::vector<float>& values, std::uint64_t rows, std::uint64_t cols,
                               std::uint32_t blockRows, std::uint32_t blockCols, DType scaleDtype)
{
    const std::uint64_t gridRows = (rows + blockRows - 1) / blockRows;
    const std::uint64_t gridCols = (cols + blockCols - 1) / blockCols;
    Fp8Quantized q;
    q.weight.resize(rows * cols);
    q.scale.resize(gridRows * gridCols * static_cast<std::size_t>(dtypeBits(scaleDtype) / 8));
    for (std::uint64_t br = 0; br < gridRows; ++br) {
        for (std::uint64_t bc = 0; bc < gridCols; ++bc) {
            const std::uint64_t r0 = br * blockRows, r1 = std::min(rows, r0 + blockRows);
            const std::uint64_t c0 = bc * blockCols, c1 = std::min(cols, c0 + blockCols);
            // The quantizer's own scale rule (core/numeric/quant_rules.h), so demo data looks
            // exactly like what `convert --quantize fp8` writes.
            const auto rule = numeric::fp8BlockScale(blockAbsMax(values, cols, r0, r1, c0, c1),
                                                     scaleDtype == DType::F8_E8M0);
            float s = rule.value;
            const std::size_t si = br * gridCols + bc;
            if (scaleDtype == DType::F8_E8M0) {
                q.scale[si] = std::byte{rule.e8m0};
            } else if (scaleDtype == DType::BF16) {
                // Quantize against the scale as stored, so dequantization uses the same number.
                const std::uint16_t b = numeric::f32ToBf16(s);
                s = numeric::bf16ToF32(b);
                putLe(q.scale, si, b);
            } else {
                putLe(q.scale, si, s);
            }
            for (std::uint64_t r = r0; r < r1; ++r)
                for (std::uint64_t c = c0; c < c1; ++c)
                    q.weight[r * cols + c] = std::byte{numeric::f32ToE4m3(values[r * cols + c] / s)};
        }
    }
    return q;
}

Fp4Quantized quantizeFp4(const std::vector<float>& values, std::uint64_t rows, std::uint64_t cols)
{
    constexpr std::uint64_t kGroup = 32;
    const std::uint64_t groups = (cols + kGroup - 1) / kGroup;
    Fp4Quantized q;
    q.packed.assign(rows * (cols / 2), std::byte{0});
    q.scale.resize(rows * groups);
    for (std::uint64_t r = 0; r < rows; ++r) {
        for (std::uint64_t g = 0; g < groups; ++g) {
            const std::uint64_t c0 = g * kGroup, c1 = std::min(cols, c0 + kGroup);
            const std::uint8_t e = numeric::fp4GroupScale(blockAbsMax(values, cols, r, r + 1, c0, c1));
            const float s = numeric::e8m0Fp4ScaleToF32(e);
            q.scale[r * groups + g] = std::byte{e};
            for (std::uint64_t c = c0; c < c1; ++c) {
                const std::uint8_t code = numeric::f32ToE2m1(values[r * cols + c] / s);
                auto& b = q.packed[r * (cols / 2) + c / 2];
                b |= std::byte{static_cast<std::uint8_t>(c % 2 == 0 ? code : code << 4)};
            }
        }
    }
    return q;
}

std::vector<std::byte> expertTable(std::string_view seed, std::uint64_t rows, std::uint32_t topK,
                                   std::uint32_t experts)
{
    Rng rng(seed);
    std::vector<std::byte> out(rows * topK * sizeof(std::int32_t));
    std::vector<std::int32_t> ids(experts);
    for (std::uint64_t r = 0; r < rows; ++r) {
        std::iota(ids.begin(), ids.end(), 0);
        // Partial Fisher-Yates: the first topK ids are distinct, uniformly chosen experts.
        for (std::uint32_t k = 0; k < topK && k < experts; ++k) {
            auto j = k + static_cast<std::uint32_t>(rng.next() % (experts - k));
            std::swap(ids[k], ids[j]);
            putLe(out, r * topK + k, ids[k]);
        }
    }
    return out;
}

} // namespace ckpt::demo
