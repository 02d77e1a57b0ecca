import Foundation
import NNAugment

/// How pixels become the network's input: `(pixel / maxValue - mean[c]) / std[c]` for channel `c`.
///
///     {"type": "standardize"}                            mean and std per channel of the training data
///     {"type": "scale"}                                  pixel / maxValue, into [0, 1]
///     {"type": "fixed", "mean": [0.1307], "std": [0.3081]}   given constants (on the [0, 1] scale)
public enum NormalizationSpec: Equatable, Sendable, Codable {
    case standardize
    case scale
    case fixed(mean: [Double], std: [Double])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: RecipeKey.self)
        let type: String = try c.required("type")
        switch type.lowercased() {
        case "standardize", "standardise":
            try c.allowOnly(["type"])
            self = .standardize
        case "scale":
            try c.allowOnly(["type"])
            self = .scale
        case "fixed":
            try c.allowOnly(["type", "mean", "std"])
            let mean: [Double] = try c.required("mean")
            let std: [Double] = try c.required("std")
            guard !mean.isEmpty, mean.allSatisfy(\.isFinite) else {
                throw c.invalid("mean", found: "\(mean)", expected: "one finite number per channel")
            }
            guard std.count == mean.count, std.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw c.invalid("std", found: "\(std)", expected: "one positive number per channel, as many as mean")
            }
            self = .fixed(mean: mean, std: std)
        default:
            throw c.invalid("type", found: "\"\(type)\"", expected: "\"standardize\", \"scale\" or \"fixed\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: RecipeKey.self)
        switch self {
        case .standardize: try c.put("standardize", "type")
        case .scale: try c.put("scale", "type")
        case .fixed(let mean, let std):
            try c.put("fixed", "type")
            try c.put(mean, "mean")
            try c.put(std, "std")
        }
    }
}

/// The loss, by its `torch.nn` name: `CrossEntropyLoss` on logits, or `NLLLoss` on the
/// log-probabilities of a final `LogSoftmax`.
public enum LossSpec: String, Equatable, Sendable, Codable, CaseIterable {
    case crossEntropy = "CrossEntropyLoss"
    case nll = "NLLLoss"

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let written = try container.decode(String.self)
        guard let loss = Self.allCases.first(where: { $0.rawValue.lowercased() == written.lowercased() }) else {
            throw RecipeProblem(
                codingPath: decoder.codingPath,
                kind: .invalidValue(found: "\"\(written)\"", expected: "\"CrossEntropyLoss\" or \"NLLLoss\""))
        }
        self = loss
    }
}

/// The optimizer, with `torch.optim`'s names and defaults:
///
///     {"type": "SGD", "lr": 0.05, "momentum": 0.9, "nesterov": false, "weight_decay": 0, "dampening": 0}
///     {"type": "Adam", "lr": 0.001, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0}
public enum OptimizerSpec: Equatable, Sendable, Codable {
    case sgd(lr: Double, momentum: Double, dampening: Double, nesterov: Bool, weightDecay: Double)
    case adam(lr: Double, beta1: Double, beta2: Double, eps: Double, weightDecay: Double)

    public var learningRate: Double {
        switch self {
        case .sgd(let lr, _, _, _, _), .adam(let lr, _, _, _, _): return lr
        }
    }

    public var name: String {
        switch self {
        case .sgd: return "SGD"
        case .adam: return "Adam"
        }
    }

    /// The same optimizer with another base learning rate.
    public func with(learningRate lr: Double) -> OptimizerSpec {
        switch self {
        case .sgd(_, let m, let d, let n, let wd):
            return .sgd(lr: lr, momentum: m, dampening: d, nesterov: n, weightDecay: wd)
        case .adam(_, let b1, let b2, let eps, let wd):
            return .adam(lr: lr, beta1: b1, beta2: b2, eps: eps, weightDecay: wd)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: RecipeKey.self)
        let type: String = try c.required("type")
        let positive = "a positive number"
        switch type.lowercased() {
        case "sgd":
            try c.allowOnly(["type", "lr", "momentum", "dampening", "nesterov", "weight_decay"])
            let lr = try c.number("lr", in: .leastNonzeroMagnitude...1e6, what: positive)
            let momentum = try c.number("momentum", in: 0...1, default: 0, what: "a number from 0 to 1")
            let dampening = try c.number("dampening", in: 0...1, default: 0, what: "a number from 0 to 1")
            let nesterov: Bool = try c.optional("nesterov") ?? false
            if nesterov && (momentum == 0 || dampening != 0) {
                throw c.invalid("nesterov", found: "true", expected: "false unless momentum > 0 and dampening is 0")
            }
            let wd = try c.number("weight_decay", in: 0...1e6, default: 0, what: "0 or a positive number")
            self = .sgd(lr: lr, momentum: momentum, dampening: dampening, nesterov: nesterov, weightDecay: wd)
        case "adam":
            try c.allowOnly(["type", "lr", "betas", "eps", "weight_decay"])
            let lr = try c.number("lr", in: .leastNonzeroMagnitude...1e6, what: positive)
            let betas: [Double] = try c.optional("betas") ?? [0.9, 0.999]
            guard betas.count == 2, betas.allSatisfy({ $0 >= 0 && $0 < 1 }) else {
                throw c.invalid("betas", found: "\(betas)", expected: "two numbers in [0, 1), e.g. [0.9, 0.999]")
            }
            let eps = try c.number("eps", in: 0...1, default: 1e-8, what: "a small number of 0 or more")
            let wd = try c.number("weight_decay", in: 0...1e6, default: 0, what: "0 or a positive number")
            self = .adam(lr: lr, beta1: betas[0], beta2: betas[1], eps: eps, weightDecay: wd)
        default:
            throw c.invalid("type", found: "\"\(type)\"", expected: "\"SGD\" or \"Adam\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: RecipeKey.self)
        switch self {
        case .sgd(let lr, let momentum, let dampening, let nesterov, let weightDecay):
            try c.put("SGD", "type")
            try c.put(lr, "lr")
            try c.put(momentum, "momentum")
            if dampening != 0 { try c.put(dampening, "dampening") }
            if nesterov { try c.put(nesterov, "nesterov") }
            if weightDecay != 0 { try c.put(weightDecay, "weight_decay") }
        case .adam(let lr, let beta1, let beta2, let eps, let weightDecay):
            try c.put("Adam", "type")
            try c.put(lr, "lr")
            try c.put([beta1, beta2], "betas")
            try c.put(eps, "eps")
            if weightDecay != 0 { try c.put(weightDecay, "weight_decay") }
        }
    }
}

/// How the learning rate changes from epoch to epoch (it is constant within an epoch, as with
/// PyTorch's schedulers stepped once per epoch):
///
///     {"type": "constant"}
///     {"type": "step", "step_size": 5, "gamma": 0.5}     lr * gamma^(epoch / step_size)   (StepLR)
///     {"type": "cosine", "min_lr": 0}                    min + (lr - min)(1 + cos(π e / E)) / 2
///                                                        (CosineAnnealingLR with T_max = E epochs)
public enum ScheduleSpec: Equatable, Sendable, Codable {
    case constant
    case step(stepSize: Int, gamma: Double)
    case cosine(minLR: Double)

    /// The learning rate of epoch `epoch` (0-based) of `epochs`, starting from `base`.
    public func learningRate(base: Double, epoch: Int, epochs: Int) -> Double {
        switch self {
        case .constant:
            return base
        case .step(let stepSize, let gamma):
            return base * pow(gamma, Double(epoch / stepSize))
        case .cosine(let minLR):
            guard epochs > 0 else { return base }
            return minLR + (base - minLR) * (1 + cos(Double.pi * Double(epoch) / Double(epochs))) / 2
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: RecipeKey.self)
        let type: String = try c.required("type")
        switch type.lowercased() {
        case "constant":
            try c.allowOnly(["type"])
            self = .constant
        case "step":
            try c.allowOnly(["type", "step_size", "gamma"])
            self = .step(
                stepSize: try c.integer("step_size", atLeast: 1),
                gamma: try c.number("gamma", in: 0...1, what: "a factor between 0 and 1"))
        case "cosine":
            try c.allowOnly(["type", "min_lr"])
            self = .cosine(minLR: try c.number("min_lr", in: 0...1e6, default: 0, what: "0 or a positive number"))
        default:
            throw c.invalid("type", found: "\"\(type)\"", expected: "\"constant\", \"step\" or \"cosine\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: RecipeKey.self)
        switch self {
        case .constant: try c.put("constant", "type")
        case .step(let stepSize, let gamma):
            try c.put("step", "type")
            try c.put(stepSize, "step_size")
            try c.put(gamma, "gamma")
        case .cosine(let minLR):
            try c.put("cosine", "type")
            try c.put(minLR, "min_lr")
        }
    }
}

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
