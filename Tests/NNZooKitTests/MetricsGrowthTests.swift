import Foundation
import NNCore
import NNData
import Testing

@testable import NNZooKit

/// What a run rewrites after each epoch stays the same size however many epochs it has trained:
/// checkpoints hold the last epoch's record only, the metrics files are appended to, and the curves
/// are redrawn on a schedule. A resume still gets every epoch's record (from `metrics.jsonl`, the
/// checkpoint filling in an epoch a kill kept out of the log).
@Suite struct MetricsGrowthTests {
    private static let recipe: Recipe = {
        do { return try Recipe.decode(Data(sampleRecipeJSON.utf8), source: "sample.json") } catch {
            preconditionFailure("\(error)")
        }
    }()

    private static let settings = TrainingSettings(
        dataset: "digits", epochs: 3, batchSize: 50, optimizer: recipe.optimizer, seed: 7, validationSplit: 0.1,
        augmentation: "", threads: 1)

    private func newSession(in folder: TemporaryFolder) throws -> TrainingSession {
        Parallel.setThreadCount(1)
        return try TrainingSession(
            recipe: Self.recipe, settings: Self.settings, trainingSplit: Digits.train,
            folder: RunFolder(path: folder.path))
    }

    private func resume(_ folder: TemporaryFolder) throws -> TrainingSession {
        let checkpoint = try Checkpoint.read(from: RunFolder(path: folder.path).lastCheckpoint)
        return try TrainingSession(
            resuming: checkpoint, settings: Self.settings, trainingSplit: Digits.train,
            folder: RunFolder(path: folder.path))
    }

    /// Runs a new session in `folder` until epoch 2 is complete.
    private func stoppedAfterEpoch2(in folder: TemporaryFolder) throws -> TrainingSession {
        let session = try newSession(in: folder)
        #expect(try session.run { session.state.epoch == 2 } == .interrupted(epoch: 2, batch: 26, batches: 26))
        return session
    }

    private func withoutTimes(_ records: [EpochRecord]) -> [EpochRecord] {
        records.map {
            var r = $0
            r.seconds = 0
            r.trainSeconds = 0
            r.resumedAt = nil
            return r
        }
    }

    private func logged(_ folder: TemporaryFolder) throws -> [EpochRecord] {
        let text = try String(contentsOfFile: RunFolder(path: folder.path).metricsJSONL, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(EpochRecord.self, from: Data($0.utf8)) }
    }

    private func inode(_ path: String) -> UInt64 {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_ino) : 0
    }

    @Test func checkpointsHoldTheLastEpochsRecordAndTheLogsAreAppendedTo() throws {
        let folder = TemporaryFolder()
        let run = RunFolder(path: folder.path)
        let session = try newSession(in: folder)
        var inodes: [[UInt64]] = []
        var events = TrainingEvents()
        events.epochFinished = { _, _ in inodes.append([self.inode(run.metricsCSV), self.inode(run.metricsJSONL)]) }
        #expect(try session.run(events: events) == .finished)
        #expect(inodes.count == 3 && Set(inodes).count == 1, "the same files, appended to: \(inodes)")
        let file = try SafeTensorsFile.read(from: run.lastCheckpoint)
        let saved = try JSONDecoder().decode([EpochRecord].self, from: Data((file.metadata["metrics"] ?? "").utf8))
        #expect(saved == [session.records[2]])
        #expect(file.metadata["epoch"] == "3")
        let best = try Checkpoint.read(from: run.bestCheckpoint)
        let bestEpoch = try #require(best.info.epoch)
        #expect(best.info.metrics == [session.records[bestEpoch - 1]])
        #expect(try logged(folder) == session.records)
        let csv = try String(contentsOfFile: run.metricsCSV, encoding: .utf8)
        #expect(csv == RunFolder.csv(session.records))
    }

    /// Killed after checkpoint-last recorded epoch 2 but before the epoch's line reached the logs,
    /// with half a line appended: the resumed run's logs hold each epoch once, as a run never
    /// interrupted has them.
    @Test func aResumeFillsTheEpochAKillKeptOutOfTheLogs() throws {
        let straightFolder = TemporaryFolder()
        let straight = try newSession(in: straightFolder)
        #expect(try straight.run() == .finished)

        let folder = TemporaryFolder()
        let run = RunFolder(path: folder.path)
        _ = try stoppedAfterEpoch2(in: folder)
        for path in [run.metricsJSONL, run.metricsCSV] {
            var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            lines.removeLast()
            let torn = path == run.metricsJSONL ? "{\"epoch\":3,\"train_lo" : "3,0.12"
            try (lines.joined(separator: "\n") + "\n" + torn).write(toFile: path, atomically: true, encoding: .utf8)
        }
        let resumed = try resume(folder)
        #expect(resumed.resumeNotes.isEmpty)
        #expect(try resumed.run() == .finished)
        #expect(withoutTimes(try logged(folder)) == withoutTimes(straight.records))
        let csv = try String(contentsOfFile: run.metricsCSV, encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 4 && csv.map { $0.prefix(2) } == ["ep", "1,", "2,", "3,"])
    }

    @Test func aLostLogIsNamedAndTheRunGoesOnWithoutThoseEpochs() throws {
        let folder = TemporaryFolder()
        let run = RunFolder(path: folder.path)
        _ = try stoppedAfterEpoch2(in: folder)
        try FileManager.default.removeItem(atPath: run.metricsJSONL)
        let resumed = try resume(folder)
        #expect(
            resumed.resumeNotes == [
                "\(run.metricsJSONL) lacks the record of epoch 1; the run goes on, and its metrics and curves leave "
                    + "it out."
            ])
        #expect(try resumed.run() == .finished)
        #expect(try logged(folder).map(\.epoch) == [2, 3])
    }

    /// Checkpoints written before this change carry every epoch's record; they resume as before.
    @Test func aCheckpointWithTheWholeHistoryStillResumes() throws {
        let folder = TemporaryFolder()
        let run = RunFolder(path: folder.path)
        let session = try stoppedAfterEpoch2(in: folder)
        var old = try Checkpoint.read(from: run.lastCheckpoint)
        old.info.metrics = session.records
        try old.write(to: run.lastCheckpoint)
        try FileManager.default.removeItem(atPath: run.metricsJSONL)
        let resumed = try resume(folder)
        #expect(resumed.resumeNotes.isEmpty)
        #expect(try resumed.run() == .finished)
        #expect(try logged(folder).map(\.epoch) == [1, 2, 3])
    }

    @Test func theHistoryOfAResumeIgnoresRecordsOfEpochsItDoesNotHave() {
        func record(_ epoch: Int, _ loss: Double) -> EpochRecord {
            EpochRecord(
                epoch: epoch, trainLoss: loss, trainAccuracy: 0, validationLoss: nil, validationAccuracy: nil,
                learningRate: 0.1, seconds: 0)
        }
        let logged = [record(1, 1), record(2, 2), record(3, 3)]
        let saved = [record(-1, 9), record(0, 9), record(2, 20), record(Int.max, 9)]
        #expect(
            TrainingSession.history(saved: saved, logged: logged, epochs: 2).map(\.trainLoss) == [1, 20])
        #expect(TrainingSession.history(saved: [], logged: [], epochs: 0).isEmpty)
        #expect(TrainingSession.ranges([1, 2, 3, 5, 7, 8]) == "1-3, 5, 7-8")
    }

    /// The curves are redrawn after each of the first 100 epochs, then when the epoch count has
    /// grown by about 1%: the same number of drawings for every doubling of a run.
    @Test func theCurvesAreRedrawnOnABoundedSchedule() {
        #expect((1...100).allSatisfy { RunFolder.curvesDue(afterEpoch: $0) })
        #expect((101...200).filter { RunFolder.curvesDue(afterEpoch: $0) }.count == 69)
        #expect((1701...1800).filter { RunFolder.curvesDue(afterEpoch: $0) } == [1703, 1720, 1738, 1755, 1773, 1791])
        for n in [1000, 10_000, 100_000] {
            #expect((n + 1...2 * n).filter { RunFolder.curvesDue(afterEpoch: $0) }.count == (n == 1000 ? 70 : 69))
        }
    }
}
