import Foundation
import NNCore
import Testing

@testable import NNLayers

/// Finite-difference checks of every layer and loss, for inputs and parameters, in training and
/// evaluation mode where they differ.
@Suite struct GradientCheckTests {
    /// Relative error allowed between analytic and central-difference gradients of one layer
    /// (Float32 forward passes, ε = 1e-2); a whole network accumulates more rounding.
    static let tolerance = 3e-3
    static let networkTolerance = 1e-2

    /// A tensor of `shape` with entries of `U(-1, 1)`, pushed at least `margin` away from 0 and from
    /// each other's neighbourhood of kinks when `margin` > 0.
    static func input(_ shape: Shape, seed: UInt64, margin: Float = 0) -> Tensor {
        var rng = RNG(seed: seed)
        var t = Tensor(shape: shape, initializer: .uniform(low: -1, high: 1), rng: &rng)
        if margin > 0 {
            t = t.mapped { $0 >= 0 ? $0 + margin : $0 - margin }
        }
        return t
    }

    /// Distinct values (a shuffled ramp with gaps of 0.05) so max pooling has no near-ties.
    static func distinctInput(_ shape: Shape, seed: UInt64) -> Tensor {
        var rng = RNG(seed: seed)
        let order = rng.permutation(shape.elementCount)
        return Tensor(shape: shape, scalars: order.map { Float($0) * 0.05 - Float(order.count) * 0.025 })
    }

    func expectClose(
        _ reports: [GradientCheck.Report], _ comment: Comment? = nil, tolerance: Double = Self.tolerance
    ) {
        #expect(!reports.isEmpty)
        for report in reports {
            #expect(report.maxRelativeError < tolerance, "\(report) \(comment?.description ?? "")")
        }
    }

    @Test(arguments: [true, false]) func dense(training: Bool) throws {
        var rng = RNG(seed: 1)
        let layer = try Dense(inFeatures: 5, outFeatures: 3, rng: &rng)
        let reports = GradientCheck.check(layer, input: Self.input([4, 5], seed: 2), training: training)
        #expect(reports.map(\.name) == ["input", "weight", "bias"])
        expectClose(reports)
    }

    @Test(arguments: [true, false]) func denseWithFewerRowsThanOutputs(bias: Bool) throws {
        // Such a batch takes the other way round through sgemm (Yᵀ = W Xᵀ, then transposed).
        var rng = RNG(seed: 5)
        let layer = try Dense(inFeatures: 4, outFeatures: 6, bias: bias, rng: &rng)
        expectClose(GradientCheck.check(layer, input: Self.input([2, 4], seed: 6), training: true))
    }

    @Test func denseWithoutBias() throws {
        var rng = RNG(seed: 1)
        let layer = try Dense(inFeatures: 3, outFeatures: 2, bias: false, rng: &rng)
        expectClose(GradientCheck.check(layer, input: Self.input([2, 3], seed: 3), training: true))
    }

    @Test func activations() {
        let x = Self.input([3, 7], seed: 4, margin: 0.05)
        for layer: any Layer in [ReLU(), Sigmoid(), Tanh(), Softmax(), LogSoftmax()] {
            expectClose(GradientCheck.check(layer, input: x, training: true), "\(layer)")
        }
    }

    @Test func leakyReLUAndGELU() throws {
        // Scaled up so GELU's curved part and both leaky slopes are exercised; kept off the kink at 0.
        let x = Self.input([3, 7], seed: 40, margin: 0.05).mapped { $0 * 3 }
        for layer: any Layer in [
            try LeakyReLU(), try LeakyReLU(negativeSlope: 0.2), try LeakyReLU(negativeSlope: -0.5), GELU(),
            GELU(approximate: .tanh),
        ] {
            expectClose(GradientCheck.check(layer, input: x, training: true), "\(layer)")
        }
    }

    @Test(arguments: [(2, nil, 0, true), (3, 2, 1, true), (3, 2, 1, false), (3, 1, 1, false)])
    func avgPool2D(kernel: Int, stride: Int?, padding: Int, countIncludePad: Bool) throws {
        let layer = try AvgPool2D(kernel: kernel, stride: stride, padding: padding, countIncludePad: countIncludePad)
        expectClose(GradientCheck.check(layer, input: Self.input([2, 3, 6, 5], seed: 41), training: true))
    }

    @Test(arguments: [(1, 1), (2, 3), (4, 4), (7, 6)]) func adaptiveAvgPool2D(height: Int, width: Int) throws {
        let layer = try AdaptiveAvgPool2D(outputHeight: height, outputWidth: width)
        expectClose(GradientCheck.check(layer, input: Self.input([2, 3, 6, 5], seed: 42), training: true))
    }

    @Test(arguments: [true, false]) func dropout(training: Bool) throws {
        let layer = try Dropout(p: 0.4, rng: RNG(seed: 5))
        let x = Self.input([4, 6], seed: 6)
        let reports = GradientCheck.check(layer, input: x, training: training)
        expectClose(reports)
        let y = layer.forward(x, training: training)
        let zeros = y.scalars.filter { $0 == 0 }.count
        #expect(training ? zeros > 0 : y == x)
    }

    @Test(arguments: [true, false]) func dropout2d(training: Bool) throws {
        let layer = try Dropout2d(p: 0.5, rng: RNG(seed: 7))
        let x = Self.input([3, 4, 2, 3], seed: 8)
        expectClose(GradientCheck.check(layer, input: x, training: training))
        let y = layer.forward(x, training: training)
        if training {
            // whole channels are zeroed or scaled by 2
            for plane in 0..<12 {
                let values = (0..<6).map { y[flat: plane * 6 + $0] / x[flat: plane * 6 + $0] }
                #expect(values.allSatisfy { $0 == 0 } || values.allSatisfy { $0 == 2 })
            }
        } else {
            #expect(y == x)
        }
    }

    @Test(arguments: [(1, 0), (2, 1), (1, 2), (3, 1)]) func conv2D(stride: Int, padding: Int) throws {
        var rng = RNG(seed: 9)
        let layer = try Conv2D(inChannels: 2, outChannels: 3, kernel: 3, stride: stride, padding: padding, rng: &rng)
        let x = Self.input([3, 2, 7, 6], seed: 10)
        // Training keeps every image's columns; evaluation unfolds them again in backward.
        for training in [true, false] {
            let reports = GradientCheck.check(layer, input: x, training: training)
            #expect(reports.map(\.name) == ["input", "weight", "bias"])
            expectClose(reports, "stride \(stride) padding \(padding) training \(training)")
        }
    }

    @Test func conv2DRectangularKernel() throws {
        var rng = RNG(seed: 11)
        let layer = try Conv2D(
            inChannels: 1, outChannels: 2, kernel: (2, 3), stride: (1, 2), padding: (1, 0), bias: false, rng: &rng)
        expectClose(GradientCheck.check(layer, input: Self.input([2, 1, 5, 7], seed: 12), training: true))
    }

    @Test(arguments: [(2, 2, 0), (3, 2, 1), (2, 1, 0)]) func maxPool2D(kernel: Int, stride: Int, padding: Int) throws {
        let layer = try MaxPool2D(kernel: kernel, stride: stride, padding: padding)
        let x = Self.distinctInput([2, 3, 6, 5], seed: 13)
        expectClose(GradientCheck.check(layer, input: x, training: true))
    }

    @Test func flatten() {
        expectClose(GradientCheck.check(Flatten(), input: Self.input([2, 3, 2, 2], seed: 14), training: true))
    }

    @Test(arguments: [true, false]) func batchNorm1d(training: Bool) throws {
        let layer = try BatchNorm(features: 4, dimensions: 1)
        randomizeAffineAndStatistics(layer, seed: 15)
        let reports = GradientCheck.check(layer, input: Self.input([6, 4], seed: 16), training: training)
        #expect(reports.map(\.name) == ["input", "weight", "bias"])
        expectClose(reports)
    }

    @Test(arguments: [true, false]) func batchNorm2d(training: Bool) throws {
        let layer = try BatchNorm(features: 3, dimensions: 2)
        randomizeAffineAndStatistics(layer, seed: 17)
        expectClose(GradientCheck.check(layer, input: Self.input([2, 3, 3, 2], seed: 18), training: training))
    }

    @Test func batchNormWithoutAffine() throws {
        let layer = try BatchNorm(features: 2, dimensions: 1, affine: false)
        expectClose(GradientCheck.check(layer, input: Self.input([5, 2, 3], seed: 19), training: true))
    }

    private func randomizeAffineAndStatistics(_ layer: BatchNorm, seed: UInt64) {
        var rng = RNG(seed: seed)
        layer.weight!.value = Tensor(shape: [layer.features], initializer: .uniform(low: 0.5, high: 1.5), rng: &rng)
        layer.bias!.value = Tensor(shape: [layer.features], initializer: .uniform(low: -1, high: 1), rng: &rng)
        layer.runningMean!.value = Tensor(shape: [layer.features], initializer: .uniform(low: -1, high: 1), rng: &rng)
        layer.runningVar!.value = Tensor(shape: [layer.features], initializer: .uniform(low: 0.5, high: 2), rng: &rng)
    }

    @Test(arguments: [true, false]) func smallConvNet(training: Bool) throws {
        var rng = RNG(seed: 20)
        let net = Sequential(
            // no conv bias: batch normalisation right after cancels it (its gradient is exactly 0)
            try Conv2D(inChannels: 1, outChannels: 2, kernel: 3, padding: 1, bias: false, rng: &rng),
            try BatchNorm(features: 2, dimensions: 2),
            try MaxPool2D(kernel: 2), ReLU(),
            try Dropout2d(p: 0.3, rng: RNG(seed: 21)),
            Flatten(),
            try Dense(inFeatures: 8, outFeatures: 5, rng: &rng), Tanh(),
            try Dropout(p: 0.2, rng: RNG(seed: 22)),
            try Dense(inFeatures: 5, outFeatures: 3, rng: &rng), LogSoftmax())
        let reports = GradientCheck.check(net, input: Self.input([3, 1, 4, 4], seed: 23), training: training)
        #expect(
            reports.map(\.name) == [
                "input", "0.weight", "1.weight", "1.bias", "6.weight", "6.bias", "9.weight", "9.bias",
            ])
        expectClose(reports, tolerance: Self.networkTolerance)
    }

    @Test func losses() {
        let output = Self.input([4, 5], seed: 24)
        let labels = [0, 3, 4, 1]
        let ce = SoftmaxCrossEntropy()
        #expect(GradientCheck.checkLoss(at: output) { ce($0, labels) }.maxRelativeError < Self.tolerance)
        let logProbabilities = LogSoftmax().forward(output, training: false)
        let nll = NLLLoss()
        #expect(GradientCheck.checkLoss(at: logProbabilities) { nll($0, labels) }.maxRelativeError < Self.tolerance)
        let targets = Self.input([4, 5], seed: 25)
        let mse = MSELoss()
        #expect(GradientCheck.checkLoss(at: output) { mse($0, targets) }.maxRelativeError < Self.tolerance)
        // hinge: predictions kept away from the kink at margin 0 (|ŷ| is never near 1)
        let predictions = Tensor([0.3, -0.5, 1.6, -2.0, 0.2, 0.7])
        let signs = Tensor([1, -1, 1, 1, -1, -1])
        let hinge = HingeLoss()
        #expect(GradientCheck.checkLoss(at: predictions) { hinge($0, signs) }.maxRelativeError < Self.tolerance)
        let l2 = L2Regularizer(lambda: 0.3)
        #expect(GradientCheck.checkLoss(at: output) { l2($0) }.maxRelativeError < Self.tolerance)
    }

    @Test func theRecipeLosses() throws {
        let output = Self.input([4, 5], seed: 26).mapped { $0 * 2 }
        let labels = [0, 3, 4, 1]
        for smoothing: Float in [0.1, 0.5, 1] {
            let ce = try SoftmaxCrossEntropy(labelSmoothing: smoothing)
            let report = GradientCheck.checkLoss(at: output) { ce($0, labels) }
            #expect(report.maxRelativeError < Self.tolerance, "label smoothing \(smoothing): \(report)")
        }
        let mse = MSELoss(.mean)
        let oneHot = Tensor(shape: [4, 5], scalars: (0..<20).map { $0 % 5 == labels[$0 / 5] ? 1 : 0 })
        #expect(GradientCheck.checkLoss(at: output) { mse($0, oneHot) }.maxRelativeError < Self.tolerance)
        let bce = BCEWithLogitsLoss()
        let logits = Tensor(shape: [6, 1], scalars: [0.3, -2.5, 4.0, -0.1, 12, -9])
        let binary = Tensor(shape: [6, 1], scalars: [1, 0, 0, 1, 1, 0])
        #expect(GradientCheck.checkLoss(at: logits) { bce($0, binary) }.maxRelativeError < Self.tolerance)
        // hinge one-vs-rest: outputs kept away from the kinks at ±1
        let margins = Self.input([4, 5], seed: 27, margin: 0.05).mapped { $0 * 0.9 }
        let oneVsRest = oneHot.mapped { $0 * 2 - 1 }
        let hinge = HingeLoss()
        #expect(GradientCheck.checkLoss(at: margins) { hinge($0, oneVsRest) }.maxRelativeError < Self.tolerance)
    }

    @Test func lossValuesAtHandComputedPoints() throws {
        // The notebook's hinge example: predictions [2, -5, 3, 0.5] against [-1, -1, 1, 1] give 0.875.
        #expect(HingeLoss()(Tensor([2, -5, 3, 0.5]), Tensor([-1, -1, 1, 1])).value == 0.875)
        // MSE of errors (1, -2): half convention (1 + 4) / (2 * 2) = 1.25; PyTorch's mean (1 + 4) / 2 = 2.5.
        #expect(MSELoss()(Tensor([1, 0]), Tensor([0, 2])).value == 1.25)
        #expect(MSELoss(.mean)(Tensor([1, 0]), Tensor([0, 2])).value == 2.5)
        #expect(MSELoss(.mean)(Tensor([1, 0]), Tensor([0, 2])).grad == Tensor([1, -2]))
        // BCE of logit 0 is log 2 whatever the target; the gradient σ(0) - y.
        let bce = BCEWithLogitsLoss()(Tensor([0, 0]), Tensor([1, 0]))
        #expect(abs(bce.value - Float(log(2.0))) < 1e-7)
        #expect(bce.grad == Tensor([-0.25, 0.25]))
        // Huge logits stay finite: log(1 + e^-1000) is 0.
        #expect(BCEWithLogitsLoss()(Tensor([1000, -1000]), Tensor([1, 0])).value == 0)
        #expect(BCEWithLogitsLoss()(Tensor([1000, -1000]), Tensor([0, 1])).value == 1000)
        // Label smoothing 1 is the uniform target: equal logits give log C and no gradient.
        let uniform = try SoftmaxCrossEntropy(labelSmoothing: 1)(Tensor(shape: [1, 4], repeating: 3), [2])
        #expect(abs(uniform.value - Float(log(4.0))) < 1e-6)
        #expect(uniform.grad.scalars.allSatisfy { abs($0) < 1e-7 })
        #expect(throws: LayerError.self) { try SoftmaxCrossEntropy(labelSmoothing: 1.5) }
    }

    @Test func checkerCatchesAWrongGradient() throws {
        // A layer whose backward is off by a factor must fail the check: the checker can fail.
        final class Doubling: Layer {
            var description: String { "Doubling" }
            func outputShape(for inputShape: Shape) throws -> Shape { inputShape }
            func forward(_ input: Tensor, training: Bool) -> Tensor { input * 2 }
            func backward(_ gradOutput: Tensor) -> Tensor { gradOutput * 3 }
        }
        let report = GradientCheck.check(Doubling(), input: Self.input([3], seed: 26), training: true)[0]
        #expect(abs(report.maxRelativeError - 1.0 / 3.0) < 1e-3)
    }
}
