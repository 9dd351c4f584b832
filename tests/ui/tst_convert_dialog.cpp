// ConvertDialog end to end on a tiny demo: convert to native and get the result offered for
// opening; start and cancel; refuse to start without a folder; throughput/ETA text.

#include "core/demo/demo_checkpoint.h"
#include "ui/views/convert_dialog.h"
#include "ui/workers/convert_worker.h"
#include "ui/workers/kernel_backend_provider.h"

#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace ckpt;
using namespace ckpt::ui;

class TstConvertDialog : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void convertToNative();
    void startAndCancel();
    void needsDestination();
    void progressText();

private:
    std::unique_ptr<ConvertDialog> makeDialog();

    QTemporaryDir m_dir;
    std::shared_ptr<const Checkpoint> m_checkpoint;
    std::shared_ptr<KernelBackendProvider> m_backends =
        std::make_shared<KernelBackendProvider>(DeviceChoice::Cpu);
};

void TstConvertDialog::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const std::string demo = m_dir.filePath(QStringLiteral("v3")).toStdString();
    auto st = writeDemoCheckpoint(demo, Family::DeepseekV3, DemoSize::Tiny);
    QVERIFY2(st.ok(), st.ok() ? "" : st.error().toString().c_str());
    auto checkpoint = Checkpoint::open(demo);
    QVERIFY(checkpoint.ok());
    m_checkpoint = checkpoint.value();
}

std::unique_ptr<ConvertDialog> TstConvertDialog::makeDialog()
{
    auto dialog = std::make_unique<ConvertDialog>(m_checkpoint, m_backends);
    dialog->show();
    return dialog;
}

void TstConvertDialog::convertToNative()
{
    auto dialog = makeDialog();
    const QString dst = m_dir.filePath(QStringLiteral("native"));
    dialog->UI_setDestination(dst);
    dialog->UI_setTarget(Layout::Native);
    QSignalSpy ended(dialog.get(), &ConvertDialog::conversionEnded);
    QSignalSpy open(dialog.get(), &ConvertDialog::openRequested);
    dialog->UI_start();
    QVERIFY(dialog->isRunning());
    QVERIFY(ended.wait(300000) || ended.count() > 0);
    QVERIFY2(ended.first().first().toBool(), qPrintable(dialog->statusText()));
    QCOMPARE(open.count(), 1);
    QCOMPARE(open.first().first().toString(), dst);
    auto result = Checkpoint::open(dst.toStdString());
    QVERIFY2(result.ok(), result.ok() ? "" : result.error().toString().c_str());
    QCOMPARE(result.value()->layout(), Layout::Native);
}

void TstConvertDialog::startAndCancel()
{
    auto dialog = makeDialog();
    const QString dst = m_dir.filePath(QStringLiteral("cancelled"));
    dialog->UI_setDestination(dst);
    QSignalSpy ended(dialog.get(), &ConvertDialog::conversionEnded);
    QSignalSpy open(dialog.get(), &ConvertDialog::openRequested);
    dialog->UI_start();
    dialog->UI_cancel();
    QVERIFY(dialog->isRunning());  // still running until the executor has really stopped
    QVERIFY(ended.wait(300000) || ended.count() > 0);
    QCOMPARE(ended.first().first().toBool(), false);
    QVERIFY2(dialog->statusText().startsWith(QLatin1String("Cancelled")), qPrintable(dialog->statusText()));
    QCOMPARE(open.count(), 0);
    QVERIFY(!dialog->isRunning());
    // No complete-looking output is left: there is no index and no finished shard.
    const QStringList shards = QDir(dst).entryList({QStringLiteral("*.safetensors"),
                                                    QStringLiteral("model.safetensors.index.json")});
    QVERIFY2(shards.isEmpty(), qPrintable(shards.join(QLatin1Char(' '))));
}

void TstConvertDialog::needsDestination()
{
    auto dialog = makeDialog();
    dialog->UI_start();
    QVERIFY(!dialog->isRunning());
    QVERIFY(dialog->statusText().contains(QLatin1String("output folder")));
}

void TstConvertDialog::progressText()
{
    QCOMPARE(ConvertDialog::progressText(0, 1024, 0), QStringLiteral("0 bytes of 1.00 KiB"));
    const QString text = ConvertDialog::progressText(512ull << 20, 2048ull << 20, 2.0);
    QVERIFY2(text.contains(QLatin1String("256.00 MiB/s")), qPrintable(text));
    QVERIFY2(text.endsWith(QLatin1String("ETA 0:06")), qPrintable(text));
}

QTEST_MAIN(TstConvertDialog)
#include "tst_convert_dialog.moc"
