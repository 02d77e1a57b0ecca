import FixtureSupport
import Foundation
import NNCore
import NNData
import Testing

/// Run folders and result folders belong to one process at a time (train, --resume, eval, fetch
/// --verify take the folder's lock), a new run never writes over files it did not make, and eval's
/// files change as a whole: a full disk or a signal while they are written leaves the old ones.
@Suite(.serialized) struct RunFolderCommandTests {
    typealias Background = OutputFileTests.Background
    private var data: String { CLI.packageRoot + "/Data" }

    /// The files in `folder` and their bytes (but the lock file, which names its last holder).
    private func contents(_ folder: String) -> [String: Data] {
        var files: [String: Data] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name != ".lock" {
            files[name] = FileManager.default.contents(atPath: folder + "/" + name)
        }
        return files
    }

    @Test func trainRefusesAFolderHoldingOtherFilesAndChangesNothing() throws {
        let folder = TempFolder()
        let out = folder.path + "/out"
        for name in ["run.json", "metrics.csv", "curves.svg", "checkpoint-best.safetensors", "notes.txt"] {
            folder.write(Array("someone else's \(name)".utf8), to: "out/" + name)
        }
        let before = contents(out)
        let result = try CLI.run(["train", "digits-mlp", "--epochs", "1", "--out", out, "--data-dir", data])
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "Error: The folder \(out) already holds files that are not this run's: checkpoint-best.safetensors, "
                + "curves.svg, metrics.csv, notes.txt, run.json. A new run starts only in a new or empty folder, so "
                + "that nothing there is overwritten: choose another folder with --out, or move those files away.\n")
        #expect(result.stdout.isEmpty, "refused before training")
        #expect(contents(out) == before)
    }

    /// A run in progress: a second `train` into its folder and a `--resume` of it are refused, naming
    /// the process; once it is interrupted, one `--resume` continues it and a second is refused.
    @Test func aRunFolderIsTrainedByOneProcessAtATime() throws {
        let folder = TempFolder()
        let out = folder.path + "/run"
        let first = try Background([
            "train", "digits-mlp", "--epochs", "100000", "--out", out, "--data-dir", data, "--threads", "1",
        ])
        #expect(OutputFileTests.waitFor(in: out) { $0 == "checkpoint-last.safetensors" })
        let holder = "pid \(first.process.processIdentifier): "
        let second = try CLI.run(["train", "digits-mlp", "--epochs", "1", "--out", out, "--data-dir", data])
        #expect(second.status == 1)
        #expect(second.stderr.hasPrefix("Error: The run folder \(out) is in use by another nnzoo process (\(holder)"))
        #expect(second.stderr.contains("train digits-mlp --epochs 100000 --out \(out)"))
        #expect(
            second.stderr.hasSuffix(
                "), which holds its lock \(out)/.lock. Wait for that process to finish (or stop it), then run this "
                    + "command again.\n"))
        let resume = try CLI.run(["train", "--resume", out, "--data-dir", data])
        #expect(resume.status == 1)
        #expect(resume.stderr.hasPrefix("Error: The run folder \(out) is in use by another nnzoo process (\(holder)"))
        kill(first.process.processIdentifier, SIGINT)
        #expect(first.finish().status == 130)

        let resumed = try Background(["train", "--resume", out, "--data-dir", data, "--threads", "1"])
        let resumedHolder = "pid \(resumed.process.processIdentifier): "
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline,
            !(String(data: FileManager.default.contents(atPath: out + "/.lock") ?? Data(), encoding: .utf8) ?? "")
                .hasPrefix(resumedHolder)
        {
            usleep(5000)
        }
        let again = try CLI.run(["train", "--resume", out, "--data-dir", data])
        #expect(again.status == 1)
        #expect(
            again.stderr.hasPrefix("Error: The run folder \(out) is in use by another nnzoo process (\(resumedHolder)"))
        #expect(again.stderr.contains("train --resume \(out)"))
        kill(resumed.process.processIdentifier, SIGINT)
        #expect(resumed.finish().status == 130)
    }

    /// Two evaluations writing into one folder take turns: the second waits, naming the first.
    @Test func evalWaitsForAnotherWriterOfItsFolder() throws {
        let folder = TempFolder()
        let run = try EvalCommandTests.trainDigits(in: folder)
        let holder = try FolderLock(folder: run + "/eval", waiting: .refuse)
        let eval = try Background(["eval", run, "--threads", "1"])
        #expect(
            eval.waitForStderr("is writing into \(run)/eval; waiting for it to finish (lock file \(run)/eval/.lock)."))
        #expect(eval.stderr.contains("Another nnzoo process (pid \(getpid()): "))
        #expect(!FileManager.default.fileExists(atPath: run + "/eval/report.json"), "nothing written while locked")
        holder.release()
        #expect(eval.finish().status == 0)
        #expect(FileManager.default.fileExists(atPath: run + "/eval/report.json"))
    }

    /// SIGTERM while eval writes its files (held by the test hook with the first one written): the
    /// earlier evaluation's files are all still there, unchanged, and no temporary is left.
    @Test func evalInterruptedWhileWritingLeavesTheOldFiles() throws {
        let folder = TempFolder()
        let run = try EvalCommandTests.trainDigits(in: folder)
        // An evaluation of the training split, so that every file of the next one differs.
        #expect(try CLI.run(["eval", run, "--threads", "1", "--split", "train"]).status == 0)
        let before = contents(run + "/eval")
        let eval = try Background(
            ["eval", run, "--threads", "1"], environment: ["NNZOO_TEST_PAUSE_BEFORE_RENAME": "60"])
        #expect(OutputFileTests.waitFor(in: run + "/eval") { $0.hasPrefix(".confusion.csv.tmp-") })
        kill(eval.process.processIdentifier, SIGTERM)
        let (status, stderr) = eval.finish()
        #expect(status == 143)
        #expect(stderr.contains("Interrupted. Removed the unfinished file .confusion.csv.tmp-"))
        #expect(contents(run + "/eval") == before)
        // The evaluation it would have written differs in every file.
        #expect(try CLI.run(["eval", run, "--threads", "1"]).status == 0)
        #expect(contents(run + "/eval").allSatisfy { before[$0.key] != $0.value })
    }

    /// `fetch --verify` of one dataset by two processes: each waits for the lock, then verifies.
    @Test func twoVerifiersOfOneDatasetTakeTurns() throws {
        let folder = TempFolder()
        let copy = folder.path + "/data"
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: data + "/digits", toPath: copy + "/digits")
        let holder = try DatasetLock(folder: copy + "/digits", dataset: "digits")
        let verifiers = try (0..<2).map { _ in
            try Background(["fetch", "digits", "--verify", "--data-dir", copy])
        }
        for verifier in verifiers {
            #expect(verifier.waitForStderr("is using digits in \(copy)/digits; waiting for it to finish"))
        }
        holder.release()
        for verifier in verifiers {
            let (status, stderr) = verifier.finish()
            #expect(status == 0, "\(stderr)")
            #expect(stderr.contains("digits.csv.gz: verified: "))
        }
    }

    /// A real full disk: eval's files on a 1 MiB tmpfs filled so that the new set cannot fit. The
    /// earlier evaluation's files stay, byte for byte, and no temporary is left.
    @Test(
        .enabled(
            if: Tmpfs.available, "needs root and a tmpfs mount (mount -t tmpfs); AtomicFileSetTests covers it otherwise"
        )
    )
    func evalOnAFullDiskLeavesTheOldFiles() throws {
        let folder = TempFolder()
        let run = try EvalCommandTests.trainDigits(in: folder)
        // The sizes of the new set, from an evaluation elsewhere.
        #expect(try CLI.run(["eval", run, "--threads", "1", "--out", folder.path + "/sizes"]).status == 0)
        let sizes = contents(folder.path + "/sizes").mapValues(\.count)
        let small = folder.path + "/small"
        mkdir(small, 0o755)
        #expect(Tmpfs.mount(on: small, size: "1m"))
        defer { Tmpfs.unmount(small) }
        #expect(try CLI.run(["eval", run, "--threads", "1", "--split", "train", "--out", small]).status == 0)
        let before = contents(small)
        #expect(before.keys.sorted() == sizes.keys.sorted())
        #expect(before.allSatisfy { contents(folder.path + "/sizes")[$0.key] != $0.value }, "every file would change")
        // Leave room for about half of the new set.
        var info = statvfs()
        #expect(statvfs(small, &info) == 0)
        let free = Int(info.f_bavail) * Int(info.f_frsize)
        let pages = sizes.values.reduce(0) { $0 + ($1 + 4095) / 4096 }
        let filler = free - pages / 2 * 4096
        #expect(filler > 0)
        FileManager.default.createFile(atPath: small + "/filler", contents: Data(count: filler))
        let full = try CLI.run(["eval", run, "--threads", "1", "--out", small])
        #expect(full.status == 1)
        #expect(
            full.stderr.contains(
                "(No space left on device). Nothing was changed at that path; none of the files "
                    + "written together with it in \(small) was changed either;"), "\(full.stderr)")
        var after = contents(small)
        after["filler"] = nil
        #expect(after == before)
    }
}
