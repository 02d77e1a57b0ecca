/// Small whole-tensor operations for setup, metrics and tests (each returns a new tensor; the
/// training step uses the layers' in-place kernels instead).
extension Tensor {
    /// Elementwise sum of two tensors of the same shape.
    public static func + (a: Tensor, b: Tensor) -> Tensor { a.zipped(with: b, +) }

    /// Elementwise difference of two tensors of the same shape.
    public static func - (a: Tensor, b: Tensor) -> Tensor { a.zipped(with: b, -) }

    /// Elementwise (Hadamard) product of two tensors of the same shape.
    public static func * (a: Tensor, b: Tensor) -> Tensor { a.zipped(with: b, *) }

    /// Every element times `s`.
    public static func * (a: Tensor, s: Float) -> Tensor { a.mapped { $0 * s } }

    /// A tensor of the same shape with `transform` applied to every element.
    public func mapped(_ transform: (Float) -> Float) -> Tensor {
        Tensor(shape: shape, scalars: scalars.map(transform))
    }

    /// Combines two tensors of the same shape element by element.
    public func zipped(with other: Tensor, _ combine: (Float, Float) -> Float) -> Tensor {
        precondition(shape == other.shape, "shapes differ: \(shape) and \(other.shape)")
        return Tensor(shape: shape, scalars: zip(scalars, other.scalars).map(combine))
    }

    /// The sum of all elements, accumulated in Double.
    public func sum() -> Double {
        withUnsafeBufferPointer { p in p.reduce(0.0) { $0 + Double($1) } }
    }

    /// The sum of squared elements, accumulated in Double.
    public func squaredNorm() -> Double {
        withUnsafeBufferPointer { p in p.reduce(0.0) { $0 + Double($1) * Double($1) } }
    }

    /// For a tensor `[N, ...]`, the index of the largest element of each row (first on ties).
    public func argmaxRows() -> [Int] {
        precondition(shape.rank >= 1, "argmaxRows needs a batch dimension")
        let rows = shape[0]
        let width = rows == 0 ? 0 : count / rows
        return withUnsafeBufferPointer { p in
            (0..<rows).map { r in
                var best = 0
                for j in 1..<max(1, width) where p[r * width + j] > p[r * width + best] { best = j }
                return best
            }
        }
    }

    /// The largest absolute elementwise difference to `other` (same shape).
    public func maxAbsDifference(_ other: Tensor) -> Float {
        precondition(shape == other.shape, "shapes differ: \(shape) and \(other.shape)")
        var m: Float = 0
        for (a, b) in zip(scalars, other.scalars) { m = max(m, abs(a - b)) }
        return m
    }
}
