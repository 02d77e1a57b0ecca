import NNCore

/// What can go wrong evaluating a model. Each description is a sentence that says what was
/// expected, what was found and what to do. Recipe, dataset and class names come from checkpoints
/// and dataset files: descriptions show them as `InputText.shown` does.
public enum EvaluationError: Error, CustomStringConvertible, Equatable, Sendable {
    case noClasses
    case noSamples
    case labelCountMismatch(predicted: Int, truth: Int)
    case classNameCountMismatch(classCount: Int, names: [String])
    /// `kind` is "true" or "predicted".
    case labelOutOfRange(kind: String, index: Int, label: Int, classCount: Int)
    case predictionCountMismatch(dataset: Int, predictions: Int)
    /// What `nnzoo eval` was given does not exist.
    case targetNotFound(path: String)
    /// A folder without `checkpoint-best.safetensors` or `checkpoint-last.safetensors`.
    case noCheckpoint(folder: String, lookedFor: [String])
    /// The checkpoint's recipe cannot take the dataset's images at all (`reason` says which layer
    /// and why; `fitting` lists the zoo recipes that can).
    case recipeDoesNotFit(
        checkpoint: String, recipe: String, trainedOn: String, dataset: String, images: String, reason: String,
        fitting: [String])
    /// The checkpoint's network was built for images of another shape or another class count.
    case inputMismatch(
        checkpoint: String, recipe: String, trainedOn: String, trainedInput: String, dataset: String,
        datasetInput: String)
    /// Same image shape and class count, but the classes are other things.
    case classesDiffer(
        checkpoint: String, trainedOn: String, trainedClasses: [String], dataset: String, classes: [String])

    public var description: String {
        switch self {
        case .noClasses:
            return "Cannot compute classification metrics for 0 classes: pass the dataset's class count (at least 1)."
        case .noSamples:
            return "There is nothing to evaluate: the split holds no samples. Choose a split with samples (--split)."
        case .labelCountMismatch(let predicted, let truth):
            return
                "Expected one prediction per sample, but got \(predicted) predictions for \(truth) true labels. Predict every sample of the split."
        case .classNameCountMismatch(let classCount, let names):
            return
                "Expected \(classCount) class names, one per class, but got \(names.count) (\(names.prefix(12).map { InputText.shown($0) }.joined(separator: ", "))\(names.count > 12 ? ", …" : "")). Pass the dataset's class names."
        case .labelOutOfRange(let kind, let index, let label, let classCount):
            return
                "The \(kind) label of sample \(index) is \(label), outside the \(classCount) classes 0...\(classCount - 1). The model and the dataset disagree about the classes: evaluate on the dataset the model was trained for."
        case .predictionCountMismatch(let dataset, let predictions):
            return
                "Expected one prediction per image of the dataset (\(dataset)), but got \(predictions). Predict every image of the split."
        case .targetNotFound(let path):
            return
                "\(path) does not exist. Give a run folder (runs/<recipe>-<time>, as nnzoo train printed it), a checkpoint file (.safetensors) or the zoo's weights as RECIPE@DATASET (e.g. digits-mlp@digits)."
        case .noCheckpoint(let folder, let lookedFor):
            return
                "The folder \(folder) holds no checkpoint: looked for \(lookedFor.joined(separator: " and ")). Give the run folder that nnzoo train printed, or a checkpoint file; train one with \(Invocation.current.command("train <recipe>"))."
        case .recipeDoesNotFit(
            let checkpoint, let recipe, let trainedOn, let dataset, let images, let reason, let fitting):
            let (recipe, trainedOn, dataset) = (
                InputText.shown(recipe), InputText.shown(trainedOn), InputText.shown(dataset)
            )
            let train =
                fitting.isEmpty
                ? "no recipe in the zoo fits \(dataset) yet"
                : "to evaluate on \(dataset), train one of the recipes that fit it: \(fitting.joined(separator: ", "))"
            return
                "The checkpoint \(checkpoint) holds \(recipe), trained on \(trainedOn), which cannot be evaluated on \(dataset) (\(images)): \(reason). Evaluate it on \(trainedOn) (leave out --dataset); \(train)."
        case .inputMismatch(let checkpoint, let recipe, let trainedOn, let trainedInput, let dataset, let datasetInput):
            let (recipe, trainedOn, dataset) = (
                InputText.shown(recipe), InputText.shown(trainedOn), InputText.shown(dataset)
            )
            return
                "The checkpoint \(checkpoint) holds \(recipe) trained on \(trainedOn) (\(trainedInput)); its weights do not fit \(dataset) (\(datasetInput)). Evaluate it on \(trainedOn) (--dataset \(trainedOn)), or train \(recipe) on \(dataset) first (\(Invocation.current.command("train \(shellQuoted(recipe)) --dataset \(dataset)")))."
        case .classesDiffer(let checkpoint, let trainedOn, let trainedClasses, let dataset, let classes):
            let (trainedOn, dataset) = (InputText.shown(trainedOn), InputText.shown(dataset))
            return
                "The checkpoint \(checkpoint) was trained on \(trainedOn), whose classes are \(Self.list(trainedClasses)); \(dataset)'s classes are \(Self.list(classes)). A model cannot be scored on classes it never learned: evaluate it on \(trainedOn), or train on \(dataset)."
        }
    }

    private static func list(_ names: [String]) -> String {
        names.prefix(4).map { InputText.shown($0) }.joined(separator: ", ")
            + (names.count > 4 ? " and \(names.count - 4) more" : "")
    }
}
