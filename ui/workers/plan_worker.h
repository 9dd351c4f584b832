#pragma once
// Builds the conversion plan for the mapping preview (headers and config only, but 100k
// tensors of string work) and writes exports, off the UI thread.

#include "core/plan/conversion_plan.h"
#include "ui/workers/job_runner.h"

#include <QMetaType>
#include <QObject>

#include <memory>

namespace ckpt::ui {

using ConversionPlanPtr = std::shared_ptr<const ConversionPlan>;

class PlanWorker : public QObject {
    Q_OBJECT
public:
    explicit PlanWorker(QObject* parent = nullptr);

    void UI_build(std::shared_ptr<const Checkpoint> checkpoint, const PlanOptions& options);
    void UI_export(ConversionPlanPtr plan, const QString& path);
    void UI_cancel();
    bool isBusy() const { return m_planRunner->isBusy(); }
    void waitForAll();

signals:
    void built(const ckpt::ui::ConversionPlanPtr& plan);
    void failed(const QString& message);
    void exported(const QString& path);
    void exportFailed(const QString& message);

private:
    JobRunner* m_planRunner;
    JobRunner* m_exportRunner;
};

} // namespace ckpt::ui

Q_DECLARE_METATYPE(ckpt::ui::ConversionPlanPtr)
