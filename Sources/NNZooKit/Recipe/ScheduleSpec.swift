import Foundation

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
                stepSize: try c.integer("step_size", Limits.stepSize), gamma: try c.number("gamma", Limits.gamma))
        case "cosine":
            try c.allowOnly(["type", "min_lr"])
            self = .cosine(minLR: try c.number("min_lr", Limits.minimumLearningRate, default: 0))
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
