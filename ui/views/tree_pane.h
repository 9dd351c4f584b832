#pragma once
// The checkpoint tree with its filter box: a line edit (substring, or regex with the ".*"
// toggle), a count of the tensors kept, and the QTreeView over TensorFilterProxy. Typing is
// debounced so a 100k-tensor filter runs once per pause, not once per key.

#include "ui/models/tensor_filter_proxy.h"
#include "ui/models/tensor_tree_model.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QTimer;
class QToolButton;
class QTreeView;

namespace ckpt::ui {

class TreePane : public QWidget {
    Q_OBJECT
public:
    explicit TreePane(QWidget* parent = nullptr);

    void UI_setTree(std::shared_ptr<const TensorTree> tree);
    // Applies a filter at once (no debounce), as if typed.
    void UI_setFilter(const QString& pattern, bool regex);
    // Expands to the tensor, selects it and scrolls to it; false if it does not exist or the
    // filter hides it.
    bool UI_selectTensor(const QString& fullName);

    QLineEdit* filterEdit() const { return m_filter; }
    QToolButton* regexToggle() const { return m_regex; }
    QTreeView* view() const { return m_view; }
    TensorFilterProxy* proxy() const { return m_proxy; }
    TensorTreeModel* model() const { return m_model; }
    QString statusText() const;

signals:
    void tensorSelected(quint32 tensorIndex);
    void groupSelected(const QString& path);

private:
    void UI_applyFilter();
    void UI_onFilterApplied(quint32 kept, const QString& error);
    void UI_onCurrentChanged(const QModelIndex& current);
    void UI_showContextMenu(const QPoint& pos);
    void UI_setupView();

    TensorTreeModel* m_model;
    TensorFilterProxy* m_proxy;
    QLineEdit* m_filter;
    QToolButton* m_regex;
    QLabel* m_status;
    QTreeView* m_view;
    QTimer* m_debounce;
};

} // namespace ckpt::ui
