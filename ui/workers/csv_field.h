#pragma once
// RFC 4180 CSV fields for the exports of the mapping preview and the verify table.

#include <string>
#include <string_view>

namespace ckpt::ui {

// Appends `value` quoted (quotes inside doubled), then ',' or, for the last field, a newline.
inline void appendCsvField(std::string& out, std::string_view value, bool last = false)
{
    out += '"';
    for (char c : value) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
    out += last ? '\n' : ',';
}

} // namespace ckpt::ui
