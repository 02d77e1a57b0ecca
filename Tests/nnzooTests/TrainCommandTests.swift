import Foundation
import NNZooKit
import Testing

/// `nnzoo train` through the built binary: a run on the shipped digits, its folder, interruption by the
/// test hook and by a real SIGINT, resume, and the errors a user meets.
@Suite(.serialized) struct TrainCommandTests {
    private var data: String { CLI.packageRoot + "/Data" }

    /// Every tensor of a checkpoint, by name.
    private func tensors(_ path: String) throws -> [String: SafeTensorsValue] {
        Dictionary(uniqueKeysWithValues: try SafeTensorsFile.read(from: path).tensors.map { ($0.name, $0.value) })
    }

    private func train(_ arguments: [String]) throws -> CLI.Result {
        try CLI.run(["train"] + arguments + ["--data-dir", data, "--threads", "1"])
    }

    @Test func digitsMLPTrainsAndFillsItsRunFolder() throws {
        let folder = TempFolder()
        let out = folder.path + "/run"
        let result = try train(["digits-mlp", "--epochs", "2", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.first?.hasPrefix(
                "Training digits-mlp on digits (1x8x8 images, 10 classes): 1294 training and 144 validation images")
                == true)
        #expect(lines.contains { $0.hasPrefix("Epoch 1/2  train loss ") && $0.contains("  val loss ") })
        #expect(lines.contains { $0.hasPrefix("Epoch 2/2  train loss ") })
        #expect(lines.contains { $0.hasPrefix("Test accuracy: ") && $0.contains(" of 359 digits test images right") })
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: out))
        #expect(
            files == [
                ".lock", "checkpoint-best.safetensors", "checkpoint-last.safetensors", "curves.svg", "metrics.csv",
                "metrics.jsonl", "run.json",
            ])
        let svg = try String(contentsOfFile: out + "/curves.svg", encoding: .utf8)
        #expect(svg.contains("digits-mlp on digits"))
        let csv = try String(contentsOfFile: out + "/metrics.csv", encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 3)
        let run = try RunInfo.read(from: out + "/run.json")
        #expect(run.status == "finished")
        #expect(run.recipe.name == "digits-mlp")
        #expect(run.settings.epochs == 2)
        #expect(run.settings.threads == 1)
        #expect(run.arguments.prefix(4) == ["train", "digits-mlp", "--epochs", "2"])
        #expect(
            run.datasetFiles.map(\.sha256) == ["6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8"])
        #expect(run.datasetFiles.first?.registry == "matches")
        #expect(run.testBest?.examples == 359)
        #expect(run.version == NNZooVersion.string)
        let last = try Checkpoint.read(from: out + "/checkpoint-last.safetensors")
        #expect(last.info.epoch == 2)
        #expect(last.info.settings?.augmentation == "shift:1")
        let best = try Checkpoint.read(from: out + "/checkpoint-best.safetensors")
        #expect(best.info.epoch == run.bestEpoch)
        // The finished run's curves mark the best epoch and checkpoint-best's test accuracy.
        let testPercent = String(format: "test %.1f%%", (run.testBest?.accuracy ?? 0) * 100)
        #expect(svg.contains(">best epoch \(best.info.epoch ?? 0)</text>") && svg.contains(">\(testPercent)</text>"))
        #expect(svg.contains("id=\"learning-rate-panel\"") && !svg.contains("class=\"resumed\""))
        // nnzoo eval on the run folder reports what train reported for checkpoint-best.
        let (evaluation, report) = try CLI.json(["eval", out, "--threads", "1"])
        #expect(evaluation.status == 0, "\(evaluation.stderr)")
        let metrics = try #require(report["metrics"] as? [String: Any])
        #expect(metrics["correct"] as? Int == run.testBest?.correct)
        #expect(metrics["count"] as? Int == 359)
    }

    @Test func aRunStoppedByTheHookResumesToTheSameWeights() throws {
        let folder = TempFolder()
        let straight = folder.path + "/straight"
        let resumed = folder.path + "/resumed"
        #expect(try train(["digits-mlp", "--epochs", "2", "--out", straight]).status == 0)
        // 41 batches of 32 per epoch: stop in the middle of the first.
        let stopped = try train(["digits-mlp", "--epochs", "2", "--out", resumed, "--stop-after-batches", "30"])
        #expect(stopped.status == 130)
        #expect(
            stopped.stderr.contains(
                "Interrupted in epoch 1 of 2, after batch 30 of 41. Saved \(resumed)/checkpoint-last.safetensors.\n"
                    + "Continue this run with:\n  \(CLI.program) train --resume \(resumed) --data-dir \(data)\n"))
        let partial = try RunInfo.read(from: resumed + "/run.json")
        #expect(partial.status == "interrupted")
        let continued = try CLI.run(["train", "--resume", resumed, "--data-dir", data])
        #expect(continued.status == 0, "\(continued.stderr)")
        #expect(
            continued.stdout.hasPrefix("Resuming digits-mlp on digits in \(resumed) at epoch 1 of 2, batch 31 of 41."))
        #expect(
            try tensors(resumed + "/checkpoint-last.safetensors") == tensors(straight + "/checkpoint-last.safetensors"))
        let run = try RunInfo.read(from: resumed + "/run.json")
        #expect(run.status == "finished")
        #expect(run.resumed.count == 1)
        #expect(run.settings.threads == 1)
        // The curves mark the resume, 30 of 41 batches into epoch 1, on each of the three panels.
        let curves = try String(contentsOfFile: resumed + "/curves.svg", encoding: .utf8)
        #expect(curves.contains("resumed at epoch \(String(format: "%.2f", 30.0 / 41))"))
    }

    @Test func ctrlCSavesAResumableCheckpointAndSaysHowToContinue() throws {
        let folder = TempFolder()
        // A constant learning rate, so a run cut short and continued for fewer epochs matches a run of
        // that many epochs.
        let recipe = try String(contentsOfFile: CLI.packageRoot + "/zoo/digits-mlp.json", encoding: .utf8)
            .replacingOccurrences(of: #""schedule": {"type": "cosine"}"#, with: #""schedule": {"type": "constant"}"#)
        let recipePath = folder.path + "/constant.json"
        try recipe.write(toFile: recipePath, atomically: true, encoding: .utf8)
        let out = folder.path + "/run"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = [
            "train", recipePath, "--epochs", "100000", "--out", out, "--data-dir", data, "--threads", "1",
        ]
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: out + "/checkpoint-last.safetensors"), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        Thread.sleep(forTimeInterval: 0.2)
        kill(process.processIdentifier, SIGINT)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 130)
        #expect(message.contains("Stopping after this batch and saving a resumable checkpoint"))
        #expect(
            message.contains("Continue this run with:\n  \(CLI.program) train --resume \(out) --data-dir \(data)\n"))
        let checkpoint = try Checkpoint.read(from: out + "/checkpoint-last.safetensors")
        let state = try #require(checkpoint.info.resume)
        // Finish the epoch in progress and compare with an uninterrupted run of as many epochs.
        let epochs = state.epoch + 1
        let continued = try CLI.run([
            "train", "--resume", out, "--epochs", "\(epochs)", "--data-dir", data,
        ])
        #expect(continued.status == 0, "\(continued.stderr)")
        let straight = folder.path + "/straight"
        #expect(try train([recipePath, "--epochs", "\(epochs)", "--out", straight]).status == 0)
        #expect(try tensors(out + "/checkpoint-last.safetensors") == tensors(straight + "/checkpoint-last.safetensors"))
    }

    @Test func anIncompatibleRecipeIsRefusedWithWhatFits() throws {
        let result = try train(["convnet-dropout", "--dataset", "digits"])
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "Error: The recipe convnet-dropout cannot train on digits (1x8x8 images): layer 3 (Conv2d(20 "
                + "channels, kernel_size 5)) needs an input of at least 5x5 pixels, but receives 2x2 (what 1x8x8 "
                + "images become after the layers before it). Recipes that fit digits: digits-hinge, digits-mlp, "
                + "sigmoid-mlp, vgg-bn.\n")
    }

    @Test func aBrokenRecipeFileIsNamedWithItsField() throws {
        let folder = TempFolder()
        let recipe = try String(contentsOfFile: CLI.packageRoot + "/zoo/digits-mlp.json", encoding: .utf8)
            .replacingOccurrences(of: #"{"type": "ReLU"}"#, with: #"{"type": "Relu6"}"#)
        let path = folder.path + "/broken.json"
        try recipe.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try train([path])
        #expect(result.status == 1)
        #expect(
            result.stderr.hasPrefix(
                "Error: In the recipe \(path), layers[2].type is \"Relu6\", which is not a layer type nnzoo knows."))
        let unknown = try train(["no-such-recipe"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("There is no recipe called 'no-such-recipe'"))
        #expect(
            unknown.stderr.contains(
                "Recipes available: circles-hinge, convnet-dropout, convnet-dropout-augmented, d2l-mlp"))
    }

    @Test func missingDataPointsToFetchAndTrainingNeverDownloads() throws {
        let folder = TempFolder()
        let result = try CLI.run([
            "train", "mlp-784-100-10", "--dataset", "mnist", "--data-dir", folder.path, "--out", folder.path + "/run",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("Error: The mnist dataset is not available: "))
        #expect(result.stderr.contains("Run `\(CLI.program) fetch mnist` to download it"))
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/mnist"))
    }

    @Test func resumeErrorsSayWhatToDo() throws {
        let folder = TempFolder()
        let empty = try CLI.run(["train", "--resume", folder.path])
        #expect(empty.status == 1)
        #expect(
            empty.stderr
                == "Error: The folder \(folder.path) has no checkpoint-last.safetensors to resume from. Give the run "
                + "folder that nnzoo train printed (runs/<recipe>-<time>), or start a new run without --resume.\n")
        let out = folder.path + "/run"
        #expect(try train(["digits-mlp", "--epochs", "1", "--out", out]).status == 0)
        let conflict = try CLI.run(["train", "--resume", out, "--lr", "0.5", "--data-dir", data])
        #expect(conflict.status == 1)
        #expect(
            conflict.stderr
                == "Error: The run in \(out) was started with --lr 0.05; resuming it with 0.5 would not continue the "
                + "same run. Leave --lr out when resuming, or start a new run.\n")
        let finished = try CLI.run(["train", "--resume", out, "--data-dir", data])
        #expect(finished.status == 1)
        #expect(
            finished.stderr.contains(
                "has already trained all its 1 epoch. To train further, resume with more epochs: \(CLI.program) train --resume \(out) --epochs 6."
            ))
        let again = try train(["digits-mlp", "--epochs", "1", "--out", out])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already holds a training run"))
        let arguments = try CLI.run(["train"])
        #expect(arguments.status == 64)
        #expect(arguments.stderr.contains("Give a recipe to train"))
    }
}
