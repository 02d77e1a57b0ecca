import Foundation

/// Runs one job at a time on a thread of its own: the trainer hands it the next batch to augment
/// while the network trains on the current one.
///
/// `finish()` returns once the job has run. If the thread has not started it yet (it was not
/// scheduled in time, as happens when other processes keep the cores busy), the caller runs it
/// itself rather than waiting for the thread to wake: prefetching can make a step no slower than
/// preparing its batch in line. (A dispatch queue offers no such take-back; under load the wait
/// for its thread added half again to an MLP epoch.)
final class BatchPrefetcher: @unchecked Sendable {
    private let condition = NSCondition()
    // All guarded by `condition`.
    private var job: (() -> Void)?  // submitted and not started
    private var running = false
    private var stopping = false
    private var started = false

    /// Hands `work` to the thread (started on first use). The previous job must be finished.
    func submit(_ work: @escaping () -> Void) {
        condition.lock()
        precondition(job == nil && !running, "BatchPrefetcher: a job was submitted before the last one finished")
        job = work
        if !started {
            started = true
            let thread = Thread { [self] in loop() }
            thread.name = "nnzoo batch prefetch"
            thread.start()
        }
        condition.broadcast()
        condition.unlock()
    }

    /// Returns when the submitted job (if any) has run: runs it here if the thread has not begun it.
    func finish() {
        condition.lock()
        if let work = job {
            job = nil
            condition.unlock()
            work()
            return
        }
        while running { condition.wait() }
        condition.unlock()
    }

    /// Ends the thread once it is idle (jobs still pending are left to `finish()`).
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func loop() {
        condition.lock()
        while true {
            while job == nil && !stopping { condition.wait() }
            guard !stopping, let work = job else { break }
            job = nil
            running = true
            condition.unlock()
            work()
            condition.lock()
            running = false
            condition.broadcast()
        }
        condition.unlock()
    }
}
