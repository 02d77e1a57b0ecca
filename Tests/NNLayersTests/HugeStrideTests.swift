import NNCore
import Testing

@testable import NNLayers

/// A stride near `Int.max` (a recipe may give any size) overflowed `a + b - 1` in the column
/// bounds of `im2col`: such a convolution takes one window per image, exactly as any stride past
/// the image does.
@Suite struct HugeStrideTests {
    @Test func ceilingDivisionNeverOverflows() {
        #expect(ceilDiv(7, Int.max) == 1)
        #expect(ceilDiv(0, Int.max) == 0)
        #expect(ceilDiv(Int.max, Int.max) == 1)
        #expect(ceilDiv(Int.max - 1, 2) == Int.max / 2)
        #expect(ceilDiv(-3, Int.max) == 0)
        #expect(
            (-20...20).allSatisfy { a in
                (1...6).allSatisfy { b in ceilDiv(a, b) == Int((Double(a) / Double(b)).rounded(.up)) }
            })
    }

    @Test(arguments: [0, 1]) func aStrideNearIntMaxMatchesAStridePastTheImage(padding: Int) throws {
        var rng = RNG(seed: 5)
        let huge = try Conv2D(inChannels: 2, outChannels: 3, kernel: 3, stride: Int.max, padding: padding, rng: &rng)
        rng = RNG(seed: 5)
        let past = try Conv2D(inChannels: 2, outChannels: 3, kernel: 3, stride: 9, padding: padding, rng: &rng)
        var dataRNG = RNG(seed: 9)
        let x = Tensor(shape: Shape(2, 2, 8, 8), initializer: .uniform(low: -1, high: 1), rng: &dataRNG)
        let y = huge.forward(x, training: true)
        #expect(y.shape == Shape(2, 3, 1, 1))
        #expect(y == past.forward(x, training: true))
        let grad = Tensor(shape: y.shape, repeating: 1)
        #expect(huge.backward(grad) == past.backward(grad))
        #expect(huge.weight.grad == past.weight.grad)
    }
}
