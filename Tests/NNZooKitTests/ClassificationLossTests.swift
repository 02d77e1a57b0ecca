import Foundation
import NNCore
import NNData
import Testing

@testable import NNZooKit

/// The recipe losses over class labels (targets made from the labels, values and gradients as
/// PyTorch computes them for those targets), the one prediction rule everything uses, and the
/// pairings of loss and network end that cannot work.
@Suite struct ClassificationLossTests {
    private struct Fixture: Decodable {
        struct Case: Decodable {
            struct Stored: Decodable {
                let shape: [Int]
                let data: [Double]
                var tensor: Tensor { Tensor(shape: Shape(shape), scalars: data.map { Float($0) }) }
            }
            let name: String
            let config: [String: Double]
            let tensors: [String: Stored]
            let labels: [Int]
            let numbers: [String: Double]
        }
        let cases: [Case]
    }

    @Test func targetsMadeFromLabelsGivePyTorchsValuesAndGradients() throws {
        let url = URL(fileURLWithPath: TestPaths.packageRoot + "/Tests/Fixtures/torch/losses2.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        #expect(fixture.cases.count == 7)
        for c in fixture.cases {
            let spec: LossSpec
            switch c.name {
            case let name where name.hasPrefix("cross_entropy"):
                spec = LossSpec(.crossEntropy, labelSmoothing: try #require(c.config["label_smoothing"]))
            case let name where name.hasPrefix("mse"): spec = .mse
            case "bce_with_logits": spec = .bceWithLogits
            default: spec = .hinge
            }
            let input = try #require(c.tensors["input"]).tensor
            let result = ClassificationLoss(spec)(input, c.labels)
            let expected = try #require(c.numbers["value"])
            #expect(abs(Double(result.value) - expected) <= 1e-5 * abs(expected), "\(c.name): \(result.value)")
            let grad = try #require(c.tensors["grad_input"]).tensor
            for i in 0..<grad.count {
                #expect(abs(result.grad[flat: i] - grad[flat: i]) <= 1e-6, "\(c.name) gradient \(i)")
            }
        }
    }

    @Test func oneOutputPredictsTheSecondClassAboveZeroAndSeveralTheLargest() {
        let single = ClassPrediction(
            loss: .hinge, lastLayer: .linear(inFeatures: 2, outFeatures: 1, bias: true), width: 1)
        #expect(single.outputs == .margins)
        #expect(single.predictedClasses(Tensor(shape: [4, 1], scalars: [0.3, -0.2, 0, 7])) == [1, 0, 0, 1])
        #expect(single.countCorrect(Tensor(shape: [3, 1], scalars: [1, -1, 2]), labels: [1, 1, 1]) == 2)
        #expect(single.probabilities([0.7]) == nil)
        let several = ClassPrediction(loss: .crossEntropy, lastLayer: nil, width: 3)
        #expect(
            several.predictedClasses(Tensor(shape: [3, 3], scalars: [1, 5, 5, -1, -2, -3, 0, 0, 0.5])) == [1, 0, 2])
        let p = try! #require(several.probabilities([0, Float(log(3.0)), 0]))
        #expect(p.map { ($0 * 1e6).rounded() / 1e6 } == [0.2, 0.6, 0.2])
        let logit = ClassPrediction(loss: .bceWithLogits, lastLayer: nil, width: 1)
        #expect(logit.outputs == .logit)
        #expect(logit.probabilities([0]) == [0.5, 0.5])
        #expect(abs((logit.probabilities([Float(log(3.0))])?[1] ?? 0) - 0.75) < 1e-7)
        #expect(
            ClassPrediction(loss: .nll, lastLayer: .logSoftmax, width: 2).probabilities([0, -.infinity]) == [1, 0])
        #expect(ClassPrediction(loss: .mse, lastLayer: .softmax, width: 2).outputs == .probabilities)
        #expect(ClassPrediction(loss: .mse, lastLayer: .sigmoid, width: 10).outputs == .margins)
        #expect(ClassPrediction(loss: .crossEntropy, lastLayer: .logSoftmax, width: 10).outputs == .logProbabilities)
        #expect(single.probabilityNote.contains("margin"))
    }

    @Test func theWidthComesFromTheResolvedNetwork() throws {
        let input = ModelInput(channels: 3, height: 8, width: 8, classes: 2)
        let head: [LayerSpec] = [
            .conv2d(inChannels: 3, outChannels: 1, kernelSize: 3, stride: 1, padding: 1, bias: true),
            .adaptiveAvgPool2d(outputHeight: 1, outputWidth: 1), .flatten,
        ]
        #expect(ClassPrediction(loss: .bceWithLogits, architecture: head, input: input).width == 1)
    }

    private func recipe(layers: String, loss: String) throws -> Recipe {
        let json = sampleRecipeJSON(layers: layers).replacingOccurrences(
            of: #""loss": "CrossEntropyLoss""#, with: #""loss": \#(loss)"#)
        return try Recipe.decode(Data(json.utf8), source: "test.json")
    }

    @Test func pairingsThatCannotWorkAreRefusedWithTheReason() throws {
        let ten = ModelInput(channels: 1, height: 8, width: 8, classes: 10)
        let two = ModelInput(channels: 1, height: 8, width: 8, classes: 2)
        func reason(_ layers: String, _ loss: String, _ input: ModelInput) throws -> String? {
            do {
                _ = try ModelBuilder.resolve(try recipe(layers: layers, loss: loss), for: input)
                return nil
            } catch let error as ModelIncompatibility {
                return error.reason
            }
        }
        let one = #"[{"type": "Flatten"}, {"type": "Linear", "out_features": 1}]"#
        let oneSigmoid = #"[{"type": "Flatten"}, {"type": "Linear", "out_features": 1}, {"type": "Sigmoid"}]"#
        let tenOut = #"[{"type": "Flatten"}, {"type": "Linear", "out_features": 10}]"#
        #expect(try reason(one, #""BCEWithLogitsLoss""#, two) == nil)
        #expect(try reason(one, #""HingeLoss""#, two) == nil)
        #expect(try reason(one, #""MSELoss""#, two) == nil)
        #expect(try reason(tenOut, #""HingeLoss""#, ten) == nil)
        #expect(try reason(tenOut, #""MSELoss""#, ten) == nil)
        #expect(
            try reason(one, #""BCEWithLogitsLoss""#, ten)
                == "the network ends with 1 values, but the dataset has 10 classes (the last layer needs out_features 1 "
                + "(BCEWithLogitsLoss takes one logit, for two classes) with BCEWithLogitsLoss)")
        #expect(
            try reason(one, #""CrossEntropyLoss""#, two)
                == "the network ends with 1 values, but the dataset has 2 classes (the last layer needs out_features 2)"
        )
        #expect(
            try reason(one, #""HingeLoss""#, ten)
                == "the network ends with 1 values, but the dataset has 10 classes (the last layer needs out_features 10 "
                + "with HingeLoss)")
        #expect(
            try reason(oneSigmoid, #""BCEWithLogitsLoss""#, two)
                == "BCEWithLogitsLoss applies the sigmoid itself, so the network must end with the logit, not Sigmoid "
                + "(remove it)")
        #expect(try reason(oneSigmoid, #""HingeLoss""#, two)?.hasPrefix("HingeLoss compares margins") == true)
        #expect(try reason(oneSigmoid, #""MSELoss""#, two)?.hasPrefix("MSELoss with one output aims at -1") == true)
        let tenLogSoftmax = #"[{"type": "Flatten"}, {"type": "Linear", "out_features": 10}, {"type": "LogSoftmax"}]"#
        #expect(try reason(tenLogSoftmax, #""MSELoss""#, ten)?.hasPrefix("MSELoss aims at one-hot") == true)
        let tenSigmoid = #"[{"type": "Flatten"}, {"type": "Linear", "out_features": 10}, {"type": "Sigmoid"}]"#
        #expect(try reason(tenSigmoid, #""MSELoss""#, ten) == nil)
    }

    @Test func theLossReadsAsANameOrAnObjectWithItsArguments() throws {
        let layers = #"[{"type": "Flatten"}, {"type": "Linear", "out_features": 10}]"#
        #expect(try recipe(layers: layers, loss: #""mseloss""#).loss == .mse)
        let smoothed = try recipe(layers: layers, loss: #"{"type": "CrossEntropyLoss", "label_smoothing": 0.1}"#)
        #expect(smoothed.loss == LossSpec(.crossEntropy, labelSmoothing: 0.1))
        #expect(try Recipe.decode(Data(smoothed.jsonString().utf8), source: "again.json") == smoothed)
        #expect(smoothed.jsonString().contains(#""loss":{"label_smoothing":0.1,"type":"CrossEntropyLoss"}"#))
        for (loss, field) in [
            (#"{"type": "HingeLoss", "label_smoothing": 0.1}"#, "loss.label_smoothing"),
            (#"{"type": "CrossEntropyLoss", "label_smoothing": 1.5}"#, "loss.label_smoothing"),
            (#""Hinge""#, "loss"),
        ] {
            do {
                _ = try recipe(layers: layers, loss: loss)
                Issue.record("\(loss) should be refused")
            } catch let error as RecipeError {
                #expect(error.description.contains(" \(field) "), "\(error)")
            }
        }
    }

    /// Digits 0 and 1 only: a two-class set for one-output networks.
    private static func zerosAndOnes() throws -> ImageDataset {
        let digits = try Digits.train
        var images: [UInt8] = []
        var labels: [UInt8] = []
        for i in 0..<digits.count where digits.labels[i] < 2 {
            images += digits.image(i)
            labels.append(digits.labels[i])
        }
        return ImageDataset(
            images: images, labels: labels, channels: 1, height: 8, width: 8, classNames: ["0", "1"], maxValue: 16)
    }

    // Squared error's gradient grows with the error: it takes a smaller step to stay stable.
    @Test(arguments: [(#""HingeLoss""#, 0.05), (#""BCEWithLogitsLoss""#, 0.05), (#""MSELoss""#, 0.005)])
    func aOneOutputNetworkTrainsAndItsAccuracyCountsBySign(loss: String, lr: Double) throws {
        Parallel.setThreadCount(1)
        let recipe = try recipe(layers: #"[{"type": "Flatten"}, {"type": "Linear", "out_features": 1}]"#, loss: loss)
        let folder = TemporaryFolder()
        let settings = TrainingSettings(
            dataset: "digits", epochs: 3, batchSize: 16,
            optimizer: .sgd(
                lr: lr, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0), seed: 2, validationSplit: 0.2,
            augmentation: "", threads: 1)
        let zerosAndOnes = try Self.zerosAndOnes()
        let session = try TrainingSession(
            recipe: recipe, settings: settings, trainingSplit: zerosAndOnes, folder: RunFolder(path: folder.path))
        #expect(session.prediction.width == 1)
        #expect(try session.run() == .finished)
        let accuracy = try #require(session.records.last?.validationAccuracy)
        #expect(accuracy >= 0.95, "\(session.records)")
        // The accuracy the run recorded is the sign rule applied to the network's outputs.
        let outputs = ModelEvaluation.outputs(
            session.model, dataset: zerosAndOnes, normalization: session.normalization)
        let predicted = outputs.scalars.map { $0 > 0 ? 1 : 0 }
        let info = session.checkpoint(kind: "best").info
        let predictions = CheckpointEvaluation.predict(session.model, info: info, on: zerosAndOnes)
        #expect(predictions.predicted == predicted)
        // A logit has probabilities (the sigmoid's, for the predicted class); margins have none, and
        // a picture of the mistakes captions them without one.
        if loss.contains("BCE") {
            let expected = outputs.scalars.map { z in
                let p = 1 / (1 + exp(-Double(z)))
                return z > 0 ? p : 1 - p
            }
            #expect(zip(predictions.probability, expected).allSatisfy { abs($0 - $1) < 1e-12 })
            #expect(predictions.probability.count == predicted.count)
        } else {
            #expect(predictions.probability.isEmpty)
            let rows = try MisclassifiedGrid.select(
                truth: [0, 1], predicted: [1, 0], probability: predictions.probability.isEmpty ? [] : [0.5, 0.5])
            #expect(rows[0].shown[0].probability == nil)
            let caption = MisclassifiedGrid.caption(truth: 0, sample: rows[0].shown[0], classNames: ["0", "1"])
            #expect(caption.lines.count == 1)
            // The probability column is left empty.
            #expect(MisclassifiedGrid.csv(rows, classNames: ["0", "1"]).hasSuffix(",\n"))
        }
    }
}
