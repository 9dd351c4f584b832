// ckptscope [PATH] [--demo FAMILY]: the desktop application. Without PATH it opens the embedded
// demo checkpoint (generated on first start into the user's data folder).
//
// --help, --version and the hidden --help-man (the man page, generated at build time from the
// same option list as --help) run under a QCoreApplication: they must work without a display or
// a Qt platform plugin (a server, a package build, an ssh session).

#include "cli/man_page.h"
#include "core/checkpoint/family.h"
#include "core/convert/large_buffer_policy.h"
#include "ui/views/main_window.h"
#include "ui/views/screenshot_director.h"
#include "ui/workers/kernel_backend_provider.h"

#include <QApplication>
#include <QCommandLineParser>

#include <cstdio>
#include <memory>
#include <string_view>

namespace {

constexpr const char* kSummary = "Inspect, convert and verify Mixture-of-Experts LLM checkpoints.";
constexpr const char* kDescription =
    "The desktop application of ckptscope. It opens a safetensors checkpoint of DeepSeek V3,\n"
    "DeepSeek V4, Gemma4 MoE or Step3p5 (Hugging Face or NeMo native layout) and shows the tensor\n"
    "tree with an instant filter, the facts and statistics of the selected tensor, histograms of\n"
    "its values and scales, the scale grid of a quantized weight, and the mapping preview of the\n"
    "conversion plan; the convert dialog runs a conversion with progress and cancel. Files are\n"
    "read in background workers; FP8/FP4 weights are dequantized on a CUDA GPU when one is\n"
    "available, else on the CPU.\n\n"
    "Without PATH it opens the demo checkpoint of --demo FAMILY, generated on first use into the\n"
    "user's data folder. The standard Qt options (-platform NAME, -style NAME...) are accepted\n"
    "too; QT_QPA_PLATFORM=xcb or wayland picks the display server.";
constexpr const char* kPathHelp = "A checkpoint folder or .safetensors file.";

struct Options {
    QCommandLineOption demo{QStringLiteral("demo"),
                            QStringLiteral("Open the demo checkpoint of FAMILY (deepseek_v3, deepseek_v4, "
                                           "gemma4_moe, step3p5) when no PATH is given."),
                            QStringLiteral("FAMILY"), QStringLiteral("deepseek_v3")};
    QCommandLineOption helpMan{QStringLiteral("help-man"), QStringLiteral("Print the man page (roff).")};
};

void setUp(QCommandLineParser& parser, Options& options)
{
    parser.setApplicationDescription(QString::fromLatin1(kSummary));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("PATH"), QString::fromLatin1(kPathHelp), QStringLiteral("[PATH]"));
    options.helpMan.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(options.demo);
    parser.addOption(options.helpMan);
}

std::string manPage(const Options& options)
{
    ckpt::cli::ManPage page{"ckptscope", CKPT_VERSION, "inspect, convert and verify MoE LLM checkpoints (GUI)",
                            {"[--demo FAMILY] [PATH]", "--help", "--version"}, {}};
    page.sections.push_back({"Description", kDescription, {}, false});
    ckpt::cli::ManSection list{"Options", "", {}, false};
    list.items.push_back({"PATH", kPathHelp, ""});
    for (const QCommandLineOption* o : {&options.demo}) {
        const QString term = QStringLiteral("--") + o->names().constFirst() + QLatin1Char(' ') + o->valueName();
        list.items.push_back({term.toStdString(), o->description().toStdString(), ""});
    }
    list.items.push_back({"-h, --help", "Print the options and exit.", ""});
    list.items.push_back({"-v, --version", "Print the version and exit.", ""});
    page.sections.push_back(std::move(list));
    page.sections.push_back({"See also", "ckptscope-cli(1), the command-line tool with the same engine.", {}, false});
    return ckpt::cli::renderRoff(page);
}

bool printsTextOnly(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "-h" || a == "--help" || a == "--help-all" || a == "-v" || a == "--version" ||
            a == "--help-man")
            return true;
    }
    return false;
}

// Parses the command line; returns an exit code when the program is done (text printed or a
// usage error), -1 to go on.
int parse(QCommandLineParser& parser, const Options& options)
{
    if (!parser.parse(QCoreApplication::arguments())) {
        std::fprintf(stderr, "ckptscope: %s\nTry 'ckptscope --help' for more information.\n",
                     qPrintable(parser.errorText()));
        return 2;
    }
    parser.process(QCoreApplication::arguments());  // --help, --help-all, --version: print, exit 0
    if (parser.isSet(options.helpMan)) {
        std::fputs(manPage(options).c_str(), stdout);
        return 0;
    }
    return -1;
}

} // namespace

int main(int argc, char** argv)
{
    ckpt::useSystemPagesForLargeBuffers();  // stats, diff, verify and convert free tensor-sized buffers often
    const bool textOnly = printsTextOnly(argc, argv);
    std::unique_ptr<QCoreApplication> app(textOnly ? new QCoreApplication(argc, argv) : new QApplication(argc, argv));
    QCoreApplication::setApplicationName(QStringLiteral("ckptscope"));
    QCoreApplication::setOrganizationName(QStringLiteral("ckptscope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CKPT_VERSION));
    QCommandLineParser parser;
    Options options;
    setUp(parser, options);
    if (const int done = parse(parser, options); done >= 0) return done;
    if (textOnly) return 0;  // not reached: every text-only option exits in parse()

    const auto family = ckpt::parseFamily(parser.value(options.demo).toStdString());
    if (!family || *family == ckpt::Family::Unknown) {
        std::fprintf(stderr, "ckptscope: unknown demo family '%s'\nTry 'ckptscope --help' for more information.\n",
                     qPrintable(parser.value(options.demo)));
        return 2;
    }
    // PNG renditions too: Qt draws the SVG only when its svg image plugin is installed.
    QIcon icon(QStringLiteral(":/icons/ckptscope.svg"));
    icon.addFile(QStringLiteral(":/icons/ckptscope-64.png"));
    icon.addFile(QStringLiteral(":/icons/ckptscope-256.png"));
    QApplication::setWindowIcon(icon);
    ckpt::ui::MainWindow window(std::make_shared<ckpt::ui::KernelBackendProvider>());
    ckpt::ui::ScreenshotDirector::fromEnvironment(&window);
    window.show();
    const QStringList paths = parser.positionalArguments();
    if (!paths.isEmpty())
        window.UI_openPath(paths.front());
    else
        window.UI_openDemo(*family);
    return app->exec();
}
