/// One job at a time run by one of `Parallel`'s pool workers beside the caller, in the stretches
/// where the caller works on its own: a worker that comes back from a parallel loop runs it before
/// it waits for the next loop. The trainer hands it the next batch's conversion while the network
/// runs its small layers and loss on one thread between two split products. A helper thread of
/// its own (`HelperThread`) would be one thread more than `--threads`, preempting a worker the
/// products wait for; a pool worker busy with the side job is simply late to the next loop, whose
/// chunks the caller claims in the meantime (so the results are the same whichever thread runs them).
///
/// `finish()` returns once the job has run; if no worker has taken it yet (no loop ran since it was
/// submitted, or the workers are not scheduled), the caller runs it itself. With one thread
/// (`Parallel.threadCount`) there is no worker to hand it to: `submit` runs it at once.
public final class PoolSideJob: @unchecked Sendable {
    enum State {
        case idle, queued, running
    }

    // Guarded by the worker pool's mutex.
    var state = State.idle
    var work: (() -> Void)?

    public init() {}

    /// Hands `work` to the pool (or, with one thread, runs it now). The previous job must be finished.
    public func submit(_ work: @escaping () -> Void) {
        let threads = Parallel.threadCount
        guard threads > 1 else {
            work()
            return
        }
        let pool = WorkerPool.shared
        pool.ensureWorkers(threads - 1)
        let taskCount = Parallel.taskThreadCount
        pool.submit(self, taskCount == nil ? work : { Parallel.$taskThreadCount.withValue(taskCount) { work() } })
    }

    /// Returns when the submitted job (if any) has run: runs it here if no worker has begun it.
    public func finish() {
        WorkerPool.shared.finish(self)
    }
}
