#include "core/plan/byte_size.h"

#include <array>
#include <cctype>
#include <cmath>
#include <string>

namespace ckpt {

std::optional<std::uint64_t> parseByteSize(std::string_view text)
{
    struct Unit {
        std::string_view name;
        double factor;
    };
    static constexpr std::array<Unit, 10> kUnits = {{
        {"kib", 1024.0}, {"mib", 1048576.0}, {"gib", 1073741824.0}, {"tib", 1099511627776.0},
        {"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12}, {"b", 1.0}, {"", 1.0}}};
    std::size_t i = 0;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == 0) return std::nullopt;
    std::string unit;
    for (char c : text.substr(i)) unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    double number = 0;
    try {
        std::size_t used = 0;
        number = std::stod(std::string(text.substr(0, i)), &used);
        if (used != i) return std::nullopt;
    } catch (...) {
        return std::nullopt;
    }
    for (const Unit& u : kUnits)
        if (unit == u.name) {
            const double bytes = std::floor(number * u.factor);
            if (!(bytes >= 0) || bytes > 1.8e19) return std::nullopt;
            return static_cast<std::uint64_t>(bytes);
        }
    return std::nullopt;
}

} // namespace ckpt
