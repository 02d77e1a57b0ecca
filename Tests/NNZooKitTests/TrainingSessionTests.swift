import Foundation
import NNCore
import NNData
import Testing

@testable import NNZooKit

/// Training: an interrupted and resumed run ends bit for bit where an uninterrupted one does; the
/// validation split and normalization are what they claim to be.
@Suite struct TrainingSessionTests {
    private static let recipe: Recipe = {
        do { return try Recipe.decode(Data(sampleRecipeJSON.utf8), source: "sample.json") } catch {
            preconditionFailure("\(error)")
        }
    }()

    private static let settings = TrainingSettings(
        dataset: "digits", epochs: 2, batchSize: 50, optimizer: recipe.optimizer, seed: 7, validationSplit: 0.1,
        augmentation: "shift:1", threads: 1)

    private func newSession(in folder: TemporaryFolder) throws -> TrainingSession {
        Parallel.setThreadCount(1)
        return try TrainingSession(
            recipe: Self.recipe, settings: Self.settings, trainingSplit: Digits.train,
            folder: RunFolder(path: folder.path))
    }

    /// Every tensor of a checkpoint file (model and optimizer), by name.
    private func tensors(_ path: String) throws -> [String: SafeTensorsValue] {
        Dictionary(uniqueKeysWithValues: try SafeTensorsFile.read(from: path).tensors.map { ($0.name, $0.value) })
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

    @Test func anInterruptedAndResumedRunEndsWithTheSameWeightsBitForBit() throws {
        let straightFolder = TemporaryFolder()
        let straight = try newSession(in: straightFolder)
        #expect(try straight.run() == .finished)

        let folder = TemporaryFolder()
        var session = try newSession(in: folder)
        var batches = 0
        // 1294 training examples in batches of 50: 26 batches per epoch. Stop in the first epoch,
        // then in the second, then run to the end.
        #expect(
            try session.run {
                batches += 1
                return batches == 7
            } == .interrupted(epoch: 1, batch: 7, batches: 26))
        // After resuming: the 19 batches left in epoch 1 and one of epoch 2, then the rest.
        for (stopAfter, outcome) in [
            (20, TrainingOutcome.interrupted(epoch: 2, batch: 1, batches: 26)), (Int.max, .finished),
        ] {
            let checkpoint = try Checkpoint.read(from: RunFolder(path: folder.path).lastCheckpoint)
            session = try TrainingSession(
                resuming: checkpoint, settings: Self.settings, trainingSplit: Digits.train,
                folder: RunFolder(path: folder.path))
            batches = 0
            #expect(
                try session.run {
                    batches += 1
                    return batches == stopAfter
                } == outcome)
        }
        let expected = try tensors(RunFolder(path: straightFolder.path).lastCheckpoint)
        let resumed = try tensors(RunFolder(path: folder.path).lastCheckpoint)
        #expect(expected.keys.sorted() == resumed.keys.sorted())
        #expect(expected.count == 15)  // 6 parameters, 3 batch-norm buffers, 6 momentum buffers
        for (name, value) in expected {
            #expect(resumed[name] == value, "\(name) differs after resuming")
        }
        #expect(withoutTimes(session.records) == withoutTimes(straight.records))
        // The records say where the run was resumed: after 7 of epoch 1's 26 batches, after 1 of
        // epoch 2's; the straight run has no marks.
        let resumes: [[Double]?] = session.records.map(\.resumedAt)
        let expectedResumes: [[Double]?] = [[7.0 / 26], [1.0 / 26]]
        #expect(resumes == expectedResumes)
        #expect(straight.records.allSatisfy { $0.resumedAt == nil })
        let jsonl = try String(contentsOfFile: RunFolder(path: folder.path).metricsJSONL, encoding: .utf8)
        #expect(jsonl.contains("\"resumed_at\":[0.2692307692307") && !jsonl.contains("epoch_resumes"))
        let curves = try String(contentsOfFile: RunFolder(path: folder.path).curves, encoding: .utf8)
        let resumeMarks = curves.components(separatedBy: "class=\"resumed\"").count - 1
        // Two resumes on each of the three panels, and one label.
        #expect(resumeMarks == 7)
        #expect(session.state.bestEpoch == straight.state.bestEpoch)
        #expect(
            try tensors(RunFolder(path: folder.path).bestCheckpoint)
                == tensors(RunFolder(path: straightFolder.path).bestCheckpoint))
    }

    /// A run of `settings` stopped after `stopAfter` batches and resumed from its checkpoint ends
    /// with the tensors (weights and optimizer state) of a run never stopped.
    private func expectResumingIsExact(_ settings: TrainingSettings, recipe: Recipe = recipe, stopAfter: Int = 7)
        throws
    {
        Parallel.setThreadCount(1)
        let straightFolder = TemporaryFolder()
        let straight = try TrainingSession(
            recipe: recipe, settings: settings, trainingSplit: Digits.train,
            folder: RunFolder(path: straightFolder.path))
        #expect(try straight.run() == .finished)
        let folder = TemporaryFolder()
        let first = try TrainingSession(
            recipe: recipe, settings: settings, trainingSplit: Digits.train, folder: RunFolder(path: folder.path))
        var batches = 0
        _ = try first.run {
            batches += 1
            return batches == stopAfter
        }
        let checkpoint = try Checkpoint.read(from: RunFolder(path: folder.path).lastCheckpoint)
        let resumed = try TrainingSession(
            resuming: checkpoint, settings: settings, trainingSplit: Digits.train, folder: RunFolder(path: folder.path))
        #expect(try resumed.run() == .finished)
        let expected = try tensors(RunFolder(path: straightFolder.path).lastCheckpoint)
        #expect(expected.keys.contains { $0.hasPrefix("optimizer.") })
        #expect(try tensors(RunFolder(path: folder.path).lastCheckpoint) == expected)
        #expect(withoutTimes(resumed.records) == withoutTimes(straight.records))
    }

    @Test(arguments: [
        OptimizerSpec.adam(lr: 0.003, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.001),
        .adamW(lr: 0.003, beta1: 0.85, beta2: 0.99, eps: 1e-8, weightDecay: 0.01),
        .rmsprop(lr: 0.001, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false),
        .rmsprop(lr: 0.001, alpha: 0.9, eps: 1e-6, weightDecay: 0.01, momentum: 0.9, centered: true),
    ])
    func everyOptimizerResumesBitForBit(optimizer: OptimizerSpec) throws {
        var settings = Self.settings
        settings.optimizer = optimizer
        try expectResumingIsExact(settings)
    }

    @Test func aOneCycleRunResumesBitForBitWithItsMomentum() throws {
        var recipe = Self.recipe
        recipe.schedule = .oneCycle(ScheduleSpec.OneCycle())
        try expectResumingIsExact(Self.settings, recipe: recipe, stopAfter: 11)
    }

    @Test func aTrainingSubsetIsASeededChoiceThatTheValidationSplitThenDivides() throws {
        let (training, validation) = try TrainingSession.split(count: 1438, fraction: 0.1, seed: 7, subset: 500)
        #expect(training.count == 450 && validation.count == 50)
        #expect(Set(training).isDisjoint(with: validation))
        var chooser = TrainingRandomness.trainingSubset(seed: 7)
        let chosen = Set(chooser.permutation(1438).prefix(500))
        #expect(Set(training + validation) == chosen)
        #expect(try TrainingSession.split(count: 1438, fraction: 0.1, seed: 7, subset: 500).training == training)
        #expect(try TrainingSession.split(count: 1438, fraction: 0.1, seed: 8, subset: 500).training != training)
        // Without a subset the split is what it always was.
        #expect(
            try TrainingSession.split(count: 1438, fraction: 0.1, seed: 7, subset: nil).validation
                == TrainingSession.split(count: 1438, fraction: 0.1, seed: 7).validation)
        #expect(throws: TrainingError.trainSubsetTooLarge(subset: 2000, examples: 1438)) {
            try TrainingSession.split(count: 1438, fraction: 0.1, seed: 7, subset: 2000)
        }
    }

    @Test func earlyStoppingEndsTheRunWhenValidationAccuracyStopsImprovingAndResumingKeepsItStopped() throws {
        Parallel.setThreadCount(1)
        var settings = Self.settings
        settings.epochs = 40
        settings.earlyStopping = 2
        settings.augmentation = ""
        let folder = TemporaryFolder()
        let session = try TrainingSession(
            recipe: Self.recipe, settings: settings, trainingSplit: Digits.train, folder: RunFolder(path: folder.path))
        let outcome = try session.run()
        guard case .stoppedEarly(let epoch, let best) = outcome else {
            Issue.record("expected an early stop, got \(outcome)")
            return
        }
        #expect(epoch - best == 2)
        #expect(epoch < 40 && session.records.count == epoch)
        let bestAccuracy = try #require(session.records[best - 1].validationAccuracy)
        for record in session.records[best...] { #expect(try #require(record.validationAccuracy) <= bestAccuracy) }
        #expect(try Checkpoint.read(from: RunFolder(path: folder.path).bestCheckpoint).info.epoch == best)
        // Resumed with the same patience it stops at once; with a longer one, or none, it trains on.
        let checkpoint = try Checkpoint.read(from: RunFolder(path: folder.path).lastCheckpoint)
        #expect(checkpoint.info.settings?.earlyStopping == 2)
        let again = try TrainingSession(
            resuming: checkpoint, settings: settings, trainingSplit: Digits.train, folder: RunFolder(path: folder.path))
        #expect(try again.run() == outcome)
        #expect(again.records.count == epoch)
        settings.earlyStopping = nil
        settings.epochs = epoch + 1
        let onwards = try TrainingSession(
            resuming: checkpoint, settings: settings, trainingSplit: Digits.train, folder: RunFolder(path: folder.path))
        #expect(onwards.earlyStop == nil)
        #expect(try onwards.run() == .finished)
        #expect(onwards.records.count == epoch + 1)
    }

    @Test func aRunWithoutInterruptionIsRepeatable() throws {
        let a = TemporaryFolder()
        let b = TemporaryFolder()
        _ = try newSession(in: a).run()
        _ = try newSession(in: b).run()
        #expect(try tensors(RunFolder(path: a.path).lastCheckpoint) == tensors(RunFolder(path: b.path).lastCheckpoint))
    }

    @Test func augmentedBatchesAreTheSameOnThePrefetchThreadAndInLine() throws {
        var checkpoints: [[String: SafeTensorsValue]] = []
        for onPrefetchThread in [true, false] {
            let folder = TemporaryFolder()
            let session = try newSession(in: folder)
            session.augmentsOnPrefetchThread = onPrefetchThread
            #expect(try session.run() == .finished)
            checkpoints.append(try tensors(RunFolder(path: folder.path).lastCheckpoint))
        }
        #expect(checkpoints[0].count == 15)
        #expect(checkpoints[0] == checkpoints[1])
    }

    /// Plain batches at two threads: converted on a pool worker beside the step, or in line on both
    /// threads, the run ends with the same weights bit for bit.
    @Test func plainBatchesAreTheSameBesideTheStepAndInLine() throws {
        var checkpoints: [[String: SafeTensorsValue]] = []
        var settings = Self.settings
        settings.augmentation = ""
        for beside in [true, false] {
            let folder = TemporaryFolder()
            let session = try TrainingSession(
                recipe: Self.recipe, settings: settings, trainingSplit: Digits.train,
                folder: RunFolder(path: folder.path))
            session.convertsBesideLoops = beside
            #expect(try Parallel.withThreadCount(2) { try session.run() } == .finished)
            checkpoints.append(try tensors(RunFolder(path: folder.path).lastCheckpoint))
        }
        #expect(checkpoints[0].count == 15)
        #expect(checkpoints[0] == checkpoints[1])
    }

    @Test func theRunFolderHoldsCheckpointsAndMetrics() throws {
        let folder = TemporaryFolder()
        let session = try newSession(in: folder)
        _ = try session.run()
        let run = RunFolder(path: folder.path)
        let csv = try String(contentsOfFile: run.metricsCSV, encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 3)
        #expect(csv[0] == "epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds,train_seconds")
        #expect(csv[2].hasPrefix("2,"))
        #expect(csv[2].contains(",0.025,"))  // step schedule: 0.05 halved after epoch 1
        let lines = try String(contentsOfFile: run.metricsJSONL, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let decoded = try lines.map { try JSONDecoder().decode(EpochRecord.self, from: Data($0.utf8)) }
        #expect(decoded == session.records)
        let last = try Checkpoint.read(from: run.lastCheckpoint)
        #expect(last.info.epoch == 2)
        #expect(last.info.resume?.epoch == 2)
        // The checkpoint keeps the last epoch's record; metrics.jsonl has them all.
        #expect(last.info.metrics == [session.records[1]])
        let best = try Checkpoint.read(from: run.bestCheckpoint)
        #expect(best.info.epoch == session.state.bestEpoch)
    }

    @Test func theValidationSplitIsSeededDisjointAndComplete() throws {
        let (training, validation) = try TrainingSession.split(count: 1438, fraction: 0.1, seed: 7)
        #expect(validation.count == 144)
        #expect(training.count == 1294)
        #expect(Set(training).isDisjoint(with: validation))
        #expect((training + validation).sorted() == Array(0..<1438))
        #expect(try TrainingSession.split(count: 1438, fraction: 0.1, seed: 7).validation == validation)
        #expect(try TrainingSession.split(count: 1438, fraction: 0.1, seed: 8).validation != validation)
        #expect(try TrainingSession.split(count: 10, fraction: 0, seed: 7).validation == [])
        #expect(throws: TrainingError.validationSplitTooLarge(fraction: 0.5, examples: 1)) {
            try TrainingSession.split(count: 1, fraction: 0.5, seed: 7)
        }
    }

    @Test func standardizationUsesTheTrainingExamplesOnly() throws {
        let train = try Digits.train
        let (training, _) = try TrainingSession.split(count: train.count, fraction: 0.1, seed: 7)
        let normalization = try InputNormalization.make(.standardize, dataset: train, trainingIndices: training)
        var sum = 0.0
        var squares = 0.0
        for index in training {
            for pixel in train.image(index) {
                sum += Double(pixel)
                squares += Double(pixel) * Double(pixel)
            }
        }
        let n = Double(training.count * 64)
        let mean = sum / n
        let std = (squares / n - mean * mean).squareRoot()
        #expect(abs(normalization.mean[0] - mean / 16) < 1e-12)
        #expect(abs(normalization.std[0] - std / 16) < 1e-9)
        #expect(normalization.maxValue == 16)
        let table = normalization.lookupTable()
        #expect(table[16] == Float((1 - normalization.mean[0]) / normalization.std[0]))
    }
}
