import Foundation
import NNZooKit
import Testing

/// `nnzoo import` through the built binary: a digits run's weights, saved as PyTorch saves a state
/// dict (a prefix, float64), imported into a run folder that `eval`, `export` and `train --resume`
/// take; weights that do not fit are refused with every mismatch listed and nothing written.
@Suite(.serialized) struct ImportCommandTests {
    /// The model tensors of `checkpoint` as a state dict: `prefix` before each name, floats as F64
    /// (or F32), I64 counters as they are.
    static func stateDict(of checkpoint: String, prefix: String, float64: Bool, to path: String) throws {
        let file = try SafeTensorsFile.read(from: checkpoint)
        var entries: [(String, String, [Int], [UInt8])] = []
        for (name, value) in file.tensors where !name.hasPrefix("optimizer.") {
            var bytes: [UInt8] = []
            switch value {
            case .float32(let tensor):
                for v in tensor.scalars {
                    if float64 {
                        withUnsafeBytes(of: Double(v).bitPattern.littleEndian) { bytes += $0 }
                    } else {
                        withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 }
                    }
                }
                entries.append((prefix + name, float64 ? "F64" : "F32", value.shape, bytes))
            case .int64(let shape, let values):
                for v in values { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
                entries.append((prefix + name, "I64", shape, bytes))
            }
        }
        try write(entries, to: path)
    }

    /// A safetensors file of raw entries (name, dtype, shape, bytes), without metadata.
    static func write(_ entries: [(String, String, [Int], [UInt8])], to path: String) throws {
        var offset = 0
        var fields: [String] = []
        for (name, dtype, shape, bytes) in entries {
            fields.append(
                "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":[\(offset),\(offset + bytes.count)]}"
            )
            offset += bytes.count
        }
        var header = Array(("{" + fields.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var out: [UInt8] = []
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out += $0 }
        out += header
        for entry in entries { out += entry.3 }
        try Data(out).write(to: URL(fileURLWithPath: path))
    }

    static func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
    }

    @Test func importsAPrefixedFloat64StateDictThatEvaluatesExportsAndFineTunes() throws {
        let folder = TempFolder()
        let trained = try EvalCommandTests.trainDigits(in: folder)
        let weights = folder.path + "/w.safetensors"
        try Self.stateDict(
            of: trained + "/checkpoint-best.safetensors", prefix: "model.", float64: true, to: weights)
        let run = folder.path + "/imported"
        let result = try CLI.run(["import", weights, "--recipe", "digits-mlp", "--out", run, "--threads", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let binary = CLI.binary
        #expect(
            result.stdout.split(separator: "\n").map(String.init) == [
                "Imported 4 tensors (7510 values) from \(weights) into digits-mlp for digits (1x8x8 images, 10 classes).",
                "Every name matched the network's once the prefix \"model.\" was removed.",
                "Converted 4 tensors from F64 to float32, rounded to the nearest float32: 1.weight, 1.bias, 3.weight, 3.bias.",
                "Normalisation: mean 0.3046 std 0.3760 on the [0, 1] scale, the recipe's standardize: each channel's mean and std over the 1294 training images, as nnzoo train computes them (give --mean and --std if PyTorch used others).",
                "Run folder: \(run) (checkpoint-last.safetensors, run.json)",
                "Evaluate it:  \(binary) eval \(run)",
                "Export it:    \(binary) export \(run)",
                "Fine-tune it: \(binary) train --resume \(run) (60 epochs from these weights, a fresh SGD optimizer)",
            ])
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: run).sorted() == [
                ".lock", "checkpoint-last.safetensors", "run.json",
            ])

        // The same weights and normalisation as the run they came from: the same evaluation.
        let (original, before) = try CLI.json(["eval", trained, "--out", folder.path + "/e1"])
        let (imported, after) = try CLI.json(["eval", run, "--out", folder.path + "/e2"])
        #expect(original.status == 0 && imported.status == 0, "\(imported.stderr)")
        let a = try #require(before["metrics"] as? [String: Any])
        let b = try #require(after["metrics"] as? [String: Any])
        #expect(
            a["correct"] as? Int == b["correct"] as? Int && a["average_loss"] as? Double == b["average_loss"] as? Double
        )
        let text = try CLI.run(["eval", run, "--out", folder.path + "/e3"])
        #expect(
            text.stdout.hasPrefix(
                "Evaluating digits-mlp (imported from w.safetensors, for digits) from \(run)/checkpoint-last.safetensors\n"
            ))
        let checkpoint = try SafeTensorsFile.read(from: run + "/checkpoint-last.safetensors")
        let source = try SafeTensorsFile.read(from: trained + "/checkpoint-best.safetensors")
        #expect(checkpoint.metadata["normalization"] == source.metadata["normalization"])
        #expect(checkpoint.metadata["imported_from"] == "w.safetensors" && checkpoint.metadata["epoch"] == "0")
        let info = try Self.json(run + "/run.json")
        #expect(info["status"] as? String == "imported")
        let record = try #require(info["imported"] as? [String: Any])
        #expect(record["file"] as? String == weights && record["prefix"] as? String == "model.")
        #expect((record["sha256"] as? String)?.count == 64 && record["normalization"] as? String == "recipe")
        #expect(record["converted"] as? [String: [String]] == ["F64": ["1.weight", "1.bias", "3.weight", "3.bias"]])

        let export = try CLI.run(["export", run])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(
            export.stdout.hasPrefix(
                "Exported digits-mlp (imported from w.safetensors, for digits) from \(run)/checkpoint-last.safetensors\n"
            ))

        // Fine-tuning: train --resume starts at epoch 1 from the imported weights.
        let tune = try CLI.run(["train", "--resume", run, "--epochs", "1", "--threads", "1"])
        #expect(tune.status == 0, "\(tune.stderr)")
        #expect(
            tune.stdout.hasPrefix(
                "Fine-tuning digits-mlp on digits in \(run) from the weights imported from w.safetensors, with a fresh optimizer: epoch 1 of 1.\n"
            ))
        #expect(try Self.json(run + "/run.json")["status"] as? String == "finished")
        let tuned = try CLI.run(["eval", run, "--out", folder.path + "/e4"])
        #expect(
            tuned.stdout.hasPrefix(
                "Evaluating digits-mlp (epoch 1, fine-tuned on digits from weights imported from w.safetensors) from \(run)/checkpoint-best.safetensors\n"
            ))
    }

    @Test func givenNormalizationIsRecorded() throws {
        let folder = TempFolder()
        let trained = try EvalCommandTests.trainDigits(in: folder)
        let weights = folder.path + "/plain.safetensors"
        try Self.stateDict(of: trained + "/checkpoint-best.safetensors", prefix: "", float64: false, to: weights)
        let run = folder.path + "/run2"
        let result = try CLI.run([
            "import", weights, "--recipe", "digits-mlp", "--dataset", "digits", "--mean", "0.5", "--std", "0.25",
            "--out",
            run,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines[1] == "Every name matched the network's, as load_state_dict(strict=True) matches them.")
        #expect(lines[2] == "Normalisation: mean 0.5000 std 0.2500 on the [0, 1] scale, as given.")
        let checkpoint = try SafeTensorsFile.read(from: run + "/checkpoint-last.safetensors")
        #expect(checkpoint.metadata["normalization"] == #"{"max_value":16,"mean":[0.5],"std":[0.25]}"#)
    }

    @Test func refusesWeightsThatDoNotFitAndWritesNothing() throws {
        let folder = TempFolder()
        let trained = try EvalCommandTests.trainDigits(in: folder)
        let weights = folder.path + "/w.safetensors"
        try Self.stateDict(of: trained + "/checkpoint-best.safetensors", prefix: "", float64: false, to: weights)
        let run = folder.path + "/never"
        let everyLayer = CLI.packageRoot + "/Tools/reference/every-layer.json"

        // Another recipe's weights: every name is listed.
        let other = try CLI.run(["import", weights, "--recipe", everyLayer, "--out", run])
        #expect(other.status == 1)
        #expect(
            other.stderr.hasPrefix(
                """
                Error: The weights in \(weights) do not fit the network of recipe every-layer, as load_state_dict(strict=True) would say:
                  missing (the network has them, the file does not): "0.weight", "0.bias", "4.weight", "4.bias", "8.weight", "8.bias", "9.weight", "9.bias", "12.weight", "14.weight", "14.bias", "1.running_mean" and 3 more
                  unexpected (the file has them, the network does not): "3.weight", "3.bias"
                  wrong shape: "1.weight" is [100, 64] in the file, [6] in the network
                  wrong shape: "1.bias" is [100] in the file, [6] in the network
                """))
        // nnzoo's own checkpoint of another recipe: said so.
        let checkpoint = try CLI.run([
            "import", trained + "/checkpoint-best.safetensors", "--recipe", everyLayer, "--out", run,
        ])
        #expect(checkpoint.status == 1)
        #expect(
            checkpoint.stderr.contains(
                "The file is an nnzoo checkpoint of recipe digits-mlp; import it with --recipe digits-mlp, or use it as it is."
            ))

        // A weight stored as 32-bit integers.
        let ints = folder.path + "/ints.safetensors"
        try Self.write([("1.weight", "I32", [100, 64], Array(repeating: 0, count: 100 * 64 * 4))], to: ints)
        let integer = try CLI.run(["import", ints, "--recipe", "digits-mlp", "--out", run])
        #expect(integer.status == 1)
        #expect(
            integer.stderr
                == "Error: In \(ints), tensor \"1.weight\" has element type I32; nnzoo imports weights stored as F32, F64, F16 or BF16 (and BatchNorm's num_batches_tracked as I64). Save the state dict in one of those (with torch: model.float()).\n"
        )

        // Normalisation constants for the wrong number of channels, or half given.
        let channels = try CLI.run([
            "import", weights, "--recipe", "digits-mlp", "--mean", "0.1,0.2", "--std", "0.3,0.4", "--out", run,
        ])
        #expect(channels.status == 1)
        #expect(
            channels.stderr
                == "Error: --mean and --std give 2 values, but digits images have 1 channel: give one mean and one standard deviation per channel, on the [0, 1] scale (as torchvision's Normalize takes them).\n"
        )
        let half = try CLI.run(["import", weights, "--recipe", "digits-mlp", "--mean", "0.1"])
        #expect(half.status == 64 && half.stderr.contains("Give --mean and --std together"))
        let negative = try CLI.run(["import", weights, "--recipe", "digits-mlp", "--mean", "0.1", "--std", "-1"])
        #expect(
            negative.status == 64
                && negative.stderr.contains(
                    "--std takes numbers separated by commas, one per channel, each a number from 1e-12 to 1e6 "
                        + "(e.g. --std 0.3530), not '-1'.")
        )
        // Constants whose inputs (pixel - mean) / std are not finite in Float: refused before anything
        // is written, by the Limits entries the checkpoint reader checks (eval gave loss nan).
        let tiny = try CLI.run([
            "import", weights, "--recipe", "digits-mlp", "--mean", "1e308", "--std", "1e-308", "--out", run,
        ])
        #expect(tiny.status == 64)
        #expect(
            tiny.stderr.contains(
                "--mean takes numbers separated by commas, one per channel, each a number from -1e6 to 1e6 (e.g. --mean 0.2860), not '1e308'."
            ))
        let small = try CLI.run([
            "import", weights, "--recipe", "digits-mlp", "--mean", "0.5", "--std", "1e-308", "--out", run,
        ])
        #expect(
            small.status == 64
                && small.stderr.contains("each a number from 1e-12 to 1e6 (e.g. --std 0.3530), not '1e-308'."))
        #expect(!FileManager.default.fileExists(atPath: run))

        // A file that is not there, and a folder that already holds a run.
        let missing = try CLI.run([
            "import", folder.path + "/nothing.safetensors", "--recipe", "digits-mlp", "--out", run,
        ])
        #expect(missing.status == 1 && missing.stderr.contains("\(folder.path)/nothing.safetensors"))
        #expect(!FileManager.default.fileExists(atPath: run))
        let before = try Data(contentsOf: URL(fileURLWithPath: trained + "/checkpoint-last.safetensors"))
        let occupied = try CLI.run(["import", weights, "--recipe", "digits-mlp", "--out", trained])
        #expect(occupied.status == 1 && occupied.stderr.contains(trained))
        #expect(try Data(contentsOf: URL(fileURLWithPath: trained + "/checkpoint-last.safetensors")) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") } == [])
    }
}
