import Foundation
import NNCore

/// Mean squared error, N the number of elements: by default the notebooks' (and the seeds')
/// convention `1/(2N) Σ (y - ŷ)²`, gradient `(ŷ - y) / N`, which is half of `torch.nn.MSELoss()`;
/// with `.mean`, PyTorch's `1/N Σ (y - ŷ)²`, gradient `2 (ŷ - y) / N`. (The two differ by a factor
/// of 2 in value and gradient: the same training with the other convention takes twice or half the
/// learning rate.)
public final class MSELoss: Loss {
    /// Which mean of the squared errors.
    public enum Convention: Sendable, Equatable {
        /// `1/(2N) Σ`, the notebooks'.
        case half
        /// `1/N Σ`, `torch.nn.MSELoss`'s.
        case mean
    }

    public let convention: Convention
    private var grads = ReusableTensor()

    public init(_ convention: Convention = .half) {
        self.convention = convention
    }

    /// The loss of `predictions` against `targets` of the same shape.
    public func callAsFunction(_ predictions: Tensor, _ targets: Tensor) -> (value: Float, grad: Tensor) {
        precondition(predictions.shape == targets.shape, "MSELoss: shapes \(predictions.shape) and \(targets.shape)")
        let n = predictions.count
        let factor: Float = convention == .half ? 1 : 2
        let scale = factor / Float(max(n, 1))
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
        return (n == 0 ? 0 : Float(total * Double(factor) / (2 * Double(n))), grad)
    }
}

/// Hinge loss `1/N Σ max(0, 1 - ŷ·y)` for labels `y` of ±1, N the number of elements (the
/// notebooks' `Hinge`: `mean(max(0, 1 - y ŷ))`, with one output per example; over several outputs,
/// one-vs-rest, each output its own ±1 problem, averaged over every element as NumPy's `mean`
/// does); the gradient is `-y/N` where the margin `1 - ŷ·y` is positive, 0 elsewhere. PyTorch has no
/// class for this loss (`MultiMarginLoss` is the multi-class hinge of Weston and Watkins, another
/// loss); it is `torch.clamp(1 - y * out, min=0).mean()`.
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

/// Binary cross-entropy on logits (`torch.nn.BCEWithLogitsLoss`): `1/N Σ [max(z, 0) - z y +
/// log(1 + e^-|z|)]` for targets `y` in [0, 1], N the number of elements (the stable form of
/// `-[y log σ(z) + (1 - y) log(1 - σ(z))]`); gradient `(σ(z) - y) / N`.
public final class BCEWithLogitsLoss: Loss {
    private var grads = ReusableTensor()

    public init() {}

    /// The loss of `logits` against `targets` of the same shape.
    public func callAsFunction(_ logits: Tensor, _ targets: Tensor) -> (value: Float, grad: Tensor) {
        precondition(logits.shape == targets.shape, "BCEWithLogitsLoss: shapes \(logits.shape) and \(targets.shape)")
        let n = logits.count
        let scale = 1 / Float(max(n, 1))
        var total = 0.0
        let grad = grads.produce(shape: logits.shape) { g in
            logits.withUnsafeBufferPointer { z in
                targets.withUnsafeBufferPointer { y in
                    for i in 0..<n {
                        let v = z[i]
                        let e = exp(-abs(v))
                        total += Double(max(v, 0) - v * y[i]) + Double(log1p(e))
                        // σ(v) from e = exp(-|v|), without overflow either way.
                        let sigmoid = v >= 0 ? 1 / (1 + e) : e / (1 + e)
                        g[i] = (sigmoid - y[i]) * scale
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
