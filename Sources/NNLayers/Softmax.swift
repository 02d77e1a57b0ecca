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
                    let s = shiftedExp(x.baseAddress! + start, minus: m, into: y.baseAddress! + start, width)
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
                        // softmax = exp(log-softmax), into dx first
                        _ = shiftedExp(y.baseAddress! + start, minus: 0, into: dx.baseAddress! + start, width)
                        for j in 0..<width { dx[start + j] = g[start + j] - dx[start + j] * sum }
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
    return (m, shiftedExp(x, minus: m, into: nil, count))
}

/// `e[j] = exp(x[j] - shift)` for `j < count` (when `e` is given) and their sum, eight lanes at a
/// time with `vectorExp`; the lane sums are added in a fixed order.
@inline(__always)
func shiftedExp(_ x: UnsafePointer<Float>, minus shift: Float, into e: UnsafeMutablePointer<Float>?, _ count: Int)
    -> Float
{
    let source = UnsafeRawPointer(x)
    var sums = SIMD8<Float>()
    var j = 0
    while j + 8 <= count {
        let values = vectorExp(source.loadUnaligned(fromByteOffset: 4 * j, as: SIMD8<Float>.self) - shift)
        if let e { UnsafeMutableRawPointer(e + j).storeBytes(of: values, as: SIMD8<Float>.self) }
        sums += values
        j += 8
    }
    if j < count {
        var last = SIMD8<Float>(repeating: 0)
        for lane in 0..<(count - j) { last[lane] = x[j + lane] - shift }
        var values = vectorExp(last)
        for lane in (count - j)..<8 { values[lane] = 0 }
        if let e {
            for lane in 0..<(count - j) { e[j + lane] = values[lane] }
        }
        sums += values
    }
    return sums.sum()
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
