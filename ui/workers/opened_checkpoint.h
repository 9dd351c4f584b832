#pragma once
// What OpenCheckpointWorker hands to the UI: the checkpoint (headers, quant pairing, lazily
// mapped data) and the tree built from it, both immutable and shared with later workers.

#include "core/checkpoint/checkpoint.h"
#include "ui/models/tensor_tree.h"

#include <QMetaType>
#include <QString>

#include <memory>

namespace ckpt::ui {

struct OpenedCheckpoint {
    QString path;
    std::shared_ptr<const Checkpoint> checkpoint;
    std::shared_ptr<const TensorTree> tree;
};

} // namespace ckpt::ui

Q_DECLARE_METATYPE(ckpt::ui::OpenedCheckpoint)
