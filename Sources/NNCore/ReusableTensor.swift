/// A pair of tensors a layer writes its results into, alternately, so that a training step
/// allocates nothing once the buffers have grown to size.
///
/// Why two: `Tensor` is copy-on-write. A layer's output of step t is still held at step t+1 by
/// whoever consumed it (the next layer caches its input for `backward`). Writing step t+1 into
/// that same storage would copy it; writing into the other slot (last handed out at step t-1,
/// released since) does not. Anyone who keeps a tensor longer than one step still sees their own
/// values: the buffer is then copied on write, which is correct, only slower.
public struct ReusableTensor: Sendable {
    private var first = Tensor()
    private var second = Tensor()
    private var useSecond = true

    public init() {}

    /// The tensor most recently produced.
    public var current: Tensor { useSecond ? second : first }

    /// Switches to the other slot, shapes it as `shape` (reusing its capacity), lets `body` write
    /// every element, and returns the result. Contents seen by `body` are unspecified.
    @inline(__always)
    public mutating func produce(
        shape: Shape, _ body: (UnsafeMutableBufferPointer<Float>) throws -> Void
    ) rethrows -> Tensor {
        useSecond.toggle()
        if useSecond {
            if second.shape != shape { second.resize(to: shape) }
            try second.withUnsafeMutableBufferPointer(body)
            return second
        } else {
            if first.shape != shape { first.resize(to: shape) }
            try first.withUnsafeMutableBufferPointer(body)
            return first
        }
    }

    /// Like `produce`, but the elements are zero when `body` runs (for scatter-add results).
    @inline(__always)
    public mutating func produceZeroed(
        shape: Shape, _ body: (UnsafeMutableBufferPointer<Float>) throws -> Void
    ) rethrows -> Tensor {
        try produce(shape: shape) { buffer in
            buffer.update(repeating: 0)
            try body(buffer)
        }
    }

    /// Drops both buffers (frees their memory).
    public mutating func release() {
        first = Tensor()
        second = Tensor()
    }
}

/// One reusable tensor for scratch space that never leaves its owner (im2col columns, masks).
public struct ScratchTensor: Sendable {
    public private(set) var tensor = Tensor()

    public init() {}

    /// Shapes the scratch tensor as `shape` (reusing capacity) and lets `body` write it.
    @inline(__always)
    public mutating func write<R>(
        shape: Shape, _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        if tensor.shape != shape { tensor.resize(to: shape) }
        return try tensor.withUnsafeMutableBufferPointer(body)
    }

    /// Reads the scratch tensor's elements.
    @inline(__always)
    public func read<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try tensor.withUnsafeBufferPointer(body)
    }

    /// Drops the buffer (frees its memory).
    public mutating func release() { tensor = Tensor() }
}
