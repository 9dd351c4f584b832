// ckptscope [PATH] [--demo FAMILY]: the desktop application. Without PATH it opens the embedded
// demo checkpoint (generated on first start into the user's data folder).

#include "core/checkpoint/family.h"
#include "ui/views/main_window.h"
#include "ui/views/screenshot_director.h"
#include "ui/workers/kernel_backend_provider.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("ckptscope"));
    QApplication::setOrganizationName(QStringLiteral("ckptscope"));
    QApplication::setApplicationVersion(QStringLiteral(CKPT_VERSION));
    // PNG renditions too: Qt draws the SVG only when its svg image plugin is installed.
    QIcon icon(QStringLiteral(":/icons/ckptscope.svg"));
    icon.addFile(QStringLiteral(":/icons/ckptscope-64.png"));
    icon.addFile(QStringLiteral(":/icons/ckptscope-256.png"));
    QApplication::setWindowIcon(icon);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Inspect, convert and verify Mixture-of-Experts LLM checkpoints."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("PATH"),
                                 QStringLiteral("A checkpoint folder or .safetensors file."), QStringLiteral("[PATH]"));
    const QCommandLineOption demo(QStringLiteral("demo"),
                                  QStringLiteral("Open the demo checkpoint of FAMILY (deepseek_v3, "
                                                 "deepseek_v4, gemma4_moe, step3p5)."),
                                  QStringLiteral("FAMILY"), QStringLiteral("deepseek_v3"));
    parser.addOption(demo);
    parser.process(app);

    const auto family = ckpt::parseFamily(parser.value(demo).toStdString());
    if (!family || *family == ckpt::Family::Unknown) {
        qCritical("ckptscope: unknown demo family '%s'", qPrintable(parser.value(demo)));
        return 2;
    }
    ckpt::ui::MainWindow window(std::make_shared<ckpt::ui::KernelBackendProvider>());
    ckpt::ui::ScreenshotDirector::fromEnvironment(&window);
    window.show();
    const QStringList paths = parser.positionalArguments();
    if (!paths.isEmpty())
        window.UI_openPath(paths.front());
    else
        window.UI_openDemo(*family);
    return app.exec();
}
