import Foundation
import NNCore
import NNLayers
import Testing

@testable import NNZooKit

/// The recipe's optimizer: torch.optim's names, arguments and defaults, and the engine optimizer
/// each builds.
@Suite struct OptimizerSpecTests {
    private func decode(_ json: String) throws -> OptimizerSpec {
        try JSONDecoder().decode(OptimizerSpec.self, from: Data(json.utf8))
    }

    @Test func aNameAloneMeansPyTorchsDefaults() throws {
        #expect(try decode(#""SGD""#) == .sgd(lr: 0.001, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0))
        #expect(try decode(#""adam""#) == .adam(lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0))
        #expect(try decode(#""AdamW""#) == .adamW(lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01))
        #expect(
            try decode(#"{"type": "RMSprop"}"#)
                == .rmsprop(lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false))
    }

    @Test func argumentsAreReadAndWrittenBack() throws {
        let specs = [
            try decode(
                #"{"type": "RMSprop", "lr": 0.005, "alpha": 0.9, "momentum": 0.9, "centered": true, "weight_decay": 0.1}"#
            ),
            try decode(#"{"type": "AdamW", "lr": 0.002, "betas": [0.8, 0.99], "weight_decay": 0.05}"#),
            try decode(#"{"type": "SGD", "lr": 0.1, "momentum": 0.9, "nesterov": true, "weight_decay": 0.1}"#),
        ]
        #expect(
            specs[0] == .rmsprop(lr: 0.005, alpha: 0.9, eps: 1e-8, weightDecay: 0.1, momentum: 0.9, centered: true))
        #expect(specs[1] == .adamW(lr: 0.002, beta1: 0.8, beta2: 0.99, eps: 1e-8, weightDecay: 0.05))
        for spec in specs {
            #expect(try decode(String(decoding: JSONEncoder().encode(spec), as: UTF8.self)) == spec)
        }
        #expect(specs[0].summary == "RMSprop lr 0.005 momentum 0.9 centered weight_decay 0.1")
        #expect(specs[1].summary == "AdamW lr 0.002 weight_decay 0.05")
        #expect(specs[2].summary == "SGD lr 0.1 momentum 0.9 nesterov weight_decay 0.1")
        #expect(
            specs[2].with(momentum: 0) == .sgd(lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0.1))
        #expect(specs[1].with(weightDecay: 0).weightDecay == 0)
    }

    @Test func theEngineOptimizerHasTheSpecsSettings() throws {
        let parameters = [Parameter(name: "weight", value: Tensor(shape: Shape(3, 2)))]
        let rmsprop = try #require(
            try TrainingSession.makeOptimizer(
                .rmsprop(lr: 0.005, alpha: 0.9, eps: 1e-6, weightDecay: 0.1, momentum: 0.8, centered: true), parameters)
                as? RMSprop)
        #expect(rmsprop.alpha == 0.9 && rmsprop.epsilon == 1e-6 && rmsprop.centered && rmsprop.momentum == 0.8)
        let adamW = try #require(
            try TrainingSession.makeOptimizer(
                .adamW(lr: 0.002, beta1: 0.8, beta2: 0.99, eps: 1e-8, weightDecay: 0.05), parameters)
                as? Adam)
        #expect(adamW.decoupledWeightDecay && adamW.kind == "AdamW" && adamW.weightDecay == 0.05)
    }

    @Test func badArgumentsNameTheField() {
        for (json, expected) in [
            (#"{"type": "RMSprop", "alpha": 1.5}"#, "alpha"), (#"{"type": "AdamW", "momentum": 0.9}"#, "momentum"),
            (#"{"type": "LBFGS"}"#, "type"), (#""Adagrad""#, "Adagrad"),
        ] {
            do {
                _ = try decode(json)
                Issue.record("\(json) should be refused")
            } catch let problem as RecipeProblem {
                #expect(recipeError(from: problem, path: "x.json").description.contains(expected), "\(json)")
            } catch {
                Issue.record("\(json): \(error)")
            }
        }
    }
}
