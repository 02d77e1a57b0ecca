import ArgumentParser
import Foundation
import NNCore
import NNData
import NNZooKit

/// `nnzoo dump-logits <run-folder|checkpoint> --out FILE`: the network's outputs for every image of a
/// split, as a safetensors file (`logits` F32 `[N, classes]`, `labels` I64 `[N]`). Hidden from help:
/// it exists so `Tools/reference/checkpoint_crosscheck.py` and `onnx_crosscheck.py` can compare
/// nnzoo's outputs with PyTorch's and onnxruntime's. A run folder means the checkpoint `nnzoo eval`
/// would evaluate.
struct DumpLogitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump-logits",
        abstract: "Write a checkpoint's outputs for a dataset split to a safetensors file (for cross-checks).",
        shouldDisplay: false)

    @Argument(
        help: ArgumentHelp(
            "A run folder or a checkpoint file (.safetensors) written by nnzoo train.",
            valueName: "run-folder|checkpoint"),
        completion: .file())
    var target: String

    @Option(
        help: ArgumentHelp("The dataset (default: the one the checkpoint was trained on).", valueName: "name"),
        completion: Completions.datasets)
    var dataset: String?

    @Option(help: ArgumentHelp("The split: train or test.", valueName: "split"))
    var split: String = DatasetSplit.test.rawValue

    @Option(help: ArgumentHelp("The safetensors file to write.", valueName: "file"))
    var out: String

    @OptionGroup var data: DataOptions
    @OptionGroup var threads: ThreadOptions

    func validate() throws {
        try EmptyNames.refuse([
            ("The run folder or checkpoint", target, "a run folder or a checkpoint file"),
            ("--dataset", dataset, "a dataset's name"),
            ("--out", out, "the safetensors file to write"),
        ])
        if DatasetSplit(rawValue: split) == nil {
            throw ValidationError("--split must be train or test, not '\(split)'.")
        }
    }

    func run() throws {
        try threads.apply()
        let checkpoint = try CheckpointEvaluation.locate(target).checkpoint
        let loaded = try Checkpoint.read(from: checkpoint)
        let spec = try DatasetRegistry.spec(dataset ?? loaded.info.dataset)
        try RecipeCatalog.check(loaded.info.recipe, fits: spec)
        let images = try DatasetLoader.load(
            spec.name, split: DatasetSplit(rawValue: split) ?? .test, dataDirectory: data.path)
        let outputs = ModelEvaluation.outputs(loaded.model, dataset: images, normalization: loaded.info.normalization)
        let labels = images.labels.map { Int($0) }
        let correct = loaded.info.prediction.countCorrect(outputs, labels: labels)
        let file = SafeTensorsFile(
            metadata: ["checkpoint": checkpoint, "dataset": spec.name, "split": split],
            tensors: [
                ("logits", .float32(outputs)),
                ("labels", .int64(shape: [labels.count], values: labels.map { Int64($0) })),
            ])
        try file.write(to: out)
        print(
            String(
                format: "Wrote %@: outputs of %d %@ %@ images; accuracy %.2f%% (%d correct).", out, images.count,
                spec.name, split, 100 * Double(correct) / Double(max(1, images.count)), correct))
    }
}
