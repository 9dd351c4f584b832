#pragma once
// One-click conversion: target layout, weight dtype, optional FP8 re-quantization, output
// folder, shard size, resume; then a progress bar with throughput and ETA, Cancel, and the
// result opened in the main window when it is done. Closing while a conversion runs asks
// first, then cancels and waits for the executor to stop.

#include "core/checkpoint/checkpoint.h"

#include <QDialog>
#include <QElapsedTimer>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace ckpt::ui {

class ConvertWorker;
class KernelBackendProvider;

class ConvertDialog : public QDialog {
    Q_OBJECT
public:
    ConvertDialog(std::shared_ptr<const Checkpoint> source,
                  std::shared_ptr<KernelBackendProvider> backends, QWidget* parent = nullptr);

    void UI_setDestination(const QString& path);
    void UI_setTarget(Layout target);
    void UI_start();
    void UI_cancel();
    bool isRunning() const;
    QString statusText() const;
    ConvertWorker* worker() const { return m_worker; }

    // "1.20 GiB of 3.40 GiB · 450.0 MiB/s · ETA 0:05"
    static QString progressText(quint64 done, quint64 total, double seconds);

signals:
    void openRequested(const QString& path);
    void conversionEnded(bool success);

protected:
    void closeEvent(QCloseEvent* event) override;
    void reject() override;

private:
    void UI_buildForm();
    void UI_updateOptions();
    void UI_setRunning(bool running);
    void UI_onProgress(quint64 done, quint64 total, const QString& stage);
    void UI_onFinished(const QString& destination, const QString& summary);
    void UI_onEnded(const QString& message, bool success);
    bool UI_confirmStop();

    std::shared_ptr<const Checkpoint> m_source;
    ConvertWorker* m_worker;
    QComboBox* m_target;
    QComboBox* m_dtype;
    QCheckBox* m_quantize;
    QLineEdit* m_destination;
    QDoubleSpinBox* m_shardGiB;
    QCheckBox* m_resume;
    QProgressBar* m_progress;
    QLabel* m_status;
    QPushButton* m_convert;
    QPushButton* m_cancel;
    QElapsedTimer m_clock;
    bool m_closeWhenStopped = false;
};

} // namespace ckpt::ui
