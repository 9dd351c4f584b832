// The Debian package end to end: CPack builds the .deb from this build folder (into a temporary
// folder), its control data declares the shared libraries the binaries need, and the extracted
// tree works on its own: ckptscope-cli --version, demo + inspect --json, the GUI's --version
// without a display, and the desktop file, icons, AppStream metadata and man pages in the FHS
// places, validated by desktop-file-validate / appstreamcli when they are installed.
// Skipped (CTest SKIP) only where dpkg-deb is missing.

#include "process_runner.h"

#include <QDir>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using ckpt::test::ProcessResult;

namespace {

const QString kBinaryDir = QStringLiteral(CKPT_BINARY_DIR);
const QString kCpack = QStringLiteral(CKPT_CPACK);
const QString kVersion = QStringLiteral(CKPT_PROJECT_VERSION);
constexpr bool kHaveGui = CKPT_HAVE_GUI;

ProcessResult run(const QString& program, const QStringList& args, const QString& dir = {})
{
    return ckpt::test::runIn(program, args, ckpt::test::headlessEnvironment(), dir, 240000);
}

QByteArray describe(const ProcessResult& r) { return "exit " + QByteArray::number(r.exitCode) + "\n" + r.out + r.err; }

} // namespace

class TestDebPackage : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void controlFields_data();
    void controlFields();
    void dependsCoverNeededLibraries_data();
    void dependsCoverNeededLibraries();
    void installedFiles_data();
    void installedFiles();
    void cliFromExtractedTree();
    void demoInspectFromExtractedTree_data();
    void demoInspectFromExtractedTree();
    void guiVersionWithoutDisplay();
    void validators_data();
    void validators();

private:
    QString m_deb;
    QString m_root;  // the extracted tree
    QStringList m_depends;  // package names of the Depends field
    QTemporaryDir m_tmp;
};

void TestDebPackage::initTestCase()
{
    if (QStandardPaths::findExecutable(QStringLiteral("dpkg-deb")).isEmpty())
        QSKIP("SKIP: dpkg-deb is not installed, the .deb cannot be built or checked");
    QVERIFY(m_tmp.isValid());
    // -B: the package and CPack's staging tree go to the temporary folder, not the build folder.
    const ProcessResult packed =
        run(kCpack, {"-G", "DEB", "--config", kBinaryDir + "/CPackConfig.cmake", "-B", m_tmp.path() + "/out"},
            kBinaryDir);
    QVERIFY2(packed.exitCode == 0, describe(packed).constData());
    const QStringList debs = QDir(m_tmp.path() + "/out").entryList({"*.deb"}, QDir::Files);
    QCOMPARE(debs.size(), 1);
    m_deb = m_tmp.path() + "/out/" + debs.front();
    m_root = m_tmp.path() + "/root";
    const ProcessResult extracted = run(QStringLiteral("dpkg-deb"), {"-x", m_deb, m_root});
    QVERIFY2(extracted.exitCode == 0, describe(extracted).constData());
    const ProcessResult depends = run(QStringLiteral("dpkg-deb"), {"-f", m_deb, "Depends"});
    QVERIFY2(depends.exitCode == 0, describe(depends).constData());
    for (const QString& item : QString::fromUtf8(depends.out).split(',', Qt::SkipEmptyParts))
        for (const QString& alternative : item.split('|'))
            m_depends << alternative.trimmed().section(' ', 0, 0);
}

void TestDebPackage::controlFields_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("expected");  // a regular expression over the whole value
    QTest::newRow("Package") << "Package" << "ckptscope";
    QTest::newRow("Version") << "Version" << QRegularExpression::escape(kVersion);
    QTest::newRow("Architecture") << "Architecture"
                                  << QString::fromUtf8(run("dpkg", {"--print-architecture"}).out.trimmed());
    QTest::newRow("Section") << "Section" << "science";
    QTest::newRow("Maintainer") << "Maintainer" << ".+ <.+@.+>";
    // One summary line, then the long description indented by one space (Debian policy 5.6.13).
    QTest::newRow("Description") << "Description"
                                 << "Inspect, convert and verify Mixture-of-Experts LLM checkpoints\n Opens [^\n]+(\n [^ \n][^\n]*)*";
    QTest::newRow("Depends: libc6") << "Depends" << ".*\\blibc6 \\(>= [0-9.]+\\).*";
    QTest::newRow("Depends: libstdc++6") << "Depends" << ".*\\blibstdc\\+\\+6 \\(>= [0-9.]+\\).*";
    QTest::newRow("Depends: Qt6 Core") << "Depends" << ".*\\blibqt6core6 \\(>= [0-9.]+\\).*";
    if (kHaveGui) {
        QTest::newRow("Depends: Qt6 Widgets") << "Depends" << ".*\\blibqt6widgets6 \\(>= [0-9.]+\\).*";
        QTest::newRow("Depends: Qt6 Gui") << "Depends" << ".*\\blibqt6gui6 \\(>= [0-9.]+\\).*";
        QTest::newRow("Depends: QCustomPlot") << "Depends" << ".*\\blibqcustomplot2\\.1-qt6\\b.*";
    }
}

void TestDebPackage::controlFields()
{
    QFETCH(QString, field);
    QFETCH(QString, expected);
    const ProcessResult r = run(QStringLiteral("dpkg-deb"), {"-f", m_deb, field});
    QVERIFY2(r.exitCode == 0, describe(r).constData());
    const QString value = QString::fromUtf8(r.out).trimmed();
    const QRegularExpression re(QRegularExpression::anchoredPattern(expected));
    QVERIFY2(re.match(value).hasMatch(), qPrintable(field + ": " + value));
}

void TestDebPackage::dependsCoverNeededLibraries_data()
{
    QTest::addColumn<QString>("binary");
    QTest::newRow("ckptscope-cli") << "usr/bin/ckptscope-cli";
    if (kHaveGui) QTest::newRow("ckptscope") << "usr/bin/ckptscope";
}

// Every DT_NEEDED library of the packaged binaries belongs to a package that Depends names, and
// no RUNPATH points back into the build folder.
void TestDebPackage::dependsCoverNeededLibraries()
{
    QFETCH(QString, binary);
    const ProcessResult dyn = run(QStringLiteral("readelf"), {"-d", "-W", m_root + '/' + binary});
    if (dyn.exitCode == -1) QSKIP("readelf is not installed");
    QVERIFY2(dyn.exitCode == 0, describe(dyn).constData());
    QVERIFY2(!dyn.out.contains(kBinaryDir.toUtf8()), "RUNPATH into the build folder");
    const QRegularExpression needed(QStringLiteral("\\(NEEDED\\)\\s+Shared library: \\[([^\\]]+)\\]"));
    int count = 0;
    for (auto it = needed.globalMatch(QString::fromUtf8(dyn.out)); it.hasNext(); ++count) {
        const QString soname = it.next().captured(1);
        const ProcessResult owner = run(QStringLiteral("dpkg-query"), {"-S", "*/" + soname});
        QVERIFY2(owner.exitCode == 0, qPrintable(soname + " belongs to no installed package"));
        bool declared = false;
        for (const QString& line : QString::fromUtf8(owner.out).split('\n', Qt::SkipEmptyParts)) {
            const QString package = line.section(':', 0, 0).trimmed();
            for (const QString& p : package.split(',')) declared |= m_depends.contains(p.trimmed());
        }
        QVERIFY2(declared, qPrintable(soname + " (" + QString::fromUtf8(owner.out).trimmed() +
                                      ") is not covered by Depends: " + m_depends.join(", ")));
    }
    QVERIFY(count >= 2);  // at least libc and libstdc++
}

void TestDebPackage::installedFiles_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("head");  // the first bytes expected, empty: any
    QTest::addColumn<bool>("executable");
    const QByteArray elf("\x7f" "ELF"), gzip("\x1f\x8b");
    QTest::newRow("cli") << "usr/bin/ckptscope-cli" << elf << true;
    QTest::newRow("cli man page") << "usr/share/man/man1/ckptscope-cli.1.gz" << gzip << false;
    if (!kHaveGui) return;
    QTest::newRow("gui") << "usr/bin/ckptscope" << elf << true;
    QTest::newRow("gui man page") << "usr/share/man/man1/ckptscope.1.gz" << gzip << false;
    QTest::newRow("desktop file") << "usr/share/applications/io.github.ckptscope.desktop"
                                  << QByteArray("[Desktop Entry]") << false;
    QTest::newRow("metainfo") << "usr/share/metainfo/io.github.ckptscope.metainfo.xml" << QByteArray("<?xml")
                              << false;
    QTest::newRow("svg icon") << "usr/share/icons/hicolor/scalable/apps/io.github.ckptscope.svg" << QByteArray()
                              << false;
    QTest::newRow("64 px icon") << "usr/share/icons/hicolor/64x64/apps/io.github.ckptscope.png"
                                << QByteArray("\x89PNG") << false;
    QTest::newRow("256 px icon") << "usr/share/icons/hicolor/256x256/apps/io.github.ckptscope.png"
                                 << QByteArray("\x89PNG") << false;
}

void TestDebPackage::installedFiles()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, head);
    QFETCH(bool, executable);
    QFile f(m_root + '/' + path);
    QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(path + " is not in the package"));
    const QByteArray bytes = f.readAll();
    QVERIFY(bytes.size() > 16);
    QVERIFY2(bytes.startsWith(head), qPrintable(path));
    QCOMPARE(QFileInfo(f).isExecutable(), executable);
    if (path.endsWith(".1.gz")) {
        const ProcessResult page = run(QStringLiteral("gzip"), {"-dc", f.fileName()});
        QVERIFY2(page.exitCode == 0 && page.out.contains(".TH CKPTSCOPE"), describe(page).constData());
    }
    if (path.endsWith(".svg")) QVERIFY(bytes.contains("<svg"));
}

void TestDebPackage::cliFromExtractedTree()
{
    const ProcessResult r = run(m_root + "/usr/bin/ckptscope-cli", {"--version"});
    QVERIFY2(r.exitCode == 0, describe(r).constData());
    QVERIFY2(r.out.startsWith("ckptscope-cli " + kVersion.toUtf8() + '\n'), r.out.constData());
}

void TestDebPackage::demoInspectFromExtractedTree_data()
{
    QTest::addColumn<QString>("family");
    QTest::addColumn<bool>("quantized");
    QTest::newRow("deepseek_v3") << "deepseek_v3" << true;
    QTest::newRow("gemma4_moe") << "gemma4_moe" << false;
}

void TestDebPackage::demoInspectFromExtractedTree()
{
    QFETCH(QString, family);
    QFETCH(bool, quantized);
    const QString cli = m_root + "/usr/bin/ckptscope-cli";
    const QString dst = m_tmp.path() + "/demo-" + family;
    const ProcessResult demo = run(cli, {"demo", dst, "--family", family});
    QVERIFY2(demo.exitCode == 0, describe(demo).constData());
    const ProcessResult inspect = run(cli, {"inspect", dst, "--json"});
    QVERIFY2(inspect.exitCode == 0, describe(inspect).constData());
    QJsonParseError error;
    const QJsonObject j = QJsonDocument::fromJson(inspect.out, &error).object();
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    QCOMPARE(j["family"].toString(), family);
    QCOMPARE(j["layout"].toString(), QStringLiteral("hf"));
    QVERIFY(j["files"].toInt() >= 1);
    QVERIFY(j["tensors"].toArray().size() > 10);
    QCOMPARE(j["quant"].toArray().isEmpty(), !quantized);
    QVERIFY(j["problems"].toArray().isEmpty());
}

void TestDebPackage::guiVersionWithoutDisplay()
{
    if (!kHaveGui) QSKIP("this build has no GUI (CKPT_GUI=OFF)");
    const ProcessResult r = run(m_root + "/usr/bin/ckptscope", {"--version"});
    QVERIFY2(r.exitCode == 0, describe(r).constData());
    QCOMPARE(r.out, "ckptscope " + kVersion.toUtf8() + '\n');
}

void TestDebPackage::validators_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("file");
    if (!kHaveGui) return;
    QTest::newRow("desktop-file-validate") << "desktop-file-validate" << QStringList{}
                                           << "usr/share/applications/io.github.ckptscope.desktop";
    QTest::newRow("appstreamcli") << "appstreamcli" << QStringList{"validate", "--no-net", "--pedantic"}
                                  << "usr/share/metainfo/io.github.ckptscope.metainfo.xml";
}

void TestDebPackage::validators()
{
    QFETCH(QString, tool);
    QFETCH(QStringList, args);
    QFETCH(QString, file);
    const QString program = QStandardPaths::findExecutable(tool);
    if (program.isEmpty()) QSKIP(qPrintable(tool + " is not installed (packaging/install-deps.sh adds it)"));
    const ProcessResult r = run(program, args << m_root + '/' + file);
    QVERIFY2(r.exitCode == 0, describe(r).constData());
    QVERIFY2(!r.out.contains("error") && !r.out.contains("warning"), describe(r).constData());
}

QTEST_GUILESS_MAIN(TestDebPackage)
#include "tst_deb_package.moc"
