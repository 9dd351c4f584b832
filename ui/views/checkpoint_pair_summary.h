#pragma once
// The two checkpoints of a diff side by side: path, family, layout, files, bytes, tensors and
// quantized weights of A and of B, in a two-column grid of selectable labels.

#include "core/checkpoint/checkpoint.h"

#include <QWidget>

#include <array>
#include <memory>

class QLabel;

namespace ckpt::ui {

class CheckpointPairSummary : public QWidget {
    Q_OBJECT
public:
    static constexpr int kRows = 7;  // path, family, layout, files, bytes, tensors, quantized

    explicit CheckpointPairSummary(QWidget* parent = nullptr);

    // side 0 = A, 1 = B; a null checkpoint shows `placeholder` as its path and clears the rest.
    void UI_setSide(int side, const Checkpoint* checkpoint, const QString& path,
                    const QString& placeholder = QString());
    QString cellText(int side, int row) const;

private:
    std::array<std::array<QLabel*, kRows>, 2> m_cells{};
};

} // namespace ckpt::ui
