import Foundation

/// Runs one job at a time on a thread of its own, beside the caller: the trainer hands it the next
/// batch to augment while the network trains on the current one; the IDX reader the SHA-256 of the
/// piece it has just decompressed while it decompresses the next.
///
/// `finish()` returns once the job has run. If the thread has not started it yet (it was not
/// scheduled in time, as happens when other processes keep the cores busy), the caller runs it
/// itself rather than waiting for the thread to wake: handing work to the helper can make the
/// caller no slower than doing it in line. (A dispatch queue offers no such take-back; under load
/// the wait for its thread added half again to an MLP epoch.)
public final class HelperThread: @unchecked Sendable {
    private let name: String
    private let condition = NSCondition()
    // All guarded by `condition`.
    private var job: (() -> Void)?  // submitted and not started
    private var running = false
    private var stopping = false
    private var started = false

    /// A helper whose thread (started on first use) is called `name`.
    public init(name: String) {
        self.name = name
    }

    /// Hands `work` to the thread (started on first use). The previous job must be finished.
    public func submit(_ work: @escaping () -> Void) {
        condition.lock()
        precondition(job == nil && !running, "HelperThread: a job was submitted before the last one finished")
        job = work
        if !started {
            started = true
            let thread = Thread { [self] in loop() }
            thread.name = name
            thread.start()
        }
        condition.broadcast()
        condition.unlock()
    }

    /// Returns when the submitted job (if any) has run: runs it here if the thread has not begun it.
    public func finish() {
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
    public func stop() {
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
