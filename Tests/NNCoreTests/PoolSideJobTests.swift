import Foundation
import Testing

@testable import NNCore

/// A job handed to the pool runs exactly once, by a worker back from a loop or by the caller at
/// `finish()`, and `finish()` returns only after it has run.
@Suite struct PoolSideJobTests {
    /// A count the side job and the test share across threads.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func add() {
            lock.lock()
            value += 1
            lock.unlock()
        }
        var count: Int {
            lock.lock()
            defer { lock.unlock() }
            return value
        }
    }

    /// Some work for the pool's threads, split in `chunks`.
    private func loop(chunks: Int) -> Int {
        var sums = [Int](repeating: 0, count: chunks)
        sums.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            Parallel.forChunks(chunks) { chunk in base[chunk] = (0..<20_000).reduce(chunk, &+) }
        }
        return sums.reduce(0, &+)
    }

    @Test func withOneThreadItRunsAtOnce() {
        let counter = Counter()
        let job = PoolSideJob()
        Parallel.withThreadCount(1) {
            job.submit { counter.add() }
            #expect(counter.count == 1)
            job.finish()
        }
        #expect(counter.count == 1)
    }

    @Test func withNoLoopTheCallerRunsItAtFinish() {
        let counter = Counter()
        let job = PoolSideJob()
        Parallel.withThreadCount(2) {
            job.submit { counter.add() }
            job.finish()
            #expect(counter.count == 1)
            job.finish()  // nothing pending: returns at once
        }
        #expect(counter.count == 1)
    }

    @Test func eachJobRunsOnceBesideLoopsAndFinishWaitsForIt() {
        let counter = Counter()
        let job = PoolSideJob()
        let expected = (0..<2).map { chunk in (0..<20_000).reduce(chunk, &+) }.reduce(0, &+)
        Parallel.withThreadCount(2) {
            for round in 1...200 {
                // A job slow enough that finish() usually finds it running on the worker.
                job.submit {
                    if round % 10 == 0 { usleep(2000) }
                    counter.add()
                }
                #expect(loop(chunks: 2) == expected)
                job.finish()
                #expect(counter.count == round)
            }
        }
    }

    @Test func severalCallersShareThePool() async {
        let totals = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let counter = Counter()
                    let job = PoolSideJob()
                    Parallel.withThreadCount(3) {
                        for _ in 0..<100 {
                            job.submit { counter.add() }
                            _ = loop(chunks: 3)
                            job.finish()
                        }
                    }
                    return counter.count
                }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(totals == [100, 100, 100, 100])
    }
}
