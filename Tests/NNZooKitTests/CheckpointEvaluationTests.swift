import Foundation
import NNCore
import NNData
import NNLayers
import Testing

@testable import NNZooKit

@Suite struct CheckpointEvaluationTests {
    static func recipe(_ layers: String, dataset: String = "mnist", name: String = "tiny") throws -> Recipe {
        let json = """
            {"name": "\(name)", "description": "test", "dataset": "\(dataset)", "normalization": {"type": "scale"},
             "layers": \(layers), "loss": "CrossEntropyLoss", "optimizer": {"type": "SGD", "lr": 0.1},
             "schedule": {"type": "constant"}, "epochs": 1, "batch_size": 4, "augmentation": "", "seed": 1,
             "expected_accuracy": {}}
            """
        return try Recipe.decode(Data(json.utf8), source: "test recipe")
    }

    static func info(_ recipe: Recipe, input: ModelInput, dataset: String, classNames: [String]) throws
        -> CheckpointInfo
    {
        CheckpointInfo(
            kind: "best", recipe: recipe, architecture: try ModelBuilder.resolve(recipe, for: input), input: input,
            dataset: dataset, classNames: classNames,
            normalization: InputNormalization(
                mean: Array(repeating: 0, count: input.channels), std: Array(repeating: 1, count: input.channels),
                maxValue: 255),
            epoch: 1, metrics: [],
            settings: TrainingSettings(
                dataset: dataset, epochs: 1, batchSize: 4, optimizer: recipe.optimizer, seed: 1, validationSplit: 0,
                augmentation: "", threads: 1),
            resume: nil)
    }

    static func info(_ recipe: Recipe, trainedOn spec: DatasetSpec) throws -> CheckpointInfo {
        try info(recipe, input: ModelInput(spec), dataset: spec.name, classNames: spec.classNames)
    }

    // MARK: - Which checkpoint

    @Test func runFolderMeansBestThenLast() throws {
        let folder = NSTemporaryDirectory() + "nnzoo-locate-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let best = folder + "/checkpoint-best.safetensors"
        let last = folder + "/checkpoint-last.safetensors"
        #expect(
            throws: EvaluationError.noCheckpoint(
                folder: folder,
                lookedFor: [
                    "checkpoint-best.safetensors", "checkpoint-last.safetensors",
                ])
        ) { try CheckpointEvaluation.locate(folder) }
        FileManager.default.createFile(atPath: last, contents: Data())
        #expect(try CheckpointEvaluation.locate(folder) == (last, folder + "/eval"))
        FileManager.default.createFile(atPath: best, contents: Data())
        #expect(try CheckpointEvaluation.locate(folder + "/") == (best, folder + "/eval"))
        #expect(try CheckpointEvaluation.locate(folder, last: true) == (last, folder + "/eval"))
        try FileManager.default.removeItem(atPath: last)
        #expect(throws: EvaluationError.noCheckpoint(folder: folder, lookedFor: ["checkpoint-last.safetensors"])) {
            try CheckpointEvaluation.locate(folder, last: true)
        }
        // A file is the checkpoint itself; its evaluation goes beside it.
        #expect(try CheckpointEvaluation.locate(best) == (best, folder + "/eval"))
        #expect(throws: EvaluationError.targetNotFound(path: folder + "/missing")) {
            try CheckpointEvaluation.locate(folder + "/missing")
        }
        #expect(throws: EvaluationError.targetNotFound(path: "")) { try CheckpointEvaluation.locate("") }
    }

    // MARK: - Does the model fit the dataset

    @Test func sameShapeOtherClassesIsRefused() throws {
        let info = try Self.info(
            try Self.recipe(#"[{"type": "Flatten"}, {"type": "Linear", "out_features": 10}]"#),
            trainedOn: DatasetRegistry.mnist)
        try CheckpointEvaluation.check(info, checkpoint: "c.safetensors", fits: DatasetRegistry.mnist, zooFolders: [])
        #expect(
            throws: EvaluationError.classesDiffer(
                checkpoint: "c.safetensors", trainedOn: "mnist", trainedClasses: DatasetRegistry.mnist.classNames,
                dataset: "fashion-mnist", classes: DatasetRegistry.fashionMNIST.classNames)
        ) {
            try CheckpointEvaluation.check(
                info, checkpoint: "c.safetensors", fits: DatasetRegistry.fashionMNIST, zooFolders: [])
        }
        let sentence = EvaluationError.classesDiffer(
            checkpoint: "c.safetensors", trainedOn: "mnist", trainedClasses: DatasetRegistry.mnist.classNames,
            dataset: "fashion-mnist", classes: DatasetRegistry.fashionMNIST.classNames
        ).description
        #expect(
            sentence
                == "The checkpoint c.safetensors was trained on mnist, whose classes are 0, 1, 2, 3 and 6 more; fashion-mnist's classes are T-shirt/top, Trouser, Pullover, Dress and 6 more. A model cannot be scored on classes it never learned: evaluate it on mnist, or train on fashion-mnist."
        )
    }

    @Test func weightsForAnotherImageSizeAreRefused() throws {
        // The recipe infers its sizes, so it fits digits too, but these weights take 784 inputs.
        let info = try Self.info(
            try Self.recipe(#"[{"type": "Flatten"}, {"type": "Linear", "out_features": 10}]"#),
            trainedOn: DatasetRegistry.mnist)
        #expect(
            throws: EvaluationError.inputMismatch(
                checkpoint: "c.safetensors", recipe: "tiny", trainedOn: "mnist",
                trainedInput: "1x28x28 images, 10 classes", dataset: "digits",
                datasetInput: "1x8x8 images, 10 classes")
        ) {
            try CheckpointEvaluation.check(
                info, checkpoint: "c.safetensors", fits: DatasetRegistry.digits, zooFolders: [])
        }
        #expect(throws: EvaluationError.self) {
            try CheckpointEvaluation.check(
                info, checkpoint: "c.safetensors", fits: DatasetRegistry.cifar10, zooFolders: [])
        }
    }

    @Test func aRecipeThatCannotTakeTheImagesIsRefusedNamingOnesThatCan() throws {
        let folder = NSTemporaryDirectory() + "nnzoo-zoo-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // A zoo with one recipe that fits digits (sizes inferred) and one that does not.
        try Self.recipe(#"[{"type": "Flatten"}, {"type": "Linear", "out_features": 10}]"#, name: "any-mlp")
            .jsonString().write(toFile: folder + "/any-mlp.json", atomically: true, encoding: .utf8)
        let fixed = try Self.recipe(
            #"[{"type": "Flatten"}, {"type": "Linear", "in_features": 784, "out_features": 10}]"#, name: "mlp-784")
        try fixed.jsonString().write(toFile: folder + "/mlp-784.json", atomically: true, encoding: .utf8)
        let info = try Self.info(fixed, trainedOn: DatasetRegistry.mnist)
        do {
            try CheckpointEvaluation.check(
                info, checkpoint: "c.safetensors", fits: DatasetRegistry.digits, zooFolders: [folder])
            Issue.record("a 784-input recipe was accepted for 8x8 digits")
        } catch let error as EvaluationError {
            guard
                case .recipeDoesNotFit(
                    let checkpoint, let recipe, let trainedOn, let dataset, let images, _, let fitting) =
                    error
            else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(checkpoint == "c.safetensors" && recipe == "mlp-784" && trainedOn == "mnist")
            #expect(dataset == "digits" && images == "1x8x8 images" && fitting == ["any-mlp"])
            #expect(error.description.contains("cannot be evaluated on digits (1x8x8 images): "))
            #expect(error.description.contains("Evaluate it on mnist (leave out --dataset)"))
            #expect(error.description.hasSuffix("train one of the recipes that fit it: any-mlp."))
        }
    }

    // MARK: - Predictions

    @Test func predictionsAndLossOfAKnownNetwork() throws {
        // 1x2x2 images, each with one lit pixel; a Linear layer whose row k reads pixel k, so the
        // prediction is the lit pixel (pixel 3 lights nothing: all outputs 0, the first wins).
        let lit = [0, 1, 2, 3, 1]
        let images = lit.flatMap { p in (0..<4).map { $0 == p ? UInt8(255) : 0 } }
        let dataset = ImageDataset(
            images: images, labels: [0, 1, 1, 0, 2], channels: 1, height: 2, width: 2, classNames: ["a", "b", "c"])
        let recipe = try Self.recipe(#"[{"type": "Flatten"}, {"type": "Linear", "out_features": 3}]"#)
        let input = ModelInput(dataset)
        let info = try Self.info(recipe, input: input, dataset: "test", classNames: dataset.classNames)
        let model = try ModelBuilder.build(resolved: info.architecture, seed: 1)
        for (name, parameter) in model.namedParameters {
            if name == "1.weight" {
                parameter.value = Tensor(shape: Shape(3, 4), scalars: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0])
            } else {
                parameter.value = Tensor(shape: Shape(3), scalars: [0, 0, 0])
            }
        }
        var progress = [Int]()
        let predictions = CheckpointEvaluation.predict(model, info: info, on: dataset, batchSize: 2) {
            progress.append($0)
        }
        let loss = predictions.loss
        #expect(predictions.predicted == [0, 1, 2, 0, 1])
        // Softmax of (1, 0, 0) at the 1 is e / (e + 2); of (0, 0, 0) a third.
        let sure = exp(1.0) / (exp(1.0) + 2)
        #expect(zip(predictions.probability, [sure, sure, sure, 1.0 / 3, sure]).allSatisfy { abs($0 - $1) < 1e-7 })
        #expect(progress == [2, 4, 5])
        // Cross-entropy per image: logits (1, 0, 0) and its rotations score log(e + 2) - 1 for the
        // lit class and log(e + 2) for another; all zeros score log 3.
        //   image 0: label 0 = lit -> log(e+2) - 1;  image 1: label 1 = lit -> log(e+2) - 1
        //   image 2: label 1, lit 2 -> log(e+2);    image 3: log 3;  image 4: label 2, lit 1 -> log(e+2)
        let e = exp(1.0)
        let expected = (2 * (log(e + 2) - 1) + 2 * log(e + 2) + log(3.0)) / 5
        #expect(abs(loss - expected) < 1e-6)
    }
}

@Suite struct ClassProbabilityTests {
    func classAndProbability(_ values: [Float]) -> (Int, Double) {
        values.withUnsafeBufferPointer { CheckpointEvaluation.classAndProbability($0) }
    }

    @Test func softmaxOfTheLargestOutput() {
        // Scores (2, 1, 0): softmax at 2 is 1 / (1 + e^-1 + e^-2) = 0.66524.
        let (best, p) = classAndProbability([2, 1, 0])
        #expect(best == 0 && abs(p - 1 / (1 + exp(-1.0) + exp(-2.0))) < 1e-12)
        // Log-probabilities (a LogSoftmax network): the probability is their exponential.
        let (logBest, logP) = classAndProbability([log(0.2), log(0.7), log(0.1)].map(Float.init))
        #expect(logBest == 1 && abs(logP - 0.7) < 1e-6)
        // Ties: the first; large scores do not overflow.
        #expect(classAndProbability([5, 5]).0 == 0 && classAndProbability([5, 5]).1 == 0.5)
        #expect(classAndProbability([1e30, 0]).1 == 1)
        // A NaN output is no confidence, and an empty row no class.
        #expect(classAndProbability([.nan, .nan]).1 == 0)
        #expect(classAndProbability([]).0 == 0 && classAndProbability([]).1 == 0)
    }
}
