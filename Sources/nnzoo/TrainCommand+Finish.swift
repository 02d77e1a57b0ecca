import ArgumentParser
import Foundation
import NNCore
import NNData
import NNLayers
import NNZooKit

/// The end of a finished run: test results into run.json and a summary a person can read.
extension TrainCommand {
    /// The settings that differ from the recipe's defaults, as option names.
    func changedSettings(_ settings: TrainingSettings, from defaults: TrainingSettings) -> [String] {
        var changed: [String] = []
        if settings.epochs != defaults.epochs { changed.append("--epochs") }
        if settings.batchSize != defaults.batchSize { changed.append("--batch-size") }
        if settings.optimizer.name != defaults.optimizer.name {
            changed.append("--optimizer")
        } else {
            if settings.optimizer.learningRate != defaults.optimizer.learningRate { changed.append("--lr") }
            if settings.optimizer.momentum != defaults.optimizer.momentum { changed.append("--momentum") }
            if settings.optimizer.weightDecay != defaults.optimizer.weightDecay { changed.append("--weight-decay") }
        }
        if settings.seed != defaults.seed { changed.append("--seed") }
        if settings.validationSplit != defaults.validationSplit { changed.append("--val-split") }
        if settings.schedule != defaults.schedule { changed.append("--schedule") }
        if settings.augmentation != defaults.augmentation { changed.append("--augment") }
        if settings.loss != defaults.loss { changed.append("--label-smoothing") }
        if settings.earlyStoppingPatience != defaults.earlyStoppingPatience { changed.append("--early-stopping") }
        return changed
    }

    /// Whether two networks compute the same outputs for the same inputs: the same architecture, loss
    /// and input normalisation, and every parameter and buffer equal bit for bit.
    static func sameNetwork(_ a: Sequential, _ aInfo: CheckpointInfo, _ b: Sequential, _ bInfo: CheckpointInfo) -> Bool
    {
        guard aInfo.architecture == bInfo.architecture, aInfo.loss == bInfo.loss,
            aInfo.normalization == bInfo.normalization, aInfo.input == bInfo.input
        else { return false }
        let (x, y) = (
            a.parameters.map(\.value) + a.buffers.map(\.value), b.parameters.map(\.value) + b.buffers.map(\.value)
        )
        return x.count == y.count
            && zip(x, y).allSatisfy { p, q in
                p.shape == q.shape
                    && p.withUnsafeBufferPointer { u in
                        q.withUnsafeBufferPointer { v in
                            u.count == v.count && zip(u, v).allSatisfy { $0.bitPattern == $1.bitPattern }
                        }
                    }
            }
    }

    /// Reports the test accuracy of the best and last checkpoints and records it in run.json. `loaded`
    /// is the test split when the run loaded it at its start.
    func finish(_ session: TrainingSession, info: inout RunInfo, seconds: Double, test loaded: ImageDataset? = nil)
        throws
    {
        let reference = session.settings.datasetReference
        let test =
            try loaded
            ?? DatasetLoader.load(reference, split: .test, dataDirectory: data.path, cache: .fromEnvironment())
        let best = try Checkpoint.read(from: session.folder.bestCheckpoint)
        let bestResult = TestResult(evaluating: best.model, info: best.info, on: test)
        let lastInfo = session.checkpoint(kind: "best").info
        // When checkpoint-best holds the last epoch's network (the last epoch was the best, as in
        // every 1-epoch run), the same network on the same images gives the same figures: evaluated once.
        let lastResult =
            Self.sameNetwork(best.model, best.info, session.model, lastInfo)
            ? TestResult(
                epoch: lastInfo.epoch ?? 0, loss: bestResult.loss, accuracy: bestResult.accuracy,
                correct: bestResult.correct, examples: bestResult.examples)
            : TestResult(evaluating: session.model, info: lastInfo, on: test)
        info.testBest = bestResult
        info.testLast = lastResult
        info.bestEpoch = best.info.epoch
        info.status = "finished"
        info.finished = RunInfo.timestamp()
        if case .stoppedEarly(let epoch, let bestEpoch)? = session.earlyStop, info.stoppedEarly == nil {
            info.stoppedEarly = RunInfo.EarlyStopRecord(
                epoch: epoch, bestEpoch: bestEpoch, patience: session.settings.earlyStoppingPatience ?? 0)
        }
        try info.write(to: session.folder.runInfo)
        // The curves gain checkpoint-best's test accuracy.
        try session.folder.writeCurves(
            session.records, title: session.curvesTitle,
            marks: CurveMarks(bestEpoch: best.info.epoch, testAccuracy: bestResult.accuracy))
        // 2-D points: the plane coloured by checkpoint-best's answer, the points on top.
        let drawsDecision = DecisionPlot.applies(to: test)
        if drawsDecision {
            let train = try DatasetLoader.load(reference, split: .train, dataDirectory: data.path)
            try DecisionPlot.render(model: best.model, normalization: best.info.normalization, train: train, test: test)
                .write(to: session.folder.decisionPlot)
        }

        let s = session.settings
        let duration = seconds < 60 ? String(format: "%.1f s", seconds) : ProgressReporter.formatDuration(seconds)
        var lines = ["Finished \(counted(s.epochs, "epoch")) in \(duration)."]
        if let stop = info.stoppedEarly {
            lines = [
                "Stopped early after epoch \(stop.epoch) of \(s.epochs) in \(duration): validation accuracy had not "
                    + "improved since epoch \(stop.bestEpoch) for \(counted(stop.patience, "epoch"))."
            ]
        }
        let percent = { (x: Double) in String(format: "%.1f%%", x * 100) }
        let chosen =
            session.validationIndices.isEmpty
            ? "the last epoch (no validation split)"
            : "epoch \(best.info.epoch ?? 0), best on validation"
                + (best.info.metrics.last?.validationAccuracy.map { " (\(percent($0)))" } ?? "")
        lines.append(
            "Test accuracy: \(percent(bestResult.accuracy)) (\(bestResult.correct) of \(bestResult.examples) "
                + "\(reference.name) test \(test.isFeatureSet ? "examples" : "images") right) with \(chosen).")
        if let expected = session.recipe.expectedAccuracy[reference.name] {
            let target = String(format: "%.1f%%", expected)
            let changed = changedSettings(
                s, from: TrainingSettings(defaultsOf: session.recipe, reference: reference, threads: s.threads))
            if changed.isEmpty {
                let verdict = bestResult.accuracy * 100 >= expected ? "reached" : "not reached this time"
                lines.append("The recipe's target on \(reference.name) is \(target): \(verdict).")
            } else {
                lines.append(
                    "The recipe's target on \(reference.name) is \(target) with its default settings; this run changed "
                        + changed.joined(separator: ", ") + ".")
            }
        }
        lines.append(
            "Checkpoints, metrics, curves.svg\(drawsDecision ? ", \(DecisionPlot.fileName) (the model's decision regions)" : "") "
                + "and run.json are in \(session.folder.path)/")
        lines.append(
            "Per-class scores, confusion matrix and mistakes: "
                + Invocation.current.command("eval \(shellQuoted(session.folder.path))"))
        print(lines.joined(separator: "\n"))
    }
}
