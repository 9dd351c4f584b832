#include "ui/views/verify_view.h"

#include "ui/models/verify_table_model.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace ckpt::ui {

namespace {

using Column = VerifyTableModel::Column;

QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

} // namespace

VerifyView::VerifyView(QWidget* parent)
    : QWidget(parent), m_worker(new VerifyWorker(this)), m_model(new VerifyTableModel(this)),
      m_proxy(new QSortFilterProxyModel(this)), m_reference(new QLineEdit(this)), m_device(new QComboBox(this)),
      m_verify(new QPushButton(tr("Verify"), this)), m_cancel(new QPushButton(tr("Cancel"), this)),
      m_export(new QPushButton(tr("Export…"), this)), m_progress(new QProgressBar(this)),
      m_verdict(new QLabel(this)), m_filter(new QLineEdit(this)), m_table(new QTableView(this)),
      m_details(new QLabel(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(int(VerifyTableModel::Role::Sort));
    m_proxy->setFilterKeyColumn(int(Column::Name));
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_verdict->setTextFormat(Qt::RichText);
    m_verdict->setWordWrap(true);
    m_verdict->setMargin(6);
    m_filter->setPlaceholderText(tr("Filter weights…"));
    m_filter->setClearButtonEnabled(true);
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(int(Column::Verdict), Qt::AscendingOrder);  // worst first
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(int(Column::Name), 380);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(UI_buildOptionsBar());
    layout->addWidget(m_verdict);
    layout->addWidget(m_filter);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_details);
    UI_connectSignals();
    UI_setRunning(false);
    UI_setCheckpoint(nullptr, QString());
}

VerifyView::~VerifyView() { m_worker->UI_cancel(); }

QWidget* VerifyView::UI_buildOptionsBar()
{
    auto* bar = new QWidget(this);
    auto* row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    m_reference->setPlaceholderText(tr("Optional reference: the dequantized (BF16) checkpoint with the same names"));
    m_reference->setClearButtonEnabled(true);
    auto* folder = new QPushButton(tr("Folder…"), bar);
    auto* file = new QPushButton(tr("File…"), bar);
    connect(folder, &QPushButton::clicked, this, [this] { UI_chooseReference(true); });
    connect(file, &QPushButton::clicked, this, [this] { UI_chooseReference(false); });
    m_device->addItem(tr("Device: auto"), int(DeviceChoice::Auto));
    m_device->addItem(tr("Device: CPU only"), int(DeviceChoice::Cpu));
    m_device->addItem(tr("Device: CUDA"), int(DeviceChoice::Cuda));
    m_device->setToolTip(tr("Without a reference, CUDA repeats the dequantization and must match the CPU bit for "
                            "bit; auto does so when a CUDA device exists"));
    m_progress->setMaximumWidth(200);
    row->addWidget(new QLabel(tr("Reference:"), bar));
    row->addWidget(m_reference, 1);
    row->addWidget(folder);
    row->addWidget(file);
    row->addWidget(m_device);
    row->addWidget(m_verify);
    row->addWidget(m_cancel);
    row->addWidget(m_progress);
    row->addWidget(m_export);
    return bar;
}

void VerifyView::UI_connectSignals()
{
    connect(m_verify, &QPushButton::clicked, this, &VerifyView::UI_start);
    connect(m_cancel, &QPushButton::clicked, this, &VerifyView::UI_cancel);
    connect(m_export, &QPushButton::clicked, this, &VerifyView::UI_chooseExport);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_worker, &VerifyWorker::finished, this, &VerifyView::UI_onFinished);
    connect(m_worker, &VerifyWorker::failed, this, &VerifyView::UI_onFailed);
    connect(m_worker, &VerifyWorker::cancelled, this, &VerifyView::UI_onCancelled);
    connect(m_worker, &VerifyWorker::progress, this, &VerifyView::UI_onProgress);
    connect(m_worker, &VerifyWorker::exported, this, [this](const QString& path) { emit exportFinished(path, {}); });
    connect(m_worker, &VerifyWorker::exportFailed, this, [this](const QString& message) {
        emit problem(true, tr("Could not export the verify table"), {message});
        emit exportFinished(QString(), message);
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &VerifyView::UI_showDetails);
}

void VerifyView::UI_setCheckpoint(std::shared_ptr<const Checkpoint> checkpoint, const QString& path)
{
    if (m_running)
        m_worker->UI_cancel();
    m_checkpoint = std::move(checkpoint);
    m_path = path;
    m_outcome.reset();
    m_model->UI_setReport(nullptr);
    m_details->clear();
    m_verdict->setStyleSheet(QString());
    if (!m_checkpoint)
        m_verdict->setText(tr("Open a quantized checkpoint to verify its dequantization."));
    else if (m_checkpoint->quant().pairs.empty())
        m_verdict->setText(tr("%1 has no quantized weights; Verify checks scale pairing and reports nothing else.")
                               .arg(QDir::toNativeSeparators(path)));
    else
        m_verdict->setText(tr("%1 quantized weights. Press Verify to dequantize and check every one of them.")
                               .arg(QLocale().toString(qulonglong(m_checkpoint->quant().pairs.size()))));
    UI_setRunning(false);
}

void VerifyView::UI_setReference(const QString& path) { m_reference->setText(path); }

void VerifyView::UI_setDevice(DeviceChoice device) { m_device->setCurrentIndex(m_device->findData(int(device))); }

void VerifyView::UI_start()
{
    if (!m_checkpoint || m_running)
        return;
    m_outcome.reset();
    m_model->UI_setReport(nullptr);
    m_details->clear();
    m_verdict->setStyleSheet(QString());
    m_verdict->setText(tr("Verifying…"));
    UI_setRunning(true);
    m_cancelRequested = false;
    m_worker->UI_start({m_checkpoint, m_reference->text().trimmed(),
                        static_cast<DeviceChoice>(m_device->currentData().toInt())});
}

void VerifyView::UI_cancel()
{
    if (!m_running)
        return;
    m_verdict->setText(tr("Cancelling…"));
    m_cancel->setEnabled(false);
    m_cancelRequested = true;
    m_worker->UI_cancel();
}

void VerifyView::UI_setRunning(bool running)
{
    m_running = running;
    m_verify->setEnabled(!running && m_checkpoint);
    m_cancel->setEnabled(running);
    m_export->setEnabled(!running && m_outcome);
    m_progress->setVisible(running);
    m_progress->setRange(0, 0);
}

void VerifyView::UI_onProgress(quint64 done, quint64 total, const QString& stage)
{
    if (total == 0)
        return;
    m_progress->setRange(0, 1000);
    m_progress->setValue(static_cast<int>(done * 1000 / total));
    m_progress->setToolTip(stage);
}

void VerifyView::UI_onFinished(const VerifyOutcomePtr& outcome)
{
    if (m_cancelRequested) {
        UI_onCancelled();
        return;
    }
    m_outcome = outcome;
    UI_setRunning(false);
    m_model->UI_setReport(std::shared_ptr<const VerifyReport>(outcome, &outcome->report));
    m_table->sortByColumn(int(Column::Verdict), Qt::AscendingOrder);
    UI_showVerdict();
    if (m_proxy->rowCount() > 0)
        m_table->selectRow(0);
    emit verifyEnded(true);
}

void VerifyView::UI_showVerdict()
{
    const VerifyReport& r = m_outcome->report;
    const QLocale locale;
    const QString counts = tr("%1 fail · %2 warn · %3 pass")
                               .arg(locale.toString(qulonglong(r.failed)), locale.toString(qulonglong(r.warned)),
                                    locale.toString(qulonglong(r.passed)));
    const QString against = m_outcome->referencePath.isEmpty()
                                ? tr("no reference (round trip and scale checks)")
                                : tr("against %1").arg(QDir::toNativeSeparators(m_outcome->referencePath));
    const Verdict shown = r.verdict == Verdict::Fail ? Verdict::Fail : r.warned ? Verdict::Warn : Verdict::Pass;
    m_verdict->setStyleSheet(QStringLiteral("background: %1; color: #1e1e1e; border-radius: 3px;")
                                 .arg(VerifyTableModel::verdictColor(shown).name()));
    m_verdict->setText(QStringLiteral("<b>%1</b> — %2 · %3 · CPU vs CUDA: %4")
                           .arg(qs(verdictName(r.verdict)).toUpper(), counts, against.toHtmlEscaped(),
                                qs(r.cpuCudaNote).toHtmlEscaped()));
}

void VerifyView::UI_showDetails()
{
    const QModelIndex current = m_proxy->mapToSource(m_table->currentIndex());
    if (!m_outcome || !current.isValid()) {
        m_details->clear();
        return;
    }
    const TensorVerification& t = m_model->entry(current.row());
    QStringList lines;
    for (const std::string& reason : t.reasons)
        lines << qs(reason).toHtmlEscaped();
    if (!t.scales.firstProblem.empty())
        lines << tr("first scale problem: %1").arg(qs(t.scales.firstProblem).toHtmlEscaped());
    if (!t.roundTrip.note.empty())
        lines << tr("round trip: %1").arg(qs(t.roundTrip.note).toHtmlEscaped());
    m_details->setText(QStringLiteral("<b>%1</b> (scale %2): %3")
                           .arg(qs(t.name).toHtmlEscaped(), t.scale.empty() ? tr("none") : qs(t.scale).toHtmlEscaped(),
                                lines.isEmpty() ? tr("no problem found") : lines.join(QStringLiteral("<br>"))));
}

void VerifyView::UI_onFailed(const QString& message)
{
    UI_setRunning(false);
    m_verdict->setStyleSheet(QString());
    m_verdict->setText(tr("Verification failed to run."));
    emit problem(true, tr("Could not verify %1").arg(QDir::toNativeSeparators(m_path)), {message});
    emit verifyEnded(false);
}

void VerifyView::UI_onCancelled()
{
    UI_setRunning(false);
    m_verdict->setStyleSheet(QString());
    m_verdict->setText(tr("Cancelled."));
    emit problem(false, tr("Verify cancelled"),
                 {tr("Verifying %1 was cancelled; no result is shown.").arg(QDir::toNativeSeparators(m_path))});
    emit verifyEnded(false);
}

void VerifyView::UI_exportTo(const QString& path)
{
    if (m_outcome)
        m_worker->UI_export(m_outcome, path);
}

void VerifyView::UI_chooseExport()
{
    if (!m_outcome)
        return;
    QString selected;
    QString path = QFileDialog::getSaveFileName(this, tr("Export verify table"), QStringLiteral("verify.csv"),
                                                tr("CSV (*.csv);;JSON (*.json)"), &selected);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += selected.contains(QLatin1String("json")) ? QStringLiteral(".json") : QStringLiteral(".csv");
    UI_exportTo(path);
}

void VerifyView::UI_chooseReference(bool folder)
{
    const QString path = folder ? QFileDialog::getExistingDirectory(this, tr("Reference checkpoint folder"))
                                : QFileDialog::getOpenFileName(this, tr("Reference checkpoint file"), QString(),
                                                               tr("safetensors (*.safetensors);;All files (*)"));
    if (!path.isEmpty())
        m_reference->setText(path);
}

QString VerifyView::verdictText() const { return m_verdict->text(); }

} // namespace ckpt::ui
