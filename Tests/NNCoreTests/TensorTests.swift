import Testing

@testable import NNCore

@Suite struct TensorTests {
    @Test func shapeIsAnInlineCollection() {
        let s: Shape = [64, 1, 28, 28]
        #expect(s.rank == 4)
        #expect(s.elementCount == 50176)
        #expect(s.elementCount(from: 1) == 784)
        #expect(Array(s) == [64, 1, 28, 28])
        #expect(s.withBatch(32) == [32, 1, 28, 28])
        #expect(s != [64, 1, 28])
        #expect(Shape().elementCount == 1)
        #expect(s.description == "[64, 1, 28, 28]")
    }

    @Test func subscriptsAreRowMajor() {
        var t = Tensor(shape: [2, 3, 4, 5])
        t[1, 2, 3, 4] = 7
        #expect(t[flat: 119] == 7)
        let m = Tensor(rows: [[1, 2, 3], [4, 5, 6]])
        #expect(m[1, 0] == 4)
        #expect(m.shape == [2, 3])
        #expect(m.reshaped([3, 2])[2, 1] == 6)
    }

    @Test func resizeKeepsCapacityAndZeroesNewElements() {
        var t = Tensor(shape: [4, 10], repeating: 1)
        let before = t.withUnsafeBufferPointer { $0.baseAddress }
        t.resize(to: [2, 10])
        #expect(t.count == 20)
        t.resize(to: [4, 10])
        let after = t.withUnsafeBufferPointer { $0.baseAddress }
        #expect(before == after)
        #expect(t[flat: 19] == 1)
        #expect(t[flat: 20] == 0)
    }

    @Test func reusableTensorAlternatesSlotsWithoutCopying() {
        var buffers = ReusableTensor()
        let a = buffers.produce(shape: [3]) { p in p.update(repeating: 1) }
        let b = buffers.produce(shape: [3]) { p in p.update(repeating: 2) }
        // `a` is still held, `b` too: the third write goes to a's slot and must not disturb a's copy.
        let c = buffers.produce(shape: [3]) { p in p.update(repeating: 3) }
        #expect(a.scalars == [1, 1, 1])
        #expect(b.scalars == [2, 2, 2])
        #expect(c.scalars == [3, 3, 3])
        #expect(buffers.current == c)
        let z = buffers.produceZeroed(shape: [2]) { p in p[1] = 5 }
        #expect(z.scalars == [0, 5])
    }

    @Test func matmulHonoursTransposeFlags() {
        let a = Tensor(rows: [[1, 2, 3], [4, 5, 6]])  // 2x3
        let b = Tensor(rows: [[1, 0], [0, 1], [2, -1]])  // 3x2
        #expect(Tensor.matmul(a, b).scalars == [7, -1, 16, -1])
        let at = Tensor(rows: [[1, 4], [2, 5], [3, 6]])
        let bt = Tensor(rows: [[1, 0, 2], [0, 1, -1]])
        #expect(Tensor.matmul(at, b, transposeA: true).scalars == [7, -1, 16, -1])
        #expect(Tensor.matmul(a, bt, transposeB: true).scalars == [7, -1, 16, -1])
        #expect(Tensor.matmul(at, bt, transposeA: true, transposeB: true).scalars == [7, -1, 16, -1])
    }

    @Test func gemmAccumulatesWithBeta() {
        let a: [Float] = [1, 2, 3, 4]
        let b: [Float] = [1, 1, 1, 1]
        var c: [Float] = [10, 10, 10, 10]
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    BLAS.gemm(
                        transposeA: false, transposeB: false, m: 2, n: 2, k: 2, alpha: 2,
                        a: pa.baseAddress!, lda: 2, b: pb.baseAddress!, ldb: 2, beta: 1,
                        c: pc.baseAddress!, ldc: 2)
                }
            }
        }
        #expect(c == [16, 16, 24, 24])
    }

    @Test func elementwiseHelpers() {
        let a = Tensor([1, -2, 3])
        let b = Tensor([1, 1, 1])
        #expect((a + b).scalars == [2, -1, 4])
        #expect((a - b).scalars == [0, -3, 2])
        #expect((a * b * 2).scalars == [2, -4, 6])
        #expect(a.sum() == 2)
        #expect(a.squaredNorm() == 14)
        #expect(Tensor(rows: [[1, 3, 3], [5, 0, 1]]).argmaxRows() == [1, 0])
        #expect(a.maxAbsDifference(b) == 3)
    }
}

@Suite struct ParallelGemmTests {
    /// `op(A) op(B)` computed naively in Double.
    func reference(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let x = transposeA ? a[p * m + i] : a[i * k + p]
                    let y = transposeB ? b[j * k + p] : b[p * n + j]
                    sum += Double(x) * Double(y)
                }
                c[i * n + j] = Float(sum)
            }
        }
        return c
    }

    /// Products large enough to be split over the threads (along columns when n ≥ m, rows
    /// otherwise), with every transpose combination, match a naive product.
    @Test(arguments: [(70, 300, 120), (300, 70, 120), (33, 35, 2000)])
    func splitProductsMatchNaive(m: Int, n: Int, k: Int) {
        var rng = RNG(seed: 11)
        let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
        let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
        for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
            var c = [Float](repeating: 1, count: m * n)
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        BLAS.parallelGemm(
                            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: pa.baseAddress!,
                            lda: transposeA ? m : k, b: pb.baseAddress!, ldb: transposeB ? k : n, beta: 0.5,
                            c: pc.baseAddress!, ldc: n)
                    }
                }
            }
            let expected = reference(a, b, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
            let worst = zip(c, expected).map { abs($0 - ($1 + 0.5)) }.max() ?? 0
            #expect(worst < 1e-3, "transposeA \(transposeA) transposeB \(transposeB): off by \(worst)")
        }
    }
}
