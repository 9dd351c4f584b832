#include "ui/views/error_banner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QTextDocument>
#include <QToolButton>

namespace ckpt::ui {

ErrorBanner::ErrorBanner(QWidget* parent)
    : QFrame(parent), m_icon(new QLabel(this)), m_text(new QLabel(this)), m_close(new QToolButton(this))
{
    setObjectName(QStringLiteral("ErrorBanner"));
    setFrameShape(QFrame::StyledPanel);
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::RichText);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_close->setAutoRaise(true);
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_close->setToolTip(tr("Dismiss"));
    connect(m_close, &QToolButton::clicked, this, &ErrorBanner::UI_dismiss);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 6, 4, 6);
    layout->addWidget(m_icon, 0, Qt::AlignTop);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_close, 0, Qt::AlignTop);
    hide();
}

void ErrorBanner::UI_show(Kind kind, const QString& title, const QStringList& details)
{
    m_kind = kind;
    const bool error = kind == Kind::Error;
    setStyleSheet(error ? QStringLiteral("#ErrorBanner { background: #fbe3e4; border: 1px solid #d9534f; }")
                        : QStringLiteral("#ErrorBanner { background: #fff5d6; border: 1px solid #e0a800; }"));
    const int iconSize = style()->pixelMetric(QStyle::PM_SmallIconSize);
    m_icon->setPixmap(style()
                          ->standardIcon(error ? QStyle::SP_MessageBoxCritical
                                               : QStyle::SP_MessageBoxWarning)
                          .pixmap(iconSize, iconSize));
    QString html = QStringLiteral("<b>%1</b>").arg(title.toHtmlEscaped());
    const qsizetype shown = std::min<qsizetype>(details.size(), kMaxLines);
    for (qsizetype i = 0; i < shown; ++i)
        html += QStringLiteral("<br>") + details[i].toHtmlEscaped();
    if (details.size() > shown)
        html += QStringLiteral("<br><i>%1</i>").arg(tr("… and %1 more").arg(details.size() - shown));
    m_text->setText(html);
    show();
}

void ErrorBanner::UI_dismiss()
{
    hide();
}

QString ErrorBanner::text() const
{
    QTextDocument doc;
    doc.setHtml(m_text->text());
    return doc.toPlainText();
}

} // namespace ckpt::ui
