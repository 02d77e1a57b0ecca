import NNCore

/// Mean squared error with the seeds' convention `1/(2N) Σ (y - ŷ)²`, N the number of elements
/// (so it is half of `torch.nn.MSELoss()`); gradient `(ŷ - y) / N`.
public final class MSELoss: Loss {
    private var grads = ReusableTensor()

    public init() {}

    /// The loss of `predictions` against `targets` of the same shape.
    public func callAsFunction(_ predictions: Tensor, _ targets: Tensor) -> (value: Float, grad: Tensor) {
        precondition(predictions.shape == targets.shape, "MSELoss: shapes \(predictions.shape) and \(targets.shape)")
        let n = predictions.count
        let scale = 1 / Float(max(n, 1))
        var total = 0.0
        let grad = grads.produce(shape: predictions.shape) { g in
            predictions.withUnsafeBufferPointer { p in
                targets.withUnsafeBufferPointer { t in
                    for i in 0..<n {
                        let d = p[i] - t[i]
                        total += Double(d) * Double(d)
                        g[i] = d * scale
                    }
                }
            }
        }
        return (n == 0 ? 0 : Float(total / (2 * Double(n))), grad)
    }
}

/// Hinge loss `1/N Σ max(0, 1 - ŷ·y)` for labels `y` of ±1, N the number of elements; the
/// gradient is `-y/N` where the margin `1 - ŷ·y` is positive, 0 elsewhere.
public final class HingeLoss: Loss {
    private var grads = ReusableTensor()

    public init() {}

    /// The loss of `predictions` against `labels` (±1) of the same shape.
    public func callAsFunction(_ predictions: Tensor, _ labels: Tensor) -> (value: Float, grad: Tensor) {
        precondition(predictions.shape == labels.shape, "HingeLoss: shapes \(predictions.shape) and \(labels.shape)")
        let n = predictions.count
        let scale = 1 / Float(max(n, 1))
        var total = 0.0
        let grad = grads.produce(shape: predictions.shape) { g in
            predictions.withUnsafeBufferPointer { p in
                labels.withUnsafeBufferPointer { y in
                    for i in 0..<n {
                        let margin = 1 - p[i] * y[i]
                        if margin > 0 {
                            total += Double(margin)
                            g[i] = -y[i] * scale
                        } else {
                            g[i] = 0
                        }
                    }
                }
            }
        }
        return (n == 0 ? 0 : Float(total / Double(n)), grad)
    }
}

/// The L2 regulariser (weight penalty) `λ/2 Σ ||w||²`, whose gradient is `λ w`.
///
/// Add it to the data loss and call `addGradient(to:)` on the parameters it covers (usually the
/// weights, not the biases). With plain SGD this is what `weightDecay: λ` does inside the
/// optimizer.
public struct L2Regularizer: Sendable {
    /// λ.
    public var lambda: Float

    public init(lambda: Float) { self.lambda = lambda }

    /// `(λ/2 ||w||², λ w)` for one tensor.
    public func callAsFunction(_ weights: Tensor) -> (value: Float, grad: Tensor) {
        (Float(Double(lambda) / 2 * weights.squaredNorm()), weights * lambda)
    }

    /// `λ/2 Σ ||w||²` over the values of `parameters`, accumulated in Double.
    public func value(_ parameters: [Parameter]) -> Float {
        Float(Double(lambda) / 2 * parameters.reduce(0.0) { $0 + $1.value.squaredNorm() })
    }

    /// Adds `λ w` to each parameter's gradient (in place) and returns the penalty's value.
    @discardableResult
    public func addGradient(to parameters: [Parameter]) -> Float {
        for p in parameters {
            let lambda = lambda
            p.value.withUnsafeBufferPointer { w in
                p.grad.withUnsafeMutableBufferPointer { g in
                    for i in 0..<g.count { g[i] += lambda * w[i] }
                }
            }
        }
        return value(parameters)
    }
}
