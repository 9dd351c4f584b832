#include "ui/models/model_dump.h"

namespace ckpt::ui {

namespace {

void dumpRows(const QAbstractItemModel& model, const QList<int>& columns, int maxDepth,
              const QModelIndex& parent, int depth, QString& out)
{
    if (maxDepth >= 0 && depth > maxDepth)
        return;
    const int rows = model.rowCount(parent);
    for (int row = 0; row < rows; ++row) {
        QStringList cells;
        for (int column : columns)
            cells << model.index(row, column, parent).data().toString();
        out += QString(depth * 2, QLatin1Char(' ')) + cells.join(QStringLiteral(" | "))
               + QLatin1Char('\n');
        dumpRows(model, columns, maxDepth, model.index(row, 0, parent), depth + 1, out);
    }
}

} // namespace

QString dumpItemModel(const QAbstractItemModel& model, const QList<int>& columns, int maxDepth,
                      const QModelIndex& root)
{
    QString out;
    dumpRows(model, columns, maxDepth, root, 0, out);
    return out;
}

} // namespace ckpt::ui
