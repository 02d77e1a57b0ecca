import FixtureSupport
import Foundation
import NNCore
import NNData
import NNZooKit
import Testing

/// `RECIPE@DATASET` in predict, eval and export, and `export --format safetensors`, through the
/// built binary: on weights made in a zoo folder of the test's own (found first, as `./zoo`), and on
/// the weights the repository ships.
@Suite(.serialized) struct ZooWeightsCommandTests {
    /// A folder holding `zoo/weights/digits-hinge@digits.safetensors` and its table, made by the
    /// recorded command (100 full-batch steps: well under a second).
    static func zooWithHinge() throws -> (folder: TempFolder, entry: ZooWeights.Entry) {
        let folder = TempFolder()
        let weights = folder.path + "/zoo/weights"
        try FileManager.default.createDirectory(atPath: weights, withIntermediateDirectories: true)
        let train = try CLI.run(
            ["train", "digits-hinge", "--dataset", "digits", "--threads", "1", "--out", "runs/digits-hinge@digits"],
            in: folder.path)
        #expect(train.status == 0, "\(train.stderr)")
        let export = try CLI.run(
            [
                "export", "runs/digits-hinge@digits", "--format", "safetensors", "--out",
                "zoo/weights/digits-hinge@digits.safetensors",
            ], in: folder.path)
        #expect(export.status == 0, "\(export.stderr)")
        let bytes = try ReadableFile.readAll(weights + "/digits-hinge@digits.safetensors", limit: 1 << 20)
        let entry = ZooWeights.Entry(
            recipe: "digits-hinge", dataset: "digits", file: "digits-hinge@digits.safetensors",
            sha256: SHA256.hex(bytes), bytes: bytes.count, testAccuracy: 19.78, testCorrect: 71, testTotal: 359,
            epoch: 1, epochs: 100, threads: 1,
            command: ZooWeights.command(recipe: "digits-hinge", dataset: "digits", threads: 1), version: "0.1.0",
            commit: nil, made: "2026-12-05")
        try ZooWeights(weights: [entry]).write(to: weights + "/index.json")
        return (folder, entry)
    }

    @Test func exportAsSafetensorsIsTheSameFileForTheSameCommand() throws {
        let (folder, entry) = try Self.zooWithHinge()
        // The same command again: the same bytes, though the runs' times differ.
        let again = try CLI.run(
            ["train", "digits-hinge", "--dataset", "digits", "--threads", "1", "--out", "runs/again"], in: folder.path)
        #expect(again.status == 0, "\(again.stderr)")
        let export = try CLI.run(["export", "runs/again", "--format", "safetensors"], in: folder.path)
        #expect(export.status == 0, "\(export.stderr)")
        let bytes = try ReadableFile.readAll(folder.path + "/runs/again/model.safetensors", limit: 1 << 20)
        #expect(SHA256.hex(bytes) == entry.sha256)
        #expect(
            export.stdout
                == "Exported digits-hinge (epoch 1, trained on digits) from runs/again/checkpoint-best.safetensors\n"
                + "to runs/again/model.safetensors (\(bytes.count) bytes, SHA-256 \(entry.sha256)): 2 tensors and the "
                + "metadata eval, predict and export read; no optimizer state, no per-epoch times.\n")
        // What it holds: the model and what eval needs; no optimizer, no resume state, no times.
        let file = try SafeTensorsFile.read(from: folder.path + "/runs/again/model.safetensors")
        #expect(file.tensors.map(\.name).sorted() == ["1.bias", "1.weight"])
        #expect(file.metadata["metrics"] == "[]" && file.metadata["resume"] == nil && file.metadata["optimizer"] == nil)
        #expect(file.metadata["epoch"] == "1" && file.metadata["kind"] == "best")
        // The last checkpoint, which holds the optimizer state, is written without it too.
        let last = try CLI.run(
            ["export", "runs/again", "--last", "--format", "safetensors", "--out", "last.safetensors"], in: folder.path)
        #expect(last.status == 0, "\(last.stderr)")
        let lastFile = try SafeTensorsFile.read(from: folder.path + "/last.safetensors")
        #expect(!lastFile.tensors.contains { $0.name.hasPrefix("optimizer.") } && lastFile.metadata["resume"] == nil)
        // An ONNX-only option is refused.
        let refused = try CLI.run(
            [
                "export", "runs/again", "--format", "safetensors", "--no-include-normalization", "--out",
                "x.safetensors",
            ],
            in: folder.path)
        #expect(refused.status != 0)
        #expect(
            refused.stderr.hasPrefix(
                "Error: --include-normalization and --no-include-normalization are for --format onnx"))
    }

    @Test func predictEvalAndExportTakeRecipeAtDataset() throws {
        let (folder, _) = try Self.zooWithHinge()
        let test = try PredictCommandTests.digitsTest()
        folder.write(try PredictCommandTests.png(test, 0), to: "zero.png")
        let predict = try CLI.run(["predict", "digits-hinge@digits", "zero.png", "--json"], in: folder.path)
        #expect(predict.status == 0, "\(predict.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(predict.stdout.utf8)) as? [String: Any])
        let model = try #require(document["model"] as? [String: Any])
        #expect(model["checkpoint"] as? String == folder.path + "/zoo/weights/digits-hinge@digits.safetensors")

        let eval = try CLI.run(["eval", "digits-hinge@digits", "--threads", "1"], in: folder.path)
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.contains("Accuracy: 19.78%") || eval.stdout.contains("19.78%"), "\(eval.stdout)")
        #expect(FileManager.default.fileExists(atPath: folder.path + "/runs/digits-hinge@digits-eval/report.json"))

        let export = try CLI.run(["export", "digits-hinge@digits"], in: folder.path)
        #expect(export.status == 0, "\(export.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.path + "/digits-hinge@digits.onnx"))
    }

    @Test func unknownRecipesMissingWeightsAndChangedFilesAreRefused() throws {
        let (folder, entry) = try Self.zooWithHinge()
        folder.write([0], to: "x.png")
        let misspelt = try CLI.run(["predict", "digits-hnige@digits", "x.png"], in: folder.path)
        #expect(misspelt.status == 1)
        #expect(
            misspelt.stderr.hasPrefix(
                "Error: There is no recipe called 'digits-hnige' (in 'digits-hnige@digits'). Did you mean digits-hinge?"
            ),
            "\(misspelt.stderr)")

        let unfit = try CLI.run(["eval", "digits-hinge@fashion-mnist"], in: folder.path)
        #expect(unfit.status == 1)
        #expect(
            unfit.stderr.hasPrefix(
                "Error: There are no weights for digits-hinge@fashion-mnist: digits-hinge cannot be trained on fashion-mnist ("
            ), "\(unfit.stderr)")
        #expect(unfit.stderr.contains(" The zoo ships weights for digits-hinge as digits-hinge@digits."))

        // MNIST's files are not in the repository: no weights are shipped for it.
        let other = try CLI.run(["eval", "sigmoid-mlp@mnist"], in: folder.path)
        #expect(other.status == 1)
        #expect(
            other.stderr.hasPrefix("Error: There are no weights for sigmoid-mlp@mnist (looked in "), "\(other.stderr)")
        #expect(
            other.stderr.contains(
                "Train them with: \(CLI.program) train sigmoid-mlp --dataset mnist --out runs/sigmoid-mlp@mnist, then "
                    + "give the run folder runs/sigmoid-mlp@mnist in place of sigmoid-mlp@mnist."))

        // One byte changed: refused before anything is read from it, naming both digests.
        let path = folder.path + "/zoo/weights/" + entry.file
        var bytes = try ReadableFile.readAll(path, limit: 1 << 20)
        bytes[bytes.count - 1] ^= 1
        folder.write(bytes, to: "zoo/weights/" + entry.file)
        for command in [["predict", "digits-hinge@digits", "x.png"], ["eval", "digits-hinge@digits"]] {
            let changed = try CLI.run(command, in: folder.path)
            #expect(changed.status == 1)
            #expect(
                changed.stderr.hasPrefix(
                    "Error: \(path) is not the file \(folder.path)/zoo/weights/index.json lists: expected SHA-256 "
                        + "\(entry.sha256), found SHA-256 \(SHA256.hex(bytes)) (\(bytes.count) bytes)."),
                "\(changed.stderr)")
        }
        // A name that is a file or folder is that file or folder.
        let named = try CLI.run(["eval", "no@such"], in: folder.path)
        #expect(named.status == 1)
        #expect(named.stderr.hasPrefix("Error: There is no recipe called 'no' (in 'no@such')."))
    }

    /// The shipped weights of the quick recipes (digits, toy sets: seconds each), remade with the
    /// command their table records: the same file, byte for byte. Tools/zoo-weights check does it for all.
    @Test func theShippedQuickWeightsAreReproducedByteForByte() throws {
        let table = try ZooWeights.read(from: CLI.packageRoot + "/zoo/weights/index.json")
        let quick = table.weights.filter { entry in
            entry.dataset == "digits" || ((try? DatasetReference.named(entry.dataset))??.kind == .toy)
        }
        #expect(!quick.isEmpty)
        for entry in quick {
            let folder = TempFolder()
            try FileManager.default.createDirectory(
                atPath: folder.path + "/zoo/weights", withIntermediateDirectories: true)
            for command in entry.command.components(separatedBy: " && ") {
                let words = command.split(separator: " ").map(String.init)
                try #require(words.first == "nnzoo")
                let result = try CLI.run(Array(words.dropFirst()), in: folder.path)
                #expect(result.status == 0, "\(command): \(result.stderr)")
            }
            let made = try ReadableFile.readAll(folder.path + "/zoo/weights/" + entry.file, limit: 1 << 24)
            let shipped = try ReadableFile.readAll(CLI.packageRoot + "/zoo/weights/" + entry.file, limit: 1 << 24)
            #expect(made == shipped, "\(entry.name): made SHA-256 \(SHA256.hex(made)), shipped \(SHA256.hex(shipped))")
        }
    }

    /// From a folder without a zoo (as after a fresh clone): the repository's weights, no training, no
    /// dataset files read.
    @Test func predictTakesTheShippedWeights() throws {
        let folder = TempFolder()
        let test = try PredictCommandTests.digitsTest()
        folder.write(try PredictCommandTests.png(test, 0), to: "zero.png")
        let result = try CLI.run(
            ["predict", "digits-mlp@digits", "zero.png", "--json"], in: folder.path,
            environment: ["NNZOO_DATA": folder.path + "/no-data"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let model = try #require(document["model"] as? [String: Any])
        let shipped = CLI.packageRoot + "/zoo/weights/digits-mlp@digits.safetensors"
        #expect(model["checkpoint"] as? String == shipped)
        let entries = try #require(document["predictions"] as? [[String: Any]])
        let top = try #require((entries.first?["top"] as? [[String: Any]])?.first)
        // The class eval gives the same image with the same weights.
        let checkpoint = try Checkpoint.read(from: shipped)
        let eval = CheckpointEvaluation.predict(checkpoint.model, info: checkpoint.info, on: test.subset([0]))
        #expect(top["index"] as? Int == eval.predicted[0])
    }
}
