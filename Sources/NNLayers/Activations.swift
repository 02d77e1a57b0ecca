import Foundation
import NNCore

/// `max(x, 0)` elementwise (`torch.nn.ReLU`); the gradient is passed where the output is positive.
public final class ReLU: Layer {
    private var outputs = ReusableTensor()
    private var gradInputs = ReusableTensor()

    public init() {}

    public var description: String { "ReLU()" }
    public func outputShape(for inputShape: Shape) throws -> Shape { inputShape }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        outputs.produce(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in
                parallelElementwise(x.count) { range in
                    for i in range { y[i] = max(x[i], 0) }
                }
            }
        }
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        let output = outputs.current
        precondition(gradOutput.shape == output.shape, "ReLU.backward: gradient shape \(gradOutput.shape)")
        return gradInputs.produce(shape: output.shape) { dx in
            output.withUnsafeBufferPointer { y in
                gradOutput.withUnsafeBufferPointer { g in
                    parallelElementwise(dx.count) { range in
                        for i in range {
                            // load g unconditionally so the select vectorises (a branch on the
                            // sign mispredicts half the time)
                            let gi = g[i]
                            dx[i] = y[i] > 0 ? gi : 0
                        }
                    }
                }
            }
        }
    }
}

/// `1 / (1 + e^-x)` elementwise (`torch.nn.Sigmoid`), eight lanes at a time with `vectorExp`;
/// gradient `y (1 - y)`.
public final class Sigmoid: Layer {
    private var outputs = ReusableTensor()
    private var gradInputs = ReusableTensor()

    public init() {}

    public var description: String { "Sigmoid()" }
    public func outputShape(for inputShape: Shape) throws -> Shape { inputShape }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        outputs.produce(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in
                parallelElementwise(x.count) { range in sigmoid(x, y, range) }
            }
        }
    }

    /// `y = 1 / (1 + e^-x)` over `range`, eight lanes at a time (the last few in a padded vector).
    private func sigmoid(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeMutableBufferPointer<Float>, _ range: Range<Int>) {
        let (source, target) = (UnsafeRawPointer(x.baseAddress!), UnsafeMutableRawPointer(y.baseAddress!))
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            let v = source.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            target.storeBytes(of: 1 / (1 + vectorExp(-v)), toByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        guard i < range.upperBound else { return }
        var last = SIMD8<Float>()
        for lane in 0..<(range.upperBound - i) { last[lane] = x[i + lane] }
        let result = 1 / (1 + vectorExp(-last))
        for lane in 0..<(range.upperBound - i) { y[i + lane] = result[lane] }
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        let output = outputs.current
        precondition(gradOutput.shape == output.shape, "Sigmoid.backward: gradient shape \(gradOutput.shape)")
        return gradInputs.produce(shape: output.shape) { dx in
            output.withUnsafeBufferPointer { y in
                gradOutput.withUnsafeBufferPointer { g in
                    parallelElementwise(dx.count) { range in
                        for i in range { dx[i] = g[i] * y[i] * (1 - y[i]) }
                    }
                }
            }
        }
    }
}

/// `tanh(x)` elementwise (`torch.nn.Tanh`); gradient `1 - y²`.
public final class Tanh: Layer {
    private var outputs = ReusableTensor()
    private var gradInputs = ReusableTensor()

    public init() {}

    public var description: String { "Tanh()" }
    public func outputShape(for inputShape: Shape) throws -> Shape { inputShape }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        outputs.produce(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in
                parallelElementwise(x.count) { range in
                    for i in range { y[i] = tanh(x[i]) }
                }
            }
        }
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        let output = outputs.current
        precondition(gradOutput.shape == output.shape, "Tanh.backward: gradient shape \(gradOutput.shape)")
        return gradInputs.produce(shape: output.shape) { dx in
            output.withUnsafeBufferPointer { y in
                gradOutput.withUnsafeBufferPointer { g in
                    parallelElementwise(dx.count) { range in
                        for i in range { dx[i] = g[i] * (1 - y[i] * y[i]) }
                    }
                }
            }
        }
    }
}
