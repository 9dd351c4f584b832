#pragma once
// Drives a MainWindow through its main views and saves a PNG of each, for tests/screenshots.sh
// and documentation: enabled by the CKPT_SCREENSHOT_DIR environment variable. After the
// checkpoint opens it selects a tensor (CKPT_SCREENSHOT_TENSOR, else the first quantized expert
// weight, else the first matrix), waits for its statistics and the mapping preview, grabs the
// window on every plot tab, with a filter applied and on the mapping preview; then diffs the
// checkpoint with CKPT_SCREENSHOT_DIFF_B (else with itself), selects the worst tensor and grabs
// the diff page once its difference histogram is in, runs Verify and grabs the verify page, then
// quits (exit code 0; 1 when opening, statistics, the diff or the verification failed).

#include <QObject>
#include <QString>

namespace ckpt::ui {

class MainWindow;

class ScreenshotDirector : public QObject {
    Q_OBJECT
public:
    // Returns nullptr when CKPT_SCREENSHOT_DIR is not set.
    static ScreenshotDirector* fromEnvironment(MainWindow* window);

    ScreenshotDirector(MainWindow* window, const QString& dir, const QString& prefix);

private:
    void UI_onOpened();
    void UI_captureWhenReady();
    void UI_capture();
    void UI_captureDiff();
    void UI_captureVerify();
    void UI_fail(const QString& message);
    void UI_grab(const QString& name);
    QString pickTensor() const;

    MainWindow* m_window;
    QString m_dir;
    QString m_prefix;
    bool m_done = false;
    bool m_statsReady = false;
    bool m_planReady = false;
};

} // namespace ckpt::ui
