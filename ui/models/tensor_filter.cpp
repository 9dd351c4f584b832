#include "ui/models/tensor_filter.h"

#include <QRegularExpression>

#include <algorithm>

namespace ckpt::ui {

namespace {

char asciiLower(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

} // namespace

TensorFilter TensorFilter::compute(const TensorTree& tree, const QString& pattern, Mode mode)
{
    TensorFilter filter;
    filter.m_keptTensors = tree.root().tensorCount;
    if (pattern.isEmpty())
        return filter;
    filter.m_keep.assign(tree.nodeCount(), false);
    filter.m_active = true;
    if (mode == Mode::Substring)
        filter.matchSubstring(tree, pattern);
    else
        filter.matchRegex(tree, pattern);
    if (!filter.m_error.isEmpty()) {
        filter.m_active = false;
        filter.m_keep.clear();
        return filter;
    }
    filter.propagate(tree);
    return filter;
}

// Tensor names are ASCII in practice; comparing bytes with ASCII case folding avoids a QString
// per node and keeps 100k names well under a frame.
void TensorFilter::matchSubstring(const TensorTree& tree, const QString& pattern)
{
    std::string needle = pattern.toUtf8().toStdString();
    std::transform(needle.begin(), needle.end(), needle.begin(), asciiLower);
    const auto equal = [](char a, char b) { return asciiLower(a) == b; };
    for (std::uint32_t id = 1; id < tree.nodeCount(); ++id) {
        const std::string_view path = tree.path(id);
        m_keep[id] = std::search(path.begin(), path.end(), needle.begin(), needle.end(), equal)
                     != path.end();
    }
}

void TensorFilter::matchRegex(const TensorTree& tree, const QString& pattern)
{
    const QRegularExpression re(pattern, QRegularExpression::CaseInsensitiveOption);
    if (!re.isValid()) {
        m_error = QStringLiteral("Invalid regular expression at offset %1: %2")
                      .arg(re.patternErrorOffset())
                      .arg(re.errorString());
        return;
    }
    QString buffer;
    for (std::uint32_t id = 1; id < tree.nodeCount(); ++id) {
        const std::string_view path = tree.path(id);
        buffer = QString::fromUtf8(path.data(), static_cast<qsizetype>(path.size()));
        m_keep[id] = re.match(buffer).hasMatch();
    }
}

// Breadth-first order puts parents before children: a forward pass hands a match down to the
// subtree, a backward pass makes every ancestor of a kept node visible.
void TensorFilter::propagate(const TensorTree& tree)
{
    m_keptTensors = 0;
    for (std::uint32_t id = 1; id < tree.nodeCount(); ++id) {
        const std::uint32_t parent = tree.node(id).parent;
        if (parent != 0 && m_keep[parent])
            m_keep[id] = true;
        if (m_keep[id] && tree.node(id).tensor != kNoTensor)
            ++m_keptTensors;
    }
    for (std::uint32_t id = tree.nodeCount(); id-- > 1;) {
        if (m_keep[id])
            m_keep[tree.node(id).parent] = true;
    }
    m_keep[0] = true;
}

} // namespace ckpt::ui
