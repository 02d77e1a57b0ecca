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
        let factor: Float = convention == .half ? 1 : 2
        let scale = factor / Float(max(predictions.count, 1))
        let (mean, grad) = elementwiseLoss("MSELoss", predictions, targets, grads: &grads) { p, t in
            let d = p - t
            return (Double(d) * Double(d), d * scale)
        }
        return (Float(mean * Double(factor) / 2), grad)
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
        let scale = 1 / Float(max(predictions.count, 1))
        let (mean, grad) = elementwiseLoss("HingeLoss", predictions, labels, grads: &grads) { p, y in
            let margin = 1 - p * y
            return margin > 0 ? (Double(margin), -y * scale) : (0, 0)
        }
        return (Float(mean), grad)
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
        let scale = 1 / Float(max(logits.count, 1))
        let (mean, grad) = elementwiseLoss("BCEWithLogitsLoss", logits, targets, grads: &grads) { z, y in
            let e = exp(-abs(z))
            // σ(z) from e = exp(-|z|), without overflow either way.
            let sigmoid = z >= 0 ? 1 / (1 + e) : e / (1 + e)
            return (Double(max(z, 0) - z * y) + Double(log1p(e)), (sigmoid - y) * scale)
        }
        return (Float(mean), grad)
    }
}

/// The frame of the element-wise losses above: outputs and targets of one shape, walked once;
/// `term` gives each element's loss and gradient. Returns the mean of the loss terms (summed in
/// Double; 0 for no elements) and the gradient, in `grads`'s reused storage.
@inline(__always)
private func elementwiseLoss(
    _ name: String, _ outputs: Tensor, _ targets: Tensor, grads: inout ReusableTensor,
    _ term: (_ output: Float, _ target: Float) -> (loss: Double, grad: Float)
) -> (mean: Double, grad: Tensor) {
    precondition(outputs.shape == targets.shape, "\(name): shapes \(outputs.shape) and \(targets.shape)")
    let n = outputs.count
    var total = 0.0
    let grad = grads.produce(shape: outputs.shape) { g in
        outputs.withUnsafeBufferPointer { p in
            targets.withUnsafeBufferPointer { t in
                for i in 0..<n {
                    let (loss, gradient) = term(p[i], t[i])
                    total += loss
                    g[i] = gradient
                }
            }
        }
    }
    return (n == 0 ? 0 : total / Double(n), grad)
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
