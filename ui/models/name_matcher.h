#pragma once
// Case-insensitive matching of tensor names against what the user typed in a filter box:
// a plain substring, or a regular expression. Shared by the tree filter and the mapping table.

#include <QRegularExpression>
#include <QString>

#include <string>
#include <string_view>

namespace ckpt::ui {

class NameMatcher {
public:
    enum class Mode { Substring, Regex };

    NameMatcher(const QString& pattern, Mode mode);

    bool isValid() const { return m_error.isEmpty(); }
    const QString& error() const { return m_error; }  // "Invalid regular expression at offset N: …"
    bool matches(std::string_view name) const;

private:
    Mode m_mode;
    std::string m_needle;  // lower-cased UTF-8, substring mode
    QRegularExpression m_regex;
    mutable QString m_buffer;  // reused conversion buffer, regex mode
    QString m_error;
};

} // namespace ckpt::ui
