import Foundation
import NNAugment
import NNZooKit
import Testing

/// `nnzoo eval` through the built binary: a digits run trained by `nnzoo train`, then evaluated.
@Suite(.serialized) struct EvalCommandTests {
    /// Trains digits-mlp for 2 epochs (a fraction of a second) into `folder/run`.
    static func trainDigits(in folder: TempFolder) throws -> String {
        let run = folder.path + "/run"
        let train = try CLI.run(["train", "digits-mlp", "--epochs", "2", "--threads", "1", "--out", run])
        #expect(train.status == 0, "train failed: \(train.stderr)")
        return run
    }

    @Test func evaluatesATrainedRun() throws {
        let folder = TempFolder()
        let run = try Self.trainDigits(in: folder)
        let result = try CLI.run(["eval", run, "--threads", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(
            lines[0] == "Evaluating digits-mlp (epoch 2, trained on digits) from \(run)/checkpoint-best.safetensors")
        #expect(lines[1] == "on the digits test split: 359 images of 1x8x8, 10 classes.")
        // The same numbers nnzoo train reported for the best checkpoint on the test split.
        let runInfo = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/run.json")))
                as? [String: Any])
        let testBest = try #require(runInfo["test_best"] as? [String: Any])
        let correct = try #require(testBest["correct"] as? Int)
        let loss = try #require(testBest["loss"] as? Double)
        #expect(
            lines[3]
                == String(
                    format: "accuracy %.2f%% (%d of 359 correct), average loss %.4f", Double(correct) / 3.59, correct,
                    loss))
        #expect(lines[5] == "class           precision   recall       F1  support  predicted")
        #expect(lines[16].hasPrefix("macro avg (10) "))
        #expect(lines[18] == "confusion matrix: rows are true classes, columns predicted classes (. = 0)")
        #expect(lines[19] == "true\\pred    0    1    2    3    4    5    6    7    8    9")
        #expect(result.stdout.contains("Misclassified images in misclassified.png, a row per true class"))
        #expect(result.stdout.contains("Most confused pairs (true → predicted: images, share of the true class):"))
        let written = lines.filter { !$0.isEmpty }.suffix(2)
        #expect(
            Array(written) == [
                "Wrote \(run)/eval/: report.json, confusion.csv, confusion.png, misclassified.png, misclassified.csv, "
                    + "report.html",
                "All of it on one page, with the run's settings and curves: \(run)/eval/report.html",
            ])

        // The files: the CSV's rows add up to the test split; the report agrees with the table.
        let csv = try String(contentsOfFile: run + "/eval/confusion.csv", encoding: .utf8)
        let csvLines = csv.split(separator: "\n")
        #expect(csvLines.first == "true\\predicted,0,1,2,3,4,5,6,7,8,9" && csvLines.count == 11)
        let counts = csvLines.dropFirst().map { $0.split(separator: ",").dropFirst().compactMap { Int($0) } }
        #expect(counts.joined().reduce(0, +) == 359)
        #expect((0..<10).map { counts[$0][$0] }.reduce(0, +) == correct)
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/eval/report.json")))
                as? [String: Any])
        let metrics = try #require(report["metrics"] as? [String: Any])
        #expect(metrics["correct"] as? Int == correct && metrics["count"] as? Int == 359)
        #expect(report["checkpoint"] as? String == run + "/checkpoint-best.safetensors")
        let heatmap = try PNGImage.read(from: run + "/eval/confusion.png")
        // 10 squares of 48 from (60, 68) (the names "0" to "9" stand upright above the columns);
        // the legend bar 16 to the right, 14 wide, then a tick (4), 6 blank and "100%" at scale 2
        // (46 pixels), and a margin of 12: 60 + 480 + 16 + 14 + 4 + 6 + 46 + 12 = 638.
        #expect(heatmap.width == 638 && heatmap.height == 68 + 480 + 12)
        let grid = try PNGImage.read(from: run + "/eval/misclassified.png")
        let misclassifiedRows = (report["misclassified"] as? [[String: Any]])?.count ?? 0
        // 8x8 digits at scale 12 are 96 pixels, under a 13-pixel title, over two caption lines
        // (23 pixels); gaps of 4.
        #expect(misclassifiedRows > 0 && grid.height == 4 + misclassifiedRows * (13 + 96 + 23 + 4))
        let listed = try String(contentsOfFile: run + "/eval/misclassified.csv", encoding: .utf8)
        #expect(listed.hasPrefix("row,column,index,true,true_name,predicted,predicted_name,probability\n1,1,"))
        // No temporary files are left in eval/ (the lock file of its writers stays).
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: run + "/eval").sorted() == [
                ".lock", "confusion.csv", "confusion.png", "misclassified.csv", "misclassified.png", "report.html",
                "report.json",
            ])
    }

    /// A checkpoint whose weights hold NaN evaluates (its numbers are what they are) but says so
    /// first, naming the tensors: it evaluated to "10.03%" without a word.
    @Test func aCheckpointWithNaNWeightsIsWarnedAbout() throws {
        let folder = TempFolder()
        let run = try Self.trainDigits(in: folder)
        let checkpoint = try Checkpoint.read(from: run + "/checkpoint-best.safetensors")
        #expect(checkpoint.nonFiniteTensors.isEmpty)
        let weight = try #require(checkpoint.model.namedParameters.first { $0.name == "1.weight" }?.parameter)
        weight.value.withUnsafeMutableBufferPointer { values in
            values[0] = .nan
            values[5] = .infinity
        }
        let path = folder.path + "/nan.safetensors"
        try checkpoint.write(to: path)
        let result = try CLI.run(["eval", path, "--threads", "1", "--out", folder.path + "/eval"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stderr.hasPrefix(
                "Warning: \(path) holds 2 weights that are NaN or infinite (1.weight 2 of \(weight.value.count)): the "
                    + "network's outputs are not numbers, so the figures below measure nothing. The run it came from "
                    + "probably diverged; train again with a smaller --lr.\n"), "\(result.stderr)")
        let clean = try CLI.run(["eval", run, "--threads", "1"])
        #expect(!clean.stderr.contains("Warning"))
    }

    @Test func jsonLastCheckpointTrainSplitAndOut() throws {
        let folder = TempFolder()
        let run = try Self.trainDigits(in: folder)
        let out = folder.path + "/elsewhere"
        let (result, report) = try CLI.json(["eval", run, "--last", "--split", "train", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(report["checkpoint"] as? String == run + "/checkpoint-last.safetensors")
        #expect(report["split"] as? String == "train" && report["dataset"] as? String == "digits")
        #expect(report["epoch"] as? Int == 2 && report["recipe"] as? String == "digits-mlp")
        let metrics = try #require(report["metrics"] as? [String: Any])
        #expect(metrics["count"] as? Int == 1438)
        #expect((report["files"] as? [String])?.first == out + "/report.json")
        #expect(FileManager.default.fileExists(atPath: out + "/confusion.png"))
        #expect(!FileManager.default.fileExists(atPath: run + "/eval"))
        // A checkpoint file: its evaluation goes beside it.
        let file = try CLI.run(["eval", run + "/checkpoint-last.safetensors", "--mistakes-per-class", "1"])
        #expect(file.status == 0 && FileManager.default.fileExists(atPath: run + "/eval/report.json"))
    }

    @Test func refusesWhatItCannotEvaluate() throws {
        let folder = TempFolder()
        let missing = try CLI.run(["eval", folder.path + "/no-such-run"])
        #expect(missing.status != 0)
        #expect(
            missing.stderr
                == "Error: \(folder.path)/no-such-run does not exist. Give a run folder (runs/<recipe>-<time>, as nnzoo train printed it), a checkpoint file (.safetensors) or the zoo's weights as RECIPE@DATASET (e.g. digits-mlp@digits).\n"
        )

        try FileManager.default.createDirectory(atPath: folder.path + "/empty", withIntermediateDirectories: true)
        let empty = try CLI.run(["eval", folder.path + "/empty"])
        #expect(empty.status != 0)
        #expect(
            empty.stderr.hasPrefix(
                "Error: The folder \(folder.path)/empty holds no checkpoint: looked for checkpoint-best.safetensors and checkpoint-last.safetensors."
            ))

        let run = try Self.trainDigits(in: folder)
        // The digits MLP takes 64 inputs: Fashion-MNIST's 28x28 images do not fit it. Refused
        // before any data is read.
        let wrong = try CLI.run(["eval", run, "--dataset", "fashion-mnist", "--data-dir", folder.path + "/nothing"])
        #expect(wrong.status != 0)
        #expect(
            wrong.stderr.hasPrefix(
                "Error: The checkpoint \(run)/checkpoint-best.safetensors holds digits-mlp, trained on digits, which cannot be evaluated on fashion-mnist (1x28x28 images): layer 1 (Linear(64 -> 100)) takes 64 inputs, but 1x28x28 images flatten to 784 values. Evaluate it on digits (leave out --dataset);"
            ))
        #expect(!FileManager.default.fileExists(atPath: run + "/eval"))

        // A truncated checkpoint.
        let bytes = try #require(FileManager.default.contents(atPath: run + "/checkpoint-best.safetensors"))
        let truncated = folder.write([UInt8](bytes.prefix(200)), to: "truncated.safetensors")
        let corrupt = try CLI.run(["eval", truncated])
        #expect(corrupt.status != 0)
        #expect(corrupt.stderr.hasPrefix("Error: The checkpoint \(truncated) declares a "))
        #expect(corrupt.stderr.contains("The file is truncated or corrupt"))

        // Options that make no sense together.
        let lastFile = try CLI.run(["eval", run + "/checkpoint-best.safetensors", "--last"])
        #expect(lastFile.status != 0 && lastFile.stderr.contains("--last chooses checkpoint-last.safetensors"))
        let unknown = try CLI.run(["eval", run, "--dataset", "imagenet"])
        #expect(unknown.status != 0 && unknown.stderr.contains("There is no dataset called 'imagenet'"))
        let many = try CLI.run(["eval", run, "--mistakes-per-class", "0"])
        #expect(many.status != 0 && many.stderr.contains("--mistakes-per-class must be between 1 and 100"))
    }
}
