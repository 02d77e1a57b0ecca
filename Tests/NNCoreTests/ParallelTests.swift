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
}
