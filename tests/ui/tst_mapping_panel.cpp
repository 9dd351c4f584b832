// Mapping preview: MappingTableModel over a real plan of a demo checkpoint (model invariants,
// every source key accounted for, op summaries), MappingFilterProxy rows, CSV/JSON export, and
// MappingPanel building the plan in its worker for both directions.

#include "core/demo/demo_checkpoint.h"
#include "ui/models/mapping_filter_proxy.h"
#include "ui/models/mapping_table_model.h"
#include "ui/views/mapping_panel.h"
#include "ui/workers/mapping_export.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <set>

using namespace ckpt;
using namespace ckpt::ui;
using Kind = MappingTableModel::RowKind;

class TstMappingPanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void modelTester();
    void everySourceAccountedFor();
    void opsSummary();
    void filterRows();
    void exportCsvAndJson();
    void panelBuildsBothDirections();

private:
    QTemporaryDir m_dir;
    std::shared_ptr<const Checkpoint> m_checkpoint;
    std::shared_ptr<const ConversionPlan> m_plan;
};

void TstMappingPanel::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const std::string demo = m_dir.filePath(QStringLiteral("v3")).toStdString();
    auto st = writeDemoCheckpoint(demo, Family::DeepseekV3, DemoSize::Tiny);
    QVERIFY2(st.ok(), st.ok() ? "" : st.error().toString().c_str());
    auto checkpoint = Checkpoint::open(demo);
    QVERIFY(checkpoint.ok());
    m_checkpoint = checkpoint.value();
    PlanOptions options;
    options.target = Layout::Native;
    auto plan = buildPlan(*m_checkpoint, options);
    QVERIFY2(plan.ok(), plan.ok() ? "" : plan.error().toString().c_str());
    m_plan = std::make_shared<ConversionPlan>(std::move(plan.value()));
}

void TstMappingPanel::modelTester()
{
    MappingTableModel model;
    MappingFilterProxy proxy;
    proxy.setTableModel(&model);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.UI_setPlan(m_plan);
    proxy.UI_setFilter(QStringLiteral("experts"), NameMatcher::Mode::Substring);
    proxy.UI_setFilter(QString(), NameMatcher::Mode::Substring, Kind::Consumed);
    model.UI_setPlan(nullptr);
    QCOMPARE(proxy.rowCount(), 0);
}

void TstMappingPanel::everySourceAccountedFor()
{
    MappingTableModel model;
    model.UI_setPlan(m_plan);
    QCOMPARE(std::size_t(model.rowCount()),
             m_plan->outputs.size() + m_plan->dropped.size() + m_plan->consumed.size());
    std::set<std::string> seen;
    for (int row = 0; row < model.rowCount(); ++row) {
        const bool output = model.rowKind(row) == Kind::Output;
        bool first = true;
        model.forEachKey(row, [&](std::string_view key) {
            if (!output || !first)  // an output row's first key is its target name
                seen.insert(std::string(key));
            first = false;
        });
    }
    for (const TensorRef& t : m_checkpoint->tensors())
        QVERIFY2(seen.count(t.name), t.name.c_str());
}

void TstMappingPanel::opsSummary()
{
    MappingTableModel model;
    model.UI_setPlan(m_plan);
    bool sawStack = false, sawDequant = false;
    for (int row = 0; row < int(m_plan->outputs.size()); ++row) {
        const QString ops = model.index(row, int(MappingTableModel::Column::Ops)).data().toString();
        const QString source = model.index(row, int(MappingTableModel::Column::Source)).data().toString();
        if (m_plan->outputs[std::size_t(row)].ops.back().kind == OpKind::Stack) {
            sawStack = true;
            QVERIFY2(ops.startsWith(QLatin1Char('[')) && ops.contains(QStringLiteral("] × ")), qPrintable(ops));
            QVERIFY2(source.contains(QLatin1String("more)")), qPrintable(source));
        }
        sawDequant = sawDequant || ops.contains(QLatin1String("dequant-fp8-block"));
    }
    QVERIFY(sawStack);
    QVERIFY(sawDequant);
    const int dropped = int(m_plan->outputs.size());
    if (!m_plan->dropped.empty() || !m_plan->consumed.empty()) {
        const QString status = model.index(dropped, int(MappingTableModel::Column::Status)).data().toString();
        QVERIFY2(status.startsWith(QLatin1String("dropped: ")) || status.startsWith(QLatin1String("consumed: ")),
                 qPrintable(status));
    }
}

void TstMappingPanel::filterRows()
{
    MappingTableModel model;
    model.UI_setPlan(m_plan);
    MappingFilterProxy proxy;
    proxy.setTableModel(&model);
    QSignalSpy applied(&proxy, &MappingFilterProxy::filterApplied);
    proxy.UI_setFilter(QStringLiteral("weight_scale_inv"), NameMatcher::Mode::Substring, Kind::Consumed);
    QCOMPARE(proxy.rowCount(), applied.last().at(0).toInt());
    QVERIFY(proxy.rowCount() > 0);
    for (int row = 0; row < proxy.rowCount(); ++row) {
        const QModelIndex source = proxy.mapToSource(proxy.index(row, 0));
        QCOMPARE(model.rowKind(source.row()), Kind::Consumed);
    }
    // A merged expert output is found by any of its per-expert source keys.
    proxy.UI_setFilter(QStringLiteral("experts\\.1\\.gate_proj\\.weight$"), NameMatcher::Mode::Regex,
                       Kind::Output);
    QVERIFY(proxy.rowCount() > 0);
    proxy.UI_setFilter(QStringLiteral("("), NameMatcher::Mode::Regex);
    QVERIFY(proxy.errorString().contains(QLatin1String("Invalid regular expression")));
    proxy.UI_setFilter(QStringLiteral("no-such-key"), NameMatcher::Mode::Substring);
    QCOMPARE(proxy.rowCount(), 0);
}

void TstMappingPanel::exportCsvAndJson()
{
    const std::string csv = mappingCsv(*m_plan);
    const auto lines = std::count(csv.begin(), csv.end(), '\n');
    QCOMPARE(std::size_t(lines), 1 + m_plan->outputs.size() + m_plan->dropped.size() + m_plan->consumed.size());
    QVERIFY(csv.rfind("\"source\",\"target\",\"dtype\",\"shape\",\"ops\",\"status\"\n", 0) == 0);

    const QString json = m_dir.filePath(QStringLiteral("mapping.json"));
    QVERIFY(exportMapping(*m_plan, json.toStdString()).ok());
    QFile f(json);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject doc = QJsonDocument::fromJson(f.readAll()).object();
    QCOMPARE(std::size_t(doc.value(QLatin1String("outputs")).toArray().size()), m_plan->outputs.size());
    QVERIFY(doc.contains(QLatin1String("dropped")));
    QVERIFY(doc.contains(QLatin1String("warnings")));
}

void TstMappingPanel::panelBuildsBothDirections()
{
    MappingPanel panel;
    QSignalSpy ready(&panel, &MappingPanel::planReady);
    panel.UI_setCheckpoint(m_checkpoint);
    QVERIFY(ready.wait(60000) || ready.count() > 0);
    QCOMPARE(panel.model()->plan()->to, Layout::Native);
    QVERIFY(panel.table()->model()->rowCount() > 0);
    QVERIFY2(panel.summaryText().startsWith(QStringLiteral("hf → native")), qPrintable(panel.summaryText()));
    panel.UI_setTarget(Layout::Hf);
    QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 2, 60000);
    QCOMPARE(panel.model()->plan()->to, Layout::Hf);

    QSignalSpy exported(&panel, &MappingPanel::exportFinished);
    const QString csv = m_dir.filePath(QStringLiteral("panel.csv"));
    panel.UI_exportTo(csv);
    QVERIFY(exported.wait(60000) || exported.count() > 0);
    QCOMPARE(exported.last().at(1).toString(), QString());
    QVERIFY(QFileInfo(csv).size() > 0);
}

QTEST_MAIN(TstMappingPanel)
#include "tst_mapping_panel.moc"
