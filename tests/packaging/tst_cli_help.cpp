// Help and version conventions of both programs, and their man pages: `--help`, `-h`, `help CMD`
// and `CMD --help` print on stdout and exit 0; usage errors exit 2 with a hint on stderr; the
// GUI prints --version and --help with no display and no Qt platform plugin; the man pages list
// every command and option the CLI knows and render without groff warnings.

#include "process_runner.h"

#include <QFile>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QtTest>

using ckpt::test::ProcessResult;

namespace {

const QString kCli = QStringLiteral(CKPT_CLI_PATH);
const QString kGui = QStringLiteral(CKPT_GUI_PATH);  // empty in a build without the GUI
const QString kManDir = QStringLiteral(CKPT_MAN_DIR);
const QString kVersion = QStringLiteral(CKPT_PROJECT_VERSION);
// The commands of the CLI contract (DESIGN.md).
const QStringList kContractCommands{"inspect", "map", "convert", "diff", "verify", "hist", "demo"};

ProcessResult cli(const QStringList& args) { return ckpt::test::runProcess(kCli, args, 60000); }

// The command names listed under "commands:" by `ckptscope-cli --help`: what the binary knows.
QStringList listedCommands()
{
    const QString help = QString::fromUtf8(cli({"--help"}).out);
    const QString block = help.section(QStringLiteral("commands:\n"), 1).section(QStringLiteral("\n\n"), 0, 0);
    QStringList names;
    for (const QString& line : block.split('\n', Qt::SkipEmptyParts)) names << line.simplified().section(' ', 0, 0);
    return names;
}

QString readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

} // namespace

class TestCliHelp : public QObject {
    Q_OBJECT
private slots:
    void cliConventions_data();
    void cliConventions();
    void commandHelp_data();
    void commandHelp();
    void guiWithoutDisplay_data();
    void guiWithoutDisplay();
    void manPageIsCurrent_data();
    void manPageIsCurrent();
    void manPageListsCommand_data();
    void manPageListsCommand();
    void manPageRenders_data();
    void manPageRenders();
};

void TestCliHelp::cliConventions_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("expected");  // on stdout when exit 0, else on stderr; the other stays empty
    const QString mainUsage = QStringLiteral("usage: ckptscope-cli <command> [options]");
    const QString hint = QStringLiteral("Try 'ckptscope-cli --help' for the list of commands.");
    QTest::newRow("--help") << QStringList{"--help"} << 0 << mainUsage;
    QTest::newRow("-h") << QStringList{"-h"} << 0 << mainUsage;
    QTest::newRow("help") << QStringList{"help"} << 0 << mainUsage;
    QTest::newRow("help inspect") << QStringList{"help", "inspect"} << 0 << "usage: ckptscope-cli inspect PATH";
    QTest::newRow("convert -h without arguments") << QStringList{"convert", "-h"} << 0
                                                  << "usage: ckptscope-cli convert SRC DST";
    QTest::newRow("help after a bad option") << QStringList{"map", "--bogus", "--help"} << 0
                                             << "usage: ckptscope-cli map PATH";
    QTest::newRow("--version") << QStringList{"--version"} << 0 << "ckptscope-cli " + kVersion + "\n";
    QTest::newRow("-V") << QStringList{"-V"} << 0 << "ckptscope-cli " + kVersion + "\n";
    QTest::newRow("no arguments") << QStringList{} << 2 << hint;
    QTest::newRow("unknown option") << QStringList{"--bogus"} << 2 << "unknown option '--bogus'\n" + hint;
    QTest::newRow("typo suggests") << QStringList{"inspcet", "x"} << 2 << "Did you mean 'inspect'?\n" + hint;
    QTest::newRow("help unknown") << QStringList{"help", "bogus"} << 2 << "unknown command 'bogus'\n" + hint;
    QTest::newRow("help two names") << QStringList{"help", "map", "diff"} << 2 << hint;
    QTest::newRow("command option") << QStringList{"inspect", "--bogus", "x"} << 2
                                    << "Try 'ckptscope-cli inspect --help' for more information.";
    QTest::newRow("missing argument") << QStringList{"diff", "a"} << 2
                                      << "Try 'ckptscope-cli diff --help' for more information.";
    QTest::newRow("bad option value") << QStringList{"convert", "a", "b", "--device", "tpu"} << 2
                                      << "Try 'ckptscope-cli convert --help' for more information.";
}

void TestCliHelp::cliConventions()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, expected);
    const ProcessResult r = cli(args);
    QVERIFY2(r.exitCode == exitCode, (r.out + r.err).constData());
    const QByteArray& shown = exitCode == 0 ? r.out : r.err;
    const QByteArray& silent = exitCode == 0 ? r.err : r.out;
    QVERIFY2(shown.contains(expected.toUtf8()), shown.constData());
    QVERIFY2(silent.isEmpty(), silent.constData());
}

void TestCliHelp::commandHelp_data()
{
    QTest::addColumn<QString>("command");
    for (const QString& c : kContractCommands) QTest::newRow(qPrintable(c)) << c;
}

void TestCliHelp::commandHelp()
{
    QFETCH(QString, command);
    QVERIFY2(listedCommands().contains(command), "missing from ckptscope-cli --help");
    const ProcessResult viaFlag = cli({command, "--help"});
    const ProcessResult viaHelp = cli({"help", command});
    QCOMPARE(viaFlag.exitCode, 0);
    QCOMPARE(viaHelp.exitCode, 0);
    QVERIFY2(viaFlag.out.startsWith("usage: ckptscope-cli " + command.toUtf8()), viaFlag.out.constData());
    QCOMPARE(viaFlag.out, viaHelp.out);
    QVERIFY(viaFlag.out.count('\n') >= 3);  // usage, blank line, a description
}

void TestCliHelp::guiWithoutDisplay_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("expected");  // on stdout when exit 0, else on stderr
    QTest::newRow("--version") << QStringList{"--version"} << 0 << "ckptscope " + kVersion + "\n";
    QTest::newRow("-v") << QStringList{"-v"} << 0 << "ckptscope " + kVersion + "\n";
    QTest::newRow("--help") << QStringList{"--help"} << 0 << "--demo <FAMILY>";
    QTest::newRow("-h") << QStringList{"-h"} << 0 << "[PATH]";
    QTest::newRow("--help-man") << QStringList{"--help-man"} << 0 << ".TH CKPTSCOPE 1";
    QTest::newRow("unknown option with --help") << QStringList{"--bogus", "--help"} << 2
                                                << "Try 'ckptscope --help' for more information.";
}

void TestCliHelp::guiWithoutDisplay()
{
    if (kGui.isEmpty()) QSKIP("this build has no GUI (CKPT_GUI=OFF)");
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, expected);
    const ProcessResult r = ckpt::test::runIn(kGui, args, ckpt::test::headlessEnvironment(), {}, 60000);
    QVERIFY2(r.exitCode == exitCode, (r.out + r.err).constData());
    QVERIFY2((exitCode == 0 ? r.out : r.err).contains(expected.toUtf8()), (r.out + r.err).constData());
    if (exitCode == 0) QVERIFY2(r.err.isEmpty(), r.err.constData());  // no "could not connect to display"
}

void TestCliHelp::manPageIsCurrent_data()
{
    QTest::addColumn<QString>("program");
    QTest::newRow("ckptscope-cli") << kCli;
    if (!kGui.isEmpty()) QTest::newRow("ckptscope") << kGui;
}

void TestCliHelp::manPageIsCurrent()
{
    QFETCH(QString, program);
    const QString name = QFileInfo(program).fileName();
    const ProcessResult r = ckpt::test::runIn(program, {"--help-man"}, ckpt::test::headlessEnvironment());
    QCOMPARE(r.exitCode, 0);
    // The build generates the page from the binary; a stale page means the build rule is broken.
    QCOMPARE(readFile(kManDir + '/' + name + ".1"), QString::fromUtf8(r.out));
    QVERIFY(QFileInfo::exists(kManDir + '/' + name + ".1.gz"));
}

void TestCliHelp::manPageListsCommand_data()
{
    QTest::addColumn<QString>("command");
    QStringList all = kContractCommands;
    for (const QString& c : listedCommands())
        if (!all.contains(c)) all << c;
    for (const QString& c : all) QTest::newRow(qPrintable(c)) << c;
}

void TestCliHelp::manPageListsCommand()
{
    QFETCH(QString, command);
    const QString page = readFile(kManDir + "/ckptscope-cli.1");
    QVERIFY2(!page.isEmpty(), "no ckptscope-cli.1 in the build folder");
    const QString section = page.section(".SS " + command + '\n', 1).section(QStringLiteral("\n.S"), 0, 0);
    QVERIFY2(!section.isEmpty(), "no .SS section for the command");
    // Every option of the command's usage line is described in its section.
    const QString usage = QString::fromUtf8(cli({command, "--help"}).out).section('\n', 0, 0);
    const QRegularExpression option(QStringLiteral("--[a-z][a-z-]*"));
    int options = 0;
    for (auto it = option.globalMatch(usage); it.hasNext(); ++options) {
        const QString name = it.next().captured();
        QVERIFY2(section.contains(QString(name).replace('-', "\\-")), qPrintable(name));
    }
    if (usage.contains("--")) QVERIFY(options > 0);
}

void TestCliHelp::manPageRenders_data()
{
    QTest::addColumn<QString>("page");
    QTest::newRow("ckptscope-cli.1") << kManDir + "/ckptscope-cli.1";
    if (!kGui.isEmpty()) QTest::newRow("ckptscope.1") << kManDir + "/ckptscope.1";
}

void TestCliHelp::manPageRenders()
{
    QFETCH(QString, page);
    QVERIFY(QFileInfo::exists(page));
    const QString groff = QStandardPaths::findExecutable(QStringLiteral("groff"));
    const QString man = QStandardPaths::findExecutable(QStringLiteral("man"));
    ProcessResult r;
    if (!groff.isEmpty())  // -ww: every warning; -z: no output, warnings only
        r = ckpt::test::runProcess(groff, {"-man", "-Tutf8", "-ww", "-z", page}, 60000);
    else if (!man.isEmpty())
        r = ckpt::test::runProcess(man, {"--warnings", "-P", "cat", "-l", page}, 60000);
    else
        QSKIP("neither groff nor man is installed: the man page rendering is not checked");
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.err.isEmpty(), r.err.constData());
    const ProcessResult text = groff.isEmpty() ? r : ckpt::test::runProcess(groff, {"-man", "-Tascii", "-P", "-cbou", page}, 60000);  // no bold by overstriking
    for (const char* heading : {"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS"})
        QVERIFY2(text.out.contains(heading), heading);
}

QTEST_GUILESS_MAIN(TestCliHelp)
#include "tst_cli_help.moc"
