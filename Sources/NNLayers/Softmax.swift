import Foundation
import NNCore

/// Softmax over the last dimension (`torch.nn.Softmax(dim: -1)`; `dim=1` for `[N, C]`),
/// computed as `exp(x - max) / Σ exp(x - max)` so large inputs do not overflow.
public final class Softmax: Layer {
    private var outputs = ReusableTensor()
    private var gradInputs = ReusableTensor()

    public init() {}

    public var description: String { "Softmax()" }
    public func outputShape(for inputShape: Shape) throws -> Shape {
        try checkHasClassDimension(inputShape, layer: description)
        return inputShape
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let width = input.shape.rank == 0 ? 1 : input.shape[input.shape.rank - 1]
        return outputs.produce(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in
                forEachRow(count: x.count, width: width) { start in
                    var m = -Float.infinity
                    for j in 0..<width { m = max(m, x[start + j]) }
                    var s: Float = 0
                    for j in 0..<width {
                        let e = exp(x[start + j] - m)
                        y[start + j] = e
                        s += e
                    }
                    let inv = 1 / s
                    for j in 0..<width { y[start + j] *= inv }
                }
            }
        }
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        let output = outputs.current
        precondition(gradOutput.shape == output.shape, "Softmax.backward: gradient shape \(gradOutput.shape)")
        let width = output.shape.rank == 0 ? 1 : output.shape[output.shape.rank - 1]
        return gradInputs.produce(shape: output.shape) { dx in
            output.withUnsafeBufferPointer { y in
                gradOutput.withUnsafeBufferPointer { g in
                    // dx = y ⊙ (g - Σ g ⊙ y)
                    forEachRow(count: dx.count, width: width) { start in
                        var dot: Float = 0
                        for j in 0..<width { dot += g[start + j] * y[start + j] }
                        for j in 0..<width { dx[start + j] = y[start + j] * (g[start + j] - dot) }
                    }
                }
            }
        }
    }
}

/// Log-softmax over the last dimension (`torch.nn.LogSoftmax(dim: -1)`): `x - logΣexp(x)`, with
/// the maximum subtracted first so large inputs do not overflow. Pairs with `NLLLoss`.
public final class LogSoftmax: Layer {
    private var outputs = ReusableTensor()
    private var gradInputs = ReusableTensor()

    public init() {}

    public var description: String { "LogSoftmax()" }
    public func outputShape(for inputShape: Shape) throws -> Shape {
        try checkHasClassDimension(inputShape, layer: description)
        return inputShape
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let width = input.shape.rank == 0 ? 1 : input.shape[input.shape.rank - 1]
        return outputs.produce(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in
                forEachRow(count: x.count, width: width) { start in
                    let (m, s) = maxAndSumExp(x.baseAddress! + start, width)
                    let logS = log(s)
                    for j in 0..<width { y[start + j] = (x[start + j] - m) - logS }
                }
            }
        }
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        let output = outputs.current
        precondition(gradOutput.shape == output.shape, "LogSoftmax.backward: gradient shape \(gradOutput.shape)")
        let width = output.shape.rank == 0 ? 1 : output.shape[output.shape.rank - 1]
        return gradInputs.produce(shape: output.shape) { dx in
            output.withUnsafeBufferPointer { y in
                gradOutput.withUnsafeBufferPointer { g in
                    // dx = g - softmax ⊙ Σ g
                    forEachRow(count: dx.count, width: width) { start in
                        var sum: Float = 0
                        for j in 0..<width { sum += g[start + j] }
                        for j in 0..<width { dx[start + j] = g[start + j] - exp(y[start + j]) * sum }
                    }
                }
            }
        }
    }
}

/// The maximum `m` of `count` values and `s = Σ exp(x[j] - m)`, so that
/// `log Σ exp(x) = m + log s` without overflow. Keeping `m` apart keeps `x - m` exact for large
/// logits (1000 and 999 differ by exactly 1, `1000.693` is not representable).
@inline(__always)
func maxAndSumExp(_ x: UnsafePointer<Float>, _ count: Int) -> (max: Float, sum: Float) {
    var m = -Float.infinity
    for j in 0..<count { m = max(m, x[j]) }
    if !m.isFinite { return (m, 1) }
    var s: Float = 0
    for j in 0..<count { s += exp(x[j] - m) }
    return (m, s)
}

/// Calls `body(start)` for each row of `width` elements in a buffer of `count`, rows split over
/// threads when there are enough.
@inline(__always)
func forEachRow(count: Int, width: Int, _ body: (Int) -> Void) {
    guard width > 0 else { return }
    let rows = count / width
    Parallel.forRanges(rows, minChunk: max(1, elementwiseMinChunk / width)) { range in
        for r in range { body(r * width) }
    }
}

private func checkHasClassDimension(_ shape: Shape, layer: String) throws {
    guard shape.rank >= 1, shape[shape.rank - 1] > 0 else {
        throw LayerError.shapeMismatch(layer: layer, expected: "[N, classes]", found: shape)
    }
}
