import NNCore

/// The valid values of one number a person or a file can give, and those values in words.
public struct Limit<Value: Comparable & Sendable>: Sendable {
    public let range: ClosedRange<Value>
    /// The valid values as a phrase: "a whole number from 1 to 1000000".
    public let expected: String

    public init(_ range: ClosedRange<Value>, _ expected: String) {
        self.range = range
        self.expected = expected
    }

    /// Whether `value` is valid (NaN never is).
    public func allows(_ value: Value) -> Bool { range.contains(value) }

    /// `value` moved into the range.
    public func clamped(_ value: Value) -> Value { min(max(value, range.lowerBound), range.upperBound) }
}

/// The one table of valid values for the numbers that reach training by more than one way: the
/// command line's options (`--epochs`, `--batch-size`, `--lr`, `--momentum`, `--val-split`,
/// `--threads`), the recipe decoder, and the checkpoint reader (a run's settings and optimizer come
/// back from its checkpoint on `--resume` and `eval`). Each checks against the same entry, so a value
/// one accepts the others accept too, and every message states the same range. (A run started with
/// `--lr 2e6`, which the command line took but the recipe format refuses, wrote checkpoints that
/// could not be read back.)
public enum Limits {
    public static let epochs = Limit(1...1_000_000, "a whole number from 1 to 1000000")
    public static let batchSize = Limit(1...1_000_000, "a whole number from 1 to 1000000")
    /// Below 1e-10 a float32 step changes nothing; above 1e6 nothing trains.
    public static let learningRate = Limit(1e-10...1e6, "a number from 1e-10 to 1e6")
    public static let minimumLearningRate = Limit(0.0...1e6, "0 or a number up to 1e6")
    public static let momentum = Limit(0.0...1.0, "a number from 0 to 1")
    public static let dampening = Limit(0.0...1.0, "a number from 0 to 1")
    public static let weightDecay = Limit(0.0...1e6, "0 or a number up to 1e6")
    /// Adam's betas: [0, 1).
    public static let beta = Limit(0...(1.0).nextDown, "a number from 0 up to (not including) 1")
    public static let epsilon = Limit(0.0...1.0, "a small number from 0 to 1")
    /// RMSprop's smoothing constant.
    public static let alpha = Limit(0.0...1.0, "a number from 0 to 1")
    public static let stepSize = Limit(1...1_000_000, "a whole number of epochs from 1 to 1000000")
    public static let gamma = Limit(0.0...1.0, "a factor from 0 to 1")
    /// A linear warm-up's epochs (0: none).
    public static let warmupEpochs = Limit(0...1_000_000, "a whole number of epochs from 0 to 1000000")
    /// OneCycleLR's share of the steps spent rising.
    public static let pctStart = Limit(0.0001...0.9999, "a fraction above 0 and below 1")
    /// OneCycleLR's div_factor and final_div_factor.
    public static let divisionFactor = Limit(1.0...1e12, "a factor from 1 to 1e12")
    /// A normalisation's mean and standard deviation, per channel on the [0, 1] pixel scale (a recipe's
    /// fixed constants, `nnzoo import --mean/--std`, a checkpoint's `normalization`). Within them every
    /// input `(pixel / max - mean) / std` is below 1e19 in magnitude, finite in Float (`--std 1e-308`
    /// made every input infinite and every loss NaN).
    public static let normalizationMean = Limit(-1e6...1e6, "a number from -1e6 to 1e6")
    public static let normalizationStd = Limit(1e-12...1e6, "a number from 1e-12 to 1e6")
    public static let validationSplit = Limit(0.0...0.5, "a fraction from 0 to 0.5")
    /// Early stopping's patience, in epochs.
    public static let patience = Limit(1...1_000_000, "a whole number of epochs from 1 to 1000000")
    /// A recipe's training subset, in examples.
    public static let trainSubset = Limit(1...1_000_000_000, "a whole number of examples from 1 to 1000000000")
    /// CrossEntropyLoss's label smoothing.
    public static let labelSmoothing = Limit(0.0...1.0, "a number from 0 to 1")
    public static let threads = Limit(
        1...Parallel.maxThreadCount, "a whole number from 1 to \(Parallel.maxThreadCount)")
    public static let probability = Limit(0.0...1.0, "a probability from 0 to 1")
    /// A percentage above 0, at most 100 (a recipe's expected accuracy).
    public static let percentage = Limit(Double.leastNonzeroMagnitude...100, "a percentage above 0, at most 100")
}
