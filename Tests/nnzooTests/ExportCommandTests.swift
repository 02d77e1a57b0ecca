import Foundation
import NNZooKit
import Testing

/// `nnzoo export` through the built binary: a digits run trained by `nnzoo train`, exported to ONNX
/// and read back; outputs that exist, folders and checkpoints it cannot read are refused with
/// nothing written.
@Suite(.serialized) struct ExportCommandTests {
    @Test func exportsARunFolderAndSaysWhatItWrote() throws {
        let folder = TempFolder()
        let run = try EvalCommandTests.trainDigits(in: folder)
        let result = try CLI.run(["export", run, "--format", "onnx"])
        #expect(result.status == 0, "\(result.stderr)")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: run + "/model.onnx")))
        let model = try ONNX.ModelProto(decoding: bytes)
        #expect(model.graph.nodes.map(\.opType) == ["Mul", "Add", "Flatten", "Gemm", "Relu", "Gemm"])
        #expect(model.metadata("normalization_included") == "true" && model.metadata("dataset") == "digits")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let size = String(format: "%.1f KB", Double(bytes.count) / 1000)
        #expect(
            lines == [
                "Exported digits-mlp (epoch 2, trained on digits) from \(run)/checkpoint-best.safetensors",
                "to \(run)/model.onnx (\(size)): ONNX opset 17, IR version 8, 6 nodes, 6 initialisers.",
                "  normalisation        Mul, Add (pixel * scale[c] + offset[c])",
                "  0 Flatten            Flatten",
                "  1 Linear(64 -> 100)  Gemm",
                "  2 ReLU               Relu",
                "  3 Linear(100 -> 10)  Gemm",
                lines[7],
                "Output \"scores\": float32 [N, 10], one per class in the order of the metadata's \"class_names\" (0, 1, 2, 3, ...).",
            ])
        #expect(
            lines[7].hasPrefix(
                "Input \"pixels\": float32 [N, 1, 8, 8], pixel values 0 to 16; the graph normalises them (mean/std 0.30"
            ))

        // The last checkpoint, without normalisation, to a file of one's choice.
        let out = folder.path + "/digits.onnx"
        let last = try CLI.run(["export", run, "--last", "--no-include-normalization", "--out", out])
        #expect(last.status == 0, "\(last.stderr)")
        #expect(
            last.stdout.hasPrefix(
                "Exported digits-mlp (epoch 2, trained on digits) from \(run)/checkpoint-last.safetensors\nto \(out) (")
        )
        #expect(
            last.stdout.contains(
                "Input \"input\": float32 [N, 1, 8, 8], normalised as (pixel / 16 - mean) / std with mean/std 0.30"))
        let plain = try ONNX.ModelProto(decoding: [UInt8](Data(contentsOf: URL(fileURLWithPath: out))))
        #expect(plain.graph.nodes.map(\.opType) == ["Flatten", "Gemm", "Relu", "Gemm"])
        #expect(plain.metadata("normalization_included") == "false")

        // A checkpoint file: the model goes beside it, named after it.
        let file = try CLI.run(["export", run + "/checkpoint-last.safetensors"])
        #expect(file.status == 0, "\(file.stderr)")
        #expect(FileManager.default.fileExists(atPath: run + "/checkpoint-last.onnx"))
        // No temporary files are left behind (the run folder's lock file is train's).
        #expect(try FileManager.default.contentsOfDirectory(atPath: run).filter { $0.hasPrefix(".") } == [".lock"])
    }

    @Test func keepsAnExistingFileUnlessForced() throws {
        let folder = TempFolder()
        let run = try EvalCommandTests.trainDigits(in: folder)
        let out = folder.write(Array("keep me".utf8), to: "model.onnx")
        let refused = try CLI.run(["export", run, "--out", out])
        #expect(refused.status == 64)
        #expect(
            refused.stderr.hasPrefix(
                "Error: \(out) already exists; nothing was written. Add --force to replace it, or choose another --out."
            ))
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "keep me")
        let forced = try CLI.run(["export", run, "--out", out, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(
            try ONNX.ModelProto(decoding: [UInt8](Data(contentsOf: URL(fileURLWithPath: out)))).graph.name
                == "digits-mlp")

        let directory = try CLI.run(["export", run, "--out", folder.path])
        #expect(directory.status == 64)
        #expect(
            directory.stderr.hasPrefix(
                "Error: --out \(folder.path) is a folder; give the name of the file to write in it."))
    }

    @Test func refusesWhatItCannotExportAndWritesNothing() throws {
        let folder = TempFolder()
        let missing = try CLI.run(["export", folder.path + "/no-such-run"])
        #expect(missing.status == 1)
        #expect(
            missing.stderr
                == "Error: \(folder.path)/no-such-run does not exist. Give a run folder (runs/<recipe>-<time>, as nnzoo train printed it), a checkpoint file (.safetensors) or the zoo's weights as RECIPE@DATASET (e.g. digits-mlp@digits).\n"
        )
        let format = try CLI.run(["export", folder.path, "--format", "tflite"])
        #expect(format.status == 64 && format.stderr.contains("'tflite'"))

        // A checkpoint whose recipe has a layer this nnzoo does not know: refused, naming the layer
        // and the file, and no model file appears.
        let run = try EvalCommandTests.trainDigits(in: folder)
        var file = try SafeTensorsFile.read(from: run + "/checkpoint-best.safetensors")
        let recipe = try #require(file.metadata["recipe"])
        file.metadata["recipe"] = recipe.replacingOccurrences(of: "{\"type\":\"ReLU\"}", with: "{\"type\":\"Mish\"}")
        #expect(file.metadata["recipe"] != recipe)
        let mish = folder.path + "/mish.safetensors"
        try file.write(to: mish)
        let unknown = try CLI.run(["export", mish])
        #expect(unknown.status == 1)
        #expect(
            unknown.stderr
                == "Error: The checkpoint \(mish) has an unreadable \"recipe\" metadata entry: In the recipe \(mish) (its recipe), layers[2].type is \"Mish\", which is not a layer type nnzoo knows. Use one of: Linear, Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, ReLU, LeakyReLU, GELU, Sigmoid, Tanh, Flatten, Dropout, Dropout2d, BatchNorm1d, BatchNorm2d, Softmax, LogSoftmax (the torch.nn class names). The file is corrupt or from an incompatible nnzoo version; use another checkpoint or retrain.\n"
        )
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/mish.onnx"))

        // A file that is not a checkpoint.
        let text = folder.write(Array("not a checkpoint".utf8), to: "notes.safetensors")
        let garbage = try CLI.run(["export", text, "--out", folder.path + "/x.onnx"])
        #expect(garbage.status == 1 && garbage.stderr.hasPrefix("Error: The checkpoint \(text) declares a "))
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/x.onnx"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") } == [])
    }
}
