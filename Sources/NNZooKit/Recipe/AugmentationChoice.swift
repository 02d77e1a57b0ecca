import NNAugment

/// The augmentation of training batches: one spec for every dataset (`"crop:2,shift:2"`, or `""` for
/// none), or one per dataset with an optional `"default"`:
///
///     {"mnist": "crop:2,shift:2", "fashion-mnist": "crop:2,shift:2", "cifar10": "hflip,crop:4"}
///
/// Every spec is parsed with `AugmentationPipeline`, so a wrong one fails when the recipe is read.
public enum AugmentationChoice: Equatable, Sendable, Codable {
    case all(AugmentationPipeline)
    case perDataset([String: AugmentationPipeline])

    /// The pipeline for `dataset` (empty when a per-dataset choice neither lists it nor has a default).
    public func pipeline(for dataset: String) -> AugmentationPipeline {
        switch self {
        case .all(let pipeline): return pipeline
        case .perDataset(let table): return table[dataset] ?? table["default"] ?? AugmentationPipeline([])
        }
    }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let spec = try? single.decode(String.self) {
            self = .all(try Self.parse(spec, at: decoder.codingPath))
            return
        }
        let c: KeyedDecodingContainer<RecipeKey>
        do {
            c = try decoder.container(keyedBy: RecipeKey.self)
        } catch {
            throw DecodingError.typeMismatch(
                String.self,
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "a spec or an object of specs"))
        }
        var table: [String: AugmentationPipeline] = [:]
        for key in c.allKeys {
            let spec: String = try c.required(key.stringValue)
            table[key.stringValue] = try Self.parse(spec, at: c.codingPath + [key])
        }
        self = .perDataset(table)
    }

    private static func parse(_ spec: String, at codingPath: [any CodingKey]) throws -> AugmentationPipeline {
        do {
            return try AugmentationPipeline(spec: spec)
        } catch let error as AugmentError {
            throw RecipeProblem(codingPath: codingPath, kind: .badAugmentation(message: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .all(let pipeline):
            var c = encoder.singleValueContainer()
            try c.encode(pipeline.description)
        case .perDataset(let table):
            var c = encoder.container(keyedBy: RecipeKey.self)
            for (name, pipeline) in table { try c.put(pipeline.description, name) }
        }
    }
}
