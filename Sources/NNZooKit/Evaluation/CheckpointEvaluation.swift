import Foundation
import NNAugment
import NNCore
import NNData
import NNLayers

/// The steps of `nnzoo eval` between its argument and its report: which checkpoint a run folder
/// means, whether the checkpoint's model can be evaluated on a dataset, and the model's prediction
/// for every image.
public enum CheckpointEvaluation {
    /// The checkpoint that `argument` names and the folder its evaluation goes in by default. A run
    /// folder means its `checkpoint-best.safetensors` (the epoch `nnzoo train` reports test
    /// accuracy for), else its `checkpoint-last.safetensors`; with `last`, only the latter. The
    /// evaluation goes in `<run folder>/eval`; for a checkpoint file, in `eval` beside it. `RECIPE@DATASET`
    /// (when no file or folder has that name) means the zoo's weights (`ZooWeights.locate`), checked
    /// against their table; their evaluation goes in `runs/RECIPE@DATASET-eval`.
    public static func locate(
        _ argument: String, last: Bool = false, zooFolders: [String] = RecipeCatalog.zooFolders()
    ) throws -> (checkpoint: String, output: String) {
        var isDirectory: ObjCBool = false
        guard !argument.isEmpty, FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
            if ZooWeights.isName(argument) {
                return (try ZooWeights.locate(argument, zooFolders: zooFolders), "runs/\(argument)-eval")
            }
            throw EvaluationError.targetNotFound(path: argument)
        }
        guard isDirectory.boolValue else {
            let parent = (argument as NSString).deletingLastPathComponent
            return (argument, (parent.isEmpty ? "." : parent) + "/eval")
        }
        let folder = RunFolder(
            path: argument.count > 1 && argument.hasSuffix("/") ? String(argument.dropLast()) : argument)
        let candidates = last ? [folder.lastCheckpoint] : [folder.bestCheckpoint, folder.lastCheckpoint]
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw EvaluationError.noCheckpoint(
                folder: folder.path, lookedFor: candidates.map { ($0 as NSString).lastPathComponent })
        }
        return (found, folder.path + "/eval")
    }

    /// Refuses a dataset the checkpoint's model cannot be evaluated on: one whose images or class
    /// count do not fit the recipe at all (naming the zoo recipes that do fit), one the recipe fits but
    /// these weights were not trained for (a 64-input MLP on 784-pixel images), and one with other
    /// classes of the same shape (an MNIST model on Fashion-MNIST).
    public static func check(
        _ info: CheckpointInfo, checkpoint: String, fits spec: DatasetSpec,
        zooFolders: [String] = RecipeCatalog.zooFolders()
    ) throws {
        try check(info, checkpoint: checkpoint, fits: DatasetFacts(spec), dataset: spec.name, zooFolders: zooFolders)
    }

    /// `check(_:checkpoint:fits:zooFolders:)` for any dataset, known by its facts (a registry
    /// dataset's, a toy set's, or those of a split already loaded) and its name for messages.
    public static func check(
        _ info: CheckpointInfo, checkpoint: String, fits facts: DatasetFacts, dataset name: String,
        zooFolders: [String] = RecipeCatalog.zooFolders()
    ) throws {
        let input = ModelInput(facts)
        func describe(_ input: ModelInput) -> String { "\(input.examplesPhrase), \(input.classes) classes" }
        guard input == info.input else {
            do {
                try RecipeCatalog.check(info.recipe, fits: input, dataset: name, folders: zooFolders)
            } catch RecipeError.incompatible(_, let dataset, let images, let reason, let fitting) {
                throw EvaluationError.recipeDoesNotFit(
                    checkpoint: checkpoint, recipe: info.recipe.name, trainedOn: info.dataset,
                    dataset: dataset, images: images, reason: reason, fitting: fitting)
            }
            throw EvaluationError.inputMismatch(
                checkpoint: checkpoint, recipe: info.recipe.name, trainedOn: info.dataset,
                trainedInput: describe(info.input), dataset: name, datasetInput: describe(input))
        }
        guard facts.classNames == info.classNames else {
            throw EvaluationError.classesDiffer(
                checkpoint: checkpoint, trainedOn: info.dataset, trainedClasses: info.classNames, dataset: name,
                classes: facts.classNames)
        }
    }

    /// What a model said about every image of a dataset.
    public struct Predictions: Equatable, Sendable {
        /// The predicted class of each image (`ClassPrediction`: the highest output, the first on
        /// ties, as the trainer counts accuracy; the sign of a single output).
        public var predicted: [Int]
        /// The probability the model gave its predicted class: the softmax of the outputs at that
        /// class (for a LogSoftmax network, whose outputs are log-probabilities, the same as their
        /// exponential; the sigmoid of a single logit). For a mistake, how sure the model was of the
        /// wrong class. Empty when the outputs are not probabilities (hinge margins, squared-error
        /// outputs: `ClassPrediction.probabilities`).
        public var probability: [Double]
        /// The mean loss over the images.
        public var loss: Double
    }

    /// The class and its softmax probability for one row of scores: the largest entry (the
    /// first on ties) and 1 / sum(exp(o_j - o_max)), in double precision
    /// (`ClassPrediction.predictedProbability` for scores).
    public static func classAndProbability(_ row: UnsafeBufferPointer<Float>) -> (predicted: Int, probability: Double) {
        guard let base = row.baseAddress, !row.isEmpty else { return (0, 0) }
        let scores = ClassPrediction(outputs: .scores, width: row.count)
        return (scores.predictedClass(base), scores.predictedProbability(base) ?? 0)
    }

    /// The model's prediction and its probability for every image of `dataset`, and the mean loss,
    /// with the checkpoint's normalisation and loss, in evaluation mode. `onBatch` is told how many
    /// images are done.
    public static func predict(
        _ model: Sequential, info: CheckpointInfo, on dataset: ImageDataset, batchSize: Int = ModelEvaluation.batchSize,
        onBatch: ((Int) -> Void)? = nil
    ) -> Predictions {
        let assembler = BatchAssembler(
            dataset: dataset, normalization: info.normalization, augmentation: AugmentationPipeline([]), seed: 0)
        var predicted = [Int](repeating: 0, count: dataset.count)
        var probability = [Double](repeating: 0, count: dataset.count)
        var done = 0
        let prediction = info.prediction
        let result = ModelEvaluation.evaluate(
            model, loss: ClassificationLoss(info.loss), prediction: prediction, assembler: assembler,
            indices: Array(0..<dataset.count), batchSize: batchSize
        ) { output, slot in
            let width = prediction.width
            output.withUnsafeBufferPointer { values in
                for (row, index) in slot.sampleIndices.enumerated() {
                    let outputs = values.baseAddress! + row * width
                    predicted[index] = prediction.predictedClass(outputs)
                    probability[index] = prediction.predictedProbability(outputs) ?? 0
                }
            }
            done += slot.count
            onBatch?(done)
        }
        return Predictions(
            predicted: predicted, probability: prediction.outputs == .margins ? [] : probability, loss: result.loss)
    }
}
