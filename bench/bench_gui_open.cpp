// Time to a populated tree in the GUI: a fresh MainWindow (offscreen) is told to open DIR, the
// event loop runs until the window reports the checkpoint open, and the tree view is painted once;
// the clock stops when that paint returns. This is the whole user-visible path: the open worker
// (every shard header, index, config, quant pairing, then the TensorTree), the hand-over to the UI
// thread, the model reset, the first expand and the first paint.
// Also reported: process CPU time over the same interval (all threads), the longest the UI thread
// went without running its event loop (a 1 ms timer's largest gap: the "freeze" a user would see),
// and the open worker's job alone (OpenCheckpointWorker::open) with its tree build timed apart.
// usage: bench_gui_open DIR [RUNS=7]   (QT_QPA_PLATFORM defaults to offscreen)
// No thresholds here: bench/open-time.sh puts the figures next to Python's in one run.

#include "core/checkpoint/checkpoint.h"
#include "ui/models/tensor_tree.h"
#include "ui/views/main_window.h"
#include "ui/views/tree_pane.h"
#include "ui/workers/open_checkpoint_worker.h"
#include "ui/workers/kernel_backend_provider.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QStandardPaths>
#include <QTimer>
#include <QTreeView>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <vector>

using namespace ckpt;
using namespace ckpt::ui;

namespace {

double cpuNow() { return double(std::clock()) / CLOCKS_PER_SEC; }

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

struct GuiRun {
    double wall = 0, cpu = 0, longestStall = 0;
    int topRows = 0;
    bool ok = false;
};

GuiRun openInWindow(const QString& dir)
{
    MainWindow window(std::make_shared<KernelBackendProvider>(DeviceChoice::Cpu));
    window.resize(1280, 800);
    window.show();
    QCoreApplication::processEvents();

    GuiRun run;
    QEventLoop loop;
    QObject::connect(&window, &MainWindow::checkpointOpened, &loop, &QEventLoop::quit);
    QObject::connect(&window, &MainWindow::openFailed, &loop, [&loop](const QString& message) {
        std::fprintf(stderr, "bench_gui_open: %s\n", qPrintable(message));
        loop.quit();
    });
    QElapsedTimer sinceTick;
    QTimer ticker;
    ticker.setInterval(1);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        run.longestStall = std::max(run.longestStall, sinceTick.nsecsElapsed() / 1e9);
        sinceTick.restart();
    });

    const auto start = std::chrono::steady_clock::now();
    const double cpuStart = cpuNow();
    sinceTick.start();
    ticker.start();
    window.UI_openPath(dir);
    loop.exec();
    QTreeView* view = window.findChild<TreePane*>()->view();
    view->viewport()->repaint();  // synchronous: the rows are on screen when it returns
    run.longestStall = std::max(run.longestStall, sinceTick.nsecsElapsed() / 1e9);
    run.cpu = cpuNow() - cpuStart;
    run.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ticker.stop();
    run.topRows = view->model()->rowCount();
    run.ok = window.current().tree != nullptr && run.topRows > 0;
    return run;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DIR [RUNS=7]\n", argv[0]);
        return 2;
    }
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QStandardPaths::setTestModeEnabled(true);  // the recent-files list goes to a test location
    QApplication app(argc, argv);
    const QString dir = QString::fromLocal8Bit(argv[1]);
    const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 7;

    std::vector<double> wall, cpu, stall, workerCpu, treeCpu;
    std::size_t nodes = 0;
    for (int r = 0; r < runs; ++r) {
        const GuiRun g = openInWindow(dir);
        if (!g.ok) {
            std::fprintf(stderr, "bench_gui_open: %s did not open into a populated tree\n", argv[1]);
            return 1;
        }
        // The open worker's job alone, on this thread, and the tree build within it.
        SimpleJobContext job;
        double t = cpuNow();
        auto opened = OpenCheckpointWorker::open(dir, job);
        if (!opened.ok()) {
            std::fprintf(stderr, "bench_gui_open: %s\n", opened.error().toString().c_str());
            return 1;
        }
        workerCpu.push_back(cpuNow() - t);
        const Checkpoint& checkpoint = *opened.value().checkpoint;
        t = cpuNow();
        auto tree = TensorTree::build(checkpoint.tensors(), checkpoint.files());
        treeCpu.push_back(cpuNow() - t);
        nodes = tree.value()->nodeCount();
        wall.push_back(g.wall);
        cpu.push_back(g.cpu);
        stall.push_back(g.longestStall);
        std::printf("run %d: %.4f s wall, %.4f s cpu to a painted tree (%d top rows), longest UI stall "
                    "%.4f s; open job %.4f s cpu, of which tree %.4f s\n",
                    r + 1, g.wall, g.cpu, g.topRows, g.longestStall, workerCpu.back(), treeCpu.back());
    }
    std::printf("median %.4f s wall, %.4f s cpu, longest UI stall %.4f s; open job %.4f s cpu, of "
                "which tree %.4f s (%zu tree nodes)\n",
                median(wall), median(cpu), median(stall), median(workerCpu), median(treeCpu), nodes);
    return 0;
}
