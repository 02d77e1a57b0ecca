import CBLAS
import Dispatch
import Foundation

/// The one thread setting of the project: `--threads` sets it, and it governs both OpenBLAS's
/// thread pool and the project's own parallel loops, so the two never oversubscribe the cores.
///
/// Work is split into `threadCount` contiguous chunks whose bounds depend only on the problem size
/// and the thread count, so a loop that reduces per chunk gives the same result every run with the
/// same thread count.
public enum Parallel {
    nonisolated(unsafe) private static var _threadCount = defaultThreadCount

    /// The most threads `--threads` accepts: far beyond any machine this runs on, and small enough
    /// for OpenBLAS's Int32 setting.
    public static let maxThreadCount = 1024

    /// The number of online cores (the default for `--threads`).
    public static var defaultThreadCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// The thread count used by parallel loops and by OpenBLAS.
    public static var threadCount: Int { _threadCount }

    /// Sets the thread count (clamped to 1...`maxThreadCount`) for parallel loops and OpenBLAS.
    /// Call before any work starts.
    public static func setThreadCount(_ n: Int) {
        let count = min(max(1, n), maxThreadCount)
        _threadCount = count
        openblas_set_num_threads(Int32(count))
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
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            body(chunkRange(chunk, of: chunks, count: count))
        }
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
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                (base + chunk).pointee = body(chunkRange(chunk, of: chunks, count: count))
            }
        }
        return results.map { $0! }
    }
}
