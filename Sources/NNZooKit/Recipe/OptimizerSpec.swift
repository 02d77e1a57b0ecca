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
        switch type.lowercased() {
        case "sgd":
            try c.allowOnly(["type", "lr", "momentum", "dampening", "nesterov", "weight_decay"])
            let lr = try c.number("lr", Limits.learningRate)
            let momentum = try c.number("momentum", Limits.momentum, default: 0)
            let dampening = try c.number("dampening", Limits.dampening, default: 0)
            let nesterov: Bool = try c.optional("nesterov") ?? false
            if nesterov && (momentum == 0 || dampening != 0) {
                throw c.invalid("nesterov", found: "true", expected: "false unless momentum > 0 and dampening is 0")
            }
            let wd = try c.number("weight_decay", Limits.weightDecay, default: 0)
            self = .sgd(lr: lr, momentum: momentum, dampening: dampening, nesterov: nesterov, weightDecay: wd)
        case "adam":
            try c.allowOnly(["type", "lr", "betas", "eps", "weight_decay"])
            let lr = try c.number("lr", Limits.learningRate)
            let betas: [Double] = try c.optional("betas") ?? [0.9, 0.999]
            guard betas.count == 2, betas.allSatisfy(Limits.beta.allows) else {
                throw c.invalid(
                    "betas", found: "[\(betas.map(formatNumber).joined(separator: ", "))]",
                    expected: "two numbers, each \(Limits.beta.expected), e.g. [0.9, 0.999]")
            }
            let eps = try c.number("eps", Limits.epsilon, default: 1e-8)
            let wd = try c.number("weight_decay", Limits.weightDecay, default: 0)
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
