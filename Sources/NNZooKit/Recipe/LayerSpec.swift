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
    case avgPool2d(kernelSize: Int, stride: Int?, padding: Int, countIncludePad: Bool)
    /// Pools to `outputHeight` x `outputWidth` whatever the input size (1 x 1: global pooling).
    case adaptiveAvgPool2d(outputHeight: Int, outputWidth: Int)
    case relu
    case leakyReLU(negativeSlope: Double)
    /// `tanh`: PyTorch's `approximate='tanh'`; otherwise the exact erf form.
    case gelu(tanh: Bool)
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
        "Linear", "Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "ReLU", "LeakyReLU", "GELU", "Sigmoid",
        "Tanh", "Flatten", "Dropout", "Dropout2d", "BatchNorm1d", "BatchNorm2d", "Softmax", "LogSoftmax",
    ]

    /// This layer's `torch.nn` class name.
    public var typeName: String {
        switch self {
        case .linear: return "Linear"
        case .conv2d: return "Conv2d"
        case .maxPool2d: return "MaxPool2d"
        case .avgPool2d: return "AvgPool2d"
        case .adaptiveAvgPool2d: return "AdaptiveAvgPool2d"
        case .relu: return "ReLU"
        case .leakyReLU: return "LeakyReLU"
        case .gelu: return "GELU"
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
        case "Linear": return ["in_features", "out_features", "bias", "weight_init", "bias_init"]
        case "Conv2d":
            return [
                "in_channels", "out_channels", "kernel_size", "stride", "padding", "bias", "weight_init", "bias_init",
            ]
        case "MaxPool2d": return ["kernel_size", "stride", "padding"]
        case "AvgPool2d": return ["kernel_size", "stride", "padding", "count_include_pad"]
        case "AdaptiveAvgPool2d": return ["output_size"]
        case "LeakyReLU": return ["negative_slope"]
        case "GELU": return ["approximate"]
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
        case "MaxPool2d", "AvgPool2d":
            let kernel = try c.integer("kernel_size", atLeast: 1)
            let padding = try c.integer("padding", atLeast: 0, default: 0)
            guard padding <= kernel / 2 else {  // padding * 2 would overflow for a padding near Int.max
                throw c.invalid("padding", found: "\(padding)", expected: "at most half of kernel_size (\(kernel))")
            }
            if type == "MaxPool2d" {
                self = .maxPool2d(kernelSize: kernel, stride: try size("stride"), padding: padding)
            } else {
                self = .avgPool2d(
                    kernelSize: kernel, stride: try size("stride"), padding: padding,
                    countIncludePad: try c.optional("count_include_pad") ?? true)
            }
        case "AdaptiveAvgPool2d":
            let sizes: [Int]
            if let single = try? c.required("output_size", as: Int.self) {
                sizes = [single, single]
            } else if let pair = try? c.required("output_size", as: [Int].self), pair.count == 2 {
                sizes = pair
            } else {
                guard c.contains(RecipeKey("output_size")) else {
                    throw DecodingError.keyNotFound(
                        RecipeKey("output_size"),
                        DecodingError.Context(codingPath: c.codingPath, debugDescription: "output_size is required"))
                }
                throw c.invalid(
                    "output_size", found: "a value that is neither",
                    expected: "a size or a list of two sizes, e.g. 1 or [2, 2]")
            }
            guard sizes.allSatisfy({ $0 >= 1 }) else {
                throw c.invalid("output_size", found: "\(sizes)", expected: "sizes of at least 1")
            }
            self = .adaptiveAvgPool2d(outputHeight: sizes[0], outputWidth: sizes[1])
        case "LeakyReLU":
            self = .leakyReLU(
                negativeSlope: try c.number("negative_slope", in: -1e6...1e6, default: 0.01, what: "a finite number"))
        case "GELU":
            let approximate: String = try c.optional("approximate") ?? "none"
            guard approximate == "none" || approximate == "tanh" else {
                throw c.invalid("approximate", found: "\"\(approximate)\"", expected: "\"none\" or \"tanh\"")
            }
            self = .gelu(tanh: approximate == "tanh")
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
        case .avgPool2d(let kernelSize, let stride, let padding, let countIncludePad):
            try c.put(kernelSize, "kernel_size")
            try c.encodeIfPresent(stride, forKey: RecipeKey("stride"))
            if padding != 0 { try c.put(padding, "padding") }
            if !countIncludePad { try c.put(countIncludePad, "count_include_pad") }
        case .adaptiveAvgPool2d(let height, let width):
            if height == width {
                try c.put(height, "output_size")
            } else {
                try c.put([height, width], "output_size")
            }
        case .leakyReLU(let slope):
            try c.put(slope, "negative_slope")
        case .gelu(let tanh):
            if tanh { try c.put("tanh", "approximate") }
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
        case .avgPool2d(let kernelSize, _, _, _):
            return "AvgPool2d(kernel_size \(kernelSize))"
        case .adaptiveAvgPool2d(let height, let width):
            return "AdaptiveAvgPool2d(\(height == width ? "\(height)" : "\(height)x\(width)"))"
        case .leakyReLU(let slope):
            return slope == 0.01 ? "LeakyReLU" : "LeakyReLU(\(slope))"
        case .gelu(let tanh):
            return tanh ? "GELU(tanh)" : "GELU"
        default:
            return typeName
        }
    }
}

extension LayerSpec {
    /// The layer in a few characters, for a whole network on one line: `Conv 10 k5`, `MaxPool 2`,
    /// `Linear 320→60`, `Dropout 0.5`, `GlobalAvgPool`.
    public var compactSummary: String {
        func number(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e9 ? String(Int(x)) : "\(x)" }
        switch self {
        case .linear(let inFeatures, let outFeatures, _):
            return "Linear " + (inFeatures.map { "\($0)→" } ?? "") + "\(outFeatures)"
        case .conv2d(_, let outChannels, let kernel, let stride, let padding, _):
            return "Conv \(outChannels) k\(kernel)" + (stride != 1 ? " s\(stride)" : "")
                + (padding != 0 ? " p\(padding)" : "")
        case .maxPool2d(let kernel, let stride, let padding):
            return "MaxPool \(kernel)" + (stride.map { $0 != kernel ? " s\($0)" : "" } ?? "")
                + (padding != 0 ? " p\(padding)" : "")
        case .avgPool2d(let kernel, let stride, let padding, _):
            return "AvgPool \(kernel)" + (stride.map { $0 != kernel ? " s\($0)" : "" } ?? "")
                + (padding != 0 ? " p\(padding)" : "")
        case .adaptiveAvgPool2d(let height, let width):
            return height == 1 && width == 1 ? "GlobalAvgPool" : "AdaptiveAvgPool \(height)x\(width)"
        case .dropout(let p): return "Dropout \(number(p))"
        case .dropout2d(let p): return "Dropout2d \(number(p))"
        case .leakyReLU(let slope): return slope == 0.01 ? "LeakyReLU" : "LeakyReLU \(number(slope))"
        case .gelu(let tanh): return tanh ? "GELU tanh" : "GELU"
        default: return typeName
        }
    }
}

/// One entry of a recipe's `layers` as written: the layer, and the initialisers it names for its
/// weight and bias (`weight_init`, `bias_init`, on `Linear` and `Conv2d`). The initialisers belong
/// to training, not to the architecture, so the architecture a checkpoint records (which PyTorch
/// builds with `getattr(torch.nn, type)(**arguments)`) leaves them out.
struct RecipeLayer: Codable {
    var spec: LayerSpec
    var initialization: LayerInitialization

    init(spec: LayerSpec, initialization: LayerInitialization) {
        self.spec = spec
        self.initialization = initialization
    }

    init(from decoder: any Decoder) throws {
        spec = try LayerSpec(from: decoder)
        let c = try decoder.container(keyedBy: RecipeKey.self)
        initialization = LayerInitialization(
            weight: try c.optional("weight_init"), bias: try c.optional("bias_init"))
        if let bias = initialization.bias {
            switch spec {
            case .linear(_, _, false), .conv2d(_, _, _, _, _, false):
                throw c.invalid("bias_init", found: "\"\(bias.typeName)\"", expected: "left out: the layer has no bias")
            default:
                break
            }
            if bias.needsFans {
                throw c.invalid(
                    "bias_init", found: "\"\(bias.typeName)\"",
                    expected: "zeros, ones, constant, normal or uniform (a bias has one dimension, so no fans for "
                        + "\(bias.typeName) to scale by, as in PyTorch)")
            }
        }
    }

    func encode(to encoder: any Encoder) throws {
        try spec.encode(to: encoder)
        var c = encoder.container(keyedBy: RecipeKey.self)
        try c.encodeIfPresent(initialization.weight, forKey: RecipeKey("weight_init"))
        try c.encodeIfPresent(initialization.bias, forKey: RecipeKey("bias_init"))
    }
}
