import Foundation
import NNAugment
import NNCore
import NNData

/// The settings a run trains with: the recipe's defaults with the command line's overrides applied.
/// Recorded in run.json and every checkpoint; a resumed run takes them from the checkpoint.
public struct TrainingSettings: Codable, Equatable, Sendable {
    /// The dataset's name (a registry dataset or toy set), or its path.
    public var dataset: String
    /// How to load the dataset again, for anything but a registry dataset (whose name says it all;
    /// left out then, so registry runs record what they always did). See `datasetReference`.
    public var source: DatasetReference?
    public var epochs: Int
    public var batchSize: Int
    /// The optimizer, with the learning rate (and momentum) actually used as its base.
    public var optimizer: OptimizerSpec
    public var seed: UInt64
    /// The fraction of the training split held out for validation (0 for none).
    public var validationSplit: Double
    /// The augmentation spec applied to training batches ("" for none).
    public var augmentation: String
    /// The thread count of the run (the same count reproduces the same numbers).
    public var threads: Int
    /// The learning-rate schedule (nil in checkpoints written before it was recorded: the recipe's).
    public var schedule: ScheduleSpec?
    /// The loss (nil in checkpoints written before it was recorded: the recipe's).
    public var loss: LossSpec?
    /// Stop after this many epochs without a better validation accuracy; nil or 0: never.
    public var earlyStopping: Int?

    public init(
        dataset: String, epochs: Int, batchSize: Int, optimizer: OptimizerSpec, seed: UInt64, validationSplit: Double,
        augmentation: String, threads: Int, schedule: ScheduleSpec? = nil, loss: LossSpec? = nil,
        earlyStopping: Int? = nil
    ) {
        self.dataset = dataset
        self.epochs = epochs
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.seed = seed
        self.validationSplit = validationSplit
        self.augmentation = augmentation
        self.threads = threads
        self.schedule = schedule
        self.loss = loss
        self.earlyStopping = earlyStopping
    }

    /// The fraction of the training split held out for validation unless told otherwise.
    public static let defaultValidationSplit = 0.1

    /// A recipe's own settings for `dataset`: its epochs, batch size, optimizer, seed, schedule, loss,
    /// early stopping and the augmentation it names for that dataset, with the default validation
    /// split.
    public init(defaultsOf recipe: Recipe, dataset: String, threads: Int) {
        self.init(
            dataset: dataset, epochs: recipe.epochs, batchSize: recipe.batchSize, optimizer: recipe.optimizer,
            seed: recipe.seed, validationSplit: Self.defaultValidationSplit,
            augmentation: recipe.augmentation.pipeline(for: dataset).description, threads: threads,
            schedule: recipe.schedule, loss: recipe.loss, earlyStopping: recipe.earlyStopping)
    }

    /// A recipe's own settings for the dataset `reference` names (recorded in `source` unless it is
    /// a registry dataset).
    public init(defaultsOf recipe: Recipe, reference: DatasetReference, threads: Int) {
        self.init(defaultsOf: recipe, dataset: reference.name, threads: threads)
        source = reference.kind == .registry ? nil : reference
    }

    /// The dataset the run trains on: `source`, or the registry dataset `dataset` names.
    public var datasetReference: DatasetReference {
        source ?? DatasetReference(kind: .registry, name: dataset)
    }

    /// The patience of early stopping, nil when the run never stops early.
    public var earlyStoppingPatience: Int? { earlyStopping.flatMap { $0 > 0 ? $0 : nil } }

    enum CodingKeys: String, CodingKey {
        case dataset, epochs, optimizer, seed, augmentation, threads, schedule, loss
        case source = "dataset_source"
        case batchSize = "batch_size"
        case validationSplit = "validation_split"
        case earlyStopping = "early_stopping"
    }

    /// Reads settings (from a checkpoint or run.json), each checked against `Limits`, the table the
    /// command line and the recipe reader use: what one accepts, the others accept.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: RecipeKey.self)
        dataset = try c.required("dataset")
        epochs = try c.integer("epochs", Limits.epochs)
        batchSize = try c.integer("batch_size", Limits.batchSize)
        optimizer = try c.required("optimizer")
        seed = try c.required("seed")
        validationSplit = try c.number("validation_split", Limits.validationSplit)
        augmentation = try c.required("augmentation")
        do {
            _ = try AugmentationPipeline(spec: augmentation)
        } catch {
            throw RecipeProblem(
                codingPath: c.codingPath + [RecipeKey("augmentation")], kind: .badAugmentation(message: "\(error)"))
        }
        threads = try c.integer("threads", Limits.threads)
        schedule = try c.optional("schedule")
        loss = try c.optional("loss")
        // 0 (or none): never stops early.
        if c.contains(RecipeKey("early_stopping")) {
            let patience = try c.integer("early_stopping", atLeast: 0)
            earlyStopping = patience == 0 ? 0 : try c.integer("early_stopping", Limits.patience)
        }
        source = try c.optional("dataset_source")
    }

    /// Settings made in code (from a recipe and the command line) are checked by the reader that
    /// reads them back, so a run never starts with settings its own checkpoints could not hold.
    /// Throws `TrainingError.invalidSetting` naming the first field outside `Limits`.
    public func validate() throws {
        do {
            _ = try JSONDecoder().decode(TrainingSettings.self, from: JSONEncoder().encode(self))
        } catch {
            throw TrainingError.invalidSetting(detail: describeDecodingFailure(error))
        }
    }
}

/// Where training stands, saved in every `checkpoint-last` so that `--resume` continues exactly: the
/// epoch in progress and the batches done in it (the epoch's shuffle order is recomputed from the
/// seed, see `TrainingRandomness`), the epoch's running sums, the best epoch so far, and the state
/// of every layer's random generator. The optimizer's state travels as tensors.
public struct ResumeState: Codable, Equatable, Sendable {
    /// The epoch in progress, 0-based (equal to the epoch count once training is complete).
    public var epoch: Int
    /// Batches of that epoch already trained.
    public var batch: Int
    /// Sum of per-example losses, correct predictions and examples seen so far in the epoch.
    public var lossSum: Double
    public var correct: Int
    public var seen: Int
    /// Seconds spent in the epoch so far.
    public var epochSeconds: Double
    /// The 1-based number of the epoch `checkpoint-best` holds, and its validation accuracy and loss.
    public var bestEpoch: Int?
    public var bestValidationAccuracy: Double?
    public var bestValidationLoss: Double?
    /// Each random generator of the network (`4.rng`) as four hexadecimal state words.
    public var randomStates: [String: [String]]
    /// Optimizer steps taken.
    public var optimizerSteps: Int
    /// Examples in the training part of the split (checked on resume).
    public var trainingExamples: Int
    /// Where the epoch in progress was resumed so far, as fractions of its batches (see
    /// `EpochRecord.resumedAt`, which receives them when the epoch ends); nil when it was not.
    public var epochResumes: [Double]?

    public init(
        epoch: Int = 0, batch: Int = 0, lossSum: Double = 0, correct: Int = 0, seen: Int = 0, epochSeconds: Double = 0,
        bestEpoch: Int? = nil, bestValidationAccuracy: Double? = nil, bestValidationLoss: Double? = nil,
        randomStates: [String: [String]] = [:],
        optimizerSteps: Int = 0, trainingExamples: Int = 0, epochResumes: [Double]? = nil
    ) {
        self.epoch = epoch
        self.batch = batch
        self.lossSum = lossSum
        self.correct = correct
        self.seen = seen
        self.epochSeconds = epochSeconds
        self.bestEpoch = bestEpoch
        self.bestValidationAccuracy = bestValidationAccuracy
        self.bestValidationLoss = bestValidationLoss
        self.randomStates = randomStates
        self.optimizerSteps = optimizerSteps
        self.trainingExamples = trainingExamples
        self.epochResumes = epochResumes
    }

    enum CodingKeys: String, CodingKey {
        case epoch, batch, correct, seen
        case lossSum = "loss_sum"
        case epochSeconds = "epoch_seconds"
        case bestEpoch = "best_epoch"
        case bestValidationAccuracy = "best_val_accuracy"
        case bestValidationLoss = "best_val_loss"
        case randomStates = "random_states"
        case optimizerSteps = "optimizer_steps"
        case trainingExamples = "training_examples"
        case epochResumes = "epoch_resumes"
    }

    /// The most training examples a resumable checkpoint may count (2^40: counts times batch sizes
    /// stay far from overflowing).
    static let maxTrainingExamples = 1 << 40

    /// What makes this state impossible for a run of `epochs` epochs, or nil. Positions and counts
    /// index arrays and ranges when training resumes, so each is checked here, and against the run
    /// once its data is loaded (`TrainingSession.init(resuming:)`).
    func problem(epochs: Int) -> String? {
        let counts = [epoch, batch, seen, correct, optimizerSteps]
        if counts.contains(where: { $0 < 0 }) { return "a count is negative" }
        if !(1...Self.maxTrainingExamples).contains(trainingExamples) {
            return "training_examples is \(trainingExamples), not 1 to \(Self.maxTrainingExamples)"
        }
        if epoch > epochs { return "epoch \(epoch) is past the run's \(epochs) epochs" }
        if batch > trainingExamples || seen > trainingExamples || correct > seen {
            return "it counts \(batch) batches, \(seen) examples seen and \(correct) right of \(trainingExamples)"
        }
        // One step per batch: at most every example of every epoch so far, one at a time.
        let most = (epoch + 1) * trainingExamples
        if optimizerSteps > most {
            return "optimizer_steps \(optimizerSteps) is more than \(most), one step per example of each epoch begun"
        }
        if !lossSum.isFinite || !(0...3.6e9).contains(epochSeconds) {
            return "loss_sum or epoch_seconds is not a finite number in range"
        }
        if let bestEpoch, !(1...max(1, epoch)).contains(bestEpoch) || epoch == 0 {
            return "best_epoch \(bestEpoch) is not an epoch already trained"
        }
        if let accuracy = bestValidationAccuracy, !(0...1).contains(accuracy) {
            return "best_val_accuracy \(accuracy) is not a fraction from 0 to 1"
        }
        if let loss = bestValidationLoss, !loss.isFinite {
            return "best_val_loss is not a finite number"
        }
        return nil
    }

    /// An RNG's state as hexadecimal words (JSON numbers cannot hold 64-bit integers exactly everywhere).
    public static func encode(_ rng: RNG) -> [String] {
        rng.stateWords.map { String($0, radix: 16) }
    }

    /// The RNG from `encode(_:)`'s words, or nil if they are not four hexadecimal words, not all zero.
    public static func decodeRNG(_ words: [String]) -> RNG? {
        let values = words.compactMap { UInt64($0, radix: 16) }
        guard values.count == words.count else { return nil }
        return RNG(stateWords: values)
    }
}

/// Everything a checkpoint records besides the tensors. Training history (`epoch`, `metrics`,
/// `settings`) is optional: a checkpoint without it can be evaluated and exported, not resumed.
public struct CheckpointInfo: Equatable, Sendable {
    /// `last` (resumable: carries `resume` and the optimizer state) or `best`.
    public var kind: String
    public var recipe: Recipe
    /// The recipe's layers with every size inferred for `input`.
    public var architecture: [LayerSpec]
    public var input: ModelInput
    public var dataset: String
    public var classNames: [String]
    public var normalization: InputNormalization
    /// Epochs completed (nil: not recorded).
    public var epoch: Int?
    /// The record of the last epoch completed (none before the first, or not recorded): what a
    /// checkpoint rewritten after every epoch can hold without growing with the run. The run
    /// folder's `metrics.jsonl` has every epoch's. Checkpoints written before nnzoo kept it that way hold every epoch's record.
    public var metrics: [EpochRecord]
    /// The settings the run trained with (nil: not recorded; needed to resume).
    public var settings: TrainingSettings?
    /// The name of the weights file `nnzoo import` brought the weights in from (its SHA-256 is in run.json).
    public var importedFrom: String?
    /// Present in resumable checkpoints.
    public var resume: ResumeState?

    /// The loss the run trained with (the recipe's, or with another label smoothing).
    public var loss: LossSpec { settings?.loss ?? recipe.loss }

    /// How the network's outputs become classes and probabilities.
    public var prediction: ClassPrediction { ClassPrediction(loss: loss, architecture: architecture, input: input) }

    public init(
        kind: String, recipe: Recipe, architecture: [LayerSpec], input: ModelInput, dataset: String,
        classNames: [String], normalization: InputNormalization, epoch: Int?, metrics: [EpochRecord],
        settings: TrainingSettings?, importedFrom: String? = nil, resume: ResumeState?
    ) {
        self.kind = kind
        self.recipe = recipe
        self.architecture = architecture
        self.input = input
        self.dataset = dataset
        self.classNames = classNames
        self.normalization = normalization
        self.epoch = epoch
        self.metrics = metrics
        self.settings = settings
        self.importedFrom = importedFrom
        self.resume = resume
    }

    /// Where the weights come from, for messages: "epoch 12, trained on fashion-mnist", "trained on
    /// digits" (no epoch recorded), "imported from w.safetensors, for digits". The names are the
    /// file's, shown as `InputText.shown` shows them.
    public var provenance: String {
        let dataset = InputText.shown(dataset)
        switch (importedFrom.map { InputText.shown($0) }, epoch) {
        case (let source?, let epoch?) where epoch > 0:
            return "epoch \(epoch), fine-tuned on \(dataset) from weights imported from \(source)"
        case (let source?, _):
            return "imported from \(source), for \(dataset)"
        case (nil, let epoch?):
            return "epoch \(epoch), trained on \(dataset)"
        case (nil, nil):
            return "trained on \(dataset)"
        }
    }
}
