#pragma once
// The mapping preview: the conversion plan of the open checkpoint as a table (source key ->
// target key, dtype, shape, ops; dropped and consumed tensors with their reasons), the plan's
// warnings, a filter (substring/regex, row kind) and export as CSV or JSON. The plan is built
// by PlanWorker from headers only, so the preview appears without reading tensor data.

#include "core/checkpoint/checkpoint.h"
#include "ui/workers/plan_worker.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class QToolButton;

namespace ckpt::ui {

class MappingFilterProxy;
class MappingTableModel;

class MappingPanel : public QWidget {
    Q_OBJECT
public:
    explicit MappingPanel(QWidget* parent = nullptr);

    void UI_setCheckpoint(std::shared_ptr<const Checkpoint> checkpoint);
    void UI_setTarget(Layout target);
    void UI_setFilter(const QString& pattern, bool regex);
    void UI_exportTo(const QString& path);

    MappingTableModel* model() const { return m_model; }
    MappingFilterProxy* proxy() const { return m_proxy; }
    QTableView* table() const { return m_table; }
    PlanWorker* worker() const { return m_worker; }
    QString summaryText() const;
    QString warningsText() const;

signals:
    void planReady();
    void planFailed(const QString& message);
    void exportFinished(const QString& path, const QString& error);

private:
    void UI_connectSignals(QPushButton* exportButton);
    void UI_buildPlan();
    void UI_onPlan(const ConversionPlanPtr& plan);
    void UI_onPlanFailed(const QString& message);
    void UI_applyFilter();
    void UI_chooseExport();

    std::shared_ptr<const Checkpoint> m_checkpoint;
    PlanWorker* m_worker;
    MappingTableModel* m_model;
    MappingFilterProxy* m_proxy;
    QComboBox* m_target;
    QComboBox* m_kind;
    QLineEdit* m_filter;
    QToolButton* m_regex;
    QLabel* m_summary;
    QLabel* m_warnings;
    QTableView* m_table;
};

} // namespace ckpt::ui
