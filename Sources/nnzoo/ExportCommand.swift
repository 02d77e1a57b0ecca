import ArgumentParser
import Foundation
import NNCore
import NNZooKit

/// `nnzoo export <run-folder|checkpoint> --format onnx --out model.onnx`: a trained network for an
/// inference runtime.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a trained model for inference runtimes (ONNX).",
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

            Examples:
              nnzoo export runs/convnet-dropout-20261123-101500
              nnzoo export runs/digits-mlp-20261123-120000 --out digits.onnx --no-include-normalization
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case onnx
    }

    @Argument(
        help: ArgumentHelp(
            "A run folder (runs/<recipe>-<time>) or a checkpoint file (.safetensors).",
            valueName: "run-folder|checkpoint"))
    var target: String

    @Option(help: "The file format.")
    var format: Format = .onnx

    @Option(
        help: ArgumentHelp(
            "The file to write (default: model.onnx in the run folder, or the checkpoint's name with .onnx).",
            valueName: "file"))
    var out: String?

    @Flag(help: "Export the run folder's checkpoint-last.safetensors instead of checkpoint-best.")
    var last = false

    @Flag(
        inversion: .prefixedNo,
        help: "Put the input normalisation in the graph, so that it takes pixel values (default), or leave it out.")
    var includeNormalization = true

    @Flag(help: "Replace the output file if it exists.")
    var force = false

    func validate() throws {
        try EmptyNames.refuse([("The run folder or checkpoint", target, "a run folder or a checkpoint file")])
        var isDirectory: ObjCBool = false
        if last, FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ValidationError(
                "--last chooses checkpoint-last.safetensors in a run folder, but \(target) is a file: give the run folder, or leave out --last."
            )
        }
        if let out, out.isEmpty || out.hasSuffix("/") {
            throw ValidationError("--out needs a file name (e.g. --out model.onnx), not '\(out)'.")
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
        let export = try ONNXExport(checkpoint, includeNormalization: includeNormalization)
        let bytes = export.model.encoded()
        try AtomicFile.write(bytes, to: output)
        print(summary(export, checkpoint: checkpoint, from: checkpointPath, to: output, bytes: bytes.count))
    }

    /// `model.onnx` in the run folder; for a checkpoint file, its name with `.onnx`.
    private func defaultOutput(checkpoint: String) -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), isDirectory.boolValue {
            return (checkpoint as NSString).deletingLastPathComponent + "/model.onnx"
        }
        let base = checkpoint.hasSuffix(".safetensors") ? String(checkpoint.dropLast(".safetensors".count)) : checkpoint
        return base + ".onnx"
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
            "Exported \(info.recipe.name) (\(info.provenance)) from \(source)",
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
        let classes = info.classNames.prefix(4).joined(separator: ", ") + (info.classNames.count > 4 ? ", ..." : "")
        lines.append(
            "Output \"\(export.outputName)\": float32 [N, \(input.classes)], one per class in the order of the "
                + "metadata's \"class_names\" (\(classes)).")
        return lines.joined(separator: "\n")
    }
}
