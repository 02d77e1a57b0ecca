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
                parallelElementwise(x.count) { range in relu(x.baseAddress!, y.baseAddress!, range) }
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

/// `y[i] = max(x[i], 0)` over `range` (`x` and `y` may be the same buffer): the ReLU of every
/// evaluation path, the layer's forward and the image-by-image `ImageStep`, so both give the same
/// bits (max(-0.0, 0) is +0.0; NaN stays the same NaN).
@inline(__always)
func relu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    if UnsafePointer(y) == x {
        // The same expression on one buffer: vectorised without the overlap check, which sends
        // the two-buffer loop below down its scalar path when input and output are the same.
        for i in range { y[i] = max(y[i], 0) }
        return
    }
    for i in range { y[i] = max(x[i], 0) }
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

/// `x` where `x > 0`, `negativeSlope * x` elsewhere (`torch.nn.LeakyReLU(negative_slope=0.01)`);
/// the gradient is 1 where the input is positive and `negativeSlope` elsewhere (at 0 too, as in
/// PyTorch).
public final class LeakyReLU: Layer {
    public let negativeSlope: Float
    private var input = Tensor()
    private var outputs = ReusableTensor()
    private var gradInputs = ReusableTensor()

    /// PyTorch's default slope is 0.01; any finite slope is accepted, as PyTorch accepts it.
    public init(negativeSlope: Float = 0.01) throws {
        guard negativeSlope.isFinite else {
            throw LayerError.invalidArgument(
                layer: "LeakyReLU", argument: "negativeSlope", value: "\(negativeSlope)", expected: "a finite number")
        }
        self.negativeSlope = negativeSlope
    }

    public var description: String { "LeakyReLU(negativeSlope: \(negativeSlope))" }
    public func outputShape(for inputShape: Shape) throws -> Shape { inputShape }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        self.input = input
        let slope = negativeSlope
        return outputs.produce(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in
                parallelElementwise(x.count) { range in
                    for i in range {
                        let v = x[i]
                        y[i] = v > 0 ? v : v * slope
                    }
                }
            }
        }
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        let input = self.input
        precondition(gradOutput.shape == input.shape, "LeakyReLU.backward: gradient shape \(gradOutput.shape)")
        let slope = negativeSlope
        return gradInputs.produce(shape: input.shape) { dx in
            input.withUnsafeBufferPointer { x in
                gradOutput.withUnsafeBufferPointer { g in
                    parallelElementwise(dx.count) { range in
                        for i in range {
                            let gi = g[i]
                            dx[i] = x[i] > 0 ? gi : gi * slope
                        }
                    }
                }
            }
        }
    }
}

/// The Gaussian error linear unit (`torch.nn.GELU`): by default PyTorch's exact form
/// `x Φ(x) = x (1 + erf(x / √2)) / 2`, with gradient `Φ(x) + x φ(x)` (`φ` the standard normal
/// density); with `approximate: .tanh`, PyTorch's `approximate='tanh'` form
/// `x (1 + tanh(√(2/π) (x + 0.044715 x³))) / 2` and its exact derivative.
public final class GELU: Layer {
    /// `torch.nn.GELU`'s `approximate` argument.
    public enum Approximation: String, Sendable, Equatable, CaseIterable {
        case none
        case tanh
    }

    public let approximate: Approximation
    private var input = Tensor()
    private var outputs = ReusableTensor()
    private var gradInputs = ReusableTensor()

    public init(approximate: Approximation = .none) {
        self.approximate = approximate
    }

    public var description: String { approximate == .none ? "GELU()" : "GELU(approximate: tanh)" }
    public func outputShape(for inputShape: Shape) throws -> Shape { inputShape }

    private static let inverseSqrt2 = Float(1 / 2.0.squareRoot())
    private static let inverseSqrt2Pi = Float(1 / (2 * Double.pi).squareRoot())
    private static let sqrt2OverPi = Float((2 / Double.pi).squareRoot())
    private static let cubic: Float = 0.044715

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        self.input = input
        let exact = approximate == .none
        return outputs.produce(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in
                parallelElementwise(x.count) { range in
                    for i in range {
                        let v = x[i]
                        if exact {
                            y[i] = 0.5 * v * (1 + erf(v * Self.inverseSqrt2))
                        } else {
                            y[i] = 0.5 * v * (1 + Foundation.tanh(Self.sqrt2OverPi * (v + Self.cubic * v * v * v)))
                        }
                    }
                }
            }
        }
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        let input = self.input
        precondition(gradOutput.shape == input.shape, "GELU.backward: gradient shape \(gradOutput.shape)")
        let exact = approximate == .none
        return gradInputs.produce(shape: input.shape) { dx in
            input.withUnsafeBufferPointer { x in
                gradOutput.withUnsafeBufferPointer { g in
                    parallelElementwise(dx.count) { range in
                        for i in range {
                            let v = x[i]
                            let derivative: Float
                            if exact {
                                let cdf = 0.5 * (1 + erf(v * Self.inverseSqrt2))
                                derivative = cdf + v * Self.inverseSqrt2Pi * exp(-0.5 * v * v)
                            } else {
                                let inner = Self.sqrt2OverPi * (v + Self.cubic * v * v * v)
                                let t = Foundation.tanh(inner)
                                let innerDerivative = Self.sqrt2OverPi * (1 + 3 * Self.cubic * v * v)
                                derivative = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * innerDerivative
                            }
                            dx[i] = g[i] * derivative
                        }
                    }
                }
            }
        }
    }
}
