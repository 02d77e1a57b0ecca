import Foundation
import NNCore
import Testing

@testable import NNLayers

/// Tiny problems from the seeds, trained end to end with a fixed seed.
@Suite struct ToyProblemTests {
    /// Full-batch training with softmax cross-entropy and SGD; returns the final accuracy in
    /// correctly classified points and the last loss.
    func train(
        _ model: Sequential, inputs: Tensor, labels: [Int], steps: Int, learningRate: Double, momentum: Double
    ) throws -> (correct: Int, loss: Float) {
        let loss = SoftmaxCrossEntropy()
        let optimizer = try SGD(model.parameters, learningRate: learningRate, momentum: momentum)
        var last: Float = 0
        for _ in 0..<steps {
            optimizer.zeroGrad()
            let (value, grad) = loss(model.forward(inputs, training: true), labels)
            model.backwardParameters(grad)
            optimizer.step()
            last = value
        }
        let predictions = model.predict(inputs).argmaxRows()
        return (zip(predictions, labels).filter { $0 == $1 }.count, last)
    }

    @Test func xorWithTwoEightTwoTanh() throws {
        var rng = RNG(seed: 42)
        let model = Sequential(
            try Dense(inFeatures: 2, outFeatures: 8, rng: &rng), Tanh(),
            try Dense(inFeatures: 8, outFeatures: 2, rng: &rng))
        let inputs = Tensor(rows: [[0, 0], [0, 1], [1, 0], [1, 1]])
        let (correct, loss) = try train(
            model, inputs: inputs, labels: [0, 1, 1, 0], steps: 300, learningRate: 0.5, momentum: 0.9)
        #expect(correct == 4)
        #expect(loss < 0.01)
    }

    /// The seeds' two circles: 100 points on a circle of radius 1.1 (class 0) and 100 on one of
    /// radius 3.0 (class 1), at uniformly random angles.
    func twoCircles(seed: UInt64) -> (Tensor, [Int]) {
        var rng = RNG(seed: seed)
        var points: [Float] = []
        var labels: [Int] = []
        for (label, radius) in [(0, 1.1), (1, 3.0)] {
            for _ in 0..<100 {
                let angle = 2 * Double.pi * rng.nextDouble()
                points += [Float(radius * cos(angle)), Float(radius * sin(angle))]
                labels.append(label)
            }
        }
        return (Tensor(shape: [200, 2], scalars: points), labels)
    }

    @Test func twoCirclesNeedAHiddenLayer() throws {
        let (inputs, labels) = twoCircles(seed: 7)
        var rng = RNG(seed: 3)
        let hidden = Sequential(
            try Dense(inFeatures: 2, outFeatures: 8, rng: &rng), ReLU(),
            try Dense(inFeatures: 8, outFeatures: 2, rng: &rng))
        let withHidden = try train(
            hidden, inputs: inputs, labels: labels, steps: 500, learningRate: 0.1, momentum: 0.9)
        #expect(withHidden.correct == 200)
        #expect(withHidden.loss < 0.01)

        let linear = Sequential(try Dense(inFeatures: 2, outFeatures: 2, rng: &rng))
        let withoutHidden = try train(
            linear, inputs: inputs, labels: labels, steps: 500, learningRate: 0.1, momentum: 0.9)
        // A line cannot separate concentric circles: the linear model stays near chance (this
        // seed: 116 of 200), and its loss stays near ln 2 = 0.693, the loss of a coin toss.
        #expect((70...130).contains(withoutHidden.correct), "\(withoutHidden.correct) of 200")
        #expect(withoutHidden.loss > 0.68)
    }
}
