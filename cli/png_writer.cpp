#include "cli/png_writer.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace ckpt::cli {
namespace {

std::array<std::uint32_t, 256> crcTable()
{
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t n = 0; n < 256; ++n) {
        std::uint32_t c = n;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        t[n] = c;
    }
    return t;
}

std::uint32_t crc32(const std::uint8_t* p, std::size_t n, std::uint32_t crc = 0)
{
    static const auto table = crcTable();
    crc = ~crc;
    for (std::size_t i = 0; i < n; ++i) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

void putU32(std::vector<std::uint8_t>& out, std::uint32_t v)
{
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(v >> s));
}

// length, type, data, CRC over type + data.
void chunk(std::vector<std::uint8_t>& out, const char* type, const std::vector<std::uint8_t>& data)
{
    putU32(out, static_cast<std::uint32_t>(data.size()));
    const std::size_t start = out.size();
    out.insert(out.end(), type, type + 4);
    out.insert(out.end(), data.begin(), data.end());
    putU32(out, crc32(out.data() + start, out.size() - start));
}

// zlib stream of stored blocks (at most 65535 bytes each) + Adler-32 of the raw data.
std::vector<std::uint8_t> zlibStored(const std::vector<std::uint8_t>& raw)
{
    std::vector<std::uint8_t> z{0x78, 0x01};
    std::size_t pos = 0;
    do {
        const std::size_t n = std::min<std::size_t>(65535, raw.size() - pos);
        const bool last = pos + n == raw.size();
        z.push_back(last ? 1 : 0);
        z.push_back(static_cast<std::uint8_t>(n));
        z.push_back(static_cast<std::uint8_t>(n >> 8));
        z.push_back(static_cast<std::uint8_t>(~n));
        z.push_back(static_cast<std::uint8_t>(~n >> 8));
        z.insert(z.end(), raw.begin() + static_cast<std::ptrdiff_t>(pos), raw.begin() + static_cast<std::ptrdiff_t>(pos + n));
        pos += n;
    } while (pos < raw.size());
    std::uint32_t a = 1, b = 0;
    for (std::uint8_t c : raw) {
        a = (a + c) % 65521;
        b = (b + a) % 65521;
    }
    putU32(z, (b << 16) | a);
    return z;
}

} // namespace

RgbImage::RgbImage(std::uint32_t w, std::uint32_t h, std::uint8_t gray)
    : width(w), height(h), pixels(static_cast<std::size_t>(w) * h * 3, gray)
{
}

void RgbImage::fillRect(std::uint32_t x0, std::uint32_t y0, std::uint32_t x1, std::uint32_t y1, std::uint8_t r,
                        std::uint8_t g, std::uint8_t b)
{
    x1 = std::min(x1, width);
    y1 = std::min(y1, height);
    for (std::uint32_t y = y0; y < y1; ++y)
        for (std::uint32_t x = x0; x < x1; ++x) {
            std::uint8_t* p = &pixels[(static_cast<std::size_t>(y) * width + x) * 3];
            p[0] = r;
            p[1] = g;
            p[2] = b;
        }
}

std::vector<std::uint8_t> encodePng(const RgbImage& image)
{
    std::vector<std::uint8_t> out{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    std::vector<std::uint8_t> ihdr;
    putU32(ihdr, image.width);
    putU32(ihdr, image.height);
    ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0});  // 8-bit, RGB, deflate, adaptive filter, no interlace
    chunk(out, "IHDR", ihdr);
    std::vector<std::uint8_t> raw;
    const std::size_t rowBytes = static_cast<std::size_t>(image.width) * 3;
    raw.reserve((rowBytes + 1) * image.height);
    for (std::uint32_t y = 0; y < image.height; ++y) {
        raw.push_back(0);  // filter type None
        const auto* row = image.pixels.data() + y * rowBytes;
        raw.insert(raw.end(), row, row + rowBytes);
    }
    chunk(out, "IDAT", zlibStored(raw));
    chunk(out, "IEND", {});
    return out;
}

Status writePng(const std::string& path, const RgbImage& image)
{
    const auto bytes = encodePng(image);
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (f) f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (f) f.close();
    if (!f) return makeError(ErrorCode::Io, std::string("cannot write the PNG: ") + std::strerror(errno), path);
    return {};
}

RgbImage drawBarChart(const std::vector<std::uint64_t>& counts, std::uint32_t width, std::uint32_t height)
{
    RgbImage img(width, height);
    constexpr std::uint32_t margin = 20;
    const std::uint32_t plotW = width - 2 * margin, plotH = height - 2 * margin;
    img.fillRect(margin, height - margin, width - margin, height - margin + 1, 0, 0, 0);  // x axis
    img.fillRect(margin - 1, margin, margin, height - margin, 0, 0, 0);                    // y axis
    const std::uint64_t peak = counts.empty() ? 0 : *std::max_element(counts.begin(), counts.end());
    if (peak == 0) return img;
    const auto n = static_cast<std::uint32_t>(counts.size());
    for (std::uint32_t i = 0; i < n; ++i) {
        const auto x0 = margin + static_cast<std::uint32_t>(static_cast<std::uint64_t>(plotW) * i / n);
        const auto x1 = margin + static_cast<std::uint32_t>(static_cast<std::uint64_t>(plotW) * (i + 1) / n);
        const auto h = static_cast<std::uint32_t>(static_cast<double>(plotH) * static_cast<double>(counts[i]) /
                                                  static_cast<double>(peak));
        const std::uint32_t gap = x1 - x0 > 2 ? 1 : 0;  // a white line between wide bars
        img.fillRect(x0, height - margin - h, x1 - gap, height - margin, 52, 101, 164);
    }
    return img;
}

} // namespace ckpt::cli
