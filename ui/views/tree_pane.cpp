#include "ui/views/tree_pane.h"

#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace ckpt::ui {

namespace {

// Expanding every row of a large match would create hundreds of thousands of view items.
constexpr quint32 kAutoExpandLimit = 200;

} // namespace

TreePane::TreePane(QWidget* parent)
    : QWidget(parent), m_model(new TensorTreeModel(this)), m_proxy(new TensorFilterProxy(this)),
      m_filter(new QLineEdit(this)), m_regex(new QToolButton(this)), m_status(new QLabel(this)),
      m_view(new QTreeView(this)), m_debounce(new QTimer(this))
{
    m_proxy->setTreeModel(m_model);
    m_filter->setPlaceholderText(tr("Filter tensors (substring)…"));
    m_filter->setClearButtonEnabled(true);
    m_regex->setText(QStringLiteral(".*"));
    m_regex->setCheckable(true);
    m_regex->setToolTip(tr("Regular expression"));
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(150);
    connect(m_filter, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_debounce, &QTimer::timeout, this, &TreePane::UI_applyFilter);
    connect(m_regex, &QToolButton::toggled, this, [this](bool regex) {
        m_filter->setPlaceholderText(regex ? tr("Filter tensors (regular expression)…")
                                           : tr("Filter tensors (substring)…"));
        UI_applyFilter();
    });
    connect(m_proxy, &TensorFilterProxy::filterApplied, this, &TreePane::UI_onFilterApplied);

    auto* filterRow = new QHBoxLayout;
    filterRow->addWidget(m_filter, 1);
    filterRow->addWidget(m_regex);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(filterRow);
    layout->addWidget(m_status);
    layout->addWidget(m_view, 1);
    UI_setupView();
}

void TreePane::UI_setupView()
{
    m_view->setModel(m_proxy);
    m_view->setUniformRowHeights(true);  // lets the view skip measuring 100k rows
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->header()->setStretchLastSection(false);
    m_view->setColumnWidth(int(TensorTreeModel::Column::Name), 300);
    m_view->setColumnWidth(int(TensorTreeModel::Column::DType), 80);
    m_view->setColumnWidth(int(TensorTreeModel::Column::Shape), 120);
    m_view->setColumnWidth(int(TensorTreeModel::Column::Size), 80);
    m_view->setColumnWidth(int(TensorTreeModel::Column::Shard), 220);
    connect(m_view, &QTreeView::customContextMenuRequested, this, &TreePane::UI_showContextMenu);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) { UI_onCurrentChanged(current); });
}

void TreePane::UI_setTree(std::shared_ptr<const TensorTree> tree)
{
    m_model->UI_setTree(std::move(tree));
    if (m_proxy->rowCount() <= 3) {  // "model" (and lm_head): open the top level
        for (int row = 0; row < m_proxy->rowCount(); ++row)
            m_view->expand(m_proxy->index(row, 0));
    }
}

void TreePane::UI_setFilter(const QString& pattern, bool regex)
{
    const QSignalBlocker blockEdit(m_filter);
    const QSignalBlocker blockToggle(m_regex);
    m_filter->setText(pattern);
    m_regex->setChecked(regex);
    m_debounce->stop();
    UI_applyFilter();
}

void TreePane::UI_applyFilter()
{
    m_proxy->UI_setFilter(m_filter->text(),
                          m_regex->isChecked() ? TensorFilter::Mode::Regex : TensorFilter::Mode::Substring);
    if (m_proxy->isFiltering() && m_proxy->keptTensors() <= kAutoExpandLimit)
        m_view->expandAll();
}

void TreePane::UI_onFilterApplied(quint32 kept, const QString& error)
{
    const QLocale locale;
    const auto tree = m_model->tree();
    const quint32 total = tree ? tree->root().tensorCount : 0;
    if (!error.isEmpty()) {
        m_status->setStyleSheet(QStringLiteral("color: #c9302c;"));
        m_status->setText(error);
    } else {
        m_status->setStyleSheet(QString());
        m_status->setText(m_proxy->isFiltering()
                              ? tr("%1 of %2 tensors").arg(locale.toString(kept), locale.toString(total))
                              : tr("%1 tensors").arg(locale.toString(total)));
    }
}

QString TreePane::statusText() const { return m_status->text(); }

void TreePane::UI_onCurrentChanged(const QModelIndex& current)
{
    const QModelIndex source = m_proxy->mapToSource(current);
    if (!source.isValid())
        return;
    const QVariant tensor = source.data(int(TensorTreeModel::Role::TensorIndex));
    if (tensor.isValid())
        emit tensorSelected(tensor.toUInt());
    else
        emit groupSelected(source.data(int(TensorTreeModel::Role::FullName)).toString());
}

bool TreePane::UI_selectTensor(const QString& fullName)
{
    const auto tree = m_model->tree();
    if (!tree)
        return false;
    const auto tensor = tree->findTensor(fullName.toStdString());
    if (!tensor)
        return false;
    const QModelIndex index = m_proxy->mapFromSource(m_model->indexForTensor(*tensor));
    if (!index.isValid())
        return false;
    for (QModelIndex p = index.parent(); p.isValid(); p = p.parent())
        m_view->expand(p);
    m_view->setCurrentIndex(index);
    m_view->scrollTo(index, QAbstractItemView::PositionAtCenter);
    return true;
}

void TreePane::UI_showContextMenu(const QPoint& pos)
{
    const QModelIndex index = m_view->indexAt(pos);
    if (!index.isValid())
        return;
    const QModelIndex source = m_proxy->mapToSource(index);
    const QString name = source.data(int(TensorTreeModel::Role::FullName)).toString();
    QMenu menu(this);
    menu.addAction(tr("Copy name"), this, [name] { QApplication::clipboard()->setText(name); });
    menu.addAction(tr("Expand all below"), this, [this, index] { m_view->expandRecursively(index); });
    menu.addAction(tr("Filter to this"), this, [this, name] { UI_setFilter(name, false); });
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

} // namespace ckpt::ui
