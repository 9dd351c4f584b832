#pragma once
// A minimal PNG encoder so that `hist --png` works without Qt (the CLI must stay Qt-free):
// 8-bit RGB, one IDAT of zlib "stored" (uncompressed) blocks, CRC-32 and Adler-32 computed here.
// Files are larger than a real deflate would make, which does not matter for a 640x360 chart.

#include "core/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ckpt::cli {

struct RgbImage {
    std::uint32_t width = 0, height = 0;
    std::vector<std::uint8_t> pixels;  // width * height * 3, row-major, top row first

    RgbImage(std::uint32_t w, std::uint32_t h, std::uint8_t gray = 255);
    void fillRect(std::uint32_t x0, std::uint32_t y0, std::uint32_t x1, std::uint32_t y1, std::uint8_t r,
                  std::uint8_t g, std::uint8_t b);  // [x0, x1) x [y0, y1), clipped
};

// The PNG bytes of `image`.
std::vector<std::uint8_t> encodePng(const RgbImage& image);
// Writes encodePng(image) to `path` (Io error naming the file on failure).
Status writePng(const std::string& path, const RgbImage& image);

// A bar chart of `counts` (one bar per bin, heights relative to the largest count) with axes.
RgbImage drawBarChart(const std::vector<std::uint64_t>& counts, std::uint32_t width = 640, std::uint32_t height = 360);

} // namespace ckpt::cli
