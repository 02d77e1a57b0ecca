import Foundation
import Testing

@testable import NNCore

@Suite struct InitializerTests {
    /// Sample standard deviation and largest magnitude of `t`.
    private func stats(_ t: Tensor) -> (std: Double, maxAbs: Double, mean: Double) {
        let n = Double(t.count)
        let mean = t.sum() / n
        let variance = t.squaredNorm() / n - mean * mean
        return (variance.squareRoot(), Double(t.scalars.map { abs($0) }.max() ?? 0), mean)
    }

    @Test func fansFollowPyTorch() {
        #expect(Initializer.fans(of: [100, 784])! == (784, 100))
        #expect(Initializer.fans(of: [20, 10, 5, 5])! == (250, 500))
        #expect(Initializer.fans(of: [10]) == nil)
    }

    @Test func gainsFollowPyTorch() {
        #expect(Initializer.Nonlinearity.relu.gain == 2.0.squareRoot())
        #expect(Initializer.Nonlinearity.tanh.gain == 5.0 / 3.0)
        #expect(Initializer.Nonlinearity.sigmoid.gain == 1)
        #expect(abs(Initializer.Nonlinearity.leakyReLU(negativeSlope: 0.01).gain - 1.41414) < 1e-5)
    }

    @Test(
        arguments: [
            // (initializer, shape, uniform bound or nil, expected standard deviation)
            (Initializer.pytorchDefault, Shape(100, 784), 1 / 28.0, 1 / 28.0 / 3.0.squareRoot()),
            (.xavierUniform(gain: 1), Shape(100, 784), (6.0 / 884).squareRoot(), (2.0 / 884).squareRoot()),
            (.xavierNormal(gain: 1), Shape(100, 784), nil, (2.0 / 884).squareRoot()),
            (
                .kaimingUniform(mode: .fanIn, nonlinearity: .relu), Shape(20, 10, 5, 5), (6.0 / 250).squareRoot(),
                (2.0 / 250).squareRoot()
            ),
            (.kaimingNormal(mode: .fanOut, nonlinearity: .relu), Shape(20, 10, 5, 5), nil, (2.0 / 500).squareRoot()),
            (.kaimingNormal(mode: .fanIn, nonlinearity: .linear), Shape(300, 400), nil, 0.05),
        ] as [(Initializer, Shape, Double?, Double)])
    func distributionsHaveTheDocumentedScale(initializer: Initializer, shape: Shape, bound: Double?, std: Double) {
        var rng = RNG(seed: 7)
        let t = Tensor(shape: shape, initializer: initializer, rng: &rng)
        let s = stats(t)
        #expect(abs(s.std / std - 1) < 0.03, "std \(s.std) vs \(std)")
        #expect(abs(s.mean) < 0.05 * std)
        if let bound {
            #expect(s.maxAbs <= bound)
            #expect(s.maxAbs > 0.99 * bound)
        }
    }

    @Test func pytorchDefaultBiasBound() {
        #expect(Initializer.pytorchDefaultBias(fanIn: 784) == .uniform(low: -1 / 28, high: 1 / 28))
        #expect(Initializer.pytorchDefaultBias(fanIn: 0) == .zeros)
    }

    @Test func sameSeedSameWeights() {
        var r1 = RNG(seed: 3)
        var r2 = RNG(seed: 3)
        let a = Tensor(shape: [10, 10], initializer: .xavierNormal(gain: 1), rng: &r1)
        let b = Tensor(shape: [10, 10], initializer: .xavierNormal(gain: 1), rng: &r2)
        #expect(a == b)
        #expect(Tensor(shape: [3], initializer: .constant(2), rng: &r1).scalars == [2, 2, 2])
    }
}
