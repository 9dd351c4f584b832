#pragma once
// A dismissable strip above the main views for problems that must not interrupt with a modal
// dialog: a file that does not open (Error::toString(), naming file and tensor), or warnings
// of a checkpoint that did open (quant pairing problems, orphan scales).

#include <QFrame>

class QLabel;
class QToolButton;

namespace ckpt::ui {

class ErrorBanner : public QFrame {
    Q_OBJECT
public:
    enum class Kind { Error, Warning };

    explicit ErrorBanner(QWidget* parent = nullptr);

    // `details`: one line each, shown under the title (at most kMaxLines, then "and N more").
    void UI_show(Kind kind, const QString& title, const QStringList& details);
    void UI_dismiss();
    Kind kind() const { return m_kind; }
    QString text() const;

    static constexpr int kMaxLines = 8;

private:
    QLabel* m_icon;
    QLabel* m_text;
    QToolButton* m_close;
    Kind m_kind = Kind::Error;
};

} // namespace ckpt::ui
