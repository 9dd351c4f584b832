#pragma once
// Facts about the selected tensor: its header entry (name, dtype, shape, bytes, shard, offset),
// its quant pairing (weight <-> scale, scheme, block shape) and the statistics the worker
// computed (min, max, mean, std, absmax, zeros, NaN, Inf), with a busy bar and a cancel button
// while the worker runs. Everything shown comes from headers or from a finished result; the
// panel never reads tensor data.

#include "core/checkpoint/checkpoint.h"
#include "ui/workers/tensor_stats_result.h"

#include <QWidget>

class QFormLayout;
class QGroupBox;
class QLabel;
class QProgressBar;
class QPushButton;

namespace ckpt::ui {

class TensorPanel : public QWidget {
    Q_OBJECT
public:
    explicit TensorPanel(QWidget* parent = nullptr);

    void UI_showTensor(const Checkpoint& checkpoint, std::uint32_t tensorIndex);
    void UI_showGroup(const QString& path);
    void UI_clear();
    void UI_setBusy(bool busy);
    void UI_setProgress(quint64 done, quint64 total, const QString& stage);
    void UI_showStats(const TensorStatsResult& result);
    void UI_showStatsMessage(const QString& message, bool isError);

    // The value shown in a row ("min", "NaN", "Scheme", ...), for tests and screenshots.
    QString fieldText(const QString& label) const;

signals:
    void cancelRequested();

private:
    QLabel* addField(QFormLayout* form, const QString& label);
    void UI_buildStatsBox();
    void UI_showQuant(const Checkpoint& checkpoint, const TensorRef& ref);
    void UI_clearStats();

    QLabel* m_name;
    QLabel* m_dtype;
    QLabel* m_shape;
    QLabel* m_bytes;
    QLabel* m_shard;
    QLabel* m_offset;
    QGroupBox* m_quantBox;
    QLabel* m_quantRole;
    QLabel* m_quantPartner;
    QLabel* m_scheme;
    QLabel* m_dtypes;
    QLabel* m_block;
    QLabel* m_logicalShape;
    QGroupBox* m_statsBox;
    QList<QLabel*> m_statFields;
    QLabel* m_statsStatus;
    QProgressBar* m_busy;
    QPushButton* m_cancel;
    QHash<QString, QLabel*> m_fields;
};

} // namespace ckpt::ui
