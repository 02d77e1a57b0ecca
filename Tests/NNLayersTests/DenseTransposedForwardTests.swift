import NNCore
import Testing

@testable import NNLayers

/// `Dense`'s forward product for a batch with fewer rows than outputs, computed transposed and
/// transposed back by each block's thread right after its block, against the computation it
/// replaces (the whole product, then one thread transposing it), bit for bit, at thread counts that
/// split the product and on shapes that leave remainders.
@Suite struct DenseTransposedForwardTests {
    private func values(_ count: Int, seed: UInt64) -> [Float] {
        var rng = RNG(seed: seed)
        return (0..<count).map { _ in rng.uniform(-1, 1) }
    }

    private func bits(_ tensor: Tensor) -> [UInt32] { tensor.scalars.map(\.bitPattern) }

    /// A batch with fewer rows than outputs: `Y = X Wᵀ + b` as `Yᵀ = W Xᵀ` (split over the threads),
    /// transposed by each block's thread, against the whole product transposed on one thread.
    @Test(arguments: [(784, 100, 64), (784, 101, 37), (50, 9, 3)], [1, 2, 3])
    func transposedForwardIsTheProductTransposed(shape: (inputs: Int, outputs: Int, rows: Int), threads: Int) throws {
        try Parallel.withThreadCount(threads) {
            for hasBias in [true, false] {
                var rng = RNG(seed: 9)
                let layer = try Dense(inFeatures: shape.inputs, outFeatures: shape.outputs, bias: hasBias, rng: &rng)
                let (n, k, rows) = (shape.outputs, shape.inputs, shape.rows)
                let x = Tensor(shape: Shape(rows, k), scalars: values(rows * k, seed: 3))
                let y = layer.forward(x, training: true)
                var t = [Float](repeating: 0, count: n * rows)
                x.withUnsafeBufferPointer { px in
                    layer.weight.value.withUnsafeBufferPointer { w in
                        t.withUnsafeMutableBufferPointer { pt in
                            BLAS.parallelGemm(
                                transposeA: false, transposeB: true, m: n, n: rows, k: k, a: w.baseAddress!, lda: k,
                                b: px.baseAddress!, ldb: k, c: pt.baseAddress!, ldc: rows)
                        }
                    }
                }
                let b = layer.bias?.value.scalars
                var expected = [Float](repeating: 0, count: rows * n)
                for r in 0..<rows {
                    for j in 0..<n { expected[r * n + j] = b.map { t[j * rows + r] + $0[j] } ?? t[j * rows + r] }
                }
                #expect(y.shape == Shape(rows, n))
                #expect(bits(y) == expected.map(\.bitPattern), "bias \(hasBias)")
            }
        }
    }
}
