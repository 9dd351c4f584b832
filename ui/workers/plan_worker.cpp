#include "ui/workers/plan_worker.h"

#include "ui/workers/mapping_export.h"

namespace ckpt::ui {

PlanWorker::PlanWorker(QObject* parent)
    : QObject(parent), m_planRunner(new JobRunner(this)), m_exportRunner(new JobRunner(this))
{
}

void PlanWorker::UI_build(std::shared_ptr<const Checkpoint> checkpoint, const PlanOptions& options)
{
    m_planRunner->UI_start<ConversionPlanPtr>(
        [checkpoint, options](JobContext&) -> Result<ConversionPlanPtr> {
            auto plan = buildPlan(*checkpoint, options);
            if (!plan.ok())
                return plan.takeError();
            return ConversionPlanPtr(std::make_shared<ConversionPlan>(std::move(plan.value())));
        },
        [this](Result<ConversionPlanPtr> result) {
            if (result.ok())
                emit built(result.value());
            else
                emit failed(QString::fromStdString(result.error().toString()));
        });
}

void PlanWorker::UI_export(ConversionPlanPtr plan, const QString& path)
{
    const std::string target = path.toStdString();
    m_exportRunner->UI_start<std::string>(
        [plan, target](JobContext&) -> Result<std::string> {
            CKPT_TRY(exportMapping(*plan, target));
            return target;
        },
        [this, path](Result<std::string> result) {
            if (result.ok())
                emit exported(path);
            else
                emit exportFailed(QString::fromStdString(result.error().toString()));
        });
}

void PlanWorker::UI_cancel()
{
    m_planRunner->UI_cancel();
}

void PlanWorker::waitForAll()
{
    m_planRunner->waitForAll();
    m_exportRunner->waitForAll();
}

} // namespace ckpt::ui
