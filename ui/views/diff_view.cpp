#include "ui/views/diff_view.h"

#include "ui/models/diff_filter_proxy.h"
#include "ui/models/diff_table_model.h"
#include "ui/plots/histogram_plot.h"
#include "ui/views/checkpoint_pair_summary.h"

#include <QCheckBox>
#include <QDir>
#include <QDoubleValidator>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace ckpt::ui {

namespace {

using Column = DiffTableModel::Column;
using RowKind = DiffTableModel::RowKind;

QLineEdit* toleranceEdit(QWidget* parent, const QString& tip)
{
    auto* edit = new QLineEdit(QStringLiteral("0"), parent);
    auto* validator = new QDoubleValidator(0.0, 1e300, 17, edit);
    validator->setNotation(QDoubleValidator::ScientificNotation);
    validator->setLocale(QLocale::c());
    edit->setValidator(validator);
    edit->setMaximumWidth(90);
    edit->setToolTip(tip);
    return edit;
}

} // namespace

DiffView::DiffView(std::shared_ptr<KernelBackendProvider> backends, QWidget* parent)
    : QWidget(parent), m_worker(new DiffWorker(std::move(backends), this)), m_model(new DiffTableModel(this)),
      m_proxy(new DiffFilterProxy(this)), m_pathB(new QLineEdit(this)),
      m_map(new QCheckBox(tr("Through the conversion plan (--map)"), this)),
      m_atol(toleranceEdit(this, tr("Absolute tolerance: |a − b| ≤ atol + rtol·|a| counts as equal"))),
      m_rtol(toleranceEdit(this, tr("Relative tolerance: |a − b| ≤ atol + rtol·|a| counts as equal"))),
      m_compare(new QPushButton(tr("Compare"), this)), m_cancel(new QPushButton(tr("Cancel"), this)),
      m_progress(new QProgressBar(this)), m_summary(new QLabel(this)), m_pair(new CheckpointPairSummary(this)),
      m_filter(new QLineEdit(this)), m_regex(new QToolButton(this)),
      m_showEqual(new QCheckBox(tr("Show equal tensors"), this)), m_table(new QTableView(this)),
      m_histogram(new HistogramPlot(this))
{
    setAcceptDrops(true);
    m_proxy->setTableModel(m_model);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_histogram->UI_setValueLabel(tr("A − B"));
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(UI_buildTablePane());
    split->addWidget(m_histogram);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({860, 540});  // the table's metric columns visible at the default width
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(UI_buildOptionsBar());
    layout->addWidget(m_summary);
    layout->addWidget(m_pair);
    layout->addWidget(split, 1);
    UI_connectSignals();
    UI_setRunning(false);
    UI_setCheckpointA(nullptr, QString());
}

DiffView::~DiffView() { m_worker->UI_cancel(); }

QWidget* DiffView::UI_buildOptionsBar()
{
    auto* bar = new QWidget(this);
    auto* row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    m_pathB->setPlaceholderText(tr("Checkpoint B: folder or .safetensors file (or drop it here)"));
    m_pathB->setClearButtonEnabled(true);
    auto* folder = new QPushButton(tr("Folder…"), bar);
    auto* file = new QPushButton(tr("File…"), bar);
    connect(folder, &QPushButton::clicked, this, [this] { UI_chooseB(true); });
    connect(file, &QPushButton::clicked, this, [this] { UI_chooseB(false); });
    m_progress->setMaximumWidth(200);
    m_compare->setDefault(true);
    row->addWidget(new QLabel(tr("B:"), bar));
    row->addWidget(m_pathB, 1);
    row->addWidget(folder);
    row->addWidget(file);
    row->addWidget(m_map);
    row->addWidget(new QLabel(tr("atol"), bar));
    row->addWidget(m_atol);
    row->addWidget(new QLabel(tr("rtol"), bar));
    row->addWidget(m_rtol);
    row->addWidget(m_compare);
    row->addWidget(m_cancel);
    row->addWidget(m_progress);
    return bar;
}

QWidget* DiffView::UI_buildTablePane()
{
    auto* pane = new QWidget(this);
    auto* bar = new QHBoxLayout;
    m_filter->setPlaceholderText(tr("Filter tensors…"));
    m_filter->setClearButtonEnabled(true);
    m_regex->setText(QStringLiteral(".*"));
    m_regex->setCheckable(true);
    m_regex->setToolTip(tr("Regular expression"));
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_regex);
    bar->addWidget(m_showEqual);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(int(Column::Kind), Qt::DescendingOrder);  // worst first
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(int(Column::Name), 360);
    m_table->setColumnWidth(int(Column::Kind), 110);
    auto* layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);
    return pane;
}

void DiffView::UI_connectSignals()
{
    connect(m_compare, &QPushButton::clicked, this, &DiffView::UI_start);
    connect(m_pathB, &QLineEdit::returnPressed, this, &DiffView::UI_start);
    connect(m_cancel, &QPushButton::clicked, this, &DiffView::UI_cancel);
    connect(m_worker, &DiffWorker::finished, this, &DiffView::UI_onFinished);
    connect(m_worker, &DiffWorker::failed, this, &DiffView::UI_onFailed);
    connect(m_worker, &DiffWorker::cancelled, this, &DiffView::UI_onCancelled);
    connect(m_worker, &DiffWorker::progress, this, &DiffView::UI_onProgress);
    connect(m_worker, &DiffWorker::histogramReady, this, &DiffView::UI_onHistogram);
    connect(m_worker, &DiffWorker::histogramFailed, this, [this](const QString& tensor, const QString& message) {
        if (tensor == m_histogramTensor)
            m_histogram->UI_clear(message);
    });
    connect(m_filter, &QLineEdit::textChanged, this, &DiffView::UI_applyFilter);
    connect(m_regex, &QToolButton::toggled, this, &DiffView::UI_applyFilter);
    connect(m_showEqual, &QCheckBox::toggled, m_proxy, &DiffFilterProxy::UI_setShowEqual);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &DiffView::UI_onCurrentRowChanged);
    connect(m_histogram, &HistogramPlot::binsChanged, this, &DiffView::UI_requestHistogram);
}

void DiffView::UI_setCheckpointA(std::shared_ptr<const Checkpoint> checkpoint, const QString& path)
{
    if (m_running)
        m_worker->UI_cancel();
    m_a = std::move(checkpoint);
    m_pathA = path;
    m_outcome.reset();
    m_model->UI_setReport(nullptr);
    m_histogramTensor.clear();
    m_histogram->UI_clear(tr("Select a tensor to see its differences"));
    m_pair->UI_setSide(0, m_a.get(), m_pathA, tr("(open a checkpoint first)"));
    m_pair->UI_setSide(1, nullptr, QString(), tr("(not compared yet)"));
    m_summary->setStyleSheet(QString());
    m_summary->setText(m_a ? tr("Pick checkpoint B and press Compare.") : tr("Open a checkpoint to compare it."));
    m_compare->setEnabled(m_a != nullptr && !m_running);
}

void DiffView::UI_setPathB(const QString& path) { m_pathB->setText(path); }

void DiffView::UI_setOptions(bool map, double atol, double rtol)
{
    m_map->setChecked(map);
    m_atol->setText(QString::number(atol, 'g', 17));
    m_rtol->setText(QString::number(rtol, 'g', 17));
}

void DiffView::UI_setFilter(const QString& pattern, bool regex)
{
    const QSignalBlocker blockEdit(m_filter);
    const QSignalBlocker blockToggle(m_regex);
    m_filter->setText(pattern);
    m_regex->setChecked(regex);
    UI_applyFilter();
}

void DiffView::UI_start()
{
    if (!m_a || m_running)
        return;
    const QString b = m_pathB->text().trimmed();
    bool atolOk = false, rtolOk = false;
    DiffRequest request{m_a, b, {}};
    request.options.map = m_map->isChecked();
    request.options.atol = QLocale::c().toDouble(m_atol->text(), &atolOk);
    request.options.rtol = QLocale::c().toDouble(m_rtol->text(), &rtolOk);
    if (b.isEmpty() || !atolOk || !rtolOk || request.options.atol < 0 || request.options.rtol < 0) {
        m_summary->setStyleSheet(QStringLiteral("color: #c9302c;"));
        m_summary->setText(b.isEmpty() ? tr("Choose checkpoint B first.")
                                       : tr("atol and rtol must be numbers ≥ 0 (e.g. 1e-3)."));
        return;
    }
    m_outcome.reset();
    m_model->UI_setReport(nullptr);
    m_histogramTensor.clear();
    m_histogram->UI_clear(tr("Select a tensor to see its differences"));
    m_pair->UI_setSide(1, nullptr, b);
    m_summary->setStyleSheet(QString());
    m_summary->setText(tr("Comparing…"));
    UI_setRunning(true);
    m_cancelRequested = false;
    m_worker->UI_start(request);
}

void DiffView::UI_cancel()
{
    if (!m_running)
        return;
    m_summary->setText(tr("Cancelling…"));
    m_cancel->setEnabled(false);
    m_cancelRequested = true;
    m_worker->UI_cancel();
}

void DiffView::UI_setRunning(bool running)
{
    m_running = running;
    m_compare->setEnabled(!running && m_a);
    m_cancel->setEnabled(running);
    m_progress->setVisible(running);
    m_progress->setRange(0, 0);
}

void DiffView::UI_onProgress(quint64 done, quint64 total, const QString& stage)
{
    if (total == 0)
        return;
    m_progress->setRange(0, 1000);
    m_progress->setValue(static_cast<int>(done * 1000 / total));
    m_progress->setToolTip(stage);
}

void DiffView::UI_onFinished(const DiffOutcomePtr& outcome)
{
    if (m_cancelRequested) {
        UI_onCancelled();
        return;
    }
    UI_setRunning(false);
    m_outcome = outcome;
    m_model->UI_setReport(std::shared_ptr<const DiffReport>(outcome, &outcome->report));
    m_pair->UI_setSide(1, outcome->b.get(), outcome->bPath);
    UI_showSummary();
    if (m_proxy->rowCount() > 0)
        m_table->selectRow(0);
    emit diffEnded(true);
}

void DiffView::UI_showSummary()
{
    const DiffReport& r = m_outcome->report;
    const QLocale locale;
    QString text = tr("%1 compared · %2 differ · %3 only in A · %4 only in B")
                       .arg(locale.toString(qulonglong(r.compared)), locale.toString(qulonglong(r.differences.size())),
                            locale.toString(qulonglong(r.onlyInA.size())), locale.toString(qulonglong(r.onlyInB.size())));
    if (!r.dropped.empty())
        text += tr(" · %1 dropped by the plan").arg(locale.toString(qulonglong(r.dropped.size())));
    const auto& o = m_outcome->options;
    text += o.atol > 0 || o.rtol > 0 ? tr(" (atol %1, rtol %2)").arg(o.atol).arg(o.rtol) : tr(" (exact)");
    if (o.map)
        text += tr(" · A through the plan");
    const QString verdict = r.identical ? tr("Identical") : tr("Different");
    m_summary->setStyleSheet(r.identical ? QStringLiteral("color: #2e7d32;") : QStringLiteral("color: #c9302c;"));
    m_summary->setText(QStringLiteral("<b>%1</b> — %2").arg(verdict, text.toHtmlEscaped()));
}

void DiffView::UI_onFailed(const QString& message)
{
    UI_setRunning(false);
    m_summary->setStyleSheet(QStringLiteral("color: #c9302c;"));
    m_summary->setText(tr("The comparison failed."));
    emit problem(true, tr("Could not compare with %1").arg(QDir::toNativeSeparators(m_pathB->text().trimmed())),
                 {message});
    emit diffEnded(false);
}

void DiffView::UI_onCancelled()
{
    UI_setRunning(false);
    m_summary->setStyleSheet(QString());
    m_summary->setText(tr("Cancelled."));
    emit problem(false, tr("Diff cancelled"),
                 {tr("Comparing %1 with %2 was cancelled; no result is shown.")
                      .arg(QDir::toNativeSeparators(m_pathA), QDir::toNativeSeparators(m_pathB->text().trimmed()))});
    emit diffEnded(false);
}

void DiffView::UI_applyFilter()
{
    m_proxy->UI_setFilter(m_filter->text(),
                          m_regex->isChecked() ? NameMatcher::Mode::Regex : NameMatcher::Mode::Substring);
    m_filter->setToolTip(m_proxy->errorString());
}

bool DiffView::UI_selectTensor(const QString& name)
{
    for (int row = 0; row < m_proxy->rowCount(); ++row) {
        const QModelIndex index = m_proxy->index(row, 0);
        if (index.data(int(DiffTableModel::Role::TensorName)).toString() == name) {
            m_table->selectRow(row);
            m_table->scrollTo(index);
            return true;
        }
    }
    return false;
}

void DiffView::UI_onCurrentRowChanged()
{
    const QModelIndex current = m_proxy->mapToSource(m_table->currentIndex());
    if (!m_outcome || !current.isValid())
        return;
    const int row = current.row();
    m_histogramTensor = QString::fromUtf8(m_model->rowName(row).data(), qsizetype(m_model->rowName(row).size()));
    const TensorDiff* d = m_model->entry(row);
    const RowKind kind = m_model->rowKind(row);
    if (kind == RowKind::OnlyInA || kind == RowKind::OnlyInB)
        m_histogram->UI_clear(tr("%1 is %2: there are no element-wise differences")
                                  .arg(m_histogramTensor, DiffTableModel::kindText(kind, nullptr)));
    else if (d->kind == DiffKind::Shape)
        m_histogram->UI_clear(tr("The shapes of %1 differ: there are no element-wise differences").arg(m_histogramTensor));
    else if (d->bytesEqual)
        m_histogram->UI_clear(tr("%1 is bitwise identical: every difference is 0").arg(m_histogramTensor));
    else if (m_outcome->options.map && d->via == "plan")
        m_histogram->UI_clear(tr("Compared through the plan: the element-wise histogram needs the same tensor "
                                 "in A and B (run without --map)"));
    else
        UI_requestHistogram();
}

void DiffView::UI_requestHistogram()
{
    if (!m_outcome || m_histogramTensor.isEmpty())
        return;
    m_histogram->UI_clear(tr("Computing the differences of %1…").arg(m_histogramTensor));
    m_worker->UI_histogram(m_outcome, m_histogramTensor, m_histogram->bins());
}

void DiffView::UI_onHistogram(const DifferenceHistogramPtr& h)
{
    const QString tensor = QString::fromStdString(h->tensor);
    if (tensor != m_histogramTensor)
        return;
    // The tensor is the selected row; a short title keeps the plot from claiming the table's width.
    m_histogram->UI_setHistogram(h->histogram, tr("A − B · %1 elements · %2")
                                                   .arg(QLocale().toString(qulonglong(h->count)),
                                                        QString::fromStdString(h->via)));
    m_histogram->setToolTip(tensor);
    emit histogramShown(tensor);
}

void DiffView::UI_chooseB(bool folder)
{
    const QString path = folder ? QFileDialog::getExistingDirectory(this, tr("Checkpoint B folder"))
                                : QFileDialog::getOpenFileName(this, tr("Checkpoint B file"), QString(),
                                                               tr("safetensors (*.safetensors);;All files (*)"));
    if (!path.isEmpty())
        m_pathB->setText(path);
}

// Dropping a folder or file here makes it B (the main window's drop, elsewhere, opens it as A).
void DiffView::dragEnterEvent(QDragEnterEvent* event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.front().isLocalFile())
        event->acceptProposedAction();
}

void DiffView::dropEvent(QDropEvent* event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.size() != 1 || !urls.front().isLocalFile())
        return;
    event->acceptProposedAction();
    m_pathB->setText(urls.front().toLocalFile());
    UI_start();
}

QString DiffView::summaryText() const { return m_summary->text(); }

} // namespace ckpt::ui
