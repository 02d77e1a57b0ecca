import NNCore
import Testing

@testable import NNLayers

/// The worked examples of the seeds, exactly.
@Suite struct SeedExampleTests {
    @Test func denseForward() throws {
        var rng = RNG(seed: 0)
        let dense = try Dense(inFeatures: 2, outFeatures: 1, rng: &rng)
        dense.weight.value = Tensor(rows: [[4, 2]])  // the seeds' W = [[4], [2]], stored [out, in]
        dense.bias!.value = Tensor([3])
        let x = Tensor(rows: [[1, -1], [-1, 0], [1, 1]])
        let y = dense.forward(x, training: false)
        #expect(y.shape == [3, 1])
        #expect(y.scalars == [5, -1, 9])
    }

    @Test func reluForward() {
        let y = ReLU().forward(Tensor(rows: [[1, -0.5], [0.3, 0.1]]), training: true)
        #expect(y == Tensor(rows: [[1, 0], [0.3, 0.1]]))
    }

    @Test func hingeLoss() {
        let (value, _) = HingeLoss()(Tensor([2, -5, 3, 0.5]), Tensor([-1, -1, 1, 1]))
        #expect(value == 0.875)
    }

    @Test func l2Regularizer() {
        let (value, grad) = L2Regularizer(lambda: 2)(Tensor([5, 3, 7, 5, 0.5]))
        #expect(value == 108.25)
        #expect(grad.scalars == [10, 6, 14, 10, 1])
        let parameter = Parameter(name: "weight", value: Tensor([5, 3, 7, 5, 0.5]))
        #expect(L2Regularizer(lambda: 2).addGradient(to: [parameter]) == 108.25)
        #expect(parameter.grad.scalars == [10, 6, 14, 10, 1])
    }

    @Test func mseUsesOneOverTwoN() {
        let (value, grad) = MSELoss()(Tensor([1, 2, 3, 4]), Tensor([0, 2, 5, 4]))
        #expect(value == 5.0 / 8.0)  // (1 + 0 + 4 + 0) / (2 * 4)
        #expect(grad.scalars == [0.25, 0, -0.5, 0])
    }

    @Test func crossEntropyIsStableForHugeLogits() {
        let logits = Tensor(rows: [[1000, 0, -1000], [-1000, 1000, 1000]])
        let (value, grad) = SoftmaxCrossEntropy()(logits, [0, 2])
        #expect(value.isFinite)
        #expect(value == Float(0.6931472) / 2)  // row 0: 0, row 1: log 2
        #expect(grad.scalars.allSatisfy { $0.isFinite })
        #expect(grad.scalars == [0, 0, 0, 0, 0.25, -0.25])
        let logProbabilities = LogSoftmax().forward(logits, training: false)
        #expect(logProbabilities.scalars.allSatisfy { !$0.isNaN })
        #expect(logProbabilities[0, 0] == 0)
    }
}

@Suite struct MaxPoolNaNTests {
    /// NaN propagates through max pooling (as in PyTorch) on the fast 2x2 path and the general one,
    /// in training and in evaluation (which keeps no argmax and finds it again for a backward).
    @Test(arguments: [(2, 2, true), (2, 2, false), (3, 2, true), (3, 2, false)])
    func nanPropagates(kernel: Int, stride: Int, training: Bool) throws {
        var x = Tensor(shape: [1, 1, 6, 9], repeating: 1)
        x[0, 0, 0, 1] = .nan
        x[0, 0, 2, 6] = 5
        let layer = try MaxPool2D(kernel: kernel, stride: stride)
        let y = layer.forward(x, training: training)
        #expect(y[flat: 0].isNaN)
        #expect(y.scalars.filter { $0.isNaN }.count == 1)
        #expect(y.scalars.contains(5))
        let g = layer.backward(Tensor(shape: y.shape, repeating: 1))
        #expect(g[0, 0, 0, 1] == 1)  // the gradient of the NaN window goes to the NaN
    }

    /// Evaluation gives training's values; a backward after it gives training's gradient.
    @Test func evaluationMatchesTraining() throws {
        var rng = RNG(seed: 3)
        let x = Tensor(shape: [2, 3, 9, 19], scalars: (0..<(2 * 3 * 9 * 19)).map { _ in Float(rng.int(below: 7)) })
        let gradient = Tensor(shape: [2, 3, 4, 9], scalars: (0..<(2 * 3 * 4 * 9)).map { Float($0) })
        let trained = try MaxPool2D(kernel: 2)
        let evaluated = try MaxPool2D(kernel: 2)
        #expect(evaluated.forward(x, training: false) == trained.forward(x, training: true))
        #expect(evaluated.backward(gradient) == trained.backward(gradient))
    }
}

@Suite struct LossProtocolTests {
    @Test func classificationLossesShareATargetType() {
        let logits = Tensor(rows: [[2, 1, 0], [0, 0, 3]])
        let losses: [any Loss<[Int]>] = [SoftmaxCrossEntropy(), NLLLoss()]
        let values = losses.map { $0(logits, [0, 2]).value }
        #expect(abs(values[0] - 0.25126) < 1e-4)  // mean of -log softmax: 0.40761 and 0.09492
        #expect(values[1] == -2.5)  // NLL of raw scores: -(2 + 3) / 2
    }
}
