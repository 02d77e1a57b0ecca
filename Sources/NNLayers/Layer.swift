import NNCore

/// A building block of a network, with PyTorch's contract (as `torch.nn.Module` plus the classic
/// hand-written backward pass):
///
/// - `forward(_:training:)` computes the output and keeps what `backward` needs.
/// - `backward(_:)` takes dLoss/dOutput of the most recent `forward`, *adds* the parameter
///   gradients into each `Parameter.grad` (they accumulate until an optimizer's `zeroGrad()`, as
///   in PyTorch), and returns dLoss/dInput.
/// - `parameters` are the trainable tensors, named as PyTorch names them (`weight`, `bias`);
///   inside a `Sequential` they are prefixed with the layer's index (`0.weight`).
///
/// Tensors a layer returns share storage with buffers the layer reuses on later calls, so a
/// training step allocates nothing once the shapes are known. Keeping a returned tensor is safe:
/// `Tensor` is copy-on-write.
public protocol Layer: AnyObject, CustomStringConvertible {
    /// The output for `input`. `training` selects training behaviour (dropout active, batch
    /// statistics in batch normalisation) or evaluation behaviour.
    func forward(_ input: Tensor, training: Bool) -> Tensor

    /// Given dLoss/dOutput of the last `forward`, accumulates parameter gradients and returns
    /// dLoss/dInput (shaped as that forward's input).
    func backward(_ gradOutput: Tensor) -> Tensor

    /// Like `backward`, but only accumulates the parameter gradients: the input gradient is not
    /// computed when nothing needs it (the first layer of a network). Default: calls `backward`.
    func backwardParameters(_ gradOutput: Tensor)

    /// The trainable parameters, in PyTorch's order.
    var parameters: [Parameter] { get }

    /// Parameters with their full names (`weight`; `3.bias` inside a `Sequential`).
    var namedParameters: [(name: String, parameter: Parameter)] { get }

    /// Non-trainable state saved with the model (batch normalisation's running statistics).
    var buffers: [Buffer] { get }

    /// Buffers with their full names (`running_mean`; `1.running_var` inside a `Sequential`).
    var namedBuffers: [(name: String, buffer: Buffer)] { get }

    /// Random generators the layer draws from (dropout masks), to save and restore for a resume
    /// that continues bit for bit.
    var randomStates: [RandomState] { get }

    /// Random generators with their full names (`rng`; `11.rng` inside a `Sequential`).
    var namedRandomStates: [(name: String, state: RandomState)] { get }

    /// The output shape for an input of `inputShape` (batch dimension included), or an error
    /// that says what the layer expected. Lets a model builder infer every size and reject a
    /// mismatched architecture before training.
    func outputShape(for inputShape: Shape) throws -> Shape
}

extension Layer {
    public func backwardParameters(_ gradOutput: Tensor) { _ = backward(gradOutput) }
    public var parameters: [Parameter] { [] }
    public var namedParameters: [(name: String, parameter: Parameter)] { parameters.map { ($0.name, $0) } }
    public var buffers: [Buffer] { [] }
    public var namedBuffers: [(name: String, buffer: Buffer)] { buffers.map { ($0.name, $0) } }
    public var randomStates: [RandomState] { [] }
    public var namedRandomStates: [(name: String, state: RandomState)] { randomStates.map { ($0.name, $0) } }

    /// The number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// Sets every parameter gradient to zero.
    public func zeroGrad() {
        for p in parameters { p.zeroGrad() }
    }
}

/// A trainable tensor and the gradient accumulated for it.
public final class Parameter {
    /// The name within its layer (`weight`, `bias`), as PyTorch names it.
    public let name: String
    /// The current value.
    public var value: Tensor
    /// dLoss/dValue, accumulated by `backward` since the last `zeroGrad()`; same shape as `value`.
    public var grad: Tensor

    public init(name: String, value: Tensor) {
        self.name = name
        self.value = value
        grad = Tensor(shape: value.shape)
    }

    /// Sets the gradient to zero (in place).
    public func zeroGrad() { grad.fill(0) }
}

/// Non-trainable state that belongs in a checkpoint (batch normalisation's running statistics).
public final class Buffer {
    /// The element type the buffer has in PyTorch (`num_batches_tracked` is an int64 there).
    public enum Kind: Sendable, Equatable {
        case float32, int64
    }

    /// The name within its layer (`running_mean`), as PyTorch names it.
    public let name: String
    /// The value. Integer buffers hold whole numbers in Float (exact up to 2^24).
    public var value: Tensor
    /// Float32, or an integer counter that PyTorch stores as int64.
    public let kind: Kind

    public init(name: String, value: Tensor, kind: Kind = .float32) {
        self.name = name
        self.value = value
        self.kind = kind
    }
}

/// The random generator a layer draws from. Save `rng.stateWords` in a checkpoint and restore
/// them with `RNG(stateWords:)` so a resumed run draws the same masks as an uninterrupted one.
public final class RandomState {
    /// The name within its layer (`rng`).
    public let name: String
    /// The generator; the layer advances it on every training forward.
    public var rng: RNG

    public init(name: String = "rng", rng: RNG) {
        self.name = name
        self.rng = rng
    }
}
