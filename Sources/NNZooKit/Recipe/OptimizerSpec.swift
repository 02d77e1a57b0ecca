import Foundation

/// The optimizer, with `torch.optim`'s names, arguments and defaults (a name alone, such as
/// `"Adam"`, means every default):
///
///     {"type": "SGD", "lr": 0.05, "momentum": 0.9, "nesterov": false, "weight_decay": 0, "dampening": 0}
///     {"type": "Adam", "lr": 0.001, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0}
///     {"type": "AdamW", "lr": 0.001, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.01}
///     {"type": "RMSprop", "lr": 0.01, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0, "momentum": 0,
///      "centered": false}
///
/// SGD's learning rate defaults to 0.001 as in PyTorch 2. Weight decay is PyTorch's: SGD, Adam and
/// RMSprop add `weight_decay * w` to the gradient, `w ← w − lr (∇ + λ w)`; AdamW shrinks the weights
/// by `lr * weight_decay` before its step. The notebooks' SGD applies the decay outside the learning
/// rate, `w ← w − lr ∇ − λ w`: their λ is `lr * weight_decay` here, so a notebook's `weight_decay`
/// of 0.01 with `lr` 0.1 is `"weight_decay": 0.1`.
public enum OptimizerSpec: Equatable, Sendable, Codable {
    case sgd(lr: Double, momentum: Double, dampening: Double, nesterov: Bool, weightDecay: Double)
    case adam(lr: Double, beta1: Double, beta2: Double, eps: Double, weightDecay: Double)
    case adamW(lr: Double, beta1: Double, beta2: Double, eps: Double, weightDecay: Double)
    case rmsprop(lr: Double, alpha: Double, eps: Double, weightDecay: Double, momentum: Double, centered: Bool)

    /// The `torch.optim` names, as `--optimizer` and recipes write them (matched without regard to case).
    public static let typeNames = ["SGD", "Adam", "AdamW", "RMSprop"]

    /// The optimizer `name` with every one of PyTorch's defaults, or nil for a name it does not know.
    public static func defaults(_ name: String) -> OptimizerSpec? {
        switch name.lowercased() {
        case "sgd": return .sgd(lr: 0.001, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0)
        case "adam": return .adam(lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0)
        case "adamw": return .adamW(lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01)
        case "rmsprop": return .rmsprop(lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false)
        default: return nil
        }
    }

    public var learningRate: Double {
        switch self {
        case .sgd(let lr, _, _, _, _), .adam(let lr, _, _, _, _), .adamW(let lr, _, _, _, _),
            .rmsprop(let lr, _, _, _, _, _):
            return lr
        }
    }

    public var weightDecay: Double {
        switch self {
        case .sgd(_, _, _, _, let wd), .adam(_, _, _, _, let wd), .adamW(_, _, _, _, let wd),
            .rmsprop(_, _, _, let wd, _, _):
            return wd
        }
    }

    /// SGD's and RMSprop's momentum; nil for the Adams, which have none.
    public var momentum: Double? {
        switch self {
        case .sgd(_, let momentum, _, _, _), .rmsprop(_, _, _, _, let momentum, _): return momentum
        case .adam, .adamW: return nil
        }
    }

    public var name: String {
        switch self {
        case .sgd: return "SGD"
        case .adam: return "Adam"
        case .adamW: return "AdamW"
        case .rmsprop: return "RMSprop"
        }
    }

    /// The same optimizer with another base learning rate.
    public func with(learningRate lr: Double) -> OptimizerSpec {
        switch self {
        case .sgd(_, let m, let d, let n, let wd):
            return .sgd(lr: lr, momentum: m, dampening: d, nesterov: n, weightDecay: wd)
        case .adam(_, let b1, let b2, let eps, let wd):
            return .adam(lr: lr, beta1: b1, beta2: b2, eps: eps, weightDecay: wd)
        case .adamW(_, let b1, let b2, let eps, let wd):
            return .adamW(lr: lr, beta1: b1, beta2: b2, eps: eps, weightDecay: wd)
        case .rmsprop(_, let alpha, let eps, let wd, let m, let centered):
            return .rmsprop(lr: lr, alpha: alpha, eps: eps, weightDecay: wd, momentum: m, centered: centered)
        }
    }

    /// The same optimizer with another weight decay.
    public func with(weightDecay wd: Double) -> OptimizerSpec {
        switch self {
        case .sgd(let lr, let m, let d, let n, _):
            return .sgd(lr: lr, momentum: m, dampening: d, nesterov: n, weightDecay: wd)
        case .adam(let lr, let b1, let b2, let eps, _):
            return .adam(lr: lr, beta1: b1, beta2: b2, eps: eps, weightDecay: wd)
        case .adamW(let lr, let b1, let b2, let eps, _):
            return .adamW(lr: lr, beta1: b1, beta2: b2, eps: eps, weightDecay: wd)
        case .rmsprop(let lr, let alpha, let eps, _, let m, let centered):
            return .rmsprop(lr: lr, alpha: alpha, eps: eps, weightDecay: wd, momentum: m, centered: centered)
        }
    }

    /// The same optimizer with another momentum (SGD and RMSprop; the Adams are returned unchanged).
    /// SGD's Nesterov momentum is dropped with a momentum of 0, which it needs.
    public func with(momentum m: Double) -> OptimizerSpec {
        switch self {
        case .sgd(let lr, _, let d, let n, let wd):
            return .sgd(lr: lr, momentum: m, dampening: d, nesterov: n && m > 0, weightDecay: wd)
        case .rmsprop(let lr, let alpha, let eps, let wd, _, let centered):
            return .rmsprop(lr: lr, alpha: alpha, eps: eps, weightDecay: wd, momentum: m, centered: centered)
        case .adam, .adamW:
            return self
        }
    }

    /// `SGD lr 0.05 momentum 0.9 weight_decay 0.001`: the name, the rate and what differs from
    /// nothing, for the line a run starts with.
    public var summary: String {
        func number(_ x: Double) -> String { String(format: "%.4g", x) }
        var text = "\(name) lr \(number(learningRate))"
        if let momentum, momentum > 0 { text += " momentum \(number(momentum))" }
        if case .sgd(_, _, _, true, _) = self { text += " nesterov" }
        if case .rmsprop(_, _, _, _, _, true) = self { text += " centered" }
        if weightDecay > 0 { text += " weight_decay \(number(weightDecay))" }
        return text
    }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let name = try? single.decode(String.self) {
            guard let spec = Self.defaults(name) else {
                throw RecipeProblem(
                    codingPath: decoder.codingPath, kind: .invalidValue(found: "\"\(name)\"", expected: Self.choices))
            }
            self = spec
            return
        }
        let c = try decoder.recipeObject("an optimizer name or an object")
        let type: String = try c.required("type")
        guard let defaults = Self.defaults(type) else {
            throw c.invalid("type", found: "\"\(type)\"", expected: Self.choices)
        }
        let lr = try c.number("lr", Limits.learningRate, default: defaults.learningRate)
        func weightDecay() throws -> Double {
            try c.number("weight_decay", Limits.weightDecay, default: defaults.weightDecay)
        }
        func betas() throws -> (Double, Double) {
            let betas: [Double] = try c.optional("betas") ?? [0.9, 0.999]
            guard betas.count == 2, betas.allSatisfy(Limits.beta.allows) else {
                throw c.invalid(
                    "betas", found: "[\(betas.map(formatNumber).joined(separator: ", "))]",
                    expected: "two numbers, each \(Limits.beta.expected), e.g. [0.9, 0.999]")
            }
            return (betas[0], betas[1])
        }
        func eps() throws -> Double { try c.number("eps", Limits.epsilon, default: 1e-8) }
        switch defaults {
        case .sgd:
            try c.allowOnly(["type", "lr", "momentum", "dampening", "nesterov", "weight_decay"])
            let momentum = try c.number("momentum", Limits.momentum, default: 0)
            let dampening = try c.number("dampening", Limits.dampening, default: 0)
            let nesterov: Bool = try c.optional("nesterov") ?? false
            if nesterov && (momentum == 0 || dampening != 0) {
                throw c.invalid("nesterov", found: "true", expected: "false unless momentum > 0 and dampening is 0")
            }
            self = .sgd(
                lr: lr, momentum: momentum, dampening: dampening, nesterov: nesterov, weightDecay: try weightDecay())
        case .adam, .adamW:
            try c.allowOnly(["type", "lr", "betas", "eps", "weight_decay"])
            let (beta1, beta2) = try betas()
            let (e, wd) = (try eps(), try weightDecay())
            if case .adam = defaults {
                self = .adam(lr: lr, beta1: beta1, beta2: beta2, eps: e, weightDecay: wd)
            } else {
                self = .adamW(lr: lr, beta1: beta1, beta2: beta2, eps: e, weightDecay: wd)
            }
        case .rmsprop:
            try c.allowOnly(["type", "lr", "alpha", "eps", "weight_decay", "momentum", "centered"])
            self = .rmsprop(
                lr: lr, alpha: try c.number("alpha", Limits.alpha, default: 0.99), eps: try eps(),
                weightDecay: try weightDecay(), momentum: try c.number("momentum", Limits.momentum, default: 0),
                centered: try c.optional("centered") ?? false)
        }
    }

    private static var choices: String {
        "one of " + typeNames.map { "\"\($0)\"" }.joined(separator: ", ")
    }

    /// Every argument written out, so a recipe stored in a checkpoint means the same whatever later
    /// defaults become.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: RecipeKey.self)
        try c.put(name, "type")
        try c.put(learningRate, "lr")
        switch self {
        case .sgd(_, let momentum, let dampening, let nesterov, let weightDecay):
            try c.put(momentum, "momentum")
            if dampening != 0 { try c.put(dampening, "dampening") }
            if nesterov { try c.put(nesterov, "nesterov") }
            if weightDecay != 0 { try c.put(weightDecay, "weight_decay") }
        case .adam(_, let beta1, let beta2, let eps, let weightDecay):
            try c.put([beta1, beta2], "betas")
            try c.put(eps, "eps")
            if weightDecay != 0 { try c.put(weightDecay, "weight_decay") }
        case .adamW(_, let beta1, let beta2, let eps, let weightDecay):
            try c.put([beta1, beta2], "betas")
            try c.put(eps, "eps")
            try c.put(weightDecay, "weight_decay")
        case .rmsprop(_, let alpha, let eps, let weightDecay, let momentum, let centered):
            try c.put(alpha, "alpha")
            try c.put(eps, "eps")
            try c.put(weightDecay, "weight_decay")
            try c.put(momentum, "momentum")
            try c.put(centered, "centered")
        }
    }
}
