/// One layer of a recipe, written as the `torch.nn` class it corresponds to, with that class's
/// argument names:
///
///     {"type": "Conv2d", "out_channels": 10, "kernel_size": 5}
///     {"type": "Linear", "in_features": 784, "out_features": 100}
///
/// A recipe's layer list maps one to one onto a `torch.nn.Sequential`, so the checkpoint's tensor
/// names (`1.weight`) are PyTorch's. Input sizes (`in_features`, `in_channels`, `num_features`) may be
/// left out: the model builder infers them from the dataset. When given, they are checked, which is
/// how a recipe says it only fits inputs of one size (`mlp-784-100-10`).
public enum LayerSpec: Equatable, Sendable, Codable {
    case linear(inFeatures: Int?, outFeatures: Int, bias: Bool)
    case conv2d(inChannels: Int?, outChannels: Int, kernelSize: Int, stride: Int, padding: Int, bias: Bool)
    case maxPool2d(kernelSize: Int, stride: Int?, padding: Int)
    case relu
    case sigmoid
    case tanh
    case flatten
    case dropout(p: Double)
    case dropout2d(p: Double)
    case batchNorm1d(numFeatures: Int?, eps: Double, momentum: Double)
    case batchNorm2d(numFeatures: Int?, eps: Double, momentum: Double)
    case softmax
    case logSoftmax

    /// The `torch.nn` class names, as recipes write them (matched without regard to case).
    public static let typeNames = [
        "Linear", "Conv2d", "MaxPool2d", "ReLU", "Sigmoid", "Tanh", "Flatten", "Dropout", "Dropout2d",
        "BatchNorm1d", "BatchNorm2d", "Softmax", "LogSoftmax",
    ]

    /// This layer's `torch.nn` class name.
    public var typeName: String {
        switch self {
        case .linear: return "Linear"
        case .conv2d: return "Conv2d"
        case .maxPool2d: return "MaxPool2d"
        case .relu: return "ReLU"
        case .sigmoid: return "Sigmoid"
        case .tanh: return "Tanh"
        case .flatten: return "Flatten"
        case .dropout: return "Dropout"
        case .dropout2d: return "Dropout2d"
        case .batchNorm1d: return "BatchNorm1d"
        case .batchNorm2d: return "BatchNorm2d"
        case .softmax: return "Softmax"
        case .logSoftmax: return "LogSoftmax"
        }
    }

    /// The argument names each type takes (after `type`).
    static func argumentNames(of typeName: String) -> [String] {
        switch typeName {
        case "Linear": return ["in_features", "out_features", "bias"]
        case "Conv2d": return ["in_channels", "out_channels", "kernel_size", "stride", "padding", "bias"]
        case "MaxPool2d": return ["kernel_size", "stride", "padding"]
        case "Dropout", "Dropout2d": return ["p"]
        case "BatchNorm1d", "BatchNorm2d": return ["num_features", "eps", "momentum"]
        case "Softmax", "LogSoftmax": return ["dim"]
        default: return []
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: RecipeKey.self)
        let written: String = try c.required("type")
        guard let type = Self.typeNames.first(where: { $0.lowercased() == written.lowercased() }) else {
            throw RecipeProblem(
                codingPath: c.codingPath + [RecipeKey("type")],
                kind: .unknownLayerType(found: written, valid: Self.typeNames))
        }
        try c.allowOnly(["type"] + Self.argumentNames(of: type))
        func size(_ name: String) throws -> Int? {
            guard let value: Int = try c.optional(name) else { return nil }
            guard value >= 1 else { throw c.invalid(name, found: "\(value)", expected: "a size of at least 1") }
            return value
        }
        func probability() throws -> Double {
            try c.number("p", in: 0...1, default: 0.5, what: "a probability between 0 and 1")
        }
        switch type {
        case "Linear":
            self = .linear(
                inFeatures: try size("in_features"), outFeatures: try c.integer("out_features", atLeast: 1),
                bias: try c.optional("bias") ?? true)
        case "Conv2d":
            self = .conv2d(
                inChannels: try size("in_channels"), outChannels: try c.integer("out_channels", atLeast: 1),
                kernelSize: try c.integer("kernel_size", atLeast: 1),
                stride: try c.integer("stride", atLeast: 1, default: 1),
                padding: try c.integer("padding", atLeast: 0, default: 0), bias: try c.optional("bias") ?? true)
        case "MaxPool2d":
            let kernel = try c.integer("kernel_size", atLeast: 1)
            let padding = try c.integer("padding", atLeast: 0, default: 0)
            guard padding <= kernel / 2 else {  // padding * 2 would overflow for a padding near Int.max
                throw c.invalid("padding", found: "\(padding)", expected: "at most half of kernel_size (\(kernel))")
            }
            self = .maxPool2d(kernelSize: kernel, stride: try size("stride"), padding: padding)
        case "Dropout": self = .dropout(p: try probability())
        case "Dropout2d": self = .dropout2d(p: try probability())
        case "BatchNorm1d", "BatchNorm2d":
            let features = try size("num_features")
            let eps = try c.number("eps", in: 0...1, default: 1e-5, what: "a small number of 0 or more")
            let momentum = try c.number("momentum", in: 0...1, default: 0.1, what: "a number between 0 and 1")
            self =
                type == "BatchNorm1d"
                ? .batchNorm1d(numFeatures: features, eps: eps, momentum: momentum)
                : .batchNorm2d(numFeatures: features, eps: eps, momentum: momentum)
        case "Softmax", "LogSoftmax":
            if let dim: Int = try c.optional("dim"), dim != 1, dim != -1 {
                throw c.invalid("dim", found: "\(dim)", expected: "1 (the class dimension), or left out")
            }
            self = type == "Softmax" ? .softmax : .logSoftmax
        case "ReLU": self = .relu
        case "Sigmoid": self = .sigmoid
        case "Tanh": self = .tanh
        default: self = .flatten
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: RecipeKey.self)
        try c.put(typeName, "type")
        switch self {
        case .linear(let inFeatures, let outFeatures, let bias):
            try c.encodeIfPresent(inFeatures, forKey: RecipeKey("in_features"))
            try c.put(outFeatures, "out_features")
            if !bias { try c.put(bias, "bias") }
        case .conv2d(let inChannels, let outChannels, let kernelSize, let stride, let padding, let bias):
            try c.encodeIfPresent(inChannels, forKey: RecipeKey("in_channels"))
            try c.put(outChannels, "out_channels")
            try c.put(kernelSize, "kernel_size")
            if stride != 1 { try c.put(stride, "stride") }
            if padding != 0 { try c.put(padding, "padding") }
            if !bias { try c.put(bias, "bias") }
        case .maxPool2d(let kernelSize, let stride, let padding):
            try c.put(kernelSize, "kernel_size")
            try c.encodeIfPresent(stride, forKey: RecipeKey("stride"))
            if padding != 0 { try c.put(padding, "padding") }
        case .dropout(let p), .dropout2d(let p):
            try c.put(p, "p")
        case .batchNorm1d(let features, let eps, let momentum), .batchNorm2d(let features, let eps, let momentum):
            try c.encodeIfPresent(features, forKey: RecipeKey("num_features"))
            if eps != 1e-5 { try c.put(eps, "eps") }
            if momentum != 0.1 { try c.put(momentum, "momentum") }
        case .softmax, .logSoftmax:
            try c.put(1, "dim")
        case .relu, .sigmoid, .tanh, .flatten:
            break
        }
    }

    /// A short description for messages: `Conv2d(kernel_size 5)`.
    public var summary: String {
        switch self {
        case .linear(let inFeatures, let outFeatures, _):
            return "Linear(\(inFeatures.map { "\($0) -> " } ?? "")\(outFeatures))"
        case .conv2d(_, let outChannels, let kernelSize, _, _, _):
            return "Conv2d(\(outChannels) channels, kernel_size \(kernelSize))"
        case .maxPool2d(let kernelSize, _, _):
            return "MaxPool2d(kernel_size \(kernelSize))"
        default:
            return typeName
        }
    }
}
