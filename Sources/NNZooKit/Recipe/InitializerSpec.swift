import NNCore

/// How a layer's weight or bias is filled before training, named as in `torch.nn.init` (the
/// trailing underscore may be left out), with that function's arguments and defaults:
///
///     "xavier_uniform"                                   {"type": "xavier_uniform", "gain": 1}
///     "xavier_normal"                                    {"type": "xavier_normal", "gain": "relu"}
///     "kaiming_uniform"                                  {"type": "kaiming_uniform", "a": 0, "mode": "fan_in",
///                                                         "nonlinearity": "leaky_relu"}
///     "kaiming_normal"                                   (the same arguments)
///     "zeros"   "ones"                                   {"type": "constant", "val": 0.1}
///     {"type": "normal", "mean": 0, "std": 0.01}         (defaults mean 0, std 1)
///     {"type": "uniform", "a": -0.1, "b": 0.1}           (defaults a 0, b 1)
///
/// `gain` is a number or a nonlinearity's name, which means `torch.nn.init.calculate_gain(name)`
/// (`leaky_relu` with its default slope 0.01). Fans are PyTorch's (`[out, in, k...]`: fan in
/// `in * k...`, fan out `out * k...`), so bounds and standard deviations are PyTorch's; the random
/// numbers come from the run's own generator, so the values are not PyTorch's.
public enum InitializerSpec: Equatable, Sendable, Codable {
    case xavierUniform(gain: Double)
    case xavierNormal(gain: Double)
    /// `a` is the negative slope for `leaky_relu`; `nonlinearity` one of `nonlinearityNames`.
    case kaimingUniform(a: Double, fanOut: Bool, nonlinearity: String)
    case kaimingNormal(a: Double, fanOut: Bool, nonlinearity: String)
    case constant(Double)
    case normal(mean: Double, std: Double)
    case uniform(a: Double, b: Double)

    /// `torch.nn.init.calculate_gain`'s nonlinearity names.
    public static let nonlinearityNames = [
        "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
        "sigmoid", "tanh", "relu", "leaky_relu", "selu",
    ]

    static let typeNames = [
        "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "zeros", "ones", "constant", "normal",
        "uniform",
    ]

    /// `calculate_gain(name, param)`; nil for a name PyTorch does not know.
    static func nonlinearity(_ name: String, slope: Double) -> Initializer.Nonlinearity? {
        switch name {
        case "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d":
            return .linear
        case "sigmoid": return .sigmoid
        case "tanh": return .tanh
        case "relu": return .relu
        case "leaky_relu": return .leakyReLU(negativeSlope: Float(slope))
        case "selu": return .selu
        default: return nil
        }
    }

    /// The engine's initialiser.
    public var initializer: Initializer {
        switch self {
        case .xavierUniform(let gain): return .xavierUniform(gain: Float(gain))
        case .xavierNormal(let gain): return .xavierNormal(gain: Float(gain))
        case .kaimingUniform(let a, let fanOut, let name):
            return .kaimingUniform(
                mode: fanOut ? .fanOut : .fanIn, nonlinearity: Self.nonlinearity(name, slope: a) ?? .linear)
        case .kaimingNormal(let a, let fanOut, let name):
            return .kaimingNormal(
                mode: fanOut ? .fanOut : .fanIn, nonlinearity: Self.nonlinearity(name, slope: a) ?? .linear)
        case .constant(let value): return value == 0 ? .zeros : .constant(Float(value))
        case .normal(let mean, let std): return .normal(mean: Float(mean), std: Float(std))
        case .uniform(let a, let b): return .uniform(low: Float(a), high: Float(b))
        }
    }

    /// The `torch.nn.init` name.
    public var typeName: String {
        switch self {
        case .xavierUniform: return "xavier_uniform"
        case .xavierNormal: return "xavier_normal"
        case .kaimingUniform: return "kaiming_uniform"
        case .kaimingNormal: return "kaiming_normal"
        case .constant(let value): return value == 0 ? "zeros" : value == 1 ? "ones" : "constant"
        case .normal: return "normal"
        case .uniform: return "uniform"
        }
    }

    /// Whether it needs a tensor's fans, which a bias (one dimension) does not have.
    public var needsFans: Bool { initializer.needsFans }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let name = try? single.decode(String.self) {
            let type = Self.canonical(name)
            guard Self.typeNames.contains(type) else {
                throw RecipeProblem(
                    codingPath: decoder.codingPath,
                    kind: .invalidValue(found: "\"\(name)\"", expected: Self.choices))
            }
            guard type != "constant" else {
                throw RecipeProblem(
                    codingPath: decoder.codingPath,
                    kind: .invalidValue(
                        found: "\"constant\"",
                        expected: "{\"type\": \"constant\", \"val\": ...} (a constant needs its value)"))
            }
            self = try Self.make(type, container: nil)
            return
        }
        let c = try decoder.recipeObject("a torch.nn.init name or an object")
        let written: String = try c.required("type")
        let type = Self.canonical(written)
        guard Self.typeNames.contains(type) else {
            throw c.invalid("type", found: "\"\(written)\"", expected: Self.choices)
        }
        self = try Self.make(type, container: c)
    }

    private static var choices: String {
        "one of " + typeNames.map { "\"\($0)\"" }.joined(separator: ", ") + " (torch.nn.init's names)"
    }

    /// `xavier_uniform_` and `Xavier_Uniform` mean `xavier_uniform`.
    private static func canonical(_ name: String) -> String {
        let lower = name.lowercased()
        return lower.hasSuffix("_") ? String(lower.dropLast()) : lower
    }

    /// The initialiser `type` with the arguments in `c` (nil: the name alone, every default).
    private static func make(_ type: String, container c: KeyedDecodingContainer<RecipeKey>?) throws
        -> InitializerSpec
    {
        let arguments: [String]
        switch type {
        case "xavier_uniform", "xavier_normal": arguments = ["gain"]
        case "kaiming_uniform", "kaiming_normal": arguments = ["a", "mode", "nonlinearity"]
        case "constant": arguments = ["val"]
        case "normal": arguments = ["mean", "std"]
        case "uniform": arguments = ["a", "b"]
        default: arguments = []
        }
        try c?.allowOnly(["type"] + arguments)
        func number(_ name: String, default value: Double, in range: ClosedRange<Double> = -1e6...1e6) throws -> Double
        {
            try c?.number(name, in: range, default: value, what: "a finite number in \(range)") ?? value
        }
        func invalid(_ name: String, found: String, expected: String) -> RecipeProblem {
            c?.invalid(name, found: found, expected: expected)
                ?? RecipeProblem(codingPath: [], kind: .invalidValue(found: found, expected: expected))
        }
        func string(_ name: String, default value: String, allowed: [String]) throws -> String {
            let found: String = try c?.optional(name) ?? value
            guard allowed.contains(found) else {
                throw invalid(
                    name, found: "\"\(found)\"",
                    expected: "one of " + allowed.map { "\"\($0)\"" }.joined(separator: ", "))
            }
            return found
        }
        switch type {
        case "xavier_uniform", "xavier_normal":
            let gain = try Self.gain(c)
            return type == "xavier_uniform" ? .xavierUniform(gain: gain) : .xavierNormal(gain: gain)
        case "kaiming_uniform", "kaiming_normal":
            let a = try number("a", default: 0)
            let fanOut = try string("mode", default: "fan_in", allowed: ["fan_in", "fan_out"]) == "fan_out"
            let name = try string("nonlinearity", default: "leaky_relu", allowed: nonlinearityNames)
            return type == "kaiming_uniform"
                ? .kaimingUniform(a: a, fanOut: fanOut, nonlinearity: name)
                : .kaimingNormal(a: a, fanOut: fanOut, nonlinearity: name)
        case "zeros": return .constant(0)
        case "ones": return .constant(1)
        case "constant":
            guard let c else {
                throw RecipeProblem(
                    codingPath: [],
                    kind: .invalidValue(found: "\"constant\"", expected: "{\"type\": \"constant\", \"val\": ...}"))
            }
            return .constant(try c.number("val", in: -1e6...1e6, what: "a finite number"))
        case "normal":
            return .normal(mean: try number("mean", default: 0), std: try number("std", default: 1, in: 0...1e6))
        default:
            let a = try number("a", default: 0)
            let b = try number("b", default: 1)
            guard a <= b else { throw invalid("b", found: "\(b)", expected: "at least a (\(a))") }
            return .uniform(a: a, b: b)
        }
    }

    /// `gain`: a number, or a nonlinearity's name for `calculate_gain`; default 1.
    private static func gain(_ c: KeyedDecodingContainer<RecipeKey>?) throws -> Double {
        guard let c, c.contains(RecipeKey("gain")) else { return 1 }
        if let name = try? c.required("gain", as: String.self) {
            guard let nonlinearity = nonlinearity(name, slope: 0.01) else {
                throw c.invalid(
                    "gain", found: "\"\(name)\"",
                    expected: "a number or one of " + nonlinearityNames.joined(separator: ", "))
            }
            return nonlinearity.gain
        }
        return try c.number("gain", in: 0...1e6, what: "0 or a positive number, or a nonlinearity's name")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: RecipeKey.self)
        try c.put(typeName, "type")
        switch self {
        case .xavierUniform(let gain), .xavierNormal(let gain):
            try c.put(gain, "gain")
        case .kaimingUniform(let a, let fanOut, let name), .kaimingNormal(let a, let fanOut, let name):
            try c.put(a, "a")
            try c.put(fanOut ? "fan_out" : "fan_in", "mode")
            try c.put(name, "nonlinearity")
        case .constant(let value):
            if value != 0 && value != 1 { try c.put(value, "val") }
        case .normal(let mean, let std):
            try c.put(mean, "mean")
            try c.put(std, "std")
        case .uniform(let a, let b):
            try c.put(a, "a")
            try c.put(b, "b")
        }
    }
}

/// The initialisers a recipe names for one layer (`weight_init`, `bias_init`); nil keeps
/// PyTorch's default for that layer (`U(-1/sqrt(fan_in), 1/sqrt(fan_in))` for both of `Linear`
/// and `Conv2d`).
public struct LayerInitialization: Equatable, Sendable {
    public var weight: InitializerSpec?
    public var bias: InitializerSpec?

    public init(weight: InitializerSpec? = nil, bias: InitializerSpec? = nil) {
        self.weight = weight
        self.bias = bias
    }

    public var isEmpty: Bool { weight == nil && bias == nil }
}
