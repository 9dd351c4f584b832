#pragma once
// The Verify page: verifyCheckpoint on the open checkpoint, with an optional reference
// checkpoint (same HF names, dequantized) and the device choice auto/cpu/cuda (as the CLI's
// --device: whether the CPU vs CUDA bit-equality check runs). VerifyWorker runs it with
// progress and cancel; the page shows an overall verdict banner and the table of metrics, worst
// first (fail, warn, pass, then by severity), sortable by any column, filterable by name, with
// the reasons of the selected weight underneath and export to CSV or JSON (the CLI's document).
// Failures and cancellation go to the owner's error banner through `problem`.

#include "ui/workers/verify_worker.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace ckpt::ui {

class VerifyTableModel;

class VerifyView : public QWidget {
    Q_OBJECT
public:
    explicit VerifyView(QWidget* parent = nullptr);
    ~VerifyView() override;

    void UI_setCheckpoint(std::shared_ptr<const Checkpoint> checkpoint, const QString& path);
    void UI_setReference(const QString& path);
    void UI_setDevice(DeviceChoice device);
    void UI_start();
    void UI_cancel();
    void UI_exportTo(const QString& path);

    VerifyTableModel* model() const { return m_model; }
    QSortFilterProxyModel* proxy() const { return m_proxy; }
    QTableView* table() const { return m_table; }
    VerifyWorker* worker() const { return m_worker; }
    VerifyOutcomePtr outcome() const { return m_outcome; }
    bool isRunning() const { return m_running; }
    QString verdictText() const;

signals:
    void verifyEnded(bool ok);  // after finished (true), failed or cancelled (false)
    void exportFinished(const QString& path, const QString& error);
    void problem(bool error, const QString& title, const QStringList& details);

private:
    QWidget* UI_buildOptionsBar();
    void UI_connectSignals();
    void UI_setRunning(bool running);
    void UI_onFinished(const VerifyOutcomePtr& outcome);
    void UI_onFailed(const QString& message);
    void UI_onCancelled();
    void UI_onProgress(quint64 done, quint64 total, const QString& stage);
    void UI_showVerdict();
    void UI_showDetails();
    void UI_chooseReference(bool folder);
    void UI_chooseExport();

    std::shared_ptr<const Checkpoint> m_checkpoint;
    QString m_path;
    VerifyOutcomePtr m_outcome;
    VerifyWorker* m_worker;
    VerifyTableModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QLineEdit* m_reference;
    QComboBox* m_device;
    QPushButton* m_verify;
    QPushButton* m_cancel;
    QPushButton* m_export;
    QProgressBar* m_progress;
    QLabel* m_verdict;
    QLineEdit* m_filter;
    QTableView* m_table;
    QLabel* m_details;
    bool m_running = false;
    bool m_cancelRequested = false;  // a result that still arrives is dropped: Cancel shows none
};

} // namespace ckpt::ui
