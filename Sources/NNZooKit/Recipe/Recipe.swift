import Foundation
import NNAugment
import NNCore
import NNData

/// A model recipe, as `zoo/*.json` and a person's own files write it: the network, how its input
/// is normalised, and how it is trained. Only `layers` is required; every other field has a default
/// (`Recipe.defaults`), and an unknown field is an error (a typo must not be silently ignored). See
/// the README's recipe section for the format. The smallest recipe:
///
///     {"layers": [{"type": "Flatten"}, {"type": "Linear", "out_features": 10}]}
///
/// and one with every field:
///
///     {
///       "name": "mlp-784-100-10",                      the file name without .json
///       "description": "...",                          ""
///       "dataset": "fashion-mnist",                    none: give --dataset
///       "normalization": {"type": "standardize"},      standardize
///       "layers": [{"type": "Flatten"}, {"type": "Linear", "in_features": 784, "out_features": 100}, ...],
///       "loss": "CrossEntropyLoss",                    CrossEntropyLoss
///       "optimizer": {"type": "SGD", "lr": 0.05, "momentum": 0.9},   {"type": "Adam", "lr": 0.001}
///       "schedule": {"type": "cosine"},                constant
///       "epochs": 20,                                  10
///       "batch_size": 64,                              64
///       "augmentation": "",                            none
///       "seed": 1,                                     1
///       "expected_accuracy": {"fashion-mnist": 88},    none
///       "early_stopping": {"patience": 5},             none
///       "train_subset": 10000                          the whole training split
///     }
///
/// A recipe written back (`jsonString`, in checkpoints and run.json) has every field filled in, so
/// it means the same whatever later defaults become.
public struct Recipe: Equatable, Sendable, Codable {
    /// The recipe's name: the zoo file name without `.json`; names run folders.
    public var name: String
    public var description: String = ""
    /// The dataset trained on when none is given: a registry dataset or a toy set (`circles`); nil
    /// when the recipe names none (`--dataset` must).
    public var dataset: String?
    public var normalization: NormalizationSpec = .standardize
    /// The network, one entry per element of the equivalent `torch.nn.Sequential`.
    public var layers: [LayerSpec]
    /// The initialisers named by layers (`weight_init`, `bias_init`), by layer index; a layer not
    /// listed keeps PyTorch's default initialisation.
    public var initialization: [Int: LayerInitialization] = [:]
    public var loss: LossSpec = .crossEntropy
    public var optimizer: OptimizerSpec = Recipe.defaultOptimizer
    public var schedule: ScheduleSpec = .constant
    public var epochs = 10
    public var batchSize = 64
    /// Training-time augmentation (may be empty).
    public var augmentation: AugmentationChoice = .all(AugmentationPipeline([]))
    /// Seeds weight initialisation, the validation split, shuffling, dropout and augmentation.
    public var seed: UInt64 = 1
    /// The test accuracy (percent) the recipe reaches with its defaults, per dataset.
    public var expectedAccuracy: [String: Double] = [:]
    /// Stop when validation accuracy has not improved (`checkpoint-best` has not changed) for this
    /// many epochs; nil: train every epoch.
    public var earlyStopping: Int?
    /// Train on this many training examples, a seeded random choice of the training split
    /// (`TrainingRandomness.trainingSubset`); nil: all of them.
    public var trainSubset: Int?

    /// `{"type": "Adam", "lr": 0.001}` with PyTorch's other defaults.
    public static let defaultOptimizer = OptimizerSpec.adam(
        lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0)

    /// A recipe of `layers` with every other field at its default.
    public init(name: String, layers: [LayerSpec]) {
        self.name = name
        self.layers = layers
    }

    static let fields = [
        "name", "description", "dataset", "normalization", "layers", "loss", "optimizer", "schedule", "epochs",
        "batch_size", "augmentation", "seed", "expected_accuracy", "early_stopping", "train_subset",
    ]

    /// Where `decode` passes the file's path, whose name is the recipe's when it gives none.
    static let sourceKey = CodingUserInfoKey(rawValue: "nnzoo.recipe.source")!

    /// The name a recipe file gives when it has no `name` field: its file name without `.json`.
    static func name(fromSource source: String) -> String {
        let file = (source as NSString).lastPathComponent
        return file.hasSuffix(".json") ? String(file.dropLast(5)) : file
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: RecipeKey.self)
        try c.allowOnly(Self.fields)
        func isSafe(_ name: String) -> Bool {
            !name.isEmpty && name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) })
                && !name.hasPrefix(".")
        }
        let safe = "a file-name-safe name (letters, digits, '-', '_', '.')"
        if let written: String = try c.optional("name") {
            name = written
            guard isSafe(name) else { throw c.invalid("name", found: "\"\(name)\"", expected: safe) }
        } else {
            let source = decoder.userInfo[Self.sourceKey] as? String ?? ""
            name = Self.name(fromSource: source)
            guard isSafe(name) else {
                throw c.invalid(
                    "name", found: "missing, and the file name gives \"\(name)\"",
                    expected: safe + ": add a \"name\" field, or rename the file")
            }
        }
        description = try c.optional("description") ?? ""
        if let written: String = try c.optional("dataset") {
            guard let named = try? DatasetReference.named(written) else {
                throw c.invalid("dataset", found: "\"\(written)\"", expected: Self.datasetChoices)
            }
            dataset = named.name
        }
        normalization = try c.optional("normalization") ?? .standardize
        let entries: [RecipeLayer] = try c.required("layers")
        layers = entries.map(\.spec)
        for (index, entry) in entries.enumerated() where !entry.initialization.isEmpty {
            initialization[index] = entry.initialization
        }
        guard !layers.isEmpty else { throw c.invalid("layers", found: "an empty list", expected: "at least one layer") }
        loss = try c.optional("loss") ?? .crossEntropy
        optimizer = try c.optional("optimizer") ?? Self.defaultOptimizer
        schedule = try c.optional("schedule") ?? .constant
        epochs = try c.integer("epochs", Limits.epochs, default: 10)
        batchSize = try c.integer("batch_size", Limits.batchSize, default: 64)
        augmentation = try c.optional("augmentation") ?? .all(AugmentationPipeline([]))
        if case .perDataset(let table) = augmentation {
            for key in table.keys.sorted() where key != "default" && Self.canonicalName(key) != key {
                throw RecipeProblem(
                    codingPath: c.codingPath + [RecipeKey("augmentation"), RecipeKey(key)],
                    kind: .unknownField(valid: DatasetReference.knownNames + ["default"]))
            }
        }
        seed = try c.optional("seed") ?? 1
        expectedAccuracy = try c.optional("expected_accuracy") ?? [:]
        for (key, value) in expectedAccuracy.sorted(by: { $0.key < $1.key }) {
            let path = c.codingPath + [RecipeKey("expected_accuracy"), RecipeKey(key)]
            guard Self.canonicalName(key) == key else {
                throw RecipeProblem(codingPath: path, kind: .unknownField(valid: DatasetReference.knownNames))
            }
            guard Limits.percentage.allows(value) else {
                throw RecipeProblem(
                    codingPath: path,
                    kind: .invalidValue(found: formatNumber(value), expected: Limits.percentage.expected))
            }
        }
        if c.contains(RecipeKey("early_stopping")) {
            let stopping = try c.nestedContainer(keyedBy: RecipeKey.self, forKey: RecipeKey("early_stopping"))
            try stopping.allowOnly(["patience"])
            earlyStopping = try stopping.integer("patience", Limits.patience)
        }
        if c.contains(RecipeKey("train_subset")) {
            trainSubset = try c.integer("train_subset", Limits.trainSubset)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: RecipeKey.self)
        try c.put(name, "name")
        try c.put(description, "description")
        try c.encodeIfPresent(dataset, forKey: RecipeKey("dataset"))
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
        if let earlyStopping { try c.put(["patience": earlyStopping], "early_stopping") }
        try c.encodeIfPresent(trainSubset, forKey: RecipeKey("train_subset"))
    }

    private static var datasetChoices: String {
        "one of " + DatasetReference.knownNames.joined(separator: ", ")
            + " (a toy set may carry parameters: gaussians:n=40,seed=3)"
    }

    /// The canonical spelling of a registry dataset's or toy set's name, or nil.
    private static func canonicalName(_ name: String) -> String? {
        (try? DatasetReference.named(name))??.name
    }

    /// Reads a recipe from JSON; `source` (the file path) names it in errors, and gives its name
    /// when it has no `name` field.
    public static func decode(_ data: Data, source: String) throws -> Recipe {
        do {
            try JSONSyntax.check([UInt8](data))
            let decoder = JSONDecoder()
            decoder.userInfo[sourceKey] = source
            return try decoder.decode(Recipe.self, from: data)
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
