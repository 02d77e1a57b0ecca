import NNCore
import NNData
import NNLayers

/// What a network is built for: one image's shape and the number of classes.
public struct ModelInput: Equatable, Sendable, Codable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int
    public var classes: Int

    public init(channels: Int, height: Int, width: Int, classes: Int) {
        self.channels = channels
        self.height = height
        self.width = width
        self.classes = classes
    }

    /// The input of a registered dataset.
    public init(_ spec: DatasetSpec) {
        self.init(channels: spec.channels, height: spec.height, width: spec.width, classes: spec.classNames.count)
    }

    /// The input of a dataset known by its facts.
    public init(_ facts: DatasetFacts) {
        self.init(channels: facts.channels, height: facts.height, width: facts.width, classes: facts.classNames.count)
    }

    /// The input of a dataset in memory.
    public init(_ dataset: ImageDataset) {
        self.init(
            channels: dataset.channels, height: dataset.height, width: dataset.width, classes: dataset.classNames.count)
    }

    /// `1x28x28`.
    public var description: String { "\(channels)x\(height)x\(width)" }

    /// True for the `1 x 1 x F` input of a feature set (a table's rows, 2-D points).
    public var isFeatureRow: Bool { channels == 1 && height == 1 }

    /// What one example is, for messages: `1x28x28 images` or `rows of 2 features`.
    public var examplesPhrase: String {
        isFeatureRow ? "rows of \(width) feature\(width == 1 ? "" : "s")" : "\(description) images"
    }
}

/// Why a recipe's network cannot take a dataset's input (a sentence fragment: "layer 3 (...) ...").
public struct ModelIncompatibility: Error, Equatable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

/// Turns a recipe plus the input it will see into a network, inferring every size: the input
/// features of each `Linear`, the channels of each `Conv2d` and `BatchNorm`, and the flatten size.
public enum ModelBuilder {
    /// The recipe's layers with every size filled in, checked against `input`. Throws
    /// `ModelIncompatibility` saying which layer cannot take what it would receive.
    public static func resolve(_ recipe: Recipe, for input: ModelInput) throws -> [LayerSpec] {
        if case .fixed(let mean, _) = recipe.normalization, mean.count != input.channels {
            throw ModelIncompatibility(
                reason: "its fixed normalization gives \(mean.count) channel means, but the images have "
                    + "\(input.channels) channels")
        }
        var shape = [input.channels, input.height, input.width]
        var resolved: [LayerSpec] = []
        func fail(_ index: Int, _ layer: LayerSpec, _ text: String) -> ModelIncompatibility {
            ModelIncompatibility(reason: "layer \(index) (\(layer.summary)) \(text)")
        }
        func describe(_ s: [Int]) -> String {
            s.count == 3
                ? "\(s[0]) channels of \(s[1])x\(s[2])"
                : "\(checkedProduct(s).map(String.init) ?? "more than 2^63") values"
        }
        // Sizes from a recipe file can be anything up to Int.max: sums and products are checked.
        func padded(_ shape: [Int], _ padding: Int, _ index: Int, _ layer: LayerSpec) throws -> (Int, Int) {
            guard let twice = checkedProduct([2, padding]), let h = checkedSum(shape[1], twice),
                let w = checkedSum(shape[2], twice)
            else { throw fail(index, layer, "pads by \(padding) pixels, more than an image size can count") }
            return (h, w)
        }
        for (index, layer) in recipe.layers.enumerated() {
            switch layer {
            case .linear(let inFeatures, let outFeatures, let bias):
                guard shape.count == 1 else {
                    throw fail(
                        index, layer,
                        "needs a flat input but receives \(describe(shape)); put a Flatten layer before it")
                }
                if let inFeatures, inFeatures != shape[0] {
                    let origin =
                        index <= 1 && recipe.layers.prefix(index).allSatisfy({ $0 == .flatten })
                        ? "\(input.examplesPhrase) flatten to \(shape[0]) values" : "it receives \(shape[0]) values"
                    throw fail(index, layer, "takes \(inFeatures) inputs, but \(origin)")
                }
                resolved.append(.linear(inFeatures: shape[0], outFeatures: outFeatures, bias: bias))
                shape = [outFeatures]
            case .conv2d(let inChannels, let outChannels, let kernel, let stride, let padding, let bias):
                guard shape.count == 3 else {
                    throw fail(index, layer, "needs images (channels x height x width) but receives \(describe(shape))")
                }
                if let inChannels, inChannels != shape[0] {
                    throw fail(index, layer, "takes \(inChannels) input channels, but receives \(shape[0])")
                }
                let (h, w) = try padded(shape, padding, index, layer)
                guard h >= kernel, w >= kernel else {
                    throw fail(
                        index, layer,
                        "needs an input of at least \(kernel)x\(kernel) pixels, but receives \(shape[1])x\(shape[2])"
                            + (index > 0 ? " (what \(input) images become after the layers before it)" : ""))
                }
                resolved.append(
                    .conv2d(
                        inChannels: shape[0], outChannels: outChannels, kernelSize: kernel, stride: stride,
                        padding: padding, bias: bias))
                shape = [outChannels, (h - kernel) / stride + 1, (w - kernel) / stride + 1]
            case .maxPool2d(let kernel, let stride, let padding),
                .avgPool2d(let kernel, let stride, let padding, _):
                guard shape.count == 3 else {
                    throw fail(index, layer, "needs images (channels x height x width) but receives \(describe(shape))")
                }
                let (h, w) = try padded(shape, padding, index, layer)
                guard h >= kernel, w >= kernel else {
                    throw fail(
                        index, layer,
                        "needs an input of at least \(kernel)x\(kernel) pixels, but receives \(shape[1])x\(shape[2])"
                            + (index > 0 ? " (what \(input) images become after the layers before it)" : ""))
                }
                let s = stride ?? kernel
                resolved.append(layer)
                shape = [shape[0], (h - kernel) / s + 1, (w - kernel) / s + 1]
            case .adaptiveAvgPool2d(let height, let width):
                guard shape.count == 3 else {
                    throw fail(index, layer, "needs images (channels x height x width) but receives \(describe(shape))")
                }
                resolved.append(layer)
                shape = [shape[0], height, width]
            case .flatten:
                resolved.append(layer)
                guard let flat = checkedProduct(shape) else {
                    throw fail(index, layer, "would flatten \(describe(shape)) into more values than an Int can count")
                }
                shape = [flat]
            case .dropout2d:
                guard shape.count == 3 else {
                    throw fail(index, layer, "drops whole channels of images, but receives \(describe(shape))")
                }
                resolved.append(layer)
            case .batchNorm1d(let features, let eps, let momentum):
                guard shape.count == 1 else {
                    throw fail(index, layer, "needs a flat input but receives \(describe(shape))")
                }
                if let features, features != shape[0] {
                    throw fail(index, layer, "normalises \(features) features, but receives \(shape[0])")
                }
                resolved.append(.batchNorm1d(numFeatures: shape[0], eps: eps, momentum: momentum))
            case .batchNorm2d(let features, let eps, let momentum):
                guard shape.count == 3 else {
                    throw fail(index, layer, "needs images (channels x height x width) but receives \(describe(shape))")
                }
                if let features, features != shape[0] {
                    throw fail(index, layer, "normalises \(features) channels, but receives \(shape[0])")
                }
                resolved.append(.batchNorm2d(numFeatures: shape[0], eps: eps, momentum: momentum))
            case .softmax, .logSoftmax:
                guard shape.count == 1 else {
                    throw fail(index, layer, "needs one score per class but receives \(describe(shape))")
                }
                resolved.append(layer)
            case .relu, .leakyReLU, .gelu, .sigmoid, .tanh, .dropout:
                resolved.append(layer)
            }
        }
        guard shape.count == 1, recipe.loss.accepts(outputs: shape[0], classes: input.classes) else {
            throw ModelIncompatibility(
                reason: "the network ends with \(describe(shape)), but the dataset has \(input.classes) classes "
                    + "(the last layer needs \(recipe.loss.expectedOutputs(classes: input.classes))"
                    + (recipe.loss.kind == .crossEntropy || recipe.loss.kind == .nll
                        ? ")" : " with \(recipe.loss.name))"))
        }
        try checkLoss(recipe.loss, after: recipe.layers.last, outputs: shape[0])
        return resolved
    }

    /// Pairs a loss with what the network ends with: NLLLoss needs log-probabilities (a final
    /// LogSoftmax); CrossEntropyLoss and BCEWithLogitsLoss need scores, not probabilities; HingeLoss
    /// needs margins free to be negative; MSELoss's targets must be reachable (-1 for one output,
    /// 1 for one output per class).
    private static func checkLoss(_ loss: LossSpec, after last: LayerSpec?, outputs: Int) throws {
        let squashing: String?
        switch last {
        case .sigmoid?: squashing = "Sigmoid"
        case .softmax?: squashing = "Softmax"
        case .logSoftmax?: squashing = "LogSoftmax"
        default: squashing = nil
        }
        switch loss.kind {
        case .nll where last != .logSoftmax:
            throw ModelIncompatibility(
                reason: "NLLLoss expects log-probabilities, so the network must end with LogSoftmax "
                    + "(add it, or use CrossEntropyLoss)")
        case .crossEntropy where last == .softmax:
            throw ModelIncompatibility(
                reason: "CrossEntropyLoss applies softmax itself, so the network must not end with Softmax "
                    + "(remove it, or end with LogSoftmax and use NLLLoss)")
        case .bceWithLogits:
            if let squashing {
                throw ModelIncompatibility(
                    reason: "BCEWithLogitsLoss applies the sigmoid itself, so the network must end with the logit, "
                        + "not \(squashing) (remove it)")
            }
        case .hinge:
            if let squashing {
                throw ModelIncompatibility(
                    reason: "HingeLoss compares margins with -1 and +1, which a final \(squashing) keeps from being "
                        + "negative (remove it)")
            }
        case .mse where outputs == 1:
            if let squashing {
                throw ModelIncompatibility(
                    reason:
                        "MSELoss with one output aims at -1 and +1, which a final \(squashing) cannot reach (remove "
                        + "it, or give the network one output per class)")
            }
        case .mse where last == .logSoftmax:
            throw ModelIncompatibility(
                reason: "MSELoss aims at one-hot targets of 0 and 1, which LogSoftmax's log-probabilities cannot reach "
                    + "(use Softmax, or NLLLoss)")
        default:
            break
        }
    }

    /// The network for `recipe` on `input`, initialised from `seed` as `TrainingRandomness` describes.
    public static func build(_ recipe: Recipe, for input: ModelInput, seed: UInt64) throws -> Sequential {
        try build(resolved: try resolve(recipe, for: input), seed: seed, initialization: recipe.initialization)
    }

    /// The network for layers already resolved, with the recipe's initialisers by layer index
    /// (PyTorch's defaults for the layers not listed).
    public static func build(
        resolved layers: [LayerSpec], seed: UInt64, initialization: [Int: LayerInitialization] = [:]
    ) throws -> Sequential {
        var initRNG = TrainingRandomness.weightInitialization(seed: seed)
        var built: [any Layer] = []
        for (index, layer) in layers.enumerated() {
            let chosen = initialization[index]
            let weightInitializer = chosen?.weight?.initializer ?? .pytorchDefault
            let biasInitializer = chosen?.bias?.initializer
            switch layer {
            case .linear(let inFeatures, let outFeatures, let bias):
                built.append(
                    try Dense(
                        inFeatures: inFeatures ?? 0, outFeatures: outFeatures, bias: bias,
                        weightInitializer: weightInitializer, biasInitializer: biasInitializer, rng: &initRNG))
            case .conv2d(let inChannels, let outChannels, let kernel, let stride, let padding, let bias):
                built.append(
                    try Conv2D(
                        inChannels: inChannels ?? 0, outChannels: outChannels, kernel: kernel, stride: stride,
                        padding: padding, bias: bias, weightInitializer: weightInitializer,
                        biasInitializer: biasInitializer, rng: &initRNG))
            case .maxPool2d(let kernel, let stride, let padding):
                built.append(try MaxPool2D(kernel: kernel, stride: stride, padding: padding))
            case .avgPool2d(let kernel, let stride, let padding, let countIncludePad):
                built.append(
                    try AvgPool2D(kernel: kernel, stride: stride, padding: padding, countIncludePad: countIncludePad))
            case .adaptiveAvgPool2d(let height, let width):
                built.append(try AdaptiveAvgPool2D(outputHeight: height, outputWidth: width))
            case .relu: built.append(ReLU())
            case .leakyReLU(let slope): built.append(try LeakyReLU(negativeSlope: Float(slope)))
            case .gelu(let tanh): built.append(GELU(approximate: tanh ? .tanh : .none))
            case .sigmoid: built.append(Sigmoid())
            case .tanh: built.append(Tanh())
            case .flatten: built.append(Flatten())
            case .softmax: built.append(Softmax())
            case .logSoftmax: built.append(LogSoftmax())
            case .dropout(let p):
                built.append(try Dropout(p: Float(p), rng: TrainingRandomness.dropout(seed: seed, layer: index)))
            case .dropout2d(let p):
                built.append(try Dropout2d(p: Float(p), rng: TrainingRandomness.dropout(seed: seed, layer: index)))
            case .batchNorm1d(let features, let eps, let momentum):
                built.append(
                    try BatchNorm(
                        features: features ?? 0, dimensions: 1, epsilon: Float(eps), momentum: Float(momentum)))
            case .batchNorm2d(let features, let eps, let momentum):
                built.append(
                    try BatchNorm(
                        features: features ?? 0, dimensions: 2, epsilon: Float(eps), momentum: Float(momentum)))
            }
        }
        return Sequential(built)
    }
}
