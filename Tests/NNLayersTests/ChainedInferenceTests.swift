import NNCore
import Testing

@testable import NNLayers

/// `Sequential.infer` against the layer-by-layer `forward(_, training: false)`: the same bits, on
/// the recipes' ConvNet and on shapes that take every path of the image steps (padding, strides,
/// odd sizes, the general max-pooling loop, a flatten inside a chain), with negative zeros, NaN
/// and infinities in the data, at several thread counts.
@Suite struct ChainedInferenceTests {
    static func bits(_ t: Tensor) -> [UInt32] { t.scalars.map(\.bitPattern) }

    /// `infer` and `forward` of `net` on `x` at `threads` threads, as bit patterns.
    static func bothWays(_ net: Sequential, _ x: Tensor, threads: Int) -> (infer: [UInt32], forward: [UInt32]) {
        Parallel.withThreadCount(threads) {
            let chained = bits(net.infer(x))
            return (chained, bits(net.forward(x, training: false)))
        }
    }

    /// Values with the awkward cases sprinkled in: every 7th a negative zero, every 11th a
    /// positive zero, one NaN with a payload, infinities of both signs.
    static func awkwardInput(_ shape: Shape, seed: UInt64) -> Tensor {
        var rng = RNG(seed: seed)
        var x = Tensor(shape: shape, initializer: .normal(mean: 0, std: 1), rng: &rng)
        for i in 0..<x.count {
            if i % 7 == 3 { x[flat: i] = -0.0 }
            if i % 11 == 5 { x[flat: i] = 0 }
        }
        if x.count > 40 {
            x[flat: 17] = Float(nan: 0x1234, signaling: false)
            x[flat: 29] = .infinity
            x[flat: 38] = -.infinity
        }
        return x
    }

    @Test(arguments: [1, 2, 3])
    func convNetInfersTheForwardBits(threads: Int) throws {
        let net = try SequentialTests.convNet(seed: 21)
        var rng = RNG(seed: 22)
        let x = Tensor(shape: [9, 1, 28, 28], initializer: .normal(mean: 0, std: 1), rng: &rng)
        let (chained, forward) = Self.bothWays(net, x, threads: threads)
        #expect(chained == forward)
        // Conv, pool, ReLU, conv, dropout, pool, ReLU, flatten: one chain, then the dense layers.
        #expect(net.inferenceChains == [0..<8])
        #expect(net.infer(x).shape == [9, 10])
    }

    @Test(arguments: [1, 2])
    func paddedStridedOddShapesInferTheForwardBits(threads: Int) throws {
        var rng = RNG(seed: 23)
        let net = Sequential(
            // 3x13x11 -> 5x7x11 (stride 2x1, padding 1x1, a 3x2 kernel)
            try Conv2D(
                inChannels: 3, outChannels: 5, kernel: (3, 2), stride: (2, 1), padding: (1, 1), rng: &rng),
            ReLU(),
            // the general loop: 3x3 windows, stride 2, padding 1 -> 5x4x6
            try MaxPool2D(kernel: 3, stride: 2, padding: 1),
            // no bias, 4x3x5 after a 2x2 kernel with padding 0
            try Conv2D(inChannels: 5, outChannels: 4, kernel: 2, bias: false, rng: &rng),
            // 2x2 stride 2 on an odd 3x5 plane: one row of two outputs, the last column left out
            try MaxPool2D(kernel: 2), ReLU(), Flatten(),
            try Dense(inFeatures: 8, outFeatures: 3, rng: &rng))
        let x = Self.awkwardInput([5, 3, 13, 11], seed: 24)
        let (chained, forward) = Self.bothWays(net, x, threads: threads)
        #expect(chained == forward)
        #expect(net.inferenceChains == [0..<7])
    }

    @Test(arguments: [1, 2])
    func poolingAndReLUOfAwkwardValuesInferTheForwardBits(threads: Int) throws {
        // 2x2 pooling with 16 outputs per row (the four-lane path) and 3 (the scalar tail), then
        // ReLU: negative zeros become +0, the NaN stays the same NaN in both.
        for width in [32, 6, 7] {
            let net = Sequential(try MaxPool2D(kernel: 2), ReLU(), try MaxPool2D(kernel: 2, stride: 1), ReLU())
            let x = Self.awkwardInput([3, 2, 6, width], seed: UInt64(width))
            let (chained, forward) = Self.bothWays(net, x, threads: threads)
            #expect(chained == forward)
            #expect(chained.contains(Float.nan.bitPattern) || chained.contains { Float(bitPattern: $0).isNaN })
            #expect(!chained.contains((-0.0 as Float).bitPattern))
        }
        // A negative zero out of a convolution (weights and bias -0) reaches pooling and ReLU.
        var rng = RNG(seed: 25)
        let conv = try Conv2D(inChannels: 1, outChannels: 2, kernel: 3, padding: 1, rng: &rng)
        conv.weight.value = Tensor(shape: conv.weight.value.shape, repeating: -0.0)
        conv.bias?.value = Tensor(shape: [2], repeating: -0.0)
        let net = Sequential(conv, try MaxPool2D(kernel: 2), ReLU())
        let x = Self.awkwardInput([2, 1, 8, 8], seed: 26)
        let (chained, forward) = Self.bothWays(net, x, threads: threads)
        #expect(chained == forward)
    }

    @Test func weightsChangedBetweenBatchesAreUsed() throws {
        let net = try SequentialTests.convNet(seed: 27)
        var rng = RNG(seed: 28)
        let x = Tensor(shape: [4, 1, 28, 28], initializer: .uniform(low: 0, high: 1), rng: &rng)
        let before = Self.bits(net.infer(x))
        let conv = try #require(net.layers[3] as? Conv2D)
        conv.weight.value = Tensor(shape: conv.weight.value.shape, initializer: .normal(mean: 0, std: 1), rng: &rng)
        let (chained, forward) = Self.bothWays(net, x, threads: 2)
        #expect(chained == forward)
        #expect(chained != before)
    }

    @Test func trainingAfterInferenceIsUnchanged() throws {
        var rng = RNG(seed: 29)
        let x = Tensor(shape: [6, 1, 28, 28], initializer: .uniform(low: 0, high: 1), rng: &rng)
        let labels = (0..<6).map { $0 % 10 }
        var grads: [[Tensor]] = []
        for inferFirst in [false, true] {
            let net = try SequentialTests.convNet(seed: 30)
            if inferFirst { _ = net.infer(Tensor(shape: [3, 1, 28, 28], repeating: 0.5)) }
            let (_, g) = NLLLoss()(net.forward(x, training: true), labels)
            _ = net.backward(g)
            grads.append(net.parameters.map(\.grad))
        }
        #expect(grads[0] == grads[1])
    }

    @Test func layersWithoutImageStepsRunTheirForward() throws {
        var rng = RNG(seed: 31)
        // Batch norm breaks the chain; a lone convolution or one ReLU computes too little to chain.
        let net = Sequential(
            try Conv2D(inChannels: 1, outChannels: 3, kernel: 3, rng: &rng), try BatchNorm(features: 3, dimensions: 2),
            ReLU(), try MaxPool2D(kernel: 2), try Conv2D(inChannels: 3, outChannels: 2, kernel: 1, rng: &rng),
            try BatchNorm(features: 2, dimensions: 2), ReLU(), Flatten())
        _ = net.forward(Tensor(shape: [4, 1, 10, 10], repeating: 1), training: true)  // running statistics
        let x = Self.awkwardInput([3, 1, 10, 10], seed: 32)
        let (chained, forward) = Self.bothWays(net, x, threads: 2)
        #expect(chained == forward)
        #expect(net.inferenceChains == [2..<5])
    }

    @Test func anEmptyBatchGivesAnEmptyOutput() throws {
        let net = try SequentialTests.convNet(seed: 33)
        #expect(net.infer(Tensor(shape: [0, 1, 28, 28])).shape == [0, 10])
        #expect(net.inferenceChains == [0..<8])
    }
}
