import Foundation
import NNAugment
import NNCore
import NNData

/// A fixed model recipe from `zoo/*.json`: the network, how its input is normalised, and how it is
/// trained. Every field is required except where noted; an unknown field is an error (a typo must not
/// be silently ignored). See the README's recipe section for the format.
///
///     {
///       "name": "mlp-784-100-10",
///       "description": "...",
///       "dataset": "fashion-mnist",
///       "normalization": {"type": "standardize"},
///       "layers": [{"type": "Flatten"}, {"type": "Linear", "in_features": 784, "out_features": 100}, ...],
///       "loss": "CrossEntropyLoss",
///       "optimizer": {"type": "SGD", "lr": 0.05, "momentum": 0.9},
///       "schedule": {"type": "cosine"},
///       "epochs": 20,
///       "batch_size": 64,
///       "augmentation": "",
///       "seed": 1,
///       "expected_accuracy": {"fashion-mnist": 88, "mnist": 97.5}
///     }
public struct Recipe: Equatable, Sendable, Codable {
    /// The recipe's name: the zoo file name without `.json`; names run folders.
    public var name: String
    public var description: String
    /// The dataset trained on when none is given.
    public var dataset: String
    public var normalization: NormalizationSpec
    /// The network, one entry per element of the equivalent `torch.nn.Sequential`.
    public var layers: [LayerSpec]
    /// The initialisers named by layers (`weight_init`, `bias_init`), by layer index; a layer not
    /// listed keeps PyTorch's default initialisation.
    public var initialization: [Int: LayerInitialization] = [:]
    public var loss: LossSpec
    public var optimizer: OptimizerSpec
    public var schedule: ScheduleSpec
    public var epochs: Int
    public var batchSize: Int
    /// Training-time augmentation (may be empty).
    public var augmentation: AugmentationChoice
    /// Seeds weight initialisation, the validation split, shuffling, dropout and augmentation.
    public var seed: UInt64
    /// The test accuracy (percent) the recipe reaches with its defaults, per dataset.
    public var expectedAccuracy: [String: Double]

    static let fields = [
        "name", "description", "dataset", "normalization", "layers", "loss", "optimizer", "schedule", "epochs",
        "batch_size", "augmentation", "seed", "expected_accuracy",
    ]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: RecipeKey.self)
        try c.allowOnly(Self.fields)
        name = try c.required("name")
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }),
            !name.hasPrefix(".")
        else {
            throw c.invalid(
                "name", found: "\"\(name)\"", expected: "a file-name-safe name (letters, digits, '-', '_', '.')")
        }
        description = try c.required("description")
        dataset = try c.required("dataset")
        guard let spec = DatasetRegistry.dataset(named: dataset) else {
            throw c.invalid("dataset", found: "\"\(dataset)\"", expected: Self.datasetChoices)
        }
        dataset = spec.name
        normalization = try c.required("normalization")
        let entries: [RecipeLayer] = try c.required("layers")
        layers = entries.map(\.spec)
        for (index, entry) in entries.enumerated() where !entry.initialization.isEmpty {
            initialization[index] = entry.initialization
        }
        guard !layers.isEmpty else { throw c.invalid("layers", found: "an empty list", expected: "at least one layer") }
        loss = try c.required("loss")
        optimizer = try c.required("optimizer")
        schedule = try c.required("schedule")
        epochs = try c.integer("epochs", Limits.epochs)
        batchSize = try c.integer("batch_size", Limits.batchSize)
        augmentation = try c.required("augmentation")
        if case .perDataset(let table) = augmentation {
            for key in table.keys.sorted() where key != "default" && DatasetRegistry.dataset(named: key)?.name != key {
                throw RecipeProblem(
                    codingPath: c.codingPath + [RecipeKey("augmentation"), RecipeKey(key)],
                    kind: .unknownField(valid: DatasetRegistry.all.map(\.name) + ["default"]))
            }
        }
        seed = try c.required("seed")
        expectedAccuracy = try c.required("expected_accuracy")
        for (key, value) in expectedAccuracy.sorted(by: { $0.key < $1.key }) {
            let path = c.codingPath + [RecipeKey("expected_accuracy"), RecipeKey(key)]
            guard DatasetRegistry.dataset(named: key)?.name == key else {
                throw RecipeProblem(codingPath: path, kind: .unknownField(valid: DatasetRegistry.all.map(\.name)))
            }
            guard Limits.percentage.allows(value) else {
                throw RecipeProblem(
                    codingPath: path,
                    kind: .invalidValue(found: formatNumber(value), expected: Limits.percentage.expected))
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: RecipeKey.self)
        try c.put(name, "name")
        try c.put(description, "description")
        try c.put(dataset, "dataset")
        try c.put(normalization, "normalization")
        try c.put(
            layers.enumerated().map {
                RecipeLayer(spec: $1, initialization: initialization[$0] ?? LayerInitialization())
            }, "layers")
        try c.put(loss, "loss")
        try c.put(optimizer, "optimizer")
        try c.put(schedule, "schedule")
        try c.put(epochs, "epochs")
        try c.put(batchSize, "batch_size")
        try c.put(augmentation, "augmentation")
        try c.put(seed, "seed")
        try c.put(expectedAccuracy, "expected_accuracy")
    }

    private static var datasetChoices: String {
        "one of " + DatasetRegistry.all.map(\.name).joined(separator: ", ")
    }

    /// Reads a recipe from JSON; `source` (the file path) names it in errors.
    public static func decode(_ data: Data, source: String) throws -> Recipe {
        do {
            return try JSONSyntax.decode(Recipe.self, from: [UInt8](data))
        } catch {
            throw recipeError(from: error, path: source)
        }
    }

    /// Reads the recipe file at `path`.
    public static func read(from path: String) throws -> Recipe {
        let bytes: [UInt8]
        do {
            bytes = try ReadableFile.readAll(path, limit: maxFileSize)
        } catch let error as FileReadError {
            throw RecipeError(error)
        }
        return try decode(Data(bytes), source: path)
    }

    /// The largest recipe file read (the zoo's are about 1 kB).
    public static let maxFileSize = 1 << 20

    /// The recipe as compact JSON with sorted keys (stored in checkpoints and run.json).
    public func jsonString() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
