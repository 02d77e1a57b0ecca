import NNAugment
import NNCore
import NNData
import NNLayers

/// Progress of one training batch, for a progress display.
public struct BatchReport: Sendable {
    /// 1-based epoch and batch numbers.
    public var epoch: Int
    public var epochs: Int
    public var batch: Int
    public var batches: Int
    /// Examples trained so far in this epoch, of `examples`.
    public var examplesDone: Int
    public var examples: Int
    /// Mean loss and accuracy (0...1) over the epoch so far.
    public var runningLoss: Double
    public var runningAccuracy: Double
}

/// What the caller hears while training runs (on the training thread).
public struct TrainingEvents {
    /// Epoch (1-based), epochs, training examples in the epoch, examples already done (after a resume).
    public var epochStarted: (_ epoch: Int, _ epochs: Int, _ examples: Int, _ examplesDone: Int) -> Void = {
        _, _, _, _ in
    }
    public var batchFinished: (BatchReport) -> Void = { _ in }
    /// The epoch's record, and whether it became `checkpoint-best`.
    public var epochFinished: (_ record: EpochRecord, _ isBest: Bool) -> Void = { _, _ in }

    public init() {}
}

/// How a call to `run` ended.
public enum TrainingOutcome: Equatable, Sendable {
    /// All epochs trained.
    case finished
    /// Early stopping ended the run after 1-based epoch `epoch`: validation accuracy had not improved
    /// since epoch `bestEpoch` for the patience's number of epochs.
    case stoppedEarly(epoch: Int, bestEpoch: Int)
    /// Stopped on request after `batch` of `batches` batches of 1-based epoch `epoch` (`batch` equal
    /// to `batches` when stopped between epochs); `checkpoint-last` holds the position.
    case interrupted(epoch: Int, batch: Int, batches: Int)
}

/// A training run: the network, its optimizer, the data and the position, trained epoch by epoch
/// into a run folder. After every epoch it writes `checkpoint-last` (resumable), `checkpoint-best`
/// when validation accuracy improves, and the metrics files; when asked to stop it finishes the
/// batch in progress and saves a resumable `checkpoint-last`.
///
/// A run resumed from `checkpoint-last` ends with the same weights, bit for bit, as one never
/// interrupted (same seed and thread count): the epoch's order is recomputed from the seed, the
/// optimizer state and every random generator are restored, augmentation is keyed by (epoch, sample).
public final class TrainingSession {
    public let recipe: Recipe
    public let settings: TrainingSettings
    public let input: ModelInput
    public let architecture: [LayerSpec]
    public let model: Sequential
    public let optimizer: any Optimizer
    public let normalization: InputNormalization
    /// The full training split; `trainingIndices` and `validationIndices` partition it.
    public let dataset: ImageDataset
    public let trainingIndices: [Int]
    public let validationIndices: [Int]
    public let folder: RunFolder
    /// Where the starting weights came from when they were imported (`nnzoo import`); carried into
    /// every checkpoint of the run.
    public var importedFrom: String?
    public private(set) var state: ResumeState
    /// Every epoch's record so far (checkpoints keep only the last one; `metrics.jsonl` has them all).
    public private(set) var records: [EpochRecord]
    /// Batches trained per epoch.
    public let batchesPerEpoch: Int
    /// Examples trained per epoch: all training examples, or one fewer when the last batch would
    /// hold a single example that a BatchNorm layer cannot normalise (`leavesOutLastExample`).
    public let examplesPerEpoch: Int
    /// The last batch of each epoch would hold one example, which a layer normalising with batch
    /// statistics cannot take (PyTorch raises "Expected more than 1 value per channel when
    /// training"): it is left out, as `DataLoader(drop_last=True)` would, so a different example
    /// sits out each epoch (the order is shuffled).
    public let leavesOutLastExample: Bool
    /// What a person should know about a resumed run's history (epochs whose records are lost).
    public private(set) var resumeNotes: [String] = []
    /// A resumed run writes its metrics files anew (dropping lines of epochs past its checkpoint)
    /// before it appends to them.
    private var metricsNeedRewrite = false

    private let lossFunction: ClassificationLoss
    /// How outputs become classes (training and validation accuracy, and so checkpoint-best).
    public let prediction: ClassPrediction
    private let assembler: BatchAssembler
    /// Three slots: batch n trains from one while batch n+1 is prepared in the next, and the network
    /// still holds batch n-1's input (its first layer keeps it for backward) in the third.
    private let slots = [BatchSlot(), BatchSlot(), BatchSlot()]
    private let prefetcher = HelperThread(name: "nnzoo batch prefetch")
    /// Converts batch n+1 on a pool worker while the network runs batch n's one-thread stretch
    /// (plain batches at two threads or more).
    private let sideFill = PoolSideJob()
    /// Whether augmented batches are prepared on the prefetch thread (`true`) or in line on the
    /// network's threads (`false`); `nil` (the default) uses the prefetch thread when a core is spare.
    /// The batches are the same either way.
    var augmentsOnPrefetchThread: Bool?
    /// Whether plain batches are converted on a pool worker beside the step (`true`) or in line on all
    /// the threads (`false`); `nil` (the default) converts them beside the step at two threads or more.
    /// The batches are the same either way.
    var convertsBesideLoops: Bool?

    /// A new run of `recipe` with `settings` on `trainingSplit`, writing into `folder`. The inputs are
    /// normalised as the recipe says, computed from the training examples, unless `normalization`
    /// gives the constants. With `model` (a network built by hand, whose layers are the recipe's:
    /// `Recipe(describing:name:)`), that network trains as it is, its weights included; otherwise the
    /// recipe's network is built and initialised from the seed. Throws `BLASCheckFailure` (before
    /// anything else) when the BLAS computes wrong products.
    public init(
        recipe: Recipe, settings: TrainingSettings, trainingSplit: ImageDataset, folder: RunFolder,
        normalization given: InputNormalization? = nil, model handBuilt: Sequential? = nil
    ) throws {
        try BLASCheck.verify()
        self.recipe = recipe
        self.settings = settings
        self.folder = folder
        dataset = trainingSplit
        input = ModelInput(trainingSplit)
        architecture = try ModelBuilder.resolve(recipe, for: input)
        try Self.checkAugmentation(settings, trainingSplit)
        (trainingIndices, validationIndices) = try Self.split(
            trainingSplit, fraction: settings.validationSplit, seed: settings.seed, subset: recipe.trainSubset)
        normalization =
            try given
            ?? InputNormalization.make(recipe.normalization, dataset: trainingSplit, trainingIndices: trainingIndices)
        if let handBuilt {
            // Checkpoints are read back by building the recorded layers: the network's tensors must be
            // the ones those layers have.
            let layout = ModelBuilder.tensorLayout(architecture)
            let tensors =
                handBuilt.namedParameters.map { ($0.name, Array($0.parameter.value.shape)) }
                + handBuilt.namedBuffers.map { ($0.name, Array($0.buffer.value.shape)) }
            guard layout.map(\.name) == tensors.map(\.0), layout.map(\.shape) == tensors.map(\.1) else {
                throw TrainingError.modelIsNotTheRecipes(recipe: recipe.name)
            }
            model = handBuilt
        } else {
            model = try ModelBuilder.build(
                resolved: architecture, seed: settings.seed, initialization: recipe.initialization)
        }
        try settings.validate()
        (batchesPerEpoch, leavesOutLastExample) = try Self.batchPlan(
            model: model, input: input, examples: trainingIndices.count, batchSize: settings.batchSize)
        examplesPerEpoch = trainingIndices.count - (leavesOutLastExample ? 1 : 0)
        optimizer = try Self.makeOptimizer(settings.optimizer, model.parameters)
        state = ResumeState(trainingExamples: trainingIndices.count)
        records = []
        lossFunction = ClassificationLoss(settings.loss ?? recipe.loss)
        prediction = ClassPrediction(loss: settings.loss ?? recipe.loss, architecture: architecture, input: input)
        assembler = try BatchAssembler(
            dataset: trainingSplit, normalization: normalization,
            augmentation: AugmentationPipeline(spec: settings.augmentation), seed: settings.seed)
    }

    /// Continues the run saved in `checkpoint` (a `checkpoint-last`), with `settings` (the saved ones,
    /// possibly with more epochs or another thread count).
    public init(
        resuming checkpoint: Checkpoint, settings: TrainingSettings, trainingSplit: ImageDataset, folder: RunFolder
    )
        throws
    {
        try BLASCheck.verify()
        guard let resume = checkpoint.info.resume, let optimizerState = checkpoint.optimizerState else {
            throw CheckpointError.notResumable(path: folder.lastCheckpoint)
        }
        recipe = checkpoint.info.recipe
        self.settings = settings
        self.folder = folder
        dataset = trainingSplit
        input = checkpoint.info.input
        guard ModelInput(trainingSplit) == input else {
            throw CheckpointError.modelMismatch(
                path: folder.lastCheckpoint,
                detail:
                    "it was trained on \(input) images, but \(InputText.shown(settings.dataset)) has \(ModelInput(trainingSplit))."
            )
        }
        architecture = checkpoint.info.architecture
        try Self.checkAugmentation(settings, trainingSplit)
        (trainingIndices, validationIndices) = try Self.split(
            trainingSplit, fraction: settings.validationSplit, seed: settings.seed, subset: recipe.trainSubset)
        guard trainingIndices.count == resume.trainingExamples else {
            throw TrainingError.datasetChanged(
                dataset: settings.dataset, expected: resume.trainingExamples, found: trainingIndices.count)
        }
        try settings.validate()
        model = checkpoint.model
        (batchesPerEpoch, leavesOutLastExample) = try Self.batchPlan(
            model: model, input: input, examples: trainingIndices.count, batchSize: settings.batchSize)
        examplesPerEpoch = trainingIndices.count - (leavesOutLastExample ? 1 : 0)
        let batches = batchesPerEpoch
        guard resume.batch <= batches, resume.seen <= examplesPerEpoch,
            resume.seen == min(resume.batch * settings.batchSize, examplesPerEpoch)
        else {
            throw CheckpointError.badMetadata(
                path: folder.lastCheckpoint, key: "resume",
                detail: "it stopped after batch \(resume.batch) and \(resume.seen) examples of an epoch, but an epoch "
                    + "of this run has \(batches) batches of \(settings.batchSize) and \(examplesPerEpoch) examples")
        }
        // One optimizer step per batch: the count follows from the position.
        let (completed, overflow) = resume.epoch.multipliedReportingOverflow(by: batches)
        guard !overflow, resume.optimizerSteps == completed + resume.batch,
            optimizerState.stepCount == resume.optimizerSteps
        else {
            throw CheckpointError.badMetadata(
                path: folder.lastCheckpoint, key: "resume",
                detail:
                    "it records \(resume.optimizerSteps) optimizer steps (the optimizer \(optimizerState.stepCount)), "
                    + "but \(resume.epoch) epochs of \(batches) batches and \(resume.batch) batches more take "
                    + (overflow ? "more than a whole number can count" : "\(completed + resume.batch)"))
        }
        normalization = checkpoint.info.normalization
        importedFrom = checkpoint.info.importedFrom
        optimizer = try Self.makeOptimizer(settings.optimizer, model.parameters)
        try optimizer.importState(optimizerState)
        state = resume
        // The curves mark where the run went on: this far into the epoch in progress.
        if resume.epoch < settings.epochs {
            state.epochResumes = (resume.epochResumes ?? []) + [Double(resume.batch) / Double(max(1, batches))]
        }
        // The checkpoint holds the last epoch's record (older ones every epoch's); metrics.jsonl the rest.
        var logged: [EpochRecord] = []
        do {
            logged = try folder.loggedRecords(through: resume.epoch)
        } catch let error as FileReadError {
            resumeNotes.append("\(folder.metricsJSONL) cannot be read (\(error.reason)).")
        }
        records = Self.history(saved: checkpoint.info.metrics, logged: logged, epochs: resume.epoch)
        if records.count < resume.epoch {
            let have = Set(records.map(\.epoch))
            let missing = (1...resume.epoch).filter { !have.contains($0) }
            resumeNotes.append(
                "\(folder.metricsJSONL) lacks the record of \(missing.count == 1 ? "epoch" : "epochs") "
                    + Self.ranges(missing) + "; the run goes on, and its metrics and curves leave "
                    + (missing.count == 1 ? "it" : "them") + " out.")
        }
        metricsNeedRewrite = true
        lossFunction = ClassificationLoss(settings.loss ?? recipe.loss)
        prediction = ClassPrediction(loss: settings.loss ?? recipe.loss, architecture: architecture, input: input)
        assembler = try BatchAssembler(
            dataset: trainingSplit, normalization: normalization,
            augmentation: AugmentationPipeline(spec: settings.augmentation), seed: settings.seed)
    }

    deinit {
        sideFill.finish()
        prefetcher.stop()
    }

    /// The training and validation indices of `dataset`: its own validation examples (an image
    /// folder's `val/`, the last `validationCount`) when it has them, else `split(count:fraction:seed:)`.
    public static func split(_ dataset: ImageDataset, fraction: Double, seed: UInt64, subset: Int? = nil) throws -> (
        training: [Int], validation: [Int]
    ) {
        guard dataset.validationCount > 0 else {
            return try split(count: dataset.count, fraction: fraction, seed: seed, subset: subset)
        }
        let boundary = dataset.count - dataset.validationCount
        guard boundary > 0 else {
            throw TrainingError.validationSplitTooLarge(fraction: 1, examples: dataset.count)
        }
        return (Array(0..<boundary), Array(boundary..<dataset.count))
    }

    /// Augmentation changes pixels: a feature set (a table, points) cannot have it.
    static func checkAugmentation(_ settings: TrainingSettings, _ dataset: ImageDataset) throws {
        guard dataset.isFeatureSet, !settings.augmentation.isEmpty else { return }
        throw TrainingError.augmentationNeedsImages(
            dataset: settings.dataset, augmentation: settings.augmentation, features: dataset.imageSize)
    }

    /// Splits `0..<count` into training and validation indices (each sorted): the first
    /// `round(count * fraction)` of a seeded permutation are the validation examples.
    ///
    /// With `subset`, only that many examples take part, a seeded random choice of the `count`
    /// (`TrainingRandomness.trainingSubset`, without repeats, as the lab's
    /// `np.random.choice(60000, 10000)` chooses them but without its repeats); the validation examples
    /// are then the same fraction of the subset.
    public static func split(count: Int, fraction: Double, seed: UInt64, subset: Int? = nil) throws -> (
        training: [Int], validation: [Int]
    ) {
        var available = Array(0..<count)
        if let subset {
            guard subset <= count else {
                throw TrainingError.trainSubsetTooLarge(subset: subset, examples: count)
            }
            var chooser = TrainingRandomness.trainingSubset(seed: seed)
            available = chooser.permutation(count).prefix(subset).sorted()
        }
        let total = available.count
        var held = Int((Double(total) * fraction).rounded())
        if fraction > 0 { held = max(held, 1) }
        guard held < total else { throw TrainingError.validationSplitTooLarge(fraction: fraction, examples: total) }
        var rng = TrainingRandomness.validationSplit(seed: seed)
        let order = rng.permutation(total).map { available[$0] }
        return (order[held...].sorted(), order[..<held].sorted())
    }

    static func makeOptimizer(_ spec: OptimizerSpec, _ parameters: [Parameter]) throws -> any Optimizer {
        switch spec {
        case .sgd(let lr, let momentum, let dampening, let nesterov, let weightDecay):
            return try SGD(
                parameters, learningRate: lr, momentum: momentum, dampening: dampening, nesterov: nesterov,
                weightDecay: weightDecay)
        case .adam(let lr, let beta1, let beta2, let eps, let weightDecay):
            return try Adam(
                parameters, learningRate: lr, beta1: beta1, beta2: beta2, epsilon: eps, weightDecay: weightDecay)
        case .adamW(let lr, let beta1, let beta2, let eps, let weightDecay):
            return try Adam(
                parameters, learningRate: lr, beta1: beta1, beta2: beta2, epsilon: eps, weightDecay: weightDecay,
                decoupledWeightDecay: true)
        case .rmsprop(let lr, let alpha, let eps, let weightDecay, let momentum, let centered):
            return try RMSprop(
                parameters, learningRate: lr, alpha: alpha, epsilon: eps, weightDecay: weightDecay, momentum: momentum,
                centered: centered)
        }
    }

    /// The number of batches in an epoch (written without `count + size - 1`, which overflows for
    /// a batch size near `Int.max`).
    static func batches(examples: Int, batchSize: Int) -> Int {
        examples / batchSize + (examples % batchSize == 0 ? 0 : 1)
    }

    /// The title of the run's training curves: "mlp-784-100-10 on fashion-mnist".
    public var curvesTitle: String { "\(recipe.name) on \(settings.dataset)" }

    /// The batches of an epoch of `examples` in batches of `batchSize`, and whether the last one
    /// (a single example) is left out. Throws when a layer that normalises over the batch would
    /// see a single value per channel in every batch (batches of 1, and nothing else to average
    /// over: a BatchNorm1d, or a BatchNorm2d on 1x1 planes); a lone last batch is left out instead.
    static func batchPlan(model: Sequential, input: ModelInput, examples: Int, batchSize: Int) throws -> (Int, Bool) {
        var lonely: String?
        var shape = Shape(1, input.channels, input.height, input.width)
        for (index, layer) in model.layers.enumerated() {
            if layer is BatchNorm, shape.elementCount(from: 2) == 1 {
                lonely = lonely ?? "Layer \(index) (\(layer.description))"
            }
            shape = try layer.outputShape(for: shape)
        }
        let batches = Self.batches(examples: examples, batchSize: batchSize)
        guard let lonely else { return (batches, false) }
        if batchSize == 1 { throw TrainingError.batchTooSmallForBatchNorm(layer: lonely, batchSize: batchSize) }
        return examples % batchSize == 1 ? (batches - 1, true) : (batches, false)
    }

    /// The loss the run trains with (the recipe's, or with another label smoothing).
    public var loss: LossSpec { lossFunction.spec }

    /// The learning rate schedule the run follows.
    public var schedule: ScheduleSpec { settings.schedule ?? recipe.schedule }

    /// The learning rate of batch `batch` (0-based) of 0-based epoch `epoch` (the same for every
    /// batch of an epoch unless the schedule changes it per step).
    public func learningRate(epoch: Int, batch: Int = 0) -> Double {
        schedule.learningRate(
            base: settings.optimizer.learningRate, epoch: epoch, epochs: settings.epochs, batch: batch,
            batches: batchesPerEpoch)
    }

    /// Sets the optimizer's learning rate (and the momentum, when the schedule cycles it) for that
    /// batch; returns the rate.
    @discardableResult
    private func applySchedule(epoch: Int, batch: Int) -> Double {
        let lr = learningRate(epoch: epoch, batch: batch)
        optimizer.learningRate = lr
        if let momentum = schedule.momentum(
            epoch: epoch, epochs: settings.epochs, batch: batch, batches: batchesPerEpoch)
        {
            optimizer.momentumOrBeta1 = momentum
        }
        return lr
    }

    // MARK: - Checkpoints

    /// The run as a checkpoint: `last` carries the position and optimizer state, `best` only the model.
    public func checkpoint(kind: String) -> Checkpoint {
        var resume: ResumeState?
        if kind == "last" {
            var saved = state
            saved.randomStates = Dictionary(
                uniqueKeysWithValues: model.namedRandomStates.map { ($0.name, ResumeState.encode($0.state.rng)) })
            saved.optimizerSteps = optimizer.stepCount
            resume = saved
        }
        let info = CheckpointInfo(
            kind: kind, recipe: recipe, architecture: architecture, input: input, dataset: settings.dataset,
            classNames: dataset.classNames, normalization: normalization, epoch: state.epoch,
            metrics: Array(records.suffix(1)), settings: settings, importedFrom: importedFrom,
            resume: resume)
        return Checkpoint(info: info, model: model, optimizerState: kind == "last" ? optimizer.exportState() : nil)
    }

    /// Draws `curves.svg` from every epoch's record so far.
    private func writeCurves() throws {
        try folder.writeCurves(records, title: curvesTitle, marks: CurveMarks(bestEpoch: state.bestEpoch))
    }

    /// The records of a resumed run's `epochs` completed epochs: those `metrics.jsonl` logged, with
    /// the checkpoint's own (`saved`) taking precedence for the epochs they cover; one per epoch, in
    /// order. Epochs neither has are missing.
    static func history(saved: [EpochRecord], logged: [EpochRecord], epochs: Int) -> [EpochRecord] {
        var byEpoch: [Int: EpochRecord] = [:]
        for record in logged + saved where record.epoch >= 1 && record.epoch <= epochs {
            byEpoch[record.epoch] = record
        }
        return byEpoch.keys.sorted().compactMap { byEpoch[$0] }
    }

    /// "3", "3-5", "3-5, 9": sorted numbers as ranges.
    static func ranges(_ numbers: [Int]) -> String {
        var parts: [String] = []
        var index = 0
        while index < numbers.count {
            var end = index
            while end + 1 < numbers.count && numbers[end + 1] == numbers[end] + 1 { end += 1 }
            parts.append(end == index ? "\(numbers[index])" : "\(numbers[index])-\(numbers[end])")
            index = end + 1
        }
        return parts.joined(separator: ", ")
    }

    /// Writes `checkpoint-last` (e.g. before the first batch, so a run folder always holds one).
    public func saveLast() throws {
        try checkpoint(kind: "last").write(to: folder.lastCheckpoint)
    }

    // MARK: - Training

    /// Trains until all epochs are done or `shouldStop` (asked after every batch) returns true.
    public func run(events: TrainingEvents = TrainingEvents(), shouldStop: () -> Bool = { false }) throws
        -> TrainingOutcome
    {
        let batchSize = settings.batchSize
        let batches = batchesPerEpoch
        if metricsNeedRewrite {
            try folder.writeMetrics(records, title: curvesTitle, marks: CurveMarks(bestEpoch: state.bestEpoch))
            metricsNeedRewrite = false
        }
        optimizer.zeroGrad()
        while state.epoch < settings.epochs {
            if let stop = earlyStop { return stop }
            let epoch = state.epoch
            let perStep = schedule.isPerStep
            var lr = applySchedule(epoch: epoch, batch: state.batch)
            let segmentStart = ProgressReporter.monotonicSeconds()
            var shuffler = TrainingRandomness.shuffle(seed: settings.seed, epoch: epoch)
            let order = shuffler.permutation(trainingIndices.count).map { trainingIndices[$0] }
            events.epochStarted(epoch + 1, settings.epochs, examplesPerEpoch, state.seen)

            // With a core to spare, batch b is augmented on the prefetch thread while the network trains
            // on batch b-1. When the network already has every core, a thread beside it would preempt one
            // of its workers and every split product would wait for that worker (+57% on a 2-thread MLP
            // epoch): the batch is then augmented in line, on all the threads.
            let prefetching =
                !assembler.augmentation.isEmpty
                && (augmentsOnPrefetchThread ?? (Parallel.threadCount < Parallel.defaultThreadCount))
            // Plain batches at two threads or more: batch b+1 is converted by a pool worker when it
            // comes back from the first split product of batch b's step, while this thread runs the
            // layers and loss too small to split (a 2-thread MLP epoch spent them with one core idle).
            let besideLoops =
                !prefetching && assembler.augmentation.isEmpty && (convertsBesideLoops ?? (Parallel.threadCount > 1))
            func prepare(_ b: Int) {
                let slot = slots[b % slots.count]
                let indices = order[(b * batchSize)..<min(order.count, (b + 1) * batchSize)]
                if prefetching {
                    prefetcher.submit { [assembler] in assembler.fill(slot, indices: indices, augmentEpoch: epoch) }
                } else if besideLoops {
                    sideFill.submit { [assembler] in assembler.fill(slot, indices: indices, augmentEpoch: epoch) }
                } else {
                    assembler.fill(slot, indices: indices, augmentEpoch: epoch, threads: Parallel.threadCount)
                }
            }
            func finishPrepared() {
                if prefetching { prefetcher.finish() }
                if besideLoops { sideFill.finish() }
            }
            // In line, a batch is assembled just before its step, so its inputs are still in cache when
            // the first product packs them.
            if prefetching || besideLoops, state.batch < batches { prepare(state.batch) }
            for b in state.batch..<batches {
                if prefetching || besideLoops {
                    finishPrepared()
                    if b + 1 < batches { prepare(b + 1) }
                } else {
                    prepare(b)
                }
                let slot = slots[b % slots.count]
                if perStep { lr = applySchedule(epoch: epoch, batch: b) }
                let (value, correct) = step(slot)
                guard value.isFinite else {
                    finishPrepared()
                    throw TrainingError.diverged(
                        epoch: epoch + 1, batch: b + 1, learningRate: lr,
                        baseLearningRate: settings.optimizer.learningRate)
                }
                state.batch = b + 1
                state.lossSum += Double(value) * Double(slot.count)
                state.correct += correct
                state.seen += slot.count
                events.batchFinished(
                    BatchReport(
                        epoch: epoch + 1, epochs: settings.epochs, batch: b + 1, batches: batches,
                        examplesDone: state.seen, examples: examplesPerEpoch,
                        runningLoss: state.lossSum / Double(state.seen),
                        runningAccuracy: Double(state.correct) / Double(state.seen)))
                if b + 1 < batches, shouldStop() {
                    finishPrepared()
                    state.epochSeconds += ProgressReporter.monotonicSeconds() - segmentStart
                    try saveLast()
                    try writeCurves()
                    return .interrupted(epoch: epoch + 1, batch: b + 1, batches: batches)
                }
            }
            let seconds = state.epochSeconds + ProgressReporter.monotonicSeconds() - segmentStart
            try finishEpoch(learningRate: lr, seconds: seconds, events: events)
            if let stop = earlyStop { return stop }
            if state.epoch < settings.epochs, shouldStop() {
                try writeCurves()
                return .interrupted(epoch: state.epoch, batch: batches, batches: batches)
            }
        }
        return .finished
    }

    /// `.stoppedEarly` when early stopping ends the run here, between epochs: validation accuracy
    /// (the choice of `checkpoint-best`) has not improved for the patience's number of epochs. Nil
    /// without early stopping, without a validation split, or in the middle of an epoch.
    public var earlyStop: TrainingOutcome? {
        Self.earlyStop(state: state, settings: settings, hasValidation: !validationIndices.isEmpty)
    }

    /// `earlyStop` for a run at `state` (e.g. a checkpoint's, before its data is loaded).
    public static func earlyStop(state: ResumeState, settings: TrainingSettings, hasValidation: Bool)
        -> TrainingOutcome?
    {
        guard let patience = settings.earlyStoppingPatience, hasValidation, state.batch == 0,
            let best = state.bestEpoch, state.epoch - best >= patience
        else { return nil }
        return .stoppedEarly(epoch: state.epoch, bestEpoch: best)
    }

    /// One optimizer step on a batch; returns the batch's mean loss and correct predictions. The
    /// gradients are zero on entry (`run` zeroes them first) and are left zero again: the optimizer
    /// clears them as it reads them, which saves a pass over them per step.
    private func step(_ slot: BatchSlot) -> (Float, Int) {
        let output = model.forward(slot.input, training: true)
        let (value, grad) = lossFunction(output, slot.labels)
        let correct = prediction.countCorrect(output, labels: slot.labels)
        model.backwardParameters(grad)
        optimizer.stepAndZeroGrad()
        return (value, correct)
    }

    /// Validates, records the epoch and writes the checkpoints and metrics.
    private func finishEpoch(learningRate lr: Double, seconds trainingSeconds: Double, events: TrainingEvents) throws {
        let validationStart = ProgressReporter.monotonicSeconds()
        var validation: EvaluationResult?
        if !validationIndices.isEmpty {
            validation = ModelEvaluation.evaluate(
                model, loss: lossFunction, prediction: prediction, assembler: assembler, indices: validationIndices)
            // The last step can leave weights that are no longer finite although its loss was.
            if let validation, !validation.loss.isFinite {
                throw TrainingError.diverged(
                    epoch: state.epoch + 1, batch: nil, learningRate: lr,
                    baseLearningRate: settings.optimizer.learningRate)
            }
        }
        let seconds = trainingSeconds + ProgressReporter.monotonicSeconds() - validationStart
        let seen = Double(max(state.seen, 1))
        let record = EpochRecord(
            epoch: state.epoch + 1, trainLoss: state.lossSum / seen, trainAccuracy: Double(state.correct) / seen,
            validationLoss: validation?.loss, validationAccuracy: validation?.accuracy, learningRate: lr,
            seconds: seconds, trainSeconds: trainingSeconds, resumedAt: state.epochResumes)
        records.append(record)
        // Best: the highest validation accuracy, ties going to the lower validation loss. Without a
        // validation split every epoch is the best so far (checkpoint-best is the last epoch).
        var improved = true
        if let validation {
            if let bestAccuracy = state.bestValidationAccuracy, let bestLoss = state.bestValidationLoss {
                improved =
                    validation.accuracy > bestAccuracy
                    || (validation.accuracy == bestAccuracy && validation.loss < bestLoss)
            }
            if improved {
                state.bestValidationAccuracy = validation.accuracy
                state.bestValidationLoss = validation.loss
            }
        }
        if improved { state.bestEpoch = record.epoch }
        state.epoch += 1
        state.batch = 0
        state.lossSum = 0
        state.correct = 0
        state.seen = 0
        state.epochSeconds = 0
        state.epochResumes = nil
        if improved { try checkpoint(kind: "best").write(to: folder.bestCheckpoint) }
        try saveLast()
        // After the checkpoint: a kill between the two leaves the log an epoch behind, and the
        // checkpoint's own record of the epoch fills the gap on resume.
        try folder.appendMetrics(record)
        if RunFolder.curvesDue(afterEpoch: record.epoch) || state.epoch == settings.epochs {
            try writeCurves()
        }
        events.epochFinished(record, improved)
    }
}
