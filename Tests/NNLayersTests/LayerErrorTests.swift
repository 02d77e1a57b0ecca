import NNCore
import Testing

@testable import NNLayers

/// Bad arguments and mismatched state give errors that say what was expected and what was found.
@Suite struct LayerErrorTests {
    @Test func invalidLayerArguments() throws {
        var rng = RNG(seed: 1)
        #expect(throws: LayerError.self) { try Dropout(p: 1.5, rng: rng) }
        #expect(throws: LayerError.self) { try Dropout2d(p: -0.1, rng: rng) }
        #expect(throws: LayerError.self) { try Dense(inFeatures: 0, outFeatures: 3, rng: &rng) }
        #expect(throws: LayerError.self) { try Conv2D(inChannels: 1, outChannels: 2, kernel: 0, rng: &rng) }
        #expect(throws: LayerError.self) { try MaxPool2D(kernel: 2, stride: 0) }
        #expect(throws: LayerError.self) { try MaxPool2D(kernel: 2, padding: 2) }
        #expect(throws: LayerError.self) { try BatchNorm(features: 4, dimensions: 3) }
        do {
            _ = try Dropout(p: 1.5, rng: rng)
        } catch {
            #expect(
                "\(error)"
                    == "Dropout was given p = 1.5, but expected a probability between 0 and 1. "
                    + "Change the model definition (recipe) to use a valid value.")
        }
    }

    @Test func shapeMismatchNamesTheLayer() throws {
        var rng = RNG(seed: 1)
        let conv = try Conv2D(inChannels: 3, outChannels: 8, kernel: 5, rng: &rng)
        do {
            _ = try conv.outputShape(for: [64, 1, 28, 28])
            Issue.record("a 1-channel input must not fit a 3-channel convolution")
        } catch {
            #expect(
                "\(error)"
                    == "Conv2D(3 -> 8, kernel: 5x5) expected an input of shape [N, 3, H, W] with H + 2*padding >= 5 "
                    + "and W + 2*padding >= 5, but found [64, 1, 28, 28]. Check the sizes of the layers before it "
                    + "in the model definition (recipe).")
        }
        #expect(throws: LayerError.self) {
            try Dense(inFeatures: 320, outFeatures: 60, rng: &rng).outputShape(for: [64, 500])
        }
        #expect(throws: LayerError.self) { try BatchNorm(features: 3, dimensions: 2).outputShape(for: [4, 3]) }
        #expect(throws: LayerError.self) { try Dropout2d(p: 0.5, rng: rng).outputShape(for: [4, 3]) }
    }

    @Test func invalidOptimizerArguments() {
        let p = [Parameter(name: "w", value: Tensor([1, 2]))]
        #expect(throws: LayerError.self) { try SGD(p, learningRate: -1) }
        #expect(throws: LayerError.self) { try SGD(p, learningRate: 0.1, nesterov: true) }
        #expect(throws: LayerError.self) { try SGD(p, learningRate: .nan) }
        #expect(throws: LayerError.self) { try Adam(p, beta1: 1) }
        #expect(throws: LayerError.self) { try Adam(p, epsilon: -1) }
    }

    @Test func optimizerStateMustFit() throws {
        let p = [Parameter(name: "w", value: Tensor([1, 2])), Parameter(name: "b", value: Tensor([3]))]
        let sgd = try SGD(p, learningRate: 0.1, momentum: 0.9)
        p[0].grad = Tensor([1, 1])
        p[1].grad = Tensor([1])
        sgd.step()
        let state = sgd.exportState()
        #expect(
            state.namedTensors(prefix: "optimizer.").map(\.name) == [
                "optimizer.0.momentum_buffer", "optimizer.1.momentum_buffer",
            ])
        let rebuilt = try OptimizerState(
            kind: "SGD", stepCount: 1, parameterCount: 2,
            namedTensors: Dictionary(
                uniqueKeysWithValues: state.namedTensors(prefix: "optimizer.").map { ($0.name, $0.tensor) }),
            prefix: "optimizer.")
        #expect(rebuilt == state)

        let adam = try Adam(p)
        #expect(throws: LayerError.self) { try adam.importState(state) }  // SGD state into Adam
        let other = try SGD([p[0]], learningRate: 0.1, momentum: 0.9)
        #expect(throws: LayerError.self) { try other.importState(state) }  // two parameters into one
        var wrongShape = state
        wrongShape.slots[1]["momentum_buffer"] = Tensor([1, 2, 3])
        #expect(throws: LayerError.self) { try sgd.importState(wrongShape) }
        do {
            try other.importState(state)
        } catch {
            #expect(
                "\(error)"
                    == "The saved SGD state does not fit this model: it holds state for 2 parameters, the model has 1. "
                    + "Resume from a checkpoint written by the same recipe, or start a fresh run.")
        }
        #expect(throws: LayerError.self) {
            try OptimizerState(
                kind: "SGD", stepCount: 0, parameterCount: 1, namedTensors: ["7.momentum_buffer": Tensor([1])])
        }
    }
}
