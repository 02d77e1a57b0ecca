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
    public let momentum: Double
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

    public func step() {
        stepCount += 1
        let lr = Float(-learningRate)
        let wd = Float(weightDecay)
        let mom = Float(momentum)
        let keep = Float(1 - dampening)
        for (index, parameter) in parameters.enumerated() {
            let first = buffers[index] == nil
            if momentum != 0 && first { buffers[index] = Tensor(shape: parameter.value.shape) }
            parameter.grad.withUnsafeBufferPointer { g in
                parameter.value.withUnsafeMutableBufferPointer { p in
                    if momentum == 0 {
                        parallelElementwise(p.count) { range in
                            for i in range { p[i] = p[i] + lr * (g[i] + wd * p[i]) }
                        }
                        return
                    }
                    buffers[index]!.withUnsafeMutableBufferPointer { buf in
                        parallelElementwise(p.count) { range in
                            for i in range {
                                let d = g[i] + wd * p[i]
                                let b = first ? d : buf[i] * mom + keep * d
                                buf[i] = b
                                p[i] = p[i] + lr * (nesterov ? d + mom * b : b)
                            }
                        }
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
