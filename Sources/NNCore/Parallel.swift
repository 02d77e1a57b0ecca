import CBLAS
import Foundation

#if os(Linux)
    import Synchronization
#endif

/// The one thread setting of the project: `--threads` sets it, and it governs every parallel loop,
/// the matrix products included, so nothing oversubscribes the cores.
///
/// OpenBLAS is pinned to one thread: `BLAS.parallelGemm` splits a large product into blocks and
/// runs one single-threaded sgemm per block on these threads. That keeps exactly `threadCount`
/// threads busy (OpenBLAS's own pool would spin beside ours), lets convolutions run im2col and
/// sgemm for their images on the same thread while the data is in cache, and is safe to call from
/// inside a parallel loop.
///
/// Work is split into `threadCount` contiguous chunks whose bounds depend only on the problem size
/// and the thread count, so a loop that reduces per chunk gives the same result every run with the
/// same thread count. The threads are a persistent pool (the caller runs chunks too); starting a
/// loop allocates nothing. A loop started while another is running (from inside a chunk, or from
/// a second thread) runs on the calling thread alone.
public enum Parallel {
    nonisolated(unsafe) private static var _threadCount = configuredDefault

    /// Pins OpenBLAS to one thread before any product runs (OpenBLAS starts with one per core).
    private static let configuredDefault: Int = {
        openblas_set_num_threads(1)
        return defaultThreadCount
    }()

    /// The most threads `--threads` accepts: far beyond any machine this runs on (the pool would
    /// start every one of them).
    public static let maxThreadCount = 1024

    /// The number of online cores (the default for `--threads`).
    public static var defaultThreadCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// The thread count used by parallel loops and split matrix products: the current task's
    /// (`withThreadCount`), else the process's.
    public static var threadCount: Int {
        let process = _threadCount  // first use: pins OpenBLAS to one thread
        return taskThreadCount ?? process
    }

    /// A thread count for one task and the tasks it starts (nil: the process's), so that tests run
    /// side by side in one process each set their own; the loops it starts bind it on the pool's
    /// threads too, so nested loops split their work the same on every thread.
    @TaskLocal public static var taskThreadCount: Int?

    /// Runs `body` with `n` threads (clamped to 1...`maxThreadCount`) for the current task only,
    /// leaving the process's count (`setThreadCount`) to everything else.
    public static func withThreadCount<R>(_ n: Int, _ body: () throws -> R) rethrows -> R {
        try $taskThreadCount.withValue(min(max(1, n), maxThreadCount)) { try body() }
    }

    /// Sets the thread count (clamped to 1...`maxThreadCount`) for parallel loops and matrix
    /// products. Call before work starts.
    public static func setThreadCount(_ n: Int) {
        _ = configuredDefault
        _threadCount = min(max(1, n), maxThreadCount)
        openblas_set_num_threads(1)
    }

    /// The half-open chunk `chunk` of `0 ..< count` split into `chunks` near-equal parts.
    @inline(__always)
    public static func chunkRange(_ chunk: Int, of chunks: Int, count: Int) -> Range<Int> {
        let base = count / chunks
        let extra = count % chunks
        let start = chunk * base + min(chunk, extra)
        return start..<(start + base + (chunk < extra ? 1 : 0))
    }

    /// Runs `body` over `0 ..< count` split into at most `threadCount` contiguous ranges, in
    /// parallel. Ranges smaller than `minChunk` items are merged so tiny loops stay on one thread.
    public static func forRanges(
        _ count: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void
    ) {
        guard count > 0 else { return }
        let chunks = max(1, min(threadCount, count / max(1, minChunk)))
        if chunks == 1 {
            body(0..<count)
            return
        }
        run(chunks: chunks) { chunk in body(chunkRange(chunk, of: chunks, count: count)) }
    }

    /// Runs `body(chunk)` for every chunk in `0 ..< chunks`, in parallel on up to `threadCount`
    /// threads (for work already cut into pieces, such as blocks of a matrix product).
    public static func forChunks(_ chunks: Int, _ body: (Int) -> Void) {
        guard chunks > 0 else { return }
        if chunks == 1 || threadCount == 1 {
            for chunk in 0..<chunks { body(chunk) }
            return
        }
        run(chunks: chunks, body)
    }

    /// Runs `body(i)` for every i in `0 ..< count`, in parallel chunks.
    public static func forEach(_ count: Int, minChunk: Int = 1, _ body: (Int) -> Void) {
        forRanges(count, minChunk: minChunk) { range in
            for i in range { body(i) }
        }
    }

    /// Like `forRanges`, but every chunk returns a value; the values come back in chunk order, so
    /// a reduction over them is deterministic for a given thread count.
    public static func mapRanges<T>(
        _ count: Int, minChunk: Int = 1, _ body: (Range<Int>) -> T
    ) -> [T] {
        guard count > 0 else { return [] }
        let chunks = max(1, min(threadCount, count / max(1, minChunk)))
        if chunks == 1 { return [body(0..<count)] }
        var results = [T?](repeating: nil, count: chunks)
        results.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            run(chunks: chunks) { chunk in
                (base + chunk).pointee = body(chunkRange(chunk, of: chunks, count: count))
            }
        }
        return results.map { $0! }
    }

    /// Runs the chunks on the pool, or on the calling thread if the pool is busy. A task's own
    /// count is bound around each chunk (the workers are not in the task), which costs a small
    /// allocation per chunk; without one, nothing is allocated.
    private static func run(chunks: Int, _ body: (Int) -> Void) {
        let pool = WorkerPool.shared
        pool.ensureWorkers(threadCount - 1)
        withoutActuallyEscaping(body) { body in
            let taskCount = taskThreadCount
            let work: (Int) -> Void =
                taskCount == nil ? body : { chunk in $taskThreadCount.withValue(taskCount) { body(chunk) } }
            if !pool.run(chunks: chunks, work) {
                for chunk in 0..<chunks { work(chunk) }
            }
        }
    }
}

/// Persistent worker threads that claim chunks of the current job. The caller claims chunks too,
/// so a job finishes even if no worker wakes in time; workers spin briefly after a job (steps run
/// many short loops back to back) and then sleep on a condition variable. A worker coming back from
/// a loop first runs the oldest queued `PoolSideJob`, if any.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let wake: UnsafeMutablePointer<pthread_cond_t>
    private let finished: UnsafeMutablePointer<pthread_cond_t>
    /// Signalled when a side job has run.
    private let sideFinished: UnsafeMutablePointer<pthread_cond_t>

    // All guarded by `mutex`.
    private var workers = 0
    private var generation = 0
    private var job: ((Int) -> Void)?
    private var chunkCount = 0
    private var nextChunk = 0
    private var doneChunks = 0
    private var busy = false
    private var active = 0  // workers currently inside a job (holding `job`)
    private var sideJobs: [PoolSideJob] = []  // submitted and not started, oldest first

    // Lock-free copies of `generation` and of "the job is finished", which idle workers and the
    // waiting caller spin on without taking the mutex (spinning on the mutex would fight the
    // caller for it).
    private let publishedGeneration = SpinCounter()
    private let completions = SpinCounter()

    /// How many times an idle worker re-checks for a new job before sleeping.
    private static let spinChecks = 20_000

    private init() {
        mutex = .allocate(capacity: 1)
        wake = .allocate(capacity: 1)
        finished = .allocate(capacity: 1)
        sideFinished = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        pthread_cond_init(finished, nil)
        pthread_cond_init(sideFinished, nil)
    }

    // MARK: Side jobs

    /// Queues `side` to run `work` on the first worker that comes back from a loop.
    func submit(_ side: PoolSideJob, _ work: @escaping () -> Void) {
        pthread_mutex_lock(mutex)
        precondition(side.state == .idle, "PoolSideJob: a job was submitted before the last one finished")
        side.work = work
        side.state = .queued
        sideJobs.append(side)
        pthread_mutex_unlock(mutex)
    }

    /// Returns once `side`'s job has run: runs it on the calling thread if no worker has taken it.
    func finish(_ side: PoolSideJob) {
        pthread_mutex_lock(mutex)
        if side.state == .queued, let index = sideJobs.firstIndex(where: { $0 === side }) {
            sideJobs.remove(at: index)
            let work = side.work
            side.work = nil
            side.state = .idle
            pthread_mutex_unlock(mutex)
            work?()
            return
        }
        while side.state == .running { pthread_cond_wait(sideFinished, mutex) }
        pthread_mutex_unlock(mutex)
    }

    /// The oldest queued side job, marked running (called with the mutex held), or nil.
    private func takeSideJob() -> PoolSideJob? {
        guard !sideJobs.isEmpty else { return nil }
        let side = sideJobs.removeFirst()
        side.state = .running
        return side
    }

    /// Runs a side job taken with `takeSideJob` (without the mutex) and reports it done.
    private func runSide(_ side: PoolSideJob?) {
        guard let side else { return }
        side.work?()
        pthread_mutex_lock(mutex)
        side.work = nil
        side.state = .idle
        pthread_cond_broadcast(sideFinished)
        pthread_mutex_unlock(mutex)
    }

    /// Starts workers until there are at least `count`.
    func ensureWorkers(_ count: Int) {
        pthread_mutex_lock(mutex)
        let missing = count - workers
        if missing > 0 { workers += missing }
        pthread_mutex_unlock(mutex)
        guard missing > 0 else { return }
        for _ in 0..<missing {
            let thread = Thread { [unowned self] in self.workerLoop() }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Runs `work` for chunks `0 ..< chunks` with the workers; returns false (having run
    /// nothing) if a job is already running.
    func run(chunks: Int, _ work: @escaping (Int) -> Void) -> Bool {
        pthread_mutex_lock(mutex)
        if busy {
            pthread_mutex_unlock(mutex)
            return false
        }
        busy = true
        job = work
        chunkCount = chunks
        nextChunk = 0
        doneChunks = 0
        generation &+= 1
        let completionsBefore = completions.load()
        publishedGeneration.store(generation)
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(mutex)

        claimChunks(work)

        // Usually the last chunk is nearly done: spin briefly before sleeping.
        var spins = 0
        while completions.load() == completionsBefore && spins < WorkerPool.spinChecks {
            spins += 1
            if spins & 63 == 0 { sched_yield() }
        }
        pthread_mutex_lock(mutex)
        while doneChunks < chunkCount || active > 0 { pthread_cond_wait(finished, mutex) }
        job = nil
        busy = false
        pthread_mutex_unlock(mutex)
        return true
    }

    /// Claims and runs chunks of the current job until none are left.
    private func claimChunks(_ work: (Int) -> Void) {
        while true {
            pthread_mutex_lock(mutex)
            guard nextChunk < chunkCount else {
                pthread_mutex_unlock(mutex)
                return
            }
            let chunk = nextChunk
            nextChunk += 1
            pthread_mutex_unlock(mutex)
            work(chunk)
            pthread_mutex_lock(mutex)
            doneChunks += 1
            signalIfFinished()
            pthread_mutex_unlock(mutex)
        }
    }

    /// Tells the waiting caller when every chunk is done and no worker holds the job. Called with
    /// the mutex held.
    private func signalIfFinished() {
        if doneChunks == chunkCount && active == 0 {
            completions.store(completions.load() &+ 1)
            pthread_cond_signal(finished)
        }
    }

    /// Runs chunks of the current job; the worker's reference to the job is released when this
    /// returns, before it reports itself inactive (the caller checks the job did not escape).
    private func participate() {
        pthread_mutex_lock(mutex)
        let work = job
        pthread_mutex_unlock(mutex)
        if let work { claimChunks(work) }
    }

    private func workerLoop() {
        var seen = 0
        while true {
            // Spin a little on the published generation, then sleep until the next job.
            var spins = 0
            while publishedGeneration.load() == seen && spins < WorkerPool.spinChecks {
                spins += 1
                if spins & 63 == 0 { sched_yield() }
            }
            pthread_mutex_lock(mutex)
            if generation == seen || job == nil {
                if spins < WorkerPool.spinChecks {
                    // A job came and went while this worker was busy elsewhere: keep spinning.
                    seen = generation
                    let side = takeSideJob()
                    pthread_mutex_unlock(mutex)
                    runSide(side)
                    continue
                }
                while generation == seen || job == nil { pthread_cond_wait(wake, mutex) }
            }
            seen = generation
            guard job != nil, nextChunk < chunkCount else {
                let side = takeSideJob()
                pthread_mutex_unlock(mutex)
                runSide(side)
                continue
            }
            active += 1
            pthread_mutex_unlock(mutex)
            participate()
            pthread_mutex_lock(mutex)
            active -= 1
            signalIfFinished()
            // Back from the loop: the caller is on its own until its next one.
            let side = takeSideJob()
            pthread_mutex_unlock(mutex)
            runSide(side)
        }
    }
}

/// An integer one thread publishes and others poll without a lock: an atomic on Linux, a
/// mutex-guarded value elsewhere (the `Atomic` type needs macOS 15, the package supports 13).
private final class SpinCounter: @unchecked Sendable {
    #if os(Linux)
        private let value = Atomic<Int>(0)
        func load() -> Int { value.load(ordering: .acquiring) }
        func store(_ newValue: Int) { value.store(newValue, ordering: .releasing) }
    #else
        private let lock = NSLock()
        private var value = 0
        func load() -> Int {
            lock.lock()
            defer { lock.unlock() }
            return value
        }
        func store(_ newValue: Int) {
            lock.lock()
            value = newValue
            lock.unlock()
        }
    #endif
}
