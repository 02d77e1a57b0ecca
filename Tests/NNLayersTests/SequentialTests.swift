import NNCore
import Testing

@testable import NNLayers

/// `Sequential`. Every test here compares computations whose split over threads follows the thread
/// count: one count for the whole test, its task's own (a suite beside it could change the
/// process's count between its passes).
@Suite(.threads(1)) struct SequentialTests {
    /// The ConvNet of the recipes, laid out exactly as `torch.nn.Sequential` in
    /// Tools/bench/reference/torch_train.py (plus a batch norm to name its buffers).
    static func convNet(seed: UInt64, batchNorm: Bool = false) throws -> Sequential {
        var rng = RNG(seed: seed)
        var layers: [any Layer] = [
            try Conv2D(inChannels: 1, outChannels: 10, kernel: 5, rng: &rng), try MaxPool2D(kernel: 2), ReLU(),
            try Conv2D(inChannels: 10, outChannels: 20, kernel: 5, rng: &rng),
            try Dropout2d(p: 0.5, rng: RNG(seed: seed, stream: 4)), try MaxPool2D(kernel: 2), ReLU(), Flatten(),
            try Dense(inFeatures: 320, outFeatures: 60, rng: &rng), ReLU(),
            try Dropout(p: 0.5, rng: RNG(seed: seed, stream: 10)),
            try Dense(inFeatures: 60, outFeatures: 10, rng: &rng), LogSoftmax(),
        ]
        if batchNorm { layers.insert(try BatchNorm(features: 10, dimensions: 2), at: 1) }
        return Sequential(layers)
    }

    @Test func namesFollowTorchSequential() throws {
        let net = try Self.convNet(seed: 1)
        #expect(
            net.namedParameters.map(\.name) == [
                "0.weight", "0.bias", "3.weight", "3.bias", "8.weight", "8.bias", "11.weight", "11.bias",
            ])
        #expect(
            net.namedParameters.map { Array($0.parameter.value.shape) } == [
                [10, 1, 5, 5], [10], [20, 10, 5, 5], [20], [60, 320], [60], [10, 60], [10],
            ])
        #expect(net.namedRandomStates.map(\.name) == ["4.rng", "10.rng"])
        #expect(net.parameterCount == 260 + 5020 + 19260 + 610)
        let withNorm = try Self.convNet(seed: 1, batchNorm: true)
        #expect(
            withNorm.namedBuffers.map(\.name) == ["1.running_mean", "1.running_var", "1.num_batches_tracked"])
        #expect(withNorm.namedBuffers.map(\.buffer.kind) == [.float32, .float32, .int64])
        #expect(withNorm.namedParameters.map(\.name).prefix(4) == ["0.weight", "0.bias", "1.weight", "1.bias"])
        let nested = Sequential(Flatten(), net)
        #expect(nested.namedParameters.first?.name == "1.0.weight")
    }

    @Test func shapesAreInferredLayerByLayer() throws {
        let net = try Self.convNet(seed: 1)
        #expect(try net.outputShape(for: [64, 1, 28, 28]) == [64, 10])
        let shapes = try net.layerOutputShapes(for: [64, 1, 28, 28])
        #expect(shapes[0] == [64, 10, 24, 24])
        #expect(shapes[5] == [64, 20, 4, 4])
        #expect(shapes[7] == [64, 320])
        #expect(throws: LayerError.self) { try net.outputShape(for: [64, 3, 28, 28]) }
        #expect(throws: LayerError.self) { try net.outputShape(for: [64, 1, 32, 32]) }  // flatten gives 500
        #expect(net.description.hasPrefix("Sequential(\n  (0): Conv2D(1 -> 10, kernel: 5x5)"))
    }

    @Test func backwardParametersMatchesFullBackward() throws {
        var rng = RNG(seed: 5)
        let x = Tensor(shape: [8, 1, 28, 28], initializer: .uniform(low: 0, high: 1), rng: &rng)
        let labels = (0..<8).map { $0 % 10 }
        var grads: [[Tensor]] = []
        for full in [true, false] {
            let net = try Self.convNet(seed: 2)
            let (_, g) = NLLLoss()(net.forward(x, training: false), labels)
            if full { _ = net.backward(g) } else { net.backwardParameters(g) }
            grads.append(net.parameters.map(\.grad))
        }
        #expect(grads[0] == grads[1])
        #expect(grads[0].allSatisfy { $0.squaredNorm() > 0 })
    }

    @Test func buffersAreReusedAcrossSteps() throws {
        var rng = RNG(seed: 6)
        let net = Sequential(
            try Dense(inFeatures: 20, outFeatures: 16, rng: &rng), ReLU(),
            try Dense(inFeatures: 16, outFeatures: 4, rng: &rng))
        let x = Tensor(shape: [8, 20], initializer: .normal(mean: 0, std: 1), rng: &rng)
        let loss = SoftmaxCrossEntropy()
        var outputAddresses: [UnsafePointer<Float>?] = []
        var gradAddresses: [UnsafePointer<Float>?] = []
        for _ in 0..<4 {
            let y = net.forward(x, training: true)
            outputAddresses.append(y.withUnsafeBufferPointer { $0.baseAddress })
            let g = net.backward(loss(y, [0, 1, 2, 3, 0, 1, 2, 3]).grad)
            gradAddresses.append(g.withUnsafeBufferPointer { $0.baseAddress })
        }
        // two buffers used alternately, never reallocated or copied
        #expect(outputAddresses[0] == outputAddresses[2])
        #expect(outputAddresses[1] == outputAddresses[3])
        #expect(outputAddresses[0] != outputAddresses[1])
        #expect(gradAddresses[0] == gradAddresses[2])
    }

    @Test func heldOutputsKeepTheirValues() throws {
        var rng = RNG(seed: 7)
        let layer = try Dense(inFeatures: 3, outFeatures: 2, rng: &rng)
        let a = layer.forward(Tensor(rows: [[1, 2, 3]]), training: false)
        let copy = a
        _ = layer.forward(Tensor(rows: [[4, 5, 6]]), training: false)
        _ = layer.forward(Tensor(rows: [[7, 8, 9]]), training: false)
        #expect(a == copy)
        #expect(a != layer.forward(Tensor(rows: [[7, 8, 9]]), training: false))
    }

    @Test func sameThreadCountSameResult() throws {
        var results: [[Tensor]] = []
        for _ in 0..<2 {
            let net = try Self.convNet(seed: 9, batchNorm: true)
            var rng = RNG(seed: 10)
            let x = Tensor(shape: [16, 1, 28, 28], initializer: .uniform(low: 0, high: 1), rng: &rng)
            let (_, g) = NLLLoss()(net.forward(x, training: true), (0..<16).map { $0 % 10 })
            net.backwardParameters(g)
            results.append(net.parameters.map(\.grad))
        }
        #expect(results[0] == results[1])
    }
}
