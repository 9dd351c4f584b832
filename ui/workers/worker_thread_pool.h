#pragma once
// The thread pool every JobRunner runs its jobs on: ours, never QThreadPool::globalInstance().
// Qt's raster paint engine splits big fills across the global pool and waits for them on the UI
// thread (Qt 6.4, qdrawhelper), so a long job parked there freezes painting until it ends: with
// one usable core the global pool has one thread and the whole window stopped redrawing while a
// checkpoint opened. A separate pool also lets an open, a statistics job and a plan build run
// side by side instead of queueing behind each other.

class QThreadPool;

namespace ckpt::ui {

QThreadPool* workerThreadPool();

} // namespace ckpt::ui
