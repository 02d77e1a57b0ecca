import Foundation
import NNZooKit
import Testing

/// `nnzoo train` refuses runs that cannot fit in memory before reading any data, and finishes a run
/// killed between its last epoch and its test results.
@Suite(.serialized) struct TrainHardeningTests {
    private var data: String { CLI.packageRoot + "/Data" }

    @Test func aNetworkThatCannotFitIsRefusedUpFrontWithTheEstimate() throws {
        let folder = TempFolder()
        var recipe = try String(contentsOfFile: CLI.packageRoot + "/zoo/digits-mlp.json", encoding: .utf8)
        recipe = recipe.replacingOccurrences(of: "\"out_features\": 100", with: "\"out_features\": 1000000000")
            .replacingOccurrences(of: "\"name\": \"digits-mlp\"", with: "\"name\": \"huge\"")
        let path = folder.write(Array(recipe.utf8), to: "huge.json")
        let result = try CLI.run(["train", path, "--data-dir", data, "--threads", "1"], in: folder.path)
        #expect(result.status == 1)
        #expect(
            result.stderr.hasPrefix(
                "Error: Training huge on digits would need about 2.6 TB: the dataset 210.3 kB (1438 training and 359 "
                    + "test images), the network 1.8 TB (75000000010 parameters with gradients and optimizer state), "
                    + "batches of 32 768.0 GB; this machine allows "),
            "\(result.stderr)")
        #expect(result.stderr.contains("Nothing was loaded. Use a smaller --batch-size or a smaller network"))
        #expect(result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/runs"), "no run folder")
    }

    @Test func aMemoryLimitBelowTheEstimateRefusesEvenDigits() throws {
        let folder = TempFolder()
        let result = try CLI.run(
            ["train", "digits-mlp", "--data-dir", data, "--threads", "1"], in: folder.path,
            environment: ["NNZOO_MEMORY_LIMIT": "100K"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("this machine allows 102.4 kB (NNZOO_MEMORY_LIMIT). Nothing was loaded."))
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/runs"))
    }

    /// A run folder that cannot be made is said in the system's words, naming the part of the path
    /// that is in the way (it said "The operation could not be completed. (NSCocoaErrorDomain error
    /// 512.)").
    @Test func aRunFolderUnderAFileNamesTheFile() throws {
        let folder = TempFolder()
        let file = folder.write(Array("x".utf8), to: "notes")
        let result = try CLI.run(
            ["train", "digits-mlp", "--data-dir", data, "--threads", "1", "--out", file + "/runs/one"],
            in: folder.path)
        #expect(result.status == 1)
        #expect(
            result.stderr.hasPrefix(
                "Error: Cannot create the run folder \(file)/runs/one: \(file) is a file, not a folder. Choose "
                    + "another folder with --out."), "\(result.stderr)")
        #expect(!result.stderr.contains("NSCocoaErrorDomain"))
    }

    /// A limit that is not a size is said, not ignored (NNZOO_MEMORY_LIMIT=abc meant no limit).
    @Test(arguments: ["abc", "-5", "0", "12X", "99999999999G"])
    func aMemoryLimitThatIsNotASizeIsRefused(_ value: String) throws {
        let folder = TempFolder()
        let result = try CLI.run(
            ["train", "digits-mlp", "--data-dir", data, "--threads", "1"], in: folder.path,
            environment: ["NNZOO_MEMORY_LIMIT": value])
        #expect(result.status == 1)
        #expect(
            result.stderr.hasPrefix(
                "Error: NNZOO_MEMORY_LIMIT is '\(value)', which is not a memory size: give a whole number of bytes "
                    + "above 0, or one with K, M or G (NNZOO_MEMORY_LIMIT=512M), or unset it."), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/runs"))
    }

    /// Killed after the last epoch's checkpoint but before run.json recorded the test results: the
    /// run folder is resumable, and --resume only evaluates and records.
    @Test func aRunKilledBeforeItsTestResultsFinishesOnResume() throws {
        let folder = TempFolder()
        let out = folder.path + "/run"
        let first = try CLI.run([
            "train", "digits-mlp", "--epochs", "1", "--out", out, "--data-dir", data, "--threads", "1",
        ])
        #expect(first.status == 0, "\(first.stderr)")
        // What run.json holds while the last epoch's checkpoint is already written.
        var run = try RunInfo.read(from: out + "/run.json")
        run.status = "running"
        run.testBest = nil
        run.testLast = nil
        try run.write(to: out + "/run.json")
        let resumed = try CLI.run(["train", "--resume", out, "--data-dir", data, "--threads", "1"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(
            resumed.stdout.hasPrefix(
                "Finishing digits-mlp on digits in \(out): all 1 epochs were trained before it stopped; evaluating on the test split."
            ))
        #expect(resumed.stdout.contains("Test accuracy: "))
        let after = try RunInfo.read(from: out + "/run.json")
        #expect(after.status == "finished" && after.testBest?.examples == 359)
        // Finished for good: another resume needs more epochs.
        let again = try CLI.run(["train", "--resume", out, "--data-dir", data, "--threads", "1"])
        #expect(again.status == 1 && again.stderr.contains("has already trained all its 1 epoch"))
    }

    @Test func aRunFolderAppearsOnlyWithItsFirstCheckpoint() throws {
        let folder = TempFolder()
        let runs = folder.path + "/runs"
        try FileManager.default.createDirectory(atPath: runs, withIntermediateDirectories: true)
        // A staging folder left by a run killed while starting (its process is gone).
        try FileManager.default.createDirectory(
            atPath: runs + "/.digits-mlp-20260101-000000.starting-999999", withIntermediateDirectories: true)
        let result = try CLI.run(
            ["train", "digits-mlp", "--epochs", "1", "--data-dir", data, "--threads", "1"], in: folder.path)
        #expect(result.status == 0, "\(result.stderr)")
        let entries = try FileManager.default.contentsOfDirectory(atPath: runs)
        #expect(entries.count == 1 && entries[0].hasPrefix("digits-mlp-"), "\(entries)")
    }
}
