import NNCore

/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay,
/// with PyTorch's update rule (`torch.optim.SGD`), so the same hyperparameters mean the same:
///
///     d = grad + weightDecay * p
///     buf = d                                   (first step)
///     buf = momentum * buf + (1 - dampening) * d  (later steps)
///     d = nesterov ? d + momentum * buf : buf     (when momentum ≠ 0)
///     p = p - lr * d
public final class SGD: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Double
    /// May change between steps (a schedule cycling it); the momentum buffers start at the first
    /// step with a momentum above 0, as in PyTorch.
    public var momentum: Double
    public let dampening: Double
    public let nesterov: Bool
    public let weightDecay: Double
    public private(set) var stepCount = 0

    /// One momentum buffer per parameter, created by the first step (as PyTorch does).
    private var buffers: [Tensor?]

    /// Throws for a negative learning rate, momentum or weight decay, or Nesterov momentum
    /// without momentum or with dampening (PyTorch's rules).
    public init(
        _ parameters: [Parameter], learningRate: Double, momentum: Double = 0, dampening: Double = 0,
        nesterov: Bool = false, weightDecay: Double = 0
    ) throws {
        for (name, value) in [
            ("learning rate", learningRate), ("momentum", momentum), ("weight decay", weightDecay),
        ] where !(value >= 0 && value.isFinite) {
            throw LayerError.invalidArgument(
                layer: "SGD", argument: name, value: "\(value)", expected: "a finite number of 0 or more")
        }
        if nesterov && (momentum <= 0 || dampening != 0) {
            throw LayerError.invalidArgument(
                layer: "SGD", argument: "nesterov", value: "true",
                expected: "momentum above 0 and dampening 0 with Nesterov momentum")
        }
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        buffers = Array(repeating: nil, count: parameters.count)
    }

    public var momentumOrBeta1: Double {
        get { momentum }
        set { momentum = newValue }
    }

    public func step() { update(zeroingGradients: false) }

    /// `step()` then `zeroGrad()` in one pass over the gradients (zeroed while they are in cache).
    public func stepAndZeroGrad() { update(zeroingGradients: true) }

    private func update(zeroingGradients: Bool) {
        stepCount += 1
        for (index, parameter) in parameters.enumerated() {
            let first = buffers[index] == nil
            if momentum != 0 && first { buffers[index] = Tensor(shape: parameter.value.shape) }
            let rule = SGDRule(
                negativeLearningRate: Float(-learningRate), weightDecay: Float(weightDecay), momentum: Float(momentum),
                keep: Float(1 - dampening), nesterov: nesterov, first: first, zeroingGradients: zeroingGradients)
            parameter.grad.withUnsafeMutableBufferPointer { g in
                parameter.value.withUnsafeMutableBufferPointer { p in
                    if momentum == 0 {
                        parallelElementwise(p.count) { range in rule.apply(p, g, nil, range) }
                        return
                    }
                    buffers[index]!.withUnsafeMutableBufferPointer { buf in
                        parallelElementwise(p.count) { range in rule.apply(p, g, buf, range) }
                    }
                }
            }
        }
    }

    public func exportState() -> OptimizerState {
        OptimizerState(
            kind: "SGD", stepCount: stepCount, slots: buffers.map { $0.map { ["momentum_buffer": $0] } ?? [:] })
    }

    public func importState(_ state: OptimizerState) throws {
        try state.validate(kind: "SGD", parameters: parameters, slotNames: ["momentum_buffer"], optional: true)
        buffers = state.slots.map { $0["momentum_buffer"] }
        stepCount = state.stepCount
    }
}

/// One SGD update of a range of elements, eight lanes at a time (the loop the compiler would not
/// vectorise: it cannot rule out that the parameter, gradient and buffer overlap). Each lane computes
/// exactly what the scalar rule computes, in the same order, so results do not depend on the lane
/// layout or the thread count. Without weight decay the decay term is left out, as PyTorch leaves it.
private struct SGDRule {
    let negativeLearningRate: Float
    let weightDecay: Float
    let momentum: Float
    let keep: Float
    let nesterov: Bool
    let first: Bool
    /// Also set the gradient to zero after reading it.
    let zeroingGradients: Bool

    /// Updates `p` (and the momentum buffer `buf`, if any) from `g` over `range`.
    @inline(__always)
    func apply(
        _ p: UnsafeMutableBufferPointer<Float>, _ g: UnsafeMutableBufferPointer<Float>,
        _ buf: UnsafeMutableBufferPointer<Float>?, _ range: Range<Int>
    ) {
        let vectorEnd = range.lowerBound + (range.count / 8) * 8
        if let buf, weightDecay == 0, !nesterov, !first, keep == 1 {
            // The usual case (momentum, no decay, no dampening), as lean as it gets:
            // b = momentum * b + g; p = p - lr * b.
            let (pp, gp, bp) = (raw(p), raw(g), raw(buf))
            let (momentum, rate, zeroing) = (momentum, negativeLearningRate, zeroingGradients)
            var offset = range.lowerBound * 4
            while offset < vectorEnd * 4 {
                let b =
                    bp.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self) * momentum
                    + gp.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                let newP = pp.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self) + rate * b
                bp.storeBytes(of: b, toByteOffset: offset, as: SIMD8<Float>.self)
                pp.storeBytes(of: newP, toByteOffset: offset, as: SIMD8<Float>.self)
                if zeroing { gp.storeBytes(of: SIMD8(), toByteOffset: offset, as: SIMD8<Float>.self) }
                offset += 32
            }
        } else {
            let (pp, gp) = (raw(p), raw(g))
            let bp = buf.map(raw)
            var offset = range.lowerBound * 4
            while offset < vectorEnd * 4 {
                let b = bp?.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self) ?? SIMD8()
                let (newP, newB) = update(
                    pp.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self),
                    gp.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self), b)
                pp.storeBytes(of: newP, toByteOffset: offset, as: SIMD8<Float>.self)
                bp?.storeBytes(of: newB, toByteOffset: offset, as: SIMD8<Float>.self)
                if zeroingGradients { gp.storeBytes(of: SIMD8(), toByteOffset: offset, as: SIMD8<Float>.self) }
                offset += 32
            }
        }
        // The last few elements, in the lanes of one padded vector.
        let i = vectorEnd
        guard i < range.upperBound else { return }
        var (lastP, lastG, lastB) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
        for lane in 0..<(range.upperBound - i) {
            lastP[lane] = p[i + lane]
            lastG[lane] = g[i + lane]
            lastB[lane] = buf?[i + lane] ?? 0
        }
        let (newP, newB) = update(lastP, lastG, lastB)
        for lane in 0..<(range.upperBound - i) {
            p[i + lane] = newP[lane]
            buf?[i + lane] = newB[lane]
            if zeroingGradients { g[i + lane] = 0 }
        }
    }

    /// The update rule (see `SGD`) for eight elements: the new parameters and momentum buffer.
    @inline(__always)
    private func update(_ p: SIMD8<Float>, _ g: SIMD8<Float>, _ b: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>) {
        let d = weightDecay == 0 ? g : g + weightDecay * p
        guard momentum != 0 else { return (p + negativeLearningRate * d, b) }
        let newB = first ? d : b * momentum + keep * d
        return (p + negativeLearningRate * (nesterov ? d + momentum * newB : newB), newB)
    }

    @inline(__always)
    private func raw(_ buffer: UnsafeMutableBufferPointer<Float>) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(buffer.baseAddress!)
    }
}
