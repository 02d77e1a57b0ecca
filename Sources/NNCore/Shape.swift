/// The dimensions of a `Tensor`, outermost first (images are `[N, C, H, W]`).
///
/// Stored inline (up to `Shape.maxRank` dimensions, no heap array), so building, comparing and
/// passing shapes in a training step never allocates. It is a random-access collection of `Int`,
/// so `shape[0]`, `shape.count`, `Array(shape)` and array literals (`[64, 784]`) all work.
public struct Shape: Hashable, Sendable, RandomAccessCollection, ExpressibleByArrayLiteral,
    CustomStringConvertible
{
    /// The largest rank a shape can hold.
    public static let maxRank = 6

    private var dims: (Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0)
    /// The number of dimensions.
    public private(set) var rank: Int = 0

    public init() {}

    public init(_ dimensions: some Collection<Int>) {
        precondition(dimensions.count <= Shape.maxRank, "a Shape holds at most \(Shape.maxRank) dimensions")
        for d in dimensions { append(d) }
    }

    public init(arrayLiteral elements: Int...) { self.init(elements) }

    public init(_ d0: Int) { append(d0) }
    public init(_ d0: Int, _ d1: Int) {
        append(d0)
        append(d1)
    }
    public init(_ d0: Int, _ d1: Int, _ d2: Int) {
        append(d0)
        append(d1)
        append(d2)
    }
    public init(_ d0: Int, _ d1: Int, _ d2: Int, _ d3: Int) {
        append(d0)
        append(d1)
        append(d2)
        append(d3)
    }

    /// Adds a trailing dimension.
    public mutating func append(_ d: Int) {
        precondition(d >= 0, "a dimension cannot be negative (got \(d))")
        precondition(rank < Shape.maxRank, "a Shape holds at most \(Shape.maxRank) dimensions")
        withUnsafeMutableBytes(of: &dims) {
            $0.storeBytes(of: d, toByteOffset: rank * MemoryLayout<Int>.stride, as: Int.self)
        }
        rank += 1
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { rank }

    public subscript(i: Int) -> Int {
        get {
            precondition(i >= 0 && i < rank, "dimension \(i) is out of range for a rank-\(rank) shape")
            return withUnsafeBytes(of: dims) { $0.load(fromByteOffset: i * MemoryLayout<Int>.stride, as: Int.self) }
        }
        set {
            precondition(i >= 0 && i < rank, "dimension \(i) is out of range for a rank-\(rank) shape")
            precondition(newValue >= 0, "a dimension cannot be negative (got \(newValue))")
            withUnsafeMutableBytes(of: &dims) {
                $0.storeBytes(of: newValue, toByteOffset: i * MemoryLayout<Int>.stride, as: Int.self)
            }
        }
    }

    /// The number of elements: the product of the dimensions (1 for a scalar shape `[]`).
    public var elementCount: Int {
        var n = 1
        for d in self { n *= d }
        return n
    }

    /// The product of the dimensions from `start` on (the size of one item when `start` is 1).
    public func elementCount(from start: Int) -> Int {
        var n = 1
        for i in start..<rank { n *= self[i] }
        return n
    }

    /// This shape with dimension 0 replaced by `n` (a batch of a different size).
    public func withBatch(_ n: Int) -> Shape {
        var s = self
        s[0] = n
        return s
    }

    public static func == (a: Shape, b: Shape) -> Bool {
        guard a.rank == b.rank else { return false }
        for i in 0..<a.rank where a[i] != b[i] { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rank)
        for d in self { hasher.combine(d) }
    }

    public var description: String { "[" + map(String.init).joined(separator: ", ") + "]" }
}
