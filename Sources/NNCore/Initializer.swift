import Foundation

/// How a weight tensor is filled before training, with PyTorch's formulas (`torch.nn.init`), so a
/// recipe that names an initialiser means what it means in PyTorch. The random numbers come from
/// the project's `RNG`, so the values (not the distributions) differ from PyTorch's.
///
/// Fans follow `torch.nn.init._calculate_fan_in_and_fan_out`: for a weight of shape
/// `[out, in, k...]`, `fanIn = in * prod(k)` and `fanOut = out * prod(k)`.
public enum Initializer: Sendable, Equatable {
    /// All zeros.
    case zeros
    /// Every element `value`.
    case constant(Float)
    /// Uniform on `[low, high)`.
    case uniform(low: Float, high: Float)
    /// Normal with `mean` and standard deviation `std`.
    case normal(mean: Float, std: Float)
    /// Glorot/Xavier uniform: `U(-a, a)`, `a = gain * sqrt(6 / (fanIn + fanOut))`.
    case xavierUniform(gain: Float)
    /// Glorot/Xavier normal: `N(0, std)`, `std = gain * sqrt(2 / (fanIn + fanOut))`.
    case xavierNormal(gain: Float)
    /// He/Kaiming uniform: `U(-b, b)`, `b = gain * sqrt(3 / fan)`, gain from `nonlinearity`.
    case kaimingUniform(mode: FanMode, nonlinearity: Nonlinearity)
    /// He/Kaiming normal: `N(0, std)`, `std = gain / sqrt(fan)`, gain from `nonlinearity`.
    case kaimingNormal(mode: FanMode, nonlinearity: Nonlinearity)
    /// PyTorch's default for `nn.Linear` and `nn.Conv2d` weights: `kaiming_uniform_(a: sqrt(5))`,
    /// which works out to `U(-1/sqrt(fanIn), 1/sqrt(fanIn))`. (Their bias default is
    /// `Initializer.pytorchDefaultBias(fanIn:)`.)
    case pytorchDefault

    /// Which fan a Kaiming initialiser scales by.
    public enum FanMode: String, Sendable, Equatable, CaseIterable {
        case fanIn, fanOut
    }

    /// The nonlinearity a Kaiming initialiser is tuned for (`torch.nn.init.calculate_gain`).
    public enum Nonlinearity: Sendable, Equatable {
        case linear, sigmoid, tanh, relu, selu
        case leakyReLU(negativeSlope: Float)

        /// The recommended gain: 1 for linear and sigmoid, 5/3 for tanh, sqrt(2) for ReLU,
        /// sqrt(2 / (1 + slope²)) for leaky ReLU, 3/4 for SELU.
        public var gain: Double {
            switch self {
            case .linear, .sigmoid: return 1
            case .tanh: return 5.0 / 3.0
            case .relu: return 2.0.squareRoot()
            case .selu: return 0.75
            case .leakyReLU(let slope):
                let a = Double(slope)
                return (2.0 / (1.0 + a * a)).squareRoot()
            }
        }
    }

    /// PyTorch's default bias for `nn.Linear` / `nn.Conv2d`: `U(-1/sqrt(fanIn), 1/sqrt(fanIn))`
    /// (zeros when `fanIn` is 0).
    public static func pytorchDefaultBias(fanIn: Int) -> Initializer {
        guard fanIn > 0 else { return .zeros }
        let bound = Float(1.0 / Double(fanIn).squareRoot())
        return .uniform(low: -bound, high: bound)
    }

    /// `(fanIn, fanOut)` of a weight of this shape, as PyTorch computes them; `nil` for rank < 2.
    public static func fans(of shape: Shape) -> (fanIn: Int, fanOut: Int)? {
        guard shape.rank >= 2 else { return nil }
        let receptive = shape.elementCount(from: 2)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// Whether this initialiser needs fans (and so a weight of rank 2 or more).
    public var needsFans: Bool {
        switch self {
        case .zeros, .constant, .uniform, .normal: return false
        default: return true
        }
    }

    /// What a tensor of `shape` is filled from: every element drawn independently.
    public enum Distribution: Sendable, Equatable {
        case constant(Float)
        /// Uniform on `[low, high)`.
        case uniform(low: Float, high: Float)
        case normal(mean: Float, std: Float)
    }

    /// The distribution this initialiser fills a tensor of `shape` from, with PyTorch's formulas
    /// (fans from `fans(of:)`; a fan of 0 counts as 1). Fan-based initialisers need rank ≥ 2.
    public func distribution(for shape: Shape) -> Distribution {
        let fans = Initializer.fans(of: shape)
        precondition(!needsFans || fans != nil, "\(self) needs a weight of rank 2 or more, got \(shape)")
        let fanIn = Double(fans?.fanIn ?? 0)
        let fanOut = Double(fans?.fanOut ?? 0)
        switch self {
        case .zeros:
            return .constant(0)
        case .constant(let value):
            return .constant(value)
        case .uniform(let low, let high):
            return .uniform(low: low, high: high)
        case .normal(let mean, let std):
            return .normal(mean: mean, std: std)
        case .xavierUniform(let gain):
            let a = Double(gain) * (6.0 / max(1, fanIn + fanOut)).squareRoot()
            return .uniform(low: Float(-a), high: Float(a))
        case .xavierNormal(let gain):
            return .normal(mean: 0, std: Float(Double(gain) * (2.0 / max(1, fanIn + fanOut)).squareRoot()))
        case .kaimingUniform(let mode, let nonlinearity):
            let fan = mode == .fanIn ? fanIn : fanOut
            let bound = nonlinearity.gain * (3.0 / max(1, fan)).squareRoot()
            return .uniform(low: Float(-bound), high: Float(bound))
        case .kaimingNormal(let mode, let nonlinearity):
            let fan = mode == .fanIn ? fanIn : fanOut
            return .normal(mean: 0, std: Float(nonlinearity.gain / max(1, fan).squareRoot()))
        case .pytorchDefault:
            // kaiming_uniform_(a = sqrt(5)): gain sqrt(2 / (1 + 5)), bound gain * sqrt(3 / fanIn).
            let bound =
                Nonlinearity.leakyReLU(negativeSlope: Float(5.0.squareRoot())).gain
                * (3.0 / max(1, fanIn)).squareRoot()
            return .uniform(low: Float(-bound), high: Float(bound))
        }
    }

    /// Fills `tensor` in order, drawing from `rng`. Fan-based initialisers need rank ≥ 2.
    public func fill(_ tensor: inout Tensor, rng: inout RNG) {
        switch distribution(for: tensor.shape) {
        case .constant(let value):
            tensor.fill(value)
        case .uniform(let low, let high):
            Initializer.fillUniform(&tensor, low: low, high: high, rng: &rng)
        case .normal(let mean, let std):
            Initializer.fillNormal(&tensor, mean: mean, std: std, rng: &rng)
        }
    }

    private static func fillUniform(_ tensor: inout Tensor, low: Float, high: Float, rng: inout RNG) {
        tensor.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = rng.uniform(low, high) }
        }
    }

    private static func fillNormal(_ tensor: inout Tensor, mean: Float, std: Float, rng: inout RNG) {
        tensor.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = mean + std * rng.normal() }
        }
    }
}

extension Tensor {
    /// A tensor of `shape` filled by `initializer` from `rng`.
    public init(shape: Shape, initializer: Initializer, rng: inout RNG) {
        self.init(shape: shape)
        initializer.fill(&self, rng: &rng)
    }
}
