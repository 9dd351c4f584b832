#include "ui/views/recent_files.h"

#include <QDir>
#include <QMenu>
#include <QSettings>

namespace ckpt::ui {

namespace {

const QString kKey = QStringLiteral("recent/paths");

} // namespace

RecentFiles::RecentFiles(QMenu* menu, QObject* parent) : QObject(parent), m_menu(menu)
{
    UI_rebuildMenu();
}

QStringList RecentFiles::paths() const
{
    return QSettings().value(kKey).toStringList();
}

void RecentFiles::UI_add(const QString& path)
{
    const QString clean = QDir::cleanPath(QDir(path).absolutePath());
    QStringList list = paths();
    list.removeAll(clean);
    list.prepend(clean);
    while (list.size() > kMax)
        list.removeLast();
    QSettings().setValue(kKey, list);
    UI_rebuildMenu();
}

void RecentFiles::UI_clear()
{
    QSettings().remove(kKey);
    UI_rebuildMenu();
}

void RecentFiles::UI_rebuildMenu()
{
    m_menu->clear();
    const QStringList list = paths();
    for (const QString& path : list) {
        m_menu->addAction(QDir::toNativeSeparators(path), this,
                          [this, path] { emit openRequested(path); });
    }
    if (!list.isEmpty())
        m_menu->addSeparator();
    QAction* clear = m_menu->addAction(tr("Clear list"), this, &RecentFiles::UI_clear);
    clear->setEnabled(!list.isEmpty());
}

} // namespace ckpt::ui
