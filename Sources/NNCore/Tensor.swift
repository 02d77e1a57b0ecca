/// A dense Float32 tensor: a shape and contiguous row-major storage (images are NCHW).
///
/// A value type with copy-on-write storage: assigning a tensor shares its storage until one copy
/// is written. Hot loops read and write through `withUnsafeBufferPointer` /
/// `withUnsafeMutableBufferPointer` rather than the element subscripts.
///
/// Layers hand out tensors that share storage with their own reusable buffers (see
/// `ReusableTensor`); holding on to such a tensor is always safe (value semantics), it only costs
/// a copy when the layer next writes that buffer.
public struct Tensor: Equatable, Sendable, CustomStringConvertible {
    /// The dimensions, outermost first.
    public private(set) var shape: Shape
    /// The elements in row-major order; `scalars.count == shape.elementCount` always.
    public private(set) var scalars: [Float]

    /// A tensor of `shape` filled with `value` (zeros by default).
    public init(shape: Shape, repeating value: Float = 0) {
        self.shape = shape
        scalars = [Float](repeating: value, count: shape.elementCount)
    }

    /// A tensor of `shape` holding `scalars` in row-major order.
    public init(shape: Shape, scalars: [Float]) {
        precondition(
            scalars.count == shape.elementCount,
            "a tensor of shape \(shape) needs \(shape.elementCount) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A 1-D tensor holding `scalars`.
    public init(_ scalars: [Float]) {
        self.init(shape: Shape(scalars.count), scalars: scalars)
    }

    /// A 2-D tensor from rows of equal length.
    public init(rows: [[Float]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "every row of a matrix needs the same length")
        self.init(shape: Shape(rows.count, columns), scalars: rows.flatMap { $0 })
    }

    /// An empty tensor of shape `[0]`.
    public init() {
        self.init(shape: Shape(0))
    }

    /// The number of elements.
    @inline(__always) public var count: Int { scalars.count }

    /// Element `i` of the flattened storage.
    @inline(__always) public subscript(flat i: Int) -> Float {
        get { scalars[i] }
        set { scalars[i] = newValue }
    }

    /// Element `[i, j]` of a 2-D tensor.
    public subscript(i: Int, j: Int) -> Float {
        get { scalars[index(i, j)] }
        set { scalars[index(i, j)] = newValue }
    }

    /// Element `[n, c, h, w]` of a 4-D tensor.
    public subscript(n: Int, c: Int, h: Int, w: Int) -> Float {
        get { scalars[index(n, c, h, w)] }
        set { scalars[index(n, c, h, w)] = newValue }
    }

    private func index(_ i: Int, _ j: Int) -> Int {
        precondition(shape.rank == 2 && i >= 0 && i < shape[0] && j >= 0 && j < shape[1], "index out of range")
        return i * shape[1] + j
    }

    private func index(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> Int {
        precondition(shape.rank == 4, "a 4-index subscript needs a 4-D tensor")
        precondition(
            n >= 0 && n < shape[0] && c >= 0 && c < shape[1] && h >= 0 && h < shape[2] && w >= 0 && w < shape[3],
            "index out of range")
        return ((n * shape[1] + c) * shape[2] + h) * shape[3] + w
    }

    /// Calls `body` with the elements, read-only.
    @inline(__always)
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with the elements, writable (copies first if the storage is shared).
    @inline(__always)
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// The same elements viewed with another shape of the same element count (shares storage).
    public func reshaped(_ newShape: Shape) -> Tensor {
        precondition(
            newShape.elementCount == count, "cannot reshape \(shape) (\(count) elements) to \(newShape)")
        var t = self
        t.shape = newShape
        return t
    }

    /// Changes the shape to `newShape`, keeping the storage's capacity: shrinking never
    /// reallocates, growing reallocates only past the largest size seen. The contents are
    /// unspecified afterwards (callers overwrite them); new elements are zero.
    public mutating func resize(to newShape: Shape) {
        let n = newShape.elementCount
        if n < scalars.count {
            scalars.removeLast(scalars.count - n)
        } else if n > scalars.count {
            scalars.append(contentsOf: repeatElement(0, count: n - scalars.count))
        }
        shape = newShape
    }

    /// Sets every element to `value`.
    public mutating func fill(_ value: Float) {
        withUnsafeMutableBufferPointer { $0.update(repeating: value) }
    }

    public var description: String {
        let shown = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), scalars: [\(shown)\(count > 8 ? ", …" : "")])"
    }
}
