import Foundation
import NNCore
import NNData
import NNLayers

/// Training a network written by hand (a `Sequential` of nnzoo's layers, as the course notebooks
/// have students build one) with the loop `nnzoo train` runs: the same batches, validation split,
/// schedule, checkpoints, metrics, curves and run.json in a run folder, so that `nnzoo eval`,
/// `nnzoo report`, `nnzoo export` and `nnzoo train --resume` take the run as they take a recipe's.
///
/// The network is recorded as the recipe `Recipe(describing:name:)` makes of it; its weights are
/// the program's own (no initialiser runs), and `model` is trained in place. A layer of the
/// program's own making has no recipe form and is refused (`TrainingError.layerWithoutRecipeForm`):
/// train such a network with a loop of its own (see Examples/CustomLayer).
public struct HandBuiltTraining {
    /// The trained network (the one given).
    public let model: Sequential
    /// The run: its folder, settings and every epoch's record.
    public let session: TrainingSession
    /// What run.json says of the run.
    public let info: RunInfo

    /// Test accuracy of `checkpoint-best` (the epoch best on validation) and of the last epoch.
    public var testBest: TestResult? { info.testBest }
    public var testLast: TestResult? { info.testLast }

    /// Trains `model` on `dataset` (a registered dataset: digits, mnist, fashion-mnist, cifar10) with
    /// `recipe`'s settings (`Recipe(describing: model, name:)` with the fields changed as wanted),
    /// into `out` (default `runs/<name>-<time>`), then evaluates both checkpoints on the test split.
    /// `validationSplit` is the fraction of the training split held out to choose the best epoch.
    /// Throws what `nnzoo train` would refuse: a network whose input does not fit the dataset's
    /// images, settings outside their limits, missing data (fetch it with `nnzoo fetch`).
    public init(
        _ model: Sequential, recipe: Recipe, dataset: String,
        dataDirectory: String = DataDirectory.resolve(explicit: nil),
        out: String? = nil, validationSplit: Double = 0.1, threads: Int = Parallel.threadCount,
        events: TrainingEvents = TrainingEvents(), shouldStop: () -> Bool = { false }
    ) throws {
        let spec = try DatasetRegistry.spec(dataset)
        try RecipeCatalog.check(recipe, fits: spec, folders: [])
        var settings = TrainingSettings(defaultsOf: recipe, dataset: spec.name, threads: threads)
        settings.validationSplit = validationSplit
        try settings.validate()
        let files = try RunInfo.fingerprint(spec, dataDirectory: dataDirectory)
        let trainingSplit = try DatasetLoader.load(spec.name, split: .train, dataDirectory: dataDirectory)
        let folder = try RunFolder.create(recipe: recipe.name, explicit: out)
        let session = try TrainingSession(
            recipe: recipe, settings: settings, trainingSplit: trainingSplit, folder: folder, model: model)
        var info = RunInfo(session: session, recipeFile: nil, arguments: [], datasetFiles: files)
        try folder.materialize { staged in
            try session.checkpoint(kind: "last").write(to: staged.lastCheckpoint)
            try info.write(to: staged.runInfo)
        }
        let outcome: TrainingOutcome
        do {
            outcome = try session.run(events: events, shouldStop: shouldStop)
        } catch {
            info.status = "failed"
            try? info.write(to: folder.runInfo)
            throw error
        }
        switch outcome {
        case .interrupted:
            info.status = "interrupted"
            try info.write(to: folder.runInfo)
        case .finished, .stoppedEarly:
            if case .stoppedEarly(let epoch, let bestEpoch) = outcome {
                info.stoppedEarly = RunInfo.EarlyStopRecord(
                    epoch: epoch, bestEpoch: bestEpoch, patience: settings.earlyStoppingPatience ?? 0)
            }
            let test = try DatasetLoader.load(spec.name, split: .test, dataDirectory: dataDirectory)
            let best = try Checkpoint.read(from: folder.bestCheckpoint)
            info.testBest = TestResult(evaluating: best.model, info: best.info, on: test)
            info.testLast = TestResult(evaluating: model, info: session.checkpoint(kind: "best").info, on: test)
            info.bestEpoch = best.info.epoch
            info.status = "finished"
            info.finished = RunInfo.timestamp()
            try info.write(to: folder.runInfo)
            try folder.writeCurves(
                session.records, title: session.curvesTitle,
                marks: CurveMarks(bestEpoch: best.info.epoch, testAccuracy: info.testBest?.accuracy))
        }
        self.model = model
        self.session = session
        self.info = info
    }
}
