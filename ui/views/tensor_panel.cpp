#include "ui/views/tensor_panel.h"

#include "ui/models/tensor_tree_model.h"

#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>

namespace ckpt::ui {

namespace {

const QStringList kStatLabels{QStringLiteral("min"), QStringLiteral("max"), QStringLiteral("mean"),
                              QStringLiteral("std"), QStringLiteral("absmax"),
                              QStringLiteral("zeros"), QStringLiteral("NaN"), QStringLiteral("Inf"),
                              QStringLiteral("count")};

QString number(double v) { return QString::number(v, 'g', 7); }
QString count(std::uint64_t n) { return QLocale().toString(static_cast<qulonglong>(n)); }

} // namespace

TensorPanel::TensorPanel(QWidget* parent) : QWidget(parent)
{
    auto* header = new QGroupBox(tr("Tensor"), this);
    auto* form = new QFormLayout(header);
    m_name = new QLabel(this);
    m_name->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_fields.insert(tr("Name"), m_name);
    QFont bold = m_name->font();
    bold.setBold(true);
    m_name->setFont(bold);
    m_dtype = addField(form, tr("DType"));
    m_shape = addField(form, tr("Shape"));
    m_bytes = addField(form, tr("Bytes"));
    m_shard = addField(form, tr("Shard"));
    m_offset = addField(form, tr("Offset"));
    m_name->setWordWrap(true);

    m_quantBox = new QGroupBox(tr("Quantization"), this);
    auto* quant = new QFormLayout(m_quantBox);
    m_quantRole = addField(quant, tr("Role"));
    m_quantPartner = addField(quant, tr("Partner"));
    m_scheme = addField(quant, tr("Scheme"));
    m_dtypes = addField(quant, tr("DTypes"));
    m_block = addField(quant, tr("Block"));
    m_logicalShape = addField(quant, tr("Dequantized shape"));
    m_quantPartner->setWordWrap(true);

    UI_buildStatsBox();

    // Facts and pairing side by side keep the panel short, leaving the height to the plots.
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_name, 0, 0, 1, 2);
    layout->addWidget(header, 1, 0);
    layout->addWidget(m_quantBox, 1, 1);
    layout->addWidget(m_statsBox, 2, 0, 1, 2);
    layout->setColumnStretch(0, 1);
    layout->setColumnStretch(1, 1);
    layout->setRowStretch(3, 1);
    UI_clear();
}

void TensorPanel::UI_buildStatsBox()
{
    m_statsBox = new QGroupBox(tr("Statistics"), this);
    auto* grid = new QGridLayout(m_statsBox);
    for (int i = 0; i < kStatLabels.size(); ++i) {
        auto* value = new QLabel(m_statsBox);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        grid->addWidget(new QLabel(kStatLabels[i] + QLatin1Char(':'), m_statsBox), i / 3, (i % 3) * 2);
        grid->addWidget(value, i / 3, (i % 3) * 2 + 1);
        m_statFields << value;
        m_fields.insert(kStatLabels[i], value);
    }
    m_statsStatus = new QLabel(m_statsBox);
    m_statsStatus->setWordWrap(true);
    m_statsStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_busy = new QProgressBar(m_statsBox);
    m_busy->setTextVisible(true);
    m_cancel = new QPushButton(tr("Cancel"), m_statsBox);
    connect(m_cancel, &QPushButton::clicked, this, &TensorPanel::cancelRequested);
    auto* busyRow = new QHBoxLayout;
    busyRow->addWidget(m_busy, 1);
    busyRow->addWidget(m_cancel);
    grid->addLayout(busyRow, 3, 0, 1, 6);
    grid->addWidget(m_statsStatus, 4, 0, 1, 6);
}

QLabel* TensorPanel::addField(QFormLayout* form, const QString& label)
{
    auto* value = new QLabel(form->parentWidget());
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(label + QLatin1Char(':'), value);
    m_fields.insert(label, value);
    return value;
}

QString TensorPanel::fieldText(const QString& label) const
{
    const QLabel* field = m_fields.value(label);
    return field ? field->text() : QString();
}

void TensorPanel::UI_clear()
{
    for (QLabel* l : {m_name, m_dtype, m_shape, m_bytes, m_shard, m_offset})
        l->clear();
    m_name->setText(tr("Select a tensor in the tree"));
    m_quantBox->hide();
    UI_clearStats();
    m_statsBox->hide();
}

void TensorPanel::UI_showGroup(const QString& path)
{
    UI_clear();
    m_name->setText(path);
}

void TensorPanel::UI_clearStats()
{
    for (QLabel* l : m_statFields)
        l->setText(QStringLiteral("—"));
    m_statsStatus->clear();
    UI_setBusy(false);
}

void TensorPanel::UI_showTensor(const Checkpoint& checkpoint, std::uint32_t tensorIndex)
{
    const TensorRef& ref = checkpoint.tensors().at(tensorIndex);
    const QLocale locale;
    m_name->setText(QString::fromStdString(ref.name));
    m_dtype->setText(QString::fromUtf8(dtypeName(ref.dtype).data(),
                                       static_cast<qsizetype>(dtypeName(ref.dtype).size())));
    const auto elements = elementCount(ref.shape).value_or(0);
    m_shape->setText(tr("%1 · %2 elements")
                         .arg(TensorTreeModel::formatShape(ref.shape), locale.toString(qulonglong(elements))));
    m_bytes->setText(tr("%1 (%2)").arg(locale.toString(qulonglong(ref.nbytes)),
                                       TensorTreeModel::formatBytes(ref.nbytes)));
    const QString file = QString::fromStdString(checkpoint.fileOf(ref));
    m_shard->setText(QFileInfo(file).fileName());
    m_shard->setToolTip(file);
    m_offset->setText(locale.toString(qulonglong(ref.offset)));
    UI_showQuant(checkpoint, ref);
    UI_clearStats();
    m_statsBox->show();
}

void TensorPanel::UI_showQuant(const Checkpoint& checkpoint, const TensorRef& ref)
{
    const QuantPairing& quant = checkpoint.quant();
    const QuantPair* pair = quant.findByWeight(ref.name);
    bool isScale = false;
    if (!pair && quant.isScale(ref.name)) {
        for (const QuantPair& p : quant.pairs) {
            if (p.scale == ref.name) {
                pair = &p;
                isScale = true;
                break;
            }
        }
    }
    if (!pair) {
        m_quantBox->hide();
        return;
    }
    const auto name = [](std::string_view s) {
        return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
    };
    m_quantRole->setText(isScale ? tr("scale of a quantized weight") : tr("quantized weight"));
    // A zero-width space after each dot lets a long key wrap inside the narrow column.
    const QString partner = QString::fromStdString(isScale ? pair->weight : pair->scale);
    m_quantPartner->setText(QString(partner).replace(QLatin1Char('.'), QStringLiteral(".\u200B")));
    m_quantPartner->setToolTip(partner);
    m_scheme->setText(name(quantSchemeName(pair->scheme)));
    m_dtypes->setText(tr("weight %1 · scale %2")
                          .arg(name(dtypeName(pair->weightDtype)), name(dtypeName(pair->scaleDtype))));
    m_block->setText(QStringLiteral("%1 × %2").arg(pair->blockRows).arg(pair->blockCols));
    m_logicalShape->setText(TensorTreeModel::formatShape(pair->logicalShape));
    m_quantBox->show();
}

void TensorPanel::UI_setBusy(bool busy)
{
    m_busy->setVisible(busy);
    m_cancel->setVisible(busy);
    if (busy) {
        m_busy->setRange(0, 0);  // indeterminate until the first progress report
        m_statsStatus->setText(tr("Computing…"));
    }
}

void TensorPanel::UI_setProgress(quint64 done, quint64 total, const QString& stage)
{
    if (total == 0)
        return;
    m_busy->setRange(0, 1000);
    m_busy->setValue(static_cast<int>(done * 1000 / total));
    m_busy->setFormat(stage + QStringLiteral(" %p%"));
}

void TensorPanel::UI_showStats(const TensorStatsResult& r)
{
    const TensorStats& s = r.stats;
    const QList<QString> values{number(s.min), number(s.max), number(s.mean()), number(s.stddev()),
                                number(s.absMax), count(s.zeroCount), count(s.nanCount),
                                count(s.infCount), count(s.count)};
    for (int i = 0; i < values.size(); ++i)
        m_statFields[i]->setText(values[i]);
    UI_setBusy(false);
    m_statsStatus->setText(r.dequantized ? tr("Dequantized values, computed on %1")
                                               .arg(QString::fromStdString(r.backend))
                                         : tr("Stored values, computed on %1")
                                               .arg(QString::fromStdString(r.backend)));
    m_statsStatus->setStyleSheet(QString());
}

void TensorPanel::UI_showStatsMessage(const QString& message, bool isError)
{
    UI_setBusy(false);
    m_statsStatus->setText(message);
    m_statsStatus->setStyleSheet(isError ? QStringLiteral("color: #c9302c;") : QString());
}

} // namespace ckpt::ui
