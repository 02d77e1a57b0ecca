import NNCore

/// Inverted dropout (`torch.nn.Dropout`): in training, each element is zeroed with probability
/// `p` and the survivors are scaled by `1 / (1 - p)`, so evaluation is the identity.
///
/// Masks come from `randomState` (drawn in element order, so they do not depend on the thread
/// count). Save and restore `randomState.rng` with a checkpoint for a bit-exact resume.
public final class Dropout: Layer {
    /// The probability of zeroing an element.
    public let p: Float
    /// The generator the masks are drawn from.
    public let randomState: RandomState

    private var mask = ScratchTensor()
    private var masked = false
    private var outputs = ReusableTensor()
    private var gradInputs = ReusableTensor()

    /// A dropout layer zeroing with probability `p` (0 ≤ p ≤ 1), masks drawn from `rng`.
    public init(p: Float = 0.5, rng: RNG) throws {
        guard p >= 0, p <= 1 else {
            throw LayerError.invalidArgument(
                layer: "Dropout", argument: "p", value: "\(p)", expected: "a probability between 0 and 1")
        }
        self.p = p
        randomState = RandomState(rng: rng)
    }

    public var randomStates: [RandomState] { [randomState] }
    public var description: String { "Dropout(p: \(p))" }
    public func outputShape(for inputShape: Shape) throws -> Shape { inputShape }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        masked = training && p > 0
        guard masked else { return input }
        let count = input.count
        let scale: Float = p < 1 ? 1 / (1 - p) : 0
        var rng = randomState.rng
        mask.write(shape: input.shape) { m in
            for i in 0..<count { m[i] = rng.nextFloat() < p ? 0 : scale }
        }
        randomState.rng = rng
        return outputs.produce(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in
                mask.read { m in
                    parallelElementwise(count) { range in
                        for i in range { y[i] = x[i] * m[i] }
                    }
                }
            }
        }
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        guard masked else { return gradOutput }
        precondition(gradOutput.shape == mask.tensor.shape, "Dropout.backward: gradient shape \(gradOutput.shape)")
        return gradInputs.produce(shape: gradOutput.shape) { dx in
            gradOutput.withUnsafeBufferPointer { g in
                mask.read { m in
                    parallelElementwise(dx.count) { range in
                        for i in range { dx[i] = g[i] * m[i] }
                    }
                }
            }
        }
    }
}

/// Channel dropout (`torch.nn.Dropout2d`): in training, each whole channel `[n, c, :, :]` is zeroed
/// with probability `p` and the others scaled by `1 / (1 - p)`; identity in evaluation.
/// Takes `[N, C, H, W]` (any rank ≥ 3: everything after C is one channel).
public final class Dropout2d: Layer {
    /// The probability of zeroing a channel.
    public let p: Float
    /// The generator the channel masks are drawn from (one draw per (n, c), in order).
    public let randomState: RandomState

    private var channelMask: [Float] = []
    private var masked = false
    private var inputShape = Shape()
    private var outputs = ReusableTensor()
    private var gradInputs = ReusableTensor()

    /// A channel-dropout layer zeroing with probability `p` (0 ≤ p ≤ 1), masks drawn from `rng`.
    public init(p: Float = 0.5, rng: RNG) throws {
        guard p >= 0, p <= 1 else {
            throw LayerError.invalidArgument(
                layer: "Dropout2d", argument: "p", value: "\(p)", expected: "a probability between 0 and 1")
        }
        self.p = p
        randomState = RandomState(rng: rng)
    }

    public var randomStates: [RandomState] { [randomState] }
    public var description: String { "Dropout2d(p: \(p))" }

    public func outputShape(for inputShape: Shape) throws -> Shape {
        guard inputShape.rank >= 3 else {
            throw LayerError.shapeMismatch(layer: description, expected: "[N, C, H, W]", found: inputShape)
        }
        return inputShape
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        precondition(input.shape.rank >= 3, "Dropout2d expects [N, C, H, W], got \(input.shape)")
        masked = training && p > 0
        inputShape = input.shape
        guard masked else { return input }
        let channels = input.shape[0] * input.shape[1]
        let plane = input.shape.elementCount(from: 2)
        let scale: Float = p < 1 ? 1 / (1 - p) : 0
        if channelMask.count != channels {
            channelMask.removeAll(keepingCapacity: true)
            channelMask.append(contentsOf: repeatElement(0, count: channels))
        }
        var rng = randomState.rng
        for c in 0..<channels { channelMask[c] = rng.nextFloat() < p ? 0 : scale }
        randomState.rng = rng
        return outputs.produce(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in
                channelMask.withUnsafeBufferPointer { m in
                    scaleChannels(x, m, y, plane: plane)
                }
            }
        }
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        guard masked else { return gradOutput }
        precondition(gradOutput.shape == inputShape, "Dropout2d.backward: gradient shape \(gradOutput.shape)")
        let plane = inputShape.elementCount(from: 2)
        return gradInputs.produce(shape: gradOutput.shape) { dx in
            gradOutput.withUnsafeBufferPointer { g in
                channelMask.withUnsafeBufferPointer { m in
                    scaleChannels(g, m, dx, plane: plane)
                }
            }
        }
    }

    /// `out[c, :] = in[c, :] * mask[c]` for every channel `c`.
    private func scaleChannels(
        _ source: UnsafeBufferPointer<Float>, _ mask: UnsafeBufferPointer<Float>,
        _ out: UnsafeMutableBufferPointer<Float>, plane: Int
    ) {
        Parallel.forRanges(mask.count, minChunk: max(1, elementwiseMinChunk / max(1, plane))) { range in
            for c in range {
                let s = mask[c]
                let base = c * plane
                for i in base..<(base + plane) { out[i] = source[i] * s }
            }
        }
    }
}
