#include "ui/models/name_matcher.h"

#include <algorithm>

namespace ckpt::ui {

namespace {

char asciiLower(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

} // namespace

NameMatcher::NameMatcher(const QString& pattern, Mode mode) : m_mode(mode)
{
    if (mode == Mode::Substring) {
        m_needle = pattern.toUtf8().toStdString();
        std::transform(m_needle.begin(), m_needle.end(), m_needle.begin(), asciiLower);
        return;
    }
    m_regex = QRegularExpression(pattern, QRegularExpression::CaseInsensitiveOption);
    if (!m_regex.isValid()) {
        m_error = QStringLiteral("Invalid regular expression at offset %1: %2")
                      .arg(m_regex.patternErrorOffset())
                      .arg(m_regex.errorString());
    }
}

// Tensor names are ASCII in practice; comparing bytes with ASCII case folding avoids a QString
// per name and keeps 100k names well under a frame.
bool NameMatcher::matches(std::string_view name) const
{
    if (m_mode == Mode::Substring) {
        const auto equal = [](char a, char b) { return asciiLower(a) == b; };
        return std::search(name.begin(), name.end(), m_needle.begin(), m_needle.end(), equal)
               != name.end();
    }
    if (!isValid())
        return false;
    m_buffer = QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
    return m_regex.match(m_buffer).hasMatch();
}

} // namespace ckpt::ui
