#pragma once
// The "Open recent" list, persisted in QSettings (most recent first, at most kMax entries).

#include <QObject>
#include <QStringList>

class QMenu;

namespace ckpt::ui {

class RecentFiles : public QObject {
    Q_OBJECT
public:
    static constexpr int kMax = 10;

    explicit RecentFiles(QMenu* menu, QObject* parent = nullptr);

    void UI_add(const QString& path);
    void UI_clear();
    QStringList paths() const;

signals:
    void openRequested(const QString& path);

private:
    void UI_rebuildMenu();

    QMenu* m_menu;
};

} // namespace ckpt::ui
