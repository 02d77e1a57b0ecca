import NNCore

/// RMSprop with PyTorch's rule and defaults (`torch.optim.RMSprop`: `lr = 0.01`, `alpha = 0.99`,
/// `eps = 1e-8`, no weight decay, no momentum, not centred):
///
///     g = grad + weightDecay * p
///     v = α v + (1 - α) g²                                  (square_avg)
///     c = α c + (1 - α) g                                   (grad_avg, centred only)
///     a = sqrt(v - c²) + eps   if centred, else sqrt(v) + eps
///     b = momentum * b + g / a,  p = p - lr * b             (momentum_buffer, with momentum)
///     p = p - lr * g / a                                    (without)
///
/// The state tensors carry PyTorch's names; they start at zero with the first step.
public final class RMSprop: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Double
    public let alpha: Double
    public let epsilon: Double
    public let weightDecay: Double
    /// May change between steps (OneCycleLR cycles it); a momentum buffer starts with the first step
    /// taken with a momentum above 0.
    public var momentum: Double
    public let centered: Bool
    public private(set) var stepCount = 0

    private var squareAverages: [Tensor]
    /// Empty when not centred.
    private var gradientAverages: [Tensor]
    /// Empty until the first step with momentum.
    private var buffers: [Tensor]
    private var hasBuffer: [Bool]

    public var momentumOrBeta1: Double {
        get { momentum }
        set { momentum = newValue }
    }

    /// Throws for a negative learning rate, eps, weight decay or momentum, or an α outside [0, 1].
    public init(
        _ parameters: [Parameter], learningRate: Double = 0.01, alpha: Double = 0.99, epsilon: Double = 1e-8,
        weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false
    ) throws {
        for (name, value) in [
            ("learning rate", learningRate), ("eps", epsilon), ("weight decay", weightDecay), ("momentum", momentum),
        ] where !(value >= 0 && value.isFinite) {
            throw LayerError.invalidArgument(
                layer: "RMSprop", argument: name, value: "\(value)", expected: "a finite number of 0 or more")
        }
        guard alpha >= 0, alpha <= 1 else {
            throw LayerError.invalidArgument(
                layer: "RMSprop", argument: "alpha", value: "\(alpha)", expected: "a number in [0, 1]")
        }
        self.parameters = parameters
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.centered = centered
        squareAverages = parameters.map { Tensor(shape: $0.value.shape) }
        gradientAverages = parameters.map { centered ? Tensor(shape: $0.value.shape) : Tensor() }
        buffers = Array(repeating: Tensor(), count: parameters.count)
        hasBuffer = Array(repeating: false, count: parameters.count)
    }

    public func step() {
        stepCount += 1
        let (a, keep, eps, wd) = (Float(alpha), Float(1 - alpha), Float(epsilon), Float(weightDecay))
        let (rate, m, centered) = (Float(learningRate), Float(momentum), centered)
        for (index, parameter) in parameters.enumerated() {
            if m > 0 && !hasBuffer[index] {
                buffers[index] = Tensor(shape: parameter.value.shape)
                hasBuffer[index] = true
            }
            parameter.grad.withUnsafeBufferPointer { grad in
                parameter.value.withUnsafeMutableBufferPointer { p in
                    squareAverages[index].withUnsafeMutableBufferPointer { v in
                        gradientAverages[index].withUnsafeMutableBufferPointer { c in
                            buffers[index].withUnsafeMutableBufferPointer { b in
                                parallelElementwise(p.count) { range in
                                    for i in range {
                                        let g = grad[i] + wd * p[i]
                                        v[i] = v[i] * a + keep * (g * g)
                                        let denominator: Float
                                        if centered {
                                            c[i] = c[i] * a + keep * g
                                            denominator = (v[i] - c[i] * c[i]).squareRoot() + eps
                                        } else {
                                            denominator = v[i].squareRoot() + eps
                                        }
                                        if m > 0 {
                                            b[i] = b[i] * m + g / denominator
                                            p[i] -= rate * b[i]
                                        } else {
                                            p[i] -= rate * (g / denominator)
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

    public func exportState() -> OptimizerState {
        OptimizerState(
            kind: "RMSprop", stepCount: stepCount,
            slots: parameters.indices.map { i in
                guard stepCount > 0 else { return [:] }
                var slot = ["square_avg": squareAverages[i]]
                if centered { slot["grad_avg"] = gradientAverages[i] }
                if hasBuffer[i] { slot["momentum_buffer"] = buffers[i] }
                return slot
            })
    }

    public func importState(_ state: OptimizerState) throws {
        try state.validate(
            kind: "RMSprop", parameters: parameters, slotNames: centered ? ["square_avg", "grad_avg"] : ["square_avg"],
            optionalSlots: ["momentum_buffer"], optional: true)
        for (i, slot) in state.slots.enumerated() {
            squareAverages[i] = slot["square_avg"] ?? Tensor(shape: parameters[i].value.shape)
            if centered { gradientAverages[i] = slot["grad_avg"] ?? Tensor(shape: parameters[i].value.shape) }
            buffers[i] = slot["momentum_buffer"] ?? Tensor()
            hasBuffer[i] = slot["momentum_buffer"] != nil
        }
        stepCount = state.stepCount
    }
}
