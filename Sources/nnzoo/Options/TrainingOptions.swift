import ArgumentParser
import NNZooKit

/// The training settings a command line may override in a recipe: `--epochs`, `--batch-size`,
/// `--lr`, `--momentum`, `--seed`, `--val-split`. Unset options keep the recipe's values.
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
        parsing: .unconditional, help: ArgumentHelp("SGD momentum, 0 for none (default: the recipe's).", valueName: "m")
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

    /// Each value against `Limits`, the table the recipe and checkpoint readers use too.
    func validate() throws {
        try Self.check("--epochs", epochs, Limits.epochs)
        try Self.check("--batch-size", batchSize, Limits.batchSize)
        try Self.check("--lr", lr, Limits.learningRate)
        try Self.check("--momentum", momentum, Limits.momentum)
        try Self.check("--val-split", valSplit, Limits.validationSplit)
    }

    /// Refuses `value` of option `flag` when `limit` does not allow it.
    static func check<Value>(_ flag: String, _ value: Value?, _ limit: Limit<Value>) throws {
        if let value, !limit.allows(value) {
            throw ValidationError("\(flag) must be \(limit.expected) (got \(value)).")
        }
    }

    /// `settings` (a recipe's defaults) with the options given applied.
    func applied(to defaults: TrainingSettings) throws -> TrainingSettings {
        var settings = defaults
        settings.epochs = epochs ?? settings.epochs
        settings.batchSize = batchSize ?? settings.batchSize
        settings.seed = seed ?? settings.seed
        settings.validationSplit = valSplit ?? settings.validationSplit
        if let lr { settings.optimizer = settings.optimizer.with(learningRate: lr) }
        if let momentum {
            guard case .sgd(let lr, _, let dampening, let nesterov, let weightDecay) = settings.optimizer else {
                throw TrainingError.momentumNotApplicable(optimizer: settings.optimizer.name)
            }
            settings.optimizer = .sgd(
                lr: lr, momentum: momentum, dampening: dampening, nesterov: nesterov && momentum > 0,
                weightDecay: weightDecay)
        }
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
        return list
    }
}
