import NNCore
import NNLayers

extension LayerSpec {
    /// The recipe layer a built layer is, with its sizes, so that a network written by hand is
    /// recorded in checkpoints and rebuilt by `nnzoo eval`, `export` and `train --resume` as a
    /// recipe's network is. Nil for a layer a recipe cannot name: one of the program's own (a class
    /// conforming to `Layer`), a kernel, stride or padding that differs between height and width, a
    /// batch normalisation without affine parameters or running statistics.
    public init?(describing layer: any Layer) {
        // Float arguments as the shortest decimal that reads back as the same Float (0.2, not
        // 0.20000000298023224), so that the recipe shows what the program wrote.
        func decimal(_ value: Float) -> Double { Double("\(value)") ?? Double(value) }
        switch layer {
        case let dense as Dense:
            self = .linear(inFeatures: dense.inFeatures, outFeatures: dense.outFeatures, bias: dense.bias != nil)
        case let conv as Conv2D:
            guard conv.kernelHeight == conv.kernelWidth, conv.strideHeight == conv.strideWidth,
                conv.paddingHeight == conv.paddingWidth
            else { return nil }
            self = .conv2d(
                inChannels: conv.inChannels, outChannels: conv.outChannels, kernelSize: conv.kernelHeight,
                stride: conv.strideHeight, padding: conv.paddingHeight, bias: conv.bias != nil)
        case let pool as MaxPool2D:
            guard pool.kernelHeight == pool.kernelWidth, pool.strideHeight == pool.strideWidth,
                pool.paddingHeight == pool.paddingWidth
            else { return nil }
            self = .maxPool2d(kernelSize: pool.kernelHeight, stride: pool.strideHeight, padding: pool.paddingHeight)
        case let pool as AvgPool2D:
            self = .avgPool2d(
                kernelSize: pool.kernel, stride: pool.stride, padding: pool.padding,
                countIncludePad: pool.countIncludePad)
        case let pool as AdaptiveAvgPool2D:
            self = .adaptiveAvgPool2d(outputHeight: pool.outputHeight, outputWidth: pool.outputWidth)
        case is ReLU: self = .relu
        case let leaky as LeakyReLU: self = .leakyReLU(negativeSlope: decimal(leaky.negativeSlope))
        case let gelu as GELU: self = .gelu(tanh: gelu.approximate == .tanh)
        case is Sigmoid: self = .sigmoid
        case is Tanh: self = .tanh
        case is Flatten: self = .flatten
        case let dropout as Dropout: self = .dropout(p: decimal(dropout.p))
        case let dropout as Dropout2d: self = .dropout2d(p: decimal(dropout.p))
        case let norm as BatchNorm:
            guard norm.weight != nil, norm.runningMean != nil else { return nil }
            let (eps, momentum) = (decimal(norm.epsilon), decimal(norm.momentum))
            switch norm.dimensions {
            case 1: self = .batchNorm1d(numFeatures: norm.features, eps: eps, momentum: momentum)
            case 2: self = .batchNorm2d(numFeatures: norm.features, eps: eps, momentum: momentum)
            default: return nil
            }
        case is Softmax: self = .softmax
        case is LogSoftmax: self = .logSoftmax
        default: return nil
        }
    }
}

extension Recipe {
    /// A recipe whose layers are those of `model`, a network written by hand, named `name`; every
    /// other field has its default (cross-entropy, Adam at lr 0.001, 10 epochs of 64, ...): set them
    /// on the result. Throws `TrainingError.layerWithoutRecipeForm` for a layer a recipe cannot name.
    public init(describing model: Sequential, name: String) throws {
        var layers: [LayerSpec] = []
        for (index, layer) in model.layers.enumerated() {
            guard let spec = LayerSpec(describing: layer) else {
                throw TrainingError.layerWithoutRecipeForm(index: index, layer: layer.description)
            }
            layers.append(spec)
        }
        self.init(name: name, layers: layers)
    }
}
