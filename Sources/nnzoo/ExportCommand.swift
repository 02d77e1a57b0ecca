import ArgumentParser
import Foundation
import NNCore
import NNZooKit

/// `nnzoo export <run-folder|checkpoint> --format onnx --out model.onnx`: a trained network for an
/// inference runtime; `--format safetensors`: the checkpoint to share (the zoo's weights are made so).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a trained model for inference runtimes (ONNX), or its weights to share (safetensors).",
        discussion: """
            Writes a run folder's checkpoint-best.safetensors (or checkpoint-last with --last, or any \
            checkpoint file) as an ONNX model: operator set 17, input float32 [N, C, H, W] with a free batch \
            size N. Dropout layers are left out (they do nothing at inference) and batch normalisation uses its \
            running statistics.

            By default the model takes pixel values as the dataset stores them (0 to 255; 0 to 16 for digits) \
            and normalises them itself, exactly as nnzoo does. With --no-include-normalization it takes \
            normalised pixels, (pixel / max - mean[c]) / std[c], and the constants are in its metadata. The \
            metadata (metadata_props) also holds the class names in output order, the recipe and what the \
            input and output mean.

            --format safetensors writes the checkpoint to share: the model tensors and the metadata eval, \
            predict and export need (recipe, input, dataset, class names, normalisation, epoch, training \
            settings), without the optimizer state that --resume needs and without the per-epoch record, whose \
            wall-clock times are the only part that differs between two runs of the same nnzoo train command. \
            Two runs with the same thread count give the same file byte for byte; the zoo's weights \
            (zoo/weights, used as RECIPE@DATASET) are made this way.

            Examples:
              nnzoo export runs/convnet-dropout-20261123-101500
              nnzoo export runs/digits-mlp-20261123-120000 --out digits.onnx --no-include-normalization
              nnzoo export runs/digits-mlp-20261123-120000 --format safetensors --out digits-mlp.safetensors
              nnzoo export digits-mlp@digits
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case onnx
        case safetensors

        var fileExtension: String { "." + rawValue }
    }

    @Argument(
        help: ArgumentHelp(
            "A run folder (runs/<recipe>-<time>), a checkpoint file (.safetensors), or RECIPE@DATASET for the zoo's trained weights (nnzoo recipes).",
            valueName: "run-folder|checkpoint"))
    var target: String

    @Option(help: "The file format.")
    var format: Format = .onnx

    @Option(
        help: ArgumentHelp(
            "The file to write (default: model.onnx or model.safetensors in the run folder; for a checkpoint file, "
                + "its name with .onnx or -model.safetensors; for RECIPE@DATASET, RECIPE@DATASET.onnx here).",
            valueName: "file"))
    var out: String?

    @Flag(help: "Export the run folder's checkpoint-last.safetensors instead of checkpoint-best.")
    var last = false

    @Flag(
        name: .customLong("include-normalization"), inversion: .prefixedNo,
        help: "Put the input normalisation in the ONNX graph, so that it takes pixel values (default), or leave it out."
    )
    var includeNormalizationFlag: Bool?

    var includeNormalization: Bool { includeNormalizationFlag ?? true }

    @Flag(help: "Replace the output file if it exists.")
    var force = false

    func validate() throws {
        try EmptyNames.refuse([("The run folder or checkpoint", target, "a run folder or a checkpoint file")])
        try LastCheckpoint.validate(target, last: last)
        if let out, out.isEmpty || out.hasSuffix("/") {
            throw ValidationError("--out needs a file name (e.g. --out model\(format.fileExtension)), not '\(out)'.")
        }
        if format == .safetensors, includeNormalizationFlag != nil {
            throw ValidationError(
                "--include-normalization and --no-include-normalization are for --format onnx; a safetensors "
                    + "checkpoint always records its normalisation as metadata.")
        }
    }

    func run() throws {
        let (checkpointPath, _) = try CheckpointEvaluation.locate(target, last: last)
        let output = out ?? defaultOutput(checkpoint: checkpointPath)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory) {
            if isDirectory.boolValue {
                throw ValidationError("--out \(output) is a folder; give the name of the file to write in it.")
            }
            if !force {
                throw ValidationError(
                    "\(output) already exists; nothing was written. Add --force to replace it, or choose another --out."
                )
            }
        }
        let checkpoint = try Checkpoint.read(from: checkpointPath)
        if format == .safetensors {
            let shareable = checkpoint.shareable()
            try shareable.write(to: output)
            print(try shareableSummary(shareable, from: checkpointPath, to: output))
            return
        }
        let export = try ONNXExport(checkpoint, includeNormalization: includeNormalization)
        let bytes = export.model.encoded()
        try AtomicFile.write(bytes, to: output)
        print(summary(export, checkpoint: checkpoint, from: checkpointPath, to: output, bytes: bytes.count))
    }

    /// `model.onnx` (`model.safetensors`) in the run folder; for a checkpoint file, its name with
    /// `.onnx` (`-model.safetensors`); for the zoo's `RECIPE@DATASET`, `RECIPE@DATASET.onnx` in the
    /// current folder (the zoo's folders are not the place for outputs).
    private func defaultOutput(checkpoint: String) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) else {
            return target + format.fileExtension
        }
        if isDirectory.boolValue {
            return (checkpoint as NSString).deletingLastPathComponent + "/model" + format.fileExtension
        }
        let base = checkpoint.hasSuffix(".safetensors") ? String(checkpoint.dropLast(".safetensors".count)) : checkpoint
        return base + (format == .onnx ? ".onnx" : "-model.safetensors")
    }

    /// What `--format safetensors` wrote.
    private func shareableSummary(_ checkpoint: Checkpoint, from source: String, to output: String) throws -> String {
        let bytes = try ReadableFile.readAll(output, limit: Int.max)
        let info = checkpoint.info
        let size = bytes.count < 10_000 ? "\(bytes.count) bytes" : String(format: "%.1f KB", Double(bytes.count) / 1000)
        return """
            Exported \(InputText.shown(info.recipe.name)) (\(info.provenance)) from \(source)
            to \(output) (\(size), SHA-256 \(SHA256.hex(bytes))): \(counted(checkpoint.model.namedParameters.count + checkpoint.model.namedBuffers.count, "tensor")) and the metadata eval, predict and export read; no optimizer state, no per-epoch times.
            """
    }

    private func summary(
        _ export: ONNXExport, checkpoint: Checkpoint, from source: String, to output: String, bytes: Int
    )
        -> String
    {
        let info = checkpoint.info
        let graph = export.model.graph
        let size = bytes < 10_000 ? "\(bytes) bytes" : String(format: "%.1f KB", Double(bytes) / 1000)
        var lines = [
            "Exported \(InputText.shown(info.recipe.name)) (\(info.provenance)) from \(source)",
            "to \(output) (\(size)): ONNX opset \(ONNXExport.opsetVersion), IR version \(ONNXExport.irVersion), "
                + "\(counted(graph.nodes.count, "node")), \(counted(graph.initializers.count, "initialiser")).",
        ]
        var rows: [(String, String)] = []
        if includeNormalization { rows.append(("normalisation", "Mul, Add (pixel * scale[c] + offset[c])")) }
        for (index, layer) in export.layers.enumerated() {
            rows.append(
                (
                    "\(index) \(layer.layer)",
                    layer.operators.isEmpty
                        ? "left out (the identity at inference)" : layer.operators.joined(separator: ", ")
                ))
        }
        let width = rows.map(\.0.count).max() ?? 0
        lines += rows.map { "  " + $0.0.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.1 }
        let input = info.input
        let n = info.normalization
        let constants = (0..<input.channels).map { String(format: "%.4f/%.4f", n.mean[$0], n.std[$0]) }
            .joined(separator: ", ")
        let shape = "[N, \(input.channels), \(input.height), \(input.width)]"
        lines.append(
            includeNormalization
                ? "Input \"\(export.inputName)\": float32 \(shape), pixel values 0 to \(n.maxValue); the graph "
                    + "normalises them (mean/std \(constants))."
                : "Input \"\(export.inputName)\": float32 \(shape), normalised as (pixel / \(n.maxValue) - mean) / std "
                    + "with mean/std \(constants) (in the metadata as \"normalization\").")
        // The checkpoint's class names, shown (the ONNX metadata has them as they are).
        let classes =
            info.classNames.prefix(4).map { InputText.shown($0) }.joined(separator: ", ")
            + (info.classNames.count > 4 ? ", ..." : "")
        lines.append(
            "Output \"\(export.outputName)\": float32 [N, \(input.classes)], one per class in the order of the "
                + "metadata's \"class_names\" (\(classes)).")
        return lines.joined(separator: "\n")
    }
}
