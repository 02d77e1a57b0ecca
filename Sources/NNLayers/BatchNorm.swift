import NNCore

/// Batch normalisation (`torch.nn.BatchNorm1d` / `BatchNorm2d`) over channel 1 of `[N, C]`,
/// `[N, C, L]` (1-d) or `[N, C, H, W]` (2-d).
///
/// Training normalises with the batch mean and biased variance and updates the running
/// statistics PyTorch's way: `running = (1 - momentum) * running + momentum * batch`, with the
/// *unbiased* batch variance for `running_var`, and counts `num_batches_tracked`. Evaluation
/// normalises with the running statistics. `weight` (γ) and `bias` (β) scale and shift each
/// channel when `affine`. Statistics are accumulated in Double.
public final class BatchNorm: Layer {
    public let features: Int
    /// 1 for `BatchNorm1d`, 2 for `BatchNorm2d`.
    public let dimensions: Int
    public let epsilon: Float
    public let momentum: Float
    /// γ, `[features]`, initialised to ones (`nil` without `affine`).
    public let weight: Parameter?
    /// β, `[features]`, initialised to zeros (`nil` without `affine`).
    public let bias: Parameter?
    /// `running_mean` (`[features]`, zeros), `running_var` (ones), `num_batches_tracked` (scalar).
    public let runningMean: Buffer?
    public let runningVar: Buffer?
    public let numBatchesTracked: Buffer?

    private var normalized = ScratchTensor()  // x̂, as the last forward computed it
    private var invStd: [Float] = []  // 1 / sqrt(var + eps) per channel, as the last forward used it
    private var batchMean: [Double] = []  // the last training batch's statistics, per channel
    private var batchVar: [Double] = []
    private var usedBatchStatistics = false
    private var outputs = ReusableTensor()
    private var gradInputs = ReusableTensor()

    /// A batch normalisation over `features` channels; `dimensions` 1 (`BatchNorm1d`) or 2
    /// (`BatchNorm2d`); PyTorch's defaults `eps = 1e-5`, `momentum = 0.1`.
    public init(
        features: Int, dimensions: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true,
        trackRunningStatistics: Bool = true
    ) throws {
        let name = "BatchNorm\(dimensions)d"
        guard dimensions == 1 || dimensions == 2 else {
            throw LayerError.invalidArgument(
                layer: "BatchNorm", argument: "dimensions", value: "\(dimensions)", expected: "1 or 2")
        }
        guard features > 0 else {
            throw LayerError.invalidArgument(
                layer: name, argument: "features", value: "\(features)", expected: "a positive size")
        }
        guard epsilon >= 0, epsilon.isFinite else {
            throw LayerError.invalidArgument(
                layer: name, argument: "eps", value: "\(epsilon)", expected: "a small non-negative number")
        }
        guard momentum >= 0, momentum <= 1 else {
            throw LayerError.invalidArgument(
                layer: name, argument: "momentum", value: "\(momentum)", expected: "a number between 0 and 1")
        }
        self.features = features
        self.dimensions = dimensions
        self.epsilon = epsilon
        self.momentum = momentum
        weight = affine ? Parameter(name: "weight", value: Tensor(shape: Shape(features), repeating: 1)) : nil
        bias = affine ? Parameter(name: "bias", value: Tensor(shape: Shape(features))) : nil
        if trackRunningStatistics {
            runningMean = Buffer(name: "running_mean", value: Tensor(shape: Shape(features)))
            runningVar = Buffer(name: "running_var", value: Tensor(shape: Shape(features), repeating: 1))
            numBatchesTracked = Buffer(name: "num_batches_tracked", value: Tensor(shape: Shape()), kind: .int64)
        } else {
            runningMean = nil
            runningVar = nil
            numBatchesTracked = nil
        }
    }

    public var parameters: [Parameter] { [weight, bias].compactMap { $0 } }
    public var buffers: [Buffer] { [runningMean, runningVar, numBatchesTracked].compactMap { $0 } }

    public var description: String {
        "BatchNorm\(dimensions)d(\(features)\(weight == nil ? ", affine: false" : ""))"
    }

    public func outputShape(for inputShape: Shape) throws -> Shape {
        let ranks = dimensions == 1 ? [2, 3] : [4]
        guard ranks.contains(inputShape.rank), inputShape[1] == features else {
            throw LayerError.shapeMismatch(
                layer: description,
                expected: dimensions == 1
                    ? "[N, \(features)] or [N, \(features), L]"
                    : "[N, \(features), H, W]", found: inputShape)
        }
        return inputShape
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        do { _ = try outputShape(for: input.shape) } catch { preconditionFailure("\(error)") }
        let batch = input.shape[0]
        let spatial = input.shape.elementCount(from: 2)
        let perChannel = batch * spatial
        let useBatch = training || runningMean == nil
        precondition(
            !useBatch || perChannel > 1,
            "BatchNorm needs more than one value per channel when training (got input \(input.shape))")
        usedBatchStatistics = useBatch
        if invStd.count != features {
            invStd = [Float](repeating: 0, count: features)
        }
        if batchMean.count != features {
            batchMean = [Double](repeating: 0, count: features)
            batchVar = [Double](repeating: 0, count: features)
        }
        let (c, eps) = (features, Double(epsilon))
        let out = outputs.produce(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in
                normalized.write(shape: input.shape) { xhat in
                    invStd.withUnsafeMutableBufferPointer { inv in
                        withStatistics { runningMean, runningVar in
                            withAffine { gamma, beta in
                                batchMean.withUnsafeMutableBufferPointer { bm in
                                    batchVar.withUnsafeMutableBufferPointer { bv in
                                        Parallel.forRanges(
                                            c, minChunk: max(1, elementwiseMinChunk / max(1, perChannel))
                                        ) {
                                            channels in
                                            for ch in channels {
                                                let mean: Double
                                                let scale: Double
                                                if useBatch {
                                                    var sum = 0.0
                                                    forEachSpan(ch, batch, spatial) { s in
                                                        for k in s { sum += Double(x[k]) }
                                                    }
                                                    mean = sum / Double(perChannel)
                                                    var sq = 0.0
                                                    forEachSpan(ch, batch, spatial) { s in
                                                        for k in s {
                                                            let d = Double(x[k]) - mean
                                                            sq += d * d
                                                        }
                                                    }
                                                    let variance = sq / Double(perChannel)
                                                    scale = 1 / (variance + eps).squareRoot()
                                                    bm[ch] = mean
                                                    bv[ch] = variance
                                                } else {
                                                    mean = Double(runningMean![ch])
                                                    scale = 1 / (Double(runningVar![ch]) + eps).squareRoot()
                                                }
                                                inv[ch] = Float(scale)
                                                let m = Float(mean)
                                                let s = Float(scale)
                                                let g = gamma?[ch] ?? 1
                                                let b = beta?[ch] ?? 0
                                                forEachSpan(ch, batch, spatial) { span in
                                                    for k in span {
                                                        let h = (x[k] - m) * s
                                                        xhat[k] = h
                                                        y[k] = h * g + b
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if useBatch, let runningMean, let runningVar, let numBatchesTracked {
            // running = (1 - momentum) * running + momentum * batch; unbiased variance for running_var.
            let mom = Double(momentum)
            let correction = Double(perChannel) / Double(perChannel - 1)
            runningMean.value.withUnsafeMutableBufferPointer { rm in
                runningVar.value.withUnsafeMutableBufferPointer { rv in
                    for ch in 0..<c {
                        rm[ch] = Float((1 - mom) * Double(rm[ch]) + mom * batchMean[ch])
                        rv[ch] = Float((1 - mom) * Double(rv[ch]) + mom * batchVar[ch] * correction)
                    }
                }
            }
            numBatchesTracked.value[flat: 0] += 1
        }
        return out
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        let shape = normalized.tensor.shape
        precondition(gradOutput.shape == shape, "BatchNorm.backward: gradient shape \(gradOutput.shape)")
        let batch = shape[0]
        let spatial = shape.elementCount(from: 2)
        let perChannel = Double(batch * spatial)
        let useBatch = usedBatchStatistics
        return gradInputs.produce(shape: shape) { dx in
            gradOutput.withUnsafeBufferPointer { g in
                normalized.read { xhat in
                    invStd.withUnsafeBufferPointer { inv in
                        withAffine { gamma, _ in
                            withAffineGradients { dGamma, dBeta in
                                Parallel.forRanges(
                                    features, minChunk: max(1, elementwiseMinChunk / max(1, batch * spatial))
                                ) {
                                    channels in
                                    for ch in channels {
                                        var sumG = 0.0
                                        var sumGX = 0.0
                                        forEachSpan(ch, batch, spatial) { s in
                                            for k in s {
                                                sumG += Double(g[k])
                                                sumGX += Double(g[k]) * Double(xhat[k])
                                            }
                                        }
                                        if let dGamma, let dBeta {
                                            dGamma[ch] += Float(sumGX)
                                            dBeta[ch] += Float(sumG)
                                        }
                                        let scale = (gamma?[ch] ?? 1) * inv[ch]
                                        if useBatch {
                                            // dx = γ/σ · (g - mean(g) - x̂ · mean(g x̂))
                                            let meanG = Float(sumG / perChannel)
                                            let meanGX = Float(sumGX / perChannel)
                                            forEachSpan(ch, batch, spatial) { s in
                                                for k in s { dx[k] = scale * (g[k] - meanG - xhat[k] * meanGX) }
                                            }
                                        } else {
                                            forEachSpan(ch, batch, spatial) { s in
                                                for k in s { dx[k] = scale * g[k] }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Calls `body` with each contiguous run of channel `ch`'s elements: one run of `spatial`
    /// elements per image, at `(n * features + ch) * spatial`.
    @inline(__always)
    private func forEachSpan(_ ch: Int, _ batch: Int, _ spatial: Int, _ body: (Range<Int>) -> Void) {
        for n in 0..<batch {
            let start = (n * features + ch) * spatial
            body(start..<(start + spatial))
        }
    }

    private func withStatistics<R>(
        _ body: (UnsafeBufferPointer<Float>?, UnsafeBufferPointer<Float>?) -> R
    ) -> R {
        guard let runningMean, let runningVar else { return body(nil, nil) }
        return runningMean.value.withUnsafeBufferPointer { rm in
            runningVar.value.withUnsafeBufferPointer { rv in body(rm, rv) }
        }
    }

    private func withAffine<R>(_ body: (UnsafeBufferPointer<Float>?, UnsafeBufferPointer<Float>?) -> R) -> R {
        guard let weight, let bias else { return body(nil, nil) }
        return weight.value.withUnsafeBufferPointer { w in bias.value.withUnsafeBufferPointer { b in body(w, b) } }
    }

    private func withAffineGradients<R>(
        _ body: (UnsafeMutableBufferPointer<Float>?, UnsafeMutableBufferPointer<Float>?) -> R
    ) -> R {
        guard let weight, let bias else { return body(nil, nil) }
        return weight.grad.withUnsafeMutableBufferPointer { w in
            bias.grad.withUnsafeMutableBufferPointer { b in body(w, b) }
        }
    }
}
