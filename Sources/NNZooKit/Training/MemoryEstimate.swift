import NNCore
import NNData

/// What a training run will hold in memory, estimated before anything is loaded, so a run that
/// cannot fit is refused up front with the figures instead of failing (or swapping) later:
///
/// - the dataset: both splits' pixels and labels as bytes (the test split is loaded at the end while
///   the training split is still held), plus one more copy of the training split while it is read;
/// - the network: each parameter as Float32 with its gradient and up to two optimizer slots (Adam's),
///   and a copy while a checkpoint is written;
/// - the batches: three Float32 input batches (one training, one being prepared, one held for
///   backward), each layer's output, its gradient and a cached copy or mask, and the largest
///   unfolded convolution input with its gradient.
///
/// The batch term is meant to be on the safe side: convnet-dropout on Fashion-MNIST with one batch
/// of all 54000 training images (a 60000-image batch by this count) is estimated at 17.2 GB and was measured at 12.3 GB resident.
/// Sums are in Double, so absurd sizes (a recipe with a billion-unit layer) give a huge number,
/// never an overflow.
public struct MemoryEstimate: Equatable, Sendable {
    public var datasetBytes: Double
    public var networkBytes: Double
    public var batchBytes: Double
    public var trainingExamples: Int
    public var testExamples: Int
    public var parameters: Double
    public var batchSize: Int

    public var totalBytes: Double { datasetBytes + networkBytes + batchBytes }

    /// The estimate for training `architecture` on `spec` with batches of `batchSize`.
    public init(spec: DatasetSpec, architecture: [LayerSpec], batchSize: Int) {
        self.init(facts: DatasetFacts(spec), architecture: architecture, batchSize: batchSize)
    }

    /// The estimate for a dataset known by its facts (a feature set holds 4 bytes per value).
    public init(facts: DatasetFacts, architecture: [LayerSpec], batchSize: Int) {
        let input = ModelInput(facts)
        let train = facts.trainCount
        let test = facts.testCount
        let bytesPerValue: Double = facts.kind == .features ? 4 : 1
        let exampleBytes = Double(input.channels) * Double(input.height) * Double(input.width) * bytesPerValue + 1
        datasetBytes = exampleBytes * Double(2 * train + test)
        trainingExamples = train
        testExamples = test
        parameters = ModelBuilder.parameterCount(architecture).map(Double.init) ?? .infinity
        let values = ModelBuilder.valueCount(architecture).map(Double.init) ?? .infinity
        networkBytes = 4 * (4 * parameters + 2 * values)
        // A batch never holds more examples than the training split has.
        self.batchSize = batchSize
        let examples = Double(min(batchSize, max(train, 1)))
        let pixels = Double(input.channels) * Double(input.height) * Double(input.width)
        if let counts = ModelBuilder.activationCounts(architecture, input: input) {
            batchBytes = 4 * examples * (3 * pixels + 3 * Double(counts.outputs) + 2 * Double(counts.unfolded))
        } else {
            batchBytes = .infinity
        }
    }

    /// One sentence with the parts of the estimate.
    public var summary: String {
        "about \(Self.format(totalBytes)): the dataset \(Self.format(datasetBytes)) (\(trainingExamples) training "
            + "and \(testExamples) test images), the network \(Self.format(networkBytes)) (\(Self.count(parameters)) "
            + "parameters with gradients and optimizer state), batches of \(batchSize) \(Self.format(batchBytes))"
    }

    static func format(_ bytes: Double) -> String {
        guard bytes.isFinite, bytes < 9e18 else { return "more than 9 EB" }
        return ProgressReporter.formatBytes(Int64(bytes))
    }

    static func count(_ value: Double) -> String {
        guard value.isFinite, value < 9e18 else { return "more than 9e18" }
        return "\(Int64(value))"
    }

    /// Throws `TrainingError.doesNotFitInMemory` unless the estimate fits in `limit` (default:
    /// `SystemMemory.limit`, which throws `SystemMemoryError` for an unusable `NNZOO_MEMORY_LIMIT`).
    public func check(
        recipe: String, dataset: String, limit given: (bytes: Int, source: String)? = nil
    ) throws {
        let limit = try given ?? SystemMemory.limit()
        guard totalBytes <= Double(limit.bytes) else {
            throw TrainingError.doesNotFitInMemory(
                recipe: recipe, dataset: dataset, estimate: summary, limit: Self.format(Double(limit.bytes)),
                source: limit.source)
        }
    }
}
