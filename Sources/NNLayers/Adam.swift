import Foundation
import NNCore

/// Adam (`torch.optim.Adam`, without amsgrad) with bias correction and PyTorch's L2 weight
/// decay (added to the gradient, not decoupled):
///
///     g = grad + weightDecay * p
///     m = β1 m + (1 - β1) g
///     v = β2 v + (1 - β2) g²
///     p = p - lr / (1 - β1^t) * m / (sqrt(v) / sqrt(1 - β2^t) + eps)
///
/// With `decoupledWeightDecay`, AdamW (`torch.optim.AdamW`, Loshchilov and Hutter): the decay
/// shrinks the parameters directly, `p = p (1 - lr weightDecay)`, before the same update with
/// `g = grad`.
public final class Adam: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Double
    /// May change between steps (OneCycleLR cycles it as momentum).
    public var beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public let weightDecay: Double
    /// AdamW's decay of the parameters themselves instead of Adam's L2 term in the gradient.
    public let decoupledWeightDecay: Bool
    public private(set) var stepCount = 0

    public var momentumOrBeta1: Double {
        get { beta1 }
        set { beta1 = newValue }
    }

    /// `"Adam"`, or `"AdamW"` with decoupled weight decay (the kind its saved state records).
    public var kind: String { decoupledWeightDecay ? "AdamW" : "Adam" }

    private var firstMoments: [Tensor]  // exp_avg
    private var secondMoments: [Tensor]  // exp_avg_sq

    /// PyTorch's defaults: `lr = 1e-3`, betas `(0.9, 0.999)`, `eps = 1e-8`, no weight decay (AdamW's
    /// default decay is 0.01: pass it).
    public init(
        _ parameters: [Parameter], learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
        epsilon: Double = 1e-8, weightDecay: Double = 0, decoupledWeightDecay: Bool = false
    ) throws {
        for (name, value) in [("learning rate", learningRate), ("eps", epsilon), ("weight decay", weightDecay)]
        where !(value >= 0 && value.isFinite) {
            throw LayerError.invalidArgument(
                layer: "Adam", argument: name, value: "\(value)", expected: "a finite number of 0 or more")
        }
        for (name, value) in [("beta1", beta1), ("beta2", beta2)] where !(value >= 0 && value < 1) {
            throw LayerError.invalidArgument(
                layer: "Adam", argument: name, value: "\(value)", expected: "a number in [0, 1)")
        }
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        firstMoments = parameters.map { Tensor(shape: $0.value.shape) }
        secondMoments = parameters.map { Tensor(shape: $0.value.shape) }
    }

    public func step() {
        stepCount += 1
        let t = Double(stepCount)
        let stepSize = Float(-(learningRate / (1 - pow(beta1, t))))
        let correction2 = Float((1 - pow(beta2, t)).squareRoot())
        let (b1, b2) = (Float(beta1), Float(beta2))
        let (keep1, keep2) = (Float(1 - beta1), Float(1 - beta2))
        let (eps, decoupled) = (Float(epsilon), decoupledWeightDecay)
        let wd = decoupled ? 0 : Float(weightDecay)
        let shrink = Float(1 - learningRate * weightDecay)
        for (index, parameter) in parameters.enumerated() {
            parameter.grad.withUnsafeBufferPointer { grad in
                parameter.value.withUnsafeMutableBufferPointer { p in
                    firstMoments[index].withUnsafeMutableBufferPointer { m in
                        secondMoments[index].withUnsafeMutableBufferPointer { v in
                            parallelElementwise(p.count) { range in
                                for i in range {
                                    if decoupled { p[i] *= shrink }
                                    let g = grad[i] + wd * p[i]
                                    m[i] = m[i] * b1 + keep1 * g
                                    v[i] = v[i] * b2 + keep2 * (g * g)
                                    let denom = v[i].squareRoot() / correction2 + eps
                                    p[i] = p[i] + stepSize * (m[i] / denom)
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
            kind: kind, stepCount: stepCount,
            slots: zip(firstMoments, secondMoments).map { ["exp_avg": $0, "exp_avg_sq": $1] })
    }

    public func importState(_ state: OptimizerState) throws {
        try state.validate(
            kind: kind, parameters: parameters, slotNames: ["exp_avg", "exp_avg_sq"], optional: false)
        firstMoments = state.slots.map { $0["exp_avg"]! }
        secondMoments = state.slots.map { $0["exp_avg_sq"]! }
        stepCount = state.stepCount
    }
}
