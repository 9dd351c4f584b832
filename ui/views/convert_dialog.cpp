#include "ui/views/convert_dialog.h"

#include "ui/workers/convert_worker.h"

#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace ckpt::ui {

namespace {

QString formatSize(double bytes)
{
    return QLocale().formattedDataSize(qint64(bytes), 2, QLocale::DataSizeIecFormat);
}

} // namespace

ConvertDialog::ConvertDialog(std::shared_ptr<const Checkpoint> source,
                             std::shared_ptr<KernelBackendProvider> backends, QWidget* parent)
    : QDialog(parent), m_source(std::move(source)), m_worker(new ConvertWorker(std::move(backends), this)),
      m_target(new QComboBox(this)), m_dtype(new QComboBox(this)),
      m_quantize(new QCheckBox(tr("Re-quantize weights to FP8 (128×128 blocks)"), this)),
      m_destination(new QLineEdit(this)), m_shardGiB(new QDoubleSpinBox(this)),
      m_resume(new QCheckBox(tr("Resume an interrupted conversion into this folder"), this)),
      m_progress(new QProgressBar(this)), m_status(new QLabel(this)),
      m_convert(new QPushButton(tr("Convert"), this)), m_cancel(new QPushButton(tr("Cancel"), this))
{
    setWindowTitle(tr("Convert checkpoint"));
    UI_buildForm();
    connect(m_worker, &ConvertWorker::progress, this, &ConvertDialog::UI_onProgress);
    connect(m_worker, &ConvertWorker::finished, this, &ConvertDialog::UI_onFinished);
    connect(m_worker, &ConvertWorker::failed, this, [this](const QString& m) { UI_onEnded(m, false); });
    connect(m_worker, &ConvertWorker::cancelled, this, [this] {
        UI_onEnded(tr("Cancelled; incomplete shards were not kept."), false);
    });
    UI_updateOptions();
    UI_setRunning(false);
}

void ConvertDialog::UI_buildForm()
{
    const bool native = m_source->layout() == Layout::Native;
    m_target->addItem(tr("NeMo native"), int(Layout::Native));
    m_target->addItem(tr("Hugging Face"), int(Layout::Hf));
    m_target->setCurrentIndex(native ? 1 : 0);
    for (const char* d : {"bf16", "f16", "f32"})
        m_dtype->addItem(QString::fromLatin1(d));
    m_shardGiB->setRange(0, 1024);
    m_shardGiB->setDecimals(1);
    m_shardGiB->setValue(5);
    m_shardGiB->setSuffix(tr(" GiB"));
    m_shardGiB->setSpecialValueText(tr("one file"));
    auto* browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Output folder"));
        if (!dir.isEmpty())
            m_destination->setText(dir);
    });
    auto* destination = new QHBoxLayout;
    destination->addWidget(m_destination, 1);
    destination->addWidget(browse);
    auto* form = new QFormLayout;
    form->addRow(tr("Target layout:"), m_target);
    form->addRow(tr("Weight dtype:"), m_dtype);
    form->addRow(QString(), m_quantize);
    form->addRow(tr("Output folder:"), destination);
    form->addRow(tr("Max shard size:"), m_shardGiB);
    form->addRow(QString(), m_resume);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* buttons = new QDialogButtonBox(this);
    buttons->addButton(m_convert, QDialogButtonBox::AcceptRole);
    buttons->addButton(m_cancel, QDialogButtonBox::ActionRole);
    buttons->addButton(QDialogButtonBox::Close);
    connect(m_convert, &QPushButton::clicked, this, &ConvertDialog::UI_start);
    connect(m_cancel, &QPushButton::clicked, this, &ConvertDialog::UI_cancel);
    connect(buttons, &QDialogButtonBox::rejected, this, &ConvertDialog::reject);
    connect(m_target, &QComboBox::currentIndexChanged, this, &ConvertDialog::UI_updateOptions);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    resize(620, height());
}

// FP8 export exists only for DeepSeek checkpoints written in HF layout (core's QuantizeMode).
void ConvertDialog::UI_updateOptions()
{
    const bool hf = m_target->currentData().toInt() == int(Layout::Hf);
    const Family f = m_source->family();
    const bool deepseek = f == Family::DeepseekV3 || f == Family::DeepseekV4;
    m_quantize->setEnabled(hf && deepseek);
    if (!m_quantize->isEnabled())
        m_quantize->setChecked(false);
}

void ConvertDialog::UI_setDestination(const QString& path) { m_destination->setText(path); }

void ConvertDialog::UI_setTarget(Layout target)
{
    m_target->setCurrentIndex(m_target->findData(int(target)));
}

void ConvertDialog::UI_start()
{
    if (isRunning())
        return;
    if (m_destination->text().trimmed().isEmpty()) {
        m_status->setText(tr("Choose an output folder first."));
        return;
    }
    ConvertRequest request;
    request.source = m_source;
    request.plan.target = static_cast<Layout>(m_target->currentData().toInt());
    const auto dtype = parseDType(m_dtype->currentText().toUpper().toStdString());
    request.plan.dtype = dtype.value_or(DType::BF16);
    request.plan.quantize = m_quantize->isChecked() ? QuantizeMode::Fp8 : QuantizeMode::None;
    request.plan.maxShardBytes = static_cast<std::uint64_t>(m_shardGiB->value() * double(1ull << 30));
    request.destination = m_destination->text().trimmed();
    request.resume = m_resume->isChecked();
    m_clock.start();
    m_progress->setRange(0, 0);
    m_status->setText(tr("Planning…"));
    UI_setRunning(true);
    m_worker->UI_start(request);
}

void ConvertDialog::UI_cancel()
{
    if (!isRunning())
        return;
    m_status->setText(tr("Cancelling…"));
    m_cancel->setEnabled(false);
    m_worker->UI_cancel();
}

bool ConvertDialog::isRunning() const { return m_worker->isBusy(); }
QString ConvertDialog::statusText() const { return m_status->text(); }

void ConvertDialog::UI_setRunning(bool running)
{
    for (QWidget* w : std::initializer_list<QWidget*>{m_target, m_dtype, m_destination, m_shardGiB,
                                                      m_resume, m_convert})
        w->setEnabled(!running);
    if (!running)
        UI_updateOptions();
    else
        m_quantize->setEnabled(false);
    m_cancel->setVisible(running);
    m_cancel->setEnabled(running);
    m_progress->setVisible(running || m_progress->value() > 0);
}

QString ConvertDialog::progressText(quint64 done, quint64 total, double seconds)
{
    QString text = tr("%1 of %2").arg(formatSize(double(done)), formatSize(double(total)));
    if (seconds <= 0.0 || done == 0)
        return text;
    const double rate = double(done) / seconds;
    const auto eta = static_cast<qint64>(double(total - std::min(done, total)) / rate);
    return text + tr(" · %1/s · ETA %2:%3")
                      .arg(formatSize(rate))
                      .arg(eta / 60)
                      .arg(eta % 60, 2, 10, QLatin1Char('0'));
}

void ConvertDialog::UI_onProgress(quint64 done, quint64 total, const QString& stage)
{
    if (total == 0)
        return;
    m_progress->setRange(0, 1000);
    m_progress->setValue(int(done * 1000 / total));
    m_status->setText(stage + QStringLiteral(": ") + progressText(done, total, m_clock.elapsed() / 1000.0));
}

void ConvertDialog::UI_onFinished(const QString& destination, const QString& summary)
{
    m_progress->setRange(0, 1000);
    m_progress->setValue(1000);
    UI_onEnded(tr("Done: %1. Opening the result.").arg(summary), true);
    emit openRequested(destination);
}

void ConvertDialog::UI_onEnded(const QString& message, bool success)
{
    m_status->setText(message);
    m_status->setStyleSheet(success ? QString() : QStringLiteral("color: #c9302c;"));
    UI_setRunning(false);
    emit conversionEnded(success);
    if (m_closeWhenStopped)
        QDialog::reject();
}

bool ConvertDialog::UI_confirmStop()
{
    if (!isRunning())
        return true;
    const auto answer = QMessageBox::question(this, tr("Conversion running"),
                                              tr("A conversion is running. Cancel it?"));
    if (answer != QMessageBox::Yes)
        return false;
    m_closeWhenStopped = true;
    UI_cancel();
    return false;  // closes once the executor has really stopped (UI_onEnded)
}

void ConvertDialog::closeEvent(QCloseEvent* event)
{
    if (UI_confirmStop())
        event->accept();
    else
        event->ignore();
}

void ConvertDialog::reject()
{
    if (UI_confirmStop())
        QDialog::reject();
}

} // namespace ckpt::ui
