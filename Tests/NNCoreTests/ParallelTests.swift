import Testing

@testable import NNCore

@Suite struct ParallelTests {
    @Test func chunksCoverTheRangeExactlyOnce() {
        for count in [0, 1, 7, 64, 1001] {
            for chunks in 1...5 {
                let ranges = (0..<chunks).map { Parallel.chunkRange($0, of: chunks, count: count) }
                #expect(ranges.flatMap { Array($0) } == Array(0..<count))
            }
        }
    }

    @Test func mapRangesReturnsChunkOrder() {
        let sums = Parallel.mapRanges(1000) { range in range.reduce(0, +) }
        #expect(sums.reduce(0, +) == 499_500)
    }

    @Test func forEachVisitsEveryIndex() {
        var hits = [Int](repeating: 0, count: 500)
        hits.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            Parallel.forEach(500) { base[$0] += 1 }
        }
        #expect(hits.allSatisfy { $0 == 1 })
    }

    @Test func forChunksRunsEveryChunkOnce() {
        var hits = [Int](repeating: 0, count: 7)
        hits.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            Parallel.forChunks(7) { base[$0] += 1 }
        }
        #expect(hits == [1, 1, 1, 1, 1, 1, 1])
    }

    @Test func nestedLoopsRunOnTheCallingThread() {
        // A loop started inside a chunk cannot use the busy pool: it must still run every item.
        var sums = [Int](repeating: 0, count: 4)
        sums.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            Parallel.forChunks(4) { chunk in
                let inner = Parallel.mapRanges(100) { range in range.reduce(0, +) }
                base[chunk] = inner.reduce(0, +)
            }
        }
        #expect(sums == [4950, 4950, 4950, 4950])
    }

    /// A task's own count: its loops use it, on the pool's threads too (a loop nested in a chunk
    /// splits its work by it, wherever the chunk runs), and the process's count is left alone.
    @Test func aTaskHasItsOwnThreadCount() {
        let seen = Parallel.withThreadCount(3) {
            Parallel.mapRanges(3) { _ in (Parallel.threadCount, Parallel.mapRanges(100) { $0.count }.count) }
        }
        #expect(seen.map(\.0) == Array(repeating: 3, count: 3))
        #expect(seen.map(\.1) == Array(repeating: 3, count: 3), "nested loops split in 3 on every thread")
        #expect(Parallel.withThreadCount(0) { Parallel.threadCount } == 1)
        #expect(Parallel.withThreadCount(5000) { Parallel.threadCount } == Parallel.maxThreadCount)
        #expect(Parallel.taskThreadCount == nil)
    }

    @Test func loopsFromSeveralThreadsAtOnce() async {
        // Concurrent callers share one pool; whoever finds it busy runs alone. All finish correctly.
        let totals = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (0..<50).map { _ in Parallel.mapRanges(10_000) { $0.reduce(0, +) }.reduce(0, +) }.reduce(0, +)
                }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(totals == Array(repeating: 50 * 49_995_000, count: 8))
    }
}
