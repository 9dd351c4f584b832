#include "ui/views/checkpoint_pair_summary.h"

#include "ui/models/tensor_tree_model.h"

#include <QDir>
#include <QGridLayout>
#include <QLabel>
#include <QLocale>

namespace ckpt::ui {

namespace {

QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

} // namespace

CheckpointPairSummary::CheckpointPairSummary(QWidget* parent) : QWidget(parent)
{
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setHorizontalSpacing(16);
    grid->setVerticalSpacing(1);
    const QStringList rowNames{tr("Path"), tr("Family"), tr("Layout"), tr("Files"), tr("Bytes"), tr("Tensors"),
                               tr("Quantized weights")};
    grid->addWidget(new QLabel(QStringLiteral("<b>%1</b>").arg(tr("A (open checkpoint)")), this), 0, 1);
    grid->addWidget(new QLabel(QStringLiteral("<b>%1</b>").arg(tr("B")), this), 0, 2);
    for (int row = 0; row < kRows; ++row) {
        auto* name = new QLabel(rowNames[row], this);
        name->setStyleSheet(QStringLiteral("color: palette(mid);"));
        grid->addWidget(name, row + 1, 0);
        for (int side = 0; side < 2; ++side) {
            auto* cell = new QLabel(this);
            cell->setTextInteractionFlags(Qt::TextSelectableByMouse);
            cell->setTextFormat(Qt::PlainText);
            if (row == 0)
                cell->setWordWrap(true);
            m_cells[side][row] = cell;
            grid->addWidget(cell, row + 1, side + 1);
        }
    }
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(2, 1);
}

void CheckpointPairSummary::UI_setSide(int side, const Checkpoint* c, const QString& path, const QString& placeholder)
{
    auto& cells = m_cells[static_cast<std::size_t>(side)];
    cells[0]->setText(path.isEmpty() ? placeholder : QDir::toNativeSeparators(path));
    if (!c) {
        for (int row = 1; row < kRows; ++row)
            cells[static_cast<std::size_t>(row)]->clear();
        return;
    }
    const QLocale locale;
    cells[1]->setText(qs(familyName(c->family())));
    cells[2]->setText(qs(layoutName(c->layout())));
    cells[3]->setText(locale.toString(qulonglong(c->files().size())));
    cells[4]->setText(TensorTreeModel::formatBytes(c->totalBytes()));
    cells[5]->setText(locale.toString(qulonglong(c->tensors().size())));
    cells[6]->setText(locale.toString(qulonglong(c->quant().pairs.size())));
}

QString CheckpointPairSummary::cellText(int side, int row) const
{
    return m_cells[static_cast<std::size_t>(side)][static_cast<std::size_t>(row)]->text();
}

} // namespace ckpt::ui
