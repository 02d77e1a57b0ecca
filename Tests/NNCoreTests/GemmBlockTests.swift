import Foundation
import Testing

@testable import NNCore

/// `BLAS.parallelGemm(...eachBlock:)`: the blocks cover C once, each is final when its call comes,
/// and C is bit for bit the product without the calls, at every thread count.
@Suite struct GemmBlockTests {
    final class Blocks: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var seen: [(rows: Range<Int>, columns: Range<Int>, values: [Float])] = []
        func add(_ rows: Range<Int>, _ columns: Range<Int>, _ values: [Float]) {
            lock.lock()
            seen.append((rows, columns, values))
            lock.unlock()
        }
    }

    private func values(_ count: Int, seed: UInt64) -> [Float] {
        var rng = RNG(seed: seed)
        return (0..<count).map { _ in Float(rng.nextDouble() * 2 - 1) }
    }

    @Test(arguments: [
        // m, n, k, transposeA, transposeB: split by rows (m > n), by columns with a remainder of 1
        // (781 columns), not split (too small), and a product split in three with a short last block.
        (100, 64, 784, false, true), (100, 781, 64, true, false), (5, 3, 2, false, false), (37, 1003, 50, true, true),
    ])
    func blocksCoverTheResultOnceAndAreFinal(shape: (Int, Int, Int, Bool, Bool)) {
        let (m, n, k, transposeA, transposeB) = shape
        let a = values(m * k, seed: 1)
        let b = values(k * n, seed: 2)
        let start = values(m * n, seed: 3)
        for threads in [1, 2, 3] {
            Parallel.withThreadCount(threads) {
                var plain = start
                var blocked = start
                let blocks = Blocks()
                a.withUnsafeBufferPointer { pa in
                    b.withUnsafeBufferPointer { pb in
                        let (lda, ldb) = (transposeA ? m : k, transposeB ? k : n)
                        plain.withUnsafeMutableBufferPointer { pc in
                            BLAS.parallelGemm(
                                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb, beta: 1,
                                c: pc.baseAddress!, ldc: n)
                        }
                        blocked.withUnsafeMutableBufferPointer { pc in
                            let c = pc.baseAddress!
                            BLAS.parallelGemm(
                                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb, beta: 1, c: c, ldc: n
                            ) { rows, columns in
                                blocks.add(rows, columns, rows.flatMap { r in columns.map { c[r * n + $0] } })
                            }
                        }
                    }
                }
                #expect(plain.map(\.bitPattern) == blocked.map(\.bitPattern), "\(threads) threads")
                var covered = [Int](repeating: 0, count: m * n)
                for block in blocks.seen {
                    var index = 0
                    for r in block.rows {
                        for c in block.columns {
                            covered[r * n + c] += 1
                            #expect(block.values[index].bitPattern == blocked[r * n + c].bitPattern)
                            index += 1
                        }
                    }
                }
                #expect(covered.allSatisfy { $0 == 1 }, "\(threads) threads: every element in exactly one block")
                let splits = m * n * k * 2 >= 2_000_000 && threads > 1
                #expect(blocks.seen.count == (splits ? threads : 1), "\(threads) threads: \(blocks.seen.count) blocks")
            }
        }
    }
}
