#pragma once
// An indented text rendering of any item model ("  name | dtype | shape"), walked through the
// public QAbstractItemModel API only. Tests compare it with expected strings; it is also handy
// when debugging a proxy.

#include <QAbstractItemModel>
#include <QString>

namespace ckpt::ui {

// `columns`: the columns to print, in order; `maxDepth` < 0 means the whole tree.
QString dumpItemModel(const QAbstractItemModel& model, const QList<int>& columns,
                      int maxDepth = -1, const QModelIndex& root = {});

} // namespace ckpt::ui
