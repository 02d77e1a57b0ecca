/// One epoch of a training run: a line of `metrics.csv` and `metrics.jsonl`, and a point on the
/// training-curves plot.
public struct EpochRecord: Codable, Equatable, Sendable {
    public var epoch: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    /// nil when the run has no validation split.
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    /// The learning rate used during this epoch.
    public var learningRate: Double
    /// Wall-clock seconds of the epoch (training and validation).
    public var seconds: Double
    /// Wall-clock seconds of the training pass alone (batches, forward, backward and optimizer steps;
    /// no validation, no checkpoint writing), the figure speed comparisons use. nil in records
    /// written before it was recorded.
    public var trainSeconds: Double?
    /// Where this epoch's training was resumed after a stop (`nnzoo train --resume`), as the fraction
    /// of its batches trained before each resume (0 for a resume at its start); nil when it ran
    /// without a stop. The training curves mark these places.
    public var resumedAt: [Double]?

    public init(
        epoch: Int, trainLoss: Double, trainAccuracy: Double, validationLoss: Double?,
        validationAccuracy: Double?, learningRate: Double, seconds: Double, trainSeconds: Double? = nil,
        resumedAt: [Double]? = nil
    ) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.learningRate = learningRate
        self.seconds = seconds
        self.trainSeconds = trainSeconds
        self.resumedAt = resumedAt
    }

    enum CodingKeys: String, CodingKey {
        case epoch
        case trainLoss = "train_loss"
        case trainAccuracy = "train_accuracy"
        case validationLoss = "val_loss"
        case validationAccuracy = "val_accuracy"
        case learningRate = "lr"
        case seconds
        case trainSeconds = "train_seconds"
        case resumedAt = "resumed_at"
    }
}

extension EpochRecord {
    /// Whether a record read from a file could have been written by a run of `epochs` epochs: its
    /// epoch in 1...epochs, accuracies in 0...1, losses finite, the learning rate finite and not
    /// negative, times from 0 to a million hours.
    func isPlausible(epochs: Int) -> Bool {
        let fractions = [trainAccuracy, validationAccuracy].compactMap { $0 }
        let losses = [trainLoss, validationLoss].compactMap { $0 }
        let times = [seconds, trainSeconds].compactMap { $0 }
        return (1...epochs).contains(epoch) && fractions.allSatisfy { (0...1).contains($0) }
            && losses.allSatisfy(\.isFinite) && learningRate.isFinite && learningRate >= 0
            && times.allSatisfy { (0...3.6e9).contains($0) }
    }
}
