import Foundation
import NNCore

/// Softmax cross-entropy on logits (`torch.nn.CrossEntropyLoss`), fused: for each row,
/// `loss = logΣexp(z) - z[label]`, computed as `(m - z[label]) + log Σ exp(z - m)` with `m` the
/// row's maximum (logits of ±1000 give finite values), averaged over the batch;
/// `grad = (softmax(z) - onehot(label)) / N`.
public final class SoftmaxCrossEntropy: Loss {
    private var grads = ReusableTensor()

    public init() {}

    /// The mean loss of `logits` `[N, classes]` against class indices `labels` (N of them).
    public func callAsFunction(_ logits: Tensor, _ labels: [Int]) -> (value: Float, grad: Tensor) {
        let (rows, classes) = checkLabels(labels, for: logits, loss: "SoftmaxCrossEntropy")
        var total = 0.0
        let scale = 1 / Float(max(rows, 1))
        let grad = grads.produce(shape: logits.shape) { g in
            logits.withUnsafeBufferPointer { z in
                for r in 0..<rows {
                    let row = z.baseAddress! + r * classes
                    let gradient = g.baseAddress! + r * classes
                    var m = -Float.infinity
                    for j in 0..<classes { m = max(m, row[j]) }
                    // exp(z - m) into the gradient row, then scaled: one pass of exponentials.
                    let s: Float
                    if m.isFinite {
                        s = shiftedExp(row, minus: m, into: gradient, classes)
                    } else {
                        s = 1
                        for j in 0..<classes { gradient[j] = exp(row[j] - m) }
                    }
                    let label = labels[r]
                    total += Double(m - row[label]) + Double(log(s))
                    let rowScale = scale / s
                    for j in 0..<classes { gradient[j] *= rowScale }
                    gradient[label] -= scale
                }
            }
        }
        return (rows == 0 ? 0 : Float(total / Double(rows)), grad)
    }
}

/// Negative log-likelihood on log-probabilities (`torch.nn.NLLLoss`, after `LogSoftmax`):
/// `-mean(logp[n, label[n]])`; the gradient is `-1/N` at each label and 0 elsewhere.
public final class NLLLoss: Loss {
    private var grads = ReusableTensor()

    public init() {}

    /// The mean loss of `logProbabilities` `[N, classes]` against class indices `labels`.
    public func callAsFunction(_ logProbabilities: Tensor, _ labels: [Int]) -> (value: Float, grad: Tensor) {
        let (rows, classes) = checkLabels(labels, for: logProbabilities, loss: "NLLLoss")
        var total = 0.0
        let scale = 1 / Float(max(rows, 1))
        let grad = grads.produceZeroed(shape: logProbabilities.shape) { g in
            logProbabilities.withUnsafeBufferPointer { lp in
                for r in 0..<rows {
                    total -= Double(lp[r * classes + labels[r]])
                    g[r * classes + labels[r]] = -scale
                }
            }
        }
        return (rows == 0 ? 0 : Float(total / Double(rows)), grad)
    }
}
