import ArgumentParser
import NNCore
import NNZooKit

/// The training settings a command line may override in a recipe: `--epochs`, `--batch-size`,
/// `--lr`, `--momentum`, `--seed`, `--val-split`, `--optimizer`, `--weight-decay`, `--schedule`,
/// `--augment`, `--label-smoothing`, `--early-stopping`. Unset options keep the recipe's values
/// (`TrainingOverrides` says how they combine).
struct TrainingOptions: ParsableArguments {
    // Numeric options parse `.unconditional`: `--batch-size -1` is a value to refuse with a reason,
    // not a missing value followed by an unknown option.
    @Option(parsing: .unconditional, help: ArgumentHelp("Epochs to train (default: the recipe's).", valueName: "n"))
    var epochs: Int?

    @Option(
        name: .customLong("batch-size"), parsing: .unconditional,
        help: ArgumentHelp("Examples per optimizer step; 1 is per-sample SGD (default: the recipe's).", valueName: "n"))
    var batchSize: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Base learning rate of the recipe's schedule (default: the recipe's).", valueName: "x"))
    var lr: Double?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("SGD's or RMSprop's momentum, 0 for none (default: the recipe's).", valueName: "m")
    )
    var momentum: Double?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Seed for initialisation, validation split, shuffling, dropout and augmentation (default: the recipe's).",
            valueName: "s"))
    var seed: UInt64?

    @Option(
        name: .customLong("val-split"), parsing: .unconditional,
        help: ArgumentHelp(
            "Fraction of the training split held out to choose the best epoch (default 0.1); 0 for none.",
            valueName: "f"))
    var valSplit: Double?

    @Option(
        help: ArgumentHelp(
            "sgd, adam, adamw or rmsprop; another optimizer than the recipe's starts from PyTorch's defaults, "
                + "its learning rate included (default: the recipe's).",
            valueName: "name"))
    var optimizer: String?

    @Option(
        name: .customLong("weight-decay"), parsing: .unconditional,
        help: ArgumentHelp(
            "PyTorch's weight decay (w -= lr * (grad + x * w); AdamW's decoupled). The notebooks' lambda is lr * x "
                + "(default: the recipe's).", valueName: "x"))
    var weightDecay: Double?

    @Option(
        help: ArgumentHelp(
            "constant, cosine, onecycle (per batch), or step[:SIZE[:GAMMA]] (default step size: a third of the "
                + "epochs; gamma 0.1). Replaces the recipe's schedule, warm-up included.", valueName: "schedule"))
    var schedule: String?

    @Option(
        help: ArgumentHelp(
            "An augmentation spec for the training batches (e.g. crop:2,shift:2; see nnzoo augment), or none "
                + "(default: the recipe's).", valueName: "spec"))
    var augment: String?

    @Option(
        name: .customLong("label-smoothing"), parsing: .unconditional,
        help: ArgumentHelp("CrossEntropyLoss's label smoothing, from 0 to 1 (default: the recipe's).", valueName: "x"))
    var labelSmoothing: Double?

    @Option(
        name: .customLong("early-stopping"), parsing: .unconditional,
        help: ArgumentHelp(
            "Stop after N epochs without a better validation accuracy; 0 for never (default: the recipe's).",
            valueName: "n"))
    var earlyStopping: Int?

    /// The options as the trainer applies them.
    var overrides: TrainingOverrides {
        var o = TrainingOverrides()
        o.epochs = epochs
        o.batchSize = batchSize
        o.learningRate = lr
        o.momentum = momentum
        o.seed = seed
        o.validationSplit = valSplit
        o.optimizer = optimizer
        o.weightDecay = weightDecay
        o.schedule = schedule
        o.augmentation = augment
        o.labelSmoothing = labelSmoothing
        o.earlyStopping = earlyStopping
        return o
    }

    /// Each value against `Limits`, the table the recipe and checkpoint readers use too.
    func validate() throws {
        try Self.check("--epochs", epochs, Limits.epochs)
        try Self.check("--batch-size", batchSize, Limits.batchSize)
        try Self.check("--lr", lr, Limits.learningRate)
        try Self.check("--momentum", momentum, Limits.momentum)
        try Self.check("--val-split", valSplit, Limits.validationSplit)
        try Self.check("--weight-decay", weightDecay, Limits.weightDecay)
        try Self.check("--label-smoothing", labelSmoothing, Limits.labelSmoothing)
        if let earlyStopping, earlyStopping != 0, !Limits.patience.allows(earlyStopping) {
            throw ValidationError(
                "--early-stopping must be 0 (never stop early) or \(Limits.patience.expected) (got \(earlyStopping)).")
        }
        if let optimizer, OptimizerSpec.defaults(optimizer) == nil {
            let names = OptimizerSpec.typeNames.map { $0.lowercased() }
            throw ValidationError(
                "--optimizer must be one of \(names.joined(separator: ", ")) (got \(optimizer))."
                    + NameSuggestions.didYouMean(optimizer.lowercased(), among: names))
        }
        do {
            if let schedule { _ = try TrainingOverrides.parseSchedule(schedule, epochs: epochs ?? 10) }
            if let augment { _ = try TrainingOverrides.parseAugmentation(augment) }
        } catch let error as TrainingError {
            throw ValidationError(error.description)
        }
    }

    /// Refuses `value` of option `flag` when `limit` does not allow it.
    static func check<Value>(_ flag: String, _ value: Value?, _ limit: Limit<Value>) throws {
        if let value, !limit.allows(value) {
            throw ValidationError("\(flag) must be \(limit.expected) (got \(value)).")
        }
    }

    /// `settings` (a recipe's defaults) with the options given applied, as `TrainingOverrides` combines them.
    func applied(to defaults: TrainingSettings, recipe: Recipe) throws -> TrainingSettings {
        var settings = defaults
        try overrides.apply(to: &settings, recipe: recipe)
        return settings
    }

    /// The options that were given, as (flag, value) pairs, for messages.
    var given: [(flag: String, value: String)] {
        var list: [(String, String)] = []
        if let epochs { list.append(("--epochs", "\(epochs)")) }
        if let batchSize { list.append(("--batch-size", "\(batchSize)")) }
        if let lr { list.append(("--lr", "\(lr)")) }
        if let momentum { list.append(("--momentum", "\(momentum)")) }
        if let seed { list.append(("--seed", "\(seed)")) }
        if let valSplit { list.append(("--val-split", "\(valSplit)")) }
        if let optimizer { list.append(("--optimizer", optimizer)) }
        if let weightDecay { list.append(("--weight-decay", "\(weightDecay)")) }
        if let schedule { list.append(("--schedule", schedule)) }
        if let augment { list.append(("--augment", augment)) }
        if let labelSmoothing { list.append(("--label-smoothing", "\(labelSmoothing)")) }
        if let earlyStopping { list.append(("--early-stopping", "\(earlyStopping)")) }
        return list
    }
}
