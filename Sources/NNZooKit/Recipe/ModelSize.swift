/// Sizes of a resolved network (`ModelBuilder.resolve`), computed from its layer specs without
/// building it: how many values its checkpoint holds, and how many activations one example makes.
/// Every product is overflow-checked; nil means "more than fits in an Int".
extension ModelBuilder {
    /// Parameters and buffers, as a checkpoint stores them: weights and biases; BatchNorm's weight,
    /// bias, running mean, running variance and its scalar batch counter.
    public static func valueCount(_ layers: [LayerSpec]) -> Int? {
        var total = 0
        for layer in layers {
            let values: Int?
            switch layer {
            case .linear(let inFeatures, let outFeatures, let bias):
                values = checkedSum(checkedProduct([inFeatures ?? 0, outFeatures]), bias ? outFeatures : 0)
            case .conv2d(let inChannels, let outChannels, let kernel, _, _, let bias):
                values = checkedSum(
                    checkedProduct([outChannels, inChannels ?? 0, kernel, kernel]), bias ? outChannels : 0)
            case .batchNorm1d(let features, _, _), .batchNorm2d(let features, _, _):
                values = checkedSum(checkedProduct([4, features ?? 0]), 1)
            default:
                values = 0
            }
            guard let values, let sum = checkedSum(total, values) else { return nil }
            total = sum
        }
        return total
    }

    /// The tensors a checkpoint of this network holds, with PyTorch's names (`<layer index>.weight`)
    /// and shapes, without building it: the parameters, then the buffers (the order of
    /// `Sequential`'s `namedParameters` and `namedBuffers`); `int64` marks BatchNorm's batch counter.
    public static func tensorLayout(_ layers: [LayerSpec]) -> [(name: String, shape: [Int], int64: Bool)] {
        var parameters: [(String, [Int], Bool)] = []
        var buffers: [(String, [Int], Bool)] = []
        for (index, layer) in layers.enumerated() {
            switch layer {
            case .linear(let inFeatures, let outFeatures, let bias):
                parameters.append(("\(index).weight", [outFeatures, inFeatures ?? 0], false))
                if bias { parameters.append(("\(index).bias", [outFeatures], false)) }
            case .conv2d(let inChannels, let outChannels, let kernel, _, _, let bias):
                parameters.append(("\(index).weight", [outChannels, inChannels ?? 0, kernel, kernel], false))
                if bias { parameters.append(("\(index).bias", [outChannels], false)) }
            case .batchNorm1d(let features, _, _), .batchNorm2d(let features, _, _):
                parameters.append(("\(index).weight", [features ?? 0], false))
                parameters.append(("\(index).bias", [features ?? 0], false))
                buffers.append(("\(index).running_mean", [features ?? 0], false))
                buffers.append(("\(index).running_var", [features ?? 0], false))
                buffers.append(("\(index).num_batches_tracked", [], true))
            default:
                break
            }
        }
        return parameters + buffers
    }

    /// The trainable parameters alone (no BatchNorm running statistics).
    public static func parameterCount(_ layers: [LayerSpec]) -> Int? {
        var total = 0
        for layer in layers {
            var values: Int? = 0
            switch layer {
            case .batchNorm1d(let features, _, _), .batchNorm2d(let features, _, _):
                values = checkedProduct([2, features ?? 0])
            default:
                values = valueCount([layer])
            }
            guard let values, let sum = checkedSum(total, values) else { return nil }
            total = sum
        }
        return total
    }

    /// Per example: the values every layer outputs (summed over the layers), and the largest
    /// unfolded convolution input (`in_channels * k * k * out_height * out_width`, the matrix a
    /// convolution multiplies). The input shape is `input`'s image.
    public static func activationCounts(_ layers: [LayerSpec], input: ModelInput) -> (outputs: Int, unfolded: Int)? {
        var shape = [input.channels, input.height, input.width]
        var outputs = 0
        var unfolded = 0
        for layer in layers {
            if case .conv2d(_, _, let kernel, let stride, let padding, _) = layer, shape.count == 3,
                let h = out(shape[1], kernel, stride, padding), let w = out(shape[2], kernel, stride, padding)
            {
                guard let columns = checkedProduct([shape[0], kernel, kernel, h, w]) else { return nil }
                unfolded = max(unfolded, columns)
            }
            guard let next = outputShape(of: layer, for: shape), let size = checkedProduct(next),
                let sum = checkedSum(outputs, size)
            else { return nil }
            shape = next
            outputs = sum
        }
        return (outputs, unfolded)
    }

    /// The shape of one example after resolved `layers` (`[classes]` for a classifier), or nil if
    /// it cannot be computed.
    public static func outputShape(_ layers: [LayerSpec], input: ModelInput) -> [Int]? {
        var shape = [input.channels, input.height, input.width]
        for layer in layers {
            guard let next = outputShape(of: layer, for: shape) else { return nil }
            shape = next
        }
        return shape
    }

    /// The shape one example has after `layer`, given the shape it has before.
    private static func outputShape(of layer: LayerSpec, for shape: [Int]) -> [Int]? {
        switch layer {
        case .linear(_, let outFeatures, _):
            return [outFeatures]
        case .conv2d(_, let outChannels, let kernel, let stride, let padding, _):
            guard shape.count == 3, let h = out(shape[1], kernel, stride, padding),
                let w = out(shape[2], kernel, stride, padding)
            else { return nil }
            return [outChannels, h, w]
        case .maxPool2d(let kernel, let stride, let padding), .avgPool2d(let kernel, let stride, let padding, _):
            guard shape.count == 3, let h = out(shape[1], kernel, stride ?? kernel, padding),
                let w = out(shape[2], kernel, stride ?? kernel, padding)
            else { return nil }
            return [shape[0], h, w]
        case .adaptiveAvgPool2d(let height, let width):
            guard shape.count == 3 else { return nil }
            return [shape[0], height, width]
        case .flatten:
            return checkedProduct(shape).map { [$0] }
        default:
            return shape
        }
    }

    /// The output length of a convolution or pooling window along one axis.
    private static func out(_ size: Int, _ kernel: Int, _ stride: Int, _ padding: Int) -> Int? {
        guard let padded = checkedSum(size, checkedProduct([2, padding]) ?? -1), stride > 0, padded >= kernel
        else { return nil }
        return (padded - kernel) / stride + 1
    }
}

/// The product of `factors`, or nil if it overflows `Int` (or a factor is negative).
func checkedProduct(_ factors: [Int]) -> Int? {
    var product = 1
    for factor in factors {
        guard factor >= 0 else { return nil }
        let (result, overflow) = product.multipliedReportingOverflow(by: factor)
        if overflow { return nil }
        product = result
    }
    return product
}

/// `a + b`, or nil if either is nil or negative, or the sum overflows.
func checkedSum(_ a: Int?, _ b: Int?) -> Int? {
    guard let a, let b, a >= 0, b >= 0 else { return nil }
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? nil : sum
}
