import NNAugment

/// What a command line changes in a recipe's settings (nil keeps the recipe's): `nnzoo train`'s
/// `--epochs`, `--batch-size`, `--lr`, `--momentum`, `--seed`, `--val-split`, `--optimizer`,
/// `--weight-decay`, `--schedule`, `--augment`, `--label-smoothing` and `--early-stopping`.
public struct TrainingOverrides: Equatable, Sendable {
    public var epochs: Int?
    public var batchSize: Int?
    public var learningRate: Double?
    public var momentum: Double?
    public var seed: UInt64?
    public var validationSplit: Double?
    /// A `torch.optim` name (`OptimizerSpec.typeNames`, any case). Another optimizer than the
    /// recipe's starts from all of PyTorch's defaults (its own learning rate included); the other
    /// options then change those.
    public var optimizer: String?
    public var weightDecay: Double?
    /// `constant`, `cosine`, `onecycle` or `step[:step_size[:gamma]]` (`parseSchedule`); it replaces
    /// the recipe's schedule, warm-up included.
    public var schedule: String?
    /// An augmentation spec, or `none`.
    public var augmentation: String?
    /// CrossEntropyLoss's label smoothing.
    public var labelSmoothing: Double?
    /// The patience of early stopping; 0 turns it off.
    public var earlyStopping: Int?

    public init() {}

    /// `--schedule`'s value as a schedule for a run of `epochs` epochs: `constant`, `cosine`,
    /// `onecycle` (PyTorch's arguments), or `step`, `step:SIZE` or `step:SIZE:GAMMA` (StepLR; the size
    /// defaults to a third of the epochs, at least 1, and gamma to PyTorch's 0.1). Throws a
    /// `TrainingError.badOption` sentence for anything else.
    public static func parseSchedule(_ text: String, epochs: Int) throws -> ScheduleSpec {
        let parts = text.lowercased().split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func bad(_ why: String) -> TrainingError {
            .badOption(
                option: "--schedule", value: text,
                expected: why
                    + "; give constant, cosine, onecycle, or step, step:SIZE or step:SIZE:GAMMA (e.g. step:5:0.5)")
        }
        switch parts[0] {
        case "constant" where parts.count == 1: return .constant
        case "cosine" where parts.count == 1: return .cosine(minLR: 0)
        case "onecycle" where parts.count == 1: return .oneCycle(ScheduleSpec.OneCycle())
        case "step" where parts.count <= 3:
            var size = max(1, epochs / 3)
            var gamma = 0.1
            if parts.count > 1 {
                guard let given = Int(parts[1]), given >= 1 else {
                    throw bad("the step size must be a whole number of epochs, 1 or more")
                }
                size = given
            }
            if parts.count > 2 {
                guard let given = Double(parts[2]), given > 0, given <= 1 else {
                    throw bad("gamma must be a factor above 0, at most 1")
                }
                gamma = given
            }
            return .step(stepSize: size, gamma: gamma)
        default:
            throw bad("it is not a schedule nnzoo knows")
        }
    }

    /// `--augment`'s value as the spec a run records: `none` (or an empty spec) is "", anything else
    /// must parse (`AugmentationPipeline`), and is written as it parses.
    public static func parseAugmentation(_ text: String) throws -> String {
        if text.lowercased() == "none" || text.isEmpty { return "" }
        do {
            return try AugmentationPipeline(spec: text).description
        } catch let error as AugmentError {
            throw TrainingError.badOption(option: "--augment", value: text, expected: error.description)
        }
    }

    /// Applies every given option to `settings` (a recipe's `TrainingSettings(defaultsOf:)`), in an
    /// order that lets them combine: the optimizer first, then its rate, momentum and weight decay.
    /// Throws for a combination that cannot work: `--momentum` with Adam or AdamW,
    /// `--label-smoothing` with a loss other than CrossEntropyLoss, early stopping with no validation
    /// split to watch.
    public func apply(to settings: inout TrainingSettings, recipe: Recipe) throws {
        if let epochs { settings.epochs = epochs }
        if let batchSize { settings.batchSize = batchSize }
        if let seed { settings.seed = seed }
        if let validationSplit { settings.validationSplit = validationSplit }
        if let optimizer, optimizer.lowercased() != settings.optimizer.name.lowercased() {
            guard let defaults = OptimizerSpec.defaults(optimizer) else {
                throw TrainingError.badOption(
                    option: "--optimizer", value: optimizer,
                    expected: "one of " + OptimizerSpec.typeNames.map { $0.lowercased() }.joined(separator: ", "))
            }
            settings.optimizer = defaults
        }
        if let learningRate { settings.optimizer = settings.optimizer.with(learningRate: learningRate) }
        if let momentum {
            guard settings.optimizer.momentum != nil else {
                throw TrainingError.momentumNotApplicable(optimizer: settings.optimizer.name)
            }
            settings.optimizer = settings.optimizer.with(momentum: momentum)
        }
        if let weightDecay { settings.optimizer = settings.optimizer.with(weightDecay: weightDecay) }
        if let schedule { settings.schedule = try Self.parseSchedule(schedule, epochs: settings.epochs) }
        if let augmentation { settings.augmentation = try Self.parseAugmentation(augmentation) }
        if let labelSmoothing {
            let loss = settings.loss ?? recipe.loss
            guard loss.kind == .crossEntropy else {
                throw TrainingError.labelSmoothingNotApplicable(loss: loss.name)
            }
            settings.loss = LossSpec(.crossEntropy, labelSmoothing: labelSmoothing)
        }
        if let earlyStopping { settings.earlyStopping = earlyStopping > 0 ? earlyStopping : nil }
        if let patience = settings.earlyStoppingPatience, settings.validationSplit == 0 {
            throw TrainingError.earlyStoppingNeedsValidation(patience: patience, fromRecipe: earlyStopping == nil)
        }
    }
}
