#include "ui/views/mapping_panel.h"

#include "ui/models/mapping_filter_proxy.h"
#include "ui/models/mapping_table_model.h"
#include "ui/models/tensor_tree_model.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace ckpt::ui {

namespace {

using Kind = MappingTableModel::RowKind;

QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

} // namespace

MappingPanel::MappingPanel(QWidget* parent)
    : QWidget(parent), m_worker(new PlanWorker(this)), m_model(new MappingTableModel(this)),
      m_proxy(new MappingFilterProxy(this)), m_target(new QComboBox(this)), m_kind(new QComboBox(this)),
      m_filter(new QLineEdit(this)), m_regex(new QToolButton(this)), m_summary(new QLabel(this)),
      m_warnings(new QLabel(this)), m_table(new QTableView(this))
{
    m_proxy->setTableModel(m_model);
    m_target->addItem(tr("→ native (NeMo)"), int(Layout::Native));
    m_target->addItem(tr("→ Hugging Face"), int(Layout::Hf));
    m_kind->addItem(tr("All rows"), -1);
    m_kind->addItem(tr("Outputs"), int(Kind::Output));
    m_kind->addItem(tr("Dropped"), int(Kind::Dropped));
    m_kind->addItem(tr("Consumed"), int(Kind::Consumed));
    m_filter->setPlaceholderText(tr("Filter keys…"));
    m_filter->setClearButtonEnabled(true);
    m_regex->setText(QStringLiteral(".*"));
    m_regex->setCheckable(true);
    m_regex->setToolTip(tr("Regular expression"));
    auto* exportButton = new QPushButton(tr("Export…"), this);

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_target);
    bar->addWidget(m_kind);
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_regex);
    bar->addWidget(exportButton);
    m_summary->setWordWrap(true);
    m_warnings->setWordWrap(true);
    m_warnings->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_warnings->hide();

    m_table->setModel(m_proxy);
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);  // uniform rows
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    for (auto [column, width] : {std::pair{0, 380}, {1, 340}, {2, 70}, {3, 140}, {4, 420}})
        m_table->setColumnWidth(column, width);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_summary);
    layout->addWidget(m_warnings);
    layout->addWidget(m_table, 1);

    UI_connectSignals(exportButton);
    m_summary->setText(tr("Open a checkpoint to preview its conversion."));
}

void MappingPanel::UI_connectSignals(QPushButton* exportButton)
{
    connect(m_target, &QComboBox::currentIndexChanged, this, &MappingPanel::UI_buildPlan);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &MappingPanel::UI_applyFilter);
    connect(m_filter, &QLineEdit::textChanged, this, &MappingPanel::UI_applyFilter);
    connect(m_regex, &QToolButton::toggled, this, &MappingPanel::UI_applyFilter);
    connect(exportButton, &QPushButton::clicked, this, &MappingPanel::UI_chooseExport);
    connect(m_worker, &PlanWorker::built, this, &MappingPanel::UI_onPlan);
    connect(m_worker, &PlanWorker::failed, this, &MappingPanel::UI_onPlanFailed);
    connect(m_worker, &PlanWorker::exported, this, [this](const QString& path) {
        emit exportFinished(path, QString());
    });
    connect(m_worker, &PlanWorker::exportFailed, this, [this](const QString& message) {
        m_summary->setText(tr("Export failed: %1").arg(message));
        emit exportFinished(QString(), message);
    });
    connect(m_proxy, &MappingFilterProxy::filterApplied, this, [this](int kept, const QString& error) {
        if (!error.isEmpty())
            m_filter->setToolTip(error);
        else
            m_filter->setToolTip(tr("%1 rows shown").arg(QLocale().toString(kept)));
    });
}

void MappingPanel::UI_setCheckpoint(std::shared_ptr<const Checkpoint> checkpoint)
{
    m_checkpoint = std::move(checkpoint);
    m_model->UI_setPlan(nullptr);
    // The natural preview is "to the other layout": HF sources map to native and back.
    const Layout target = m_checkpoint && m_checkpoint->layout() == Layout::Native ? Layout::Hf
                                                                                  : Layout::Native;
    const QSignalBlocker block(m_target);
    m_target->setCurrentIndex(m_target->findData(int(target)));
    UI_buildPlan();
}

void MappingPanel::UI_setTarget(Layout target)
{
    m_target->setCurrentIndex(m_target->findData(int(target)));
}

void MappingPanel::UI_buildPlan()
{
    if (!m_checkpoint)
        return;
    PlanOptions options;
    options.target = static_cast<Layout>(m_target->currentData().toInt());
    m_summary->setStyleSheet(QString());
    m_summary->setText(tr("Building the conversion plan…"));
    m_warnings->hide();
    m_worker->UI_build(m_checkpoint, options);
}

void MappingPanel::UI_onPlan(const ConversionPlanPtr& plan)
{
    m_model->UI_setPlan(plan);
    const QLocale locale;
    m_summary->setText(tr("%1 → %2 · %3 outputs in %4 shard(s), %5 · %6 dropped · %7 consumed")
                           .arg(qs(layoutName(plan->from)), qs(layoutName(plan->to)),
                                locale.toString(qulonglong(plan->outputs.size())))
                           .arg(plan->shardCount)
                           .arg(TensorTreeModel::formatBytes(plan->totalBytes),
                                locale.toString(qulonglong(plan->dropped.size())),
                                locale.toString(qulonglong(plan->consumed.size()))));
    QStringList warnings;
    for (const std::string& w : plan->warnings)
        warnings << QString::fromStdString(w).toHtmlEscaped();
    m_warnings->setVisible(!warnings.isEmpty());
    m_warnings->setText(QStringLiteral("<b>%1</b><br>%2")
                            .arg(tr("Warnings"), warnings.join(QStringLiteral("<br>"))));
    emit planReady();
}

void MappingPanel::UI_onPlanFailed(const QString& message)
{
    m_model->UI_setPlan(nullptr);
    m_summary->setText(tr("No plan: %1").arg(message));
    m_summary->setStyleSheet(QStringLiteral("color: #c9302c;"));
    emit planFailed(message);
}

void MappingPanel::UI_setFilter(const QString& pattern, bool regex)
{
    const QSignalBlocker blockEdit(m_filter);
    const QSignalBlocker blockToggle(m_regex);
    m_filter->setText(pattern);
    m_regex->setChecked(regex);
    UI_applyFilter();
}

void MappingPanel::UI_applyFilter()
{
    const int kind = m_kind->currentData().toInt();
    m_proxy->UI_setFilter(m_filter->text(),
                          m_regex->isChecked() ? NameMatcher::Mode::Regex : NameMatcher::Mode::Substring,
                          kind < 0 ? std::nullopt : std::optional<Kind>(static_cast<Kind>(kind)));
}

void MappingPanel::UI_exportTo(const QString& path)
{
    if (m_model->plan())
        m_worker->UI_export(m_model->plan(), path);
}

void MappingPanel::UI_chooseExport()
{
    if (!m_model->plan())
        return;
    QString selected;
    QString path = QFileDialog::getSaveFileName(this, tr("Export mapping"), QStringLiteral("mapping.csv"),
                                                tr("CSV (*.csv);;JSON (*.json)"), &selected);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += selected.contains(QLatin1String("json")) ? QStringLiteral(".json") : QStringLiteral(".csv");
    UI_exportTo(path);
}

QString MappingPanel::summaryText() const { return m_summary->text(); }
QString MappingPanel::warningsText() const { return m_warnings->isVisible() ? m_warnings->text() : QString(); }

} // namespace ckpt::ui
