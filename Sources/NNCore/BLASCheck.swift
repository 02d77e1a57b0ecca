import CBLAS
import Foundation

/// A check that the BLAS computes right products, run once per process before the first training
/// or evaluation (`verify()`): a user whose OpenBLAS picks wrong kernels for the CPU learns it before
/// a run, not from a bad model.
///
/// The engine's only BLAS routine is `cblas_sgemm` (through `BLAS.gemm`, with beta 0 and 1). The
/// check runs it in every transpose combination on five shapes each: tiny ones (3x5x7, and a single
/// row or column, as a batch of one runs), one OpenBLAS sends to its small-matrix kernels (19x23x37)
/// and one above their limit of a million multiply-adds (67x131x120), which takes the packed path
/// the engine's large products take. The matrices hold whole numbers from -4 to 4, so every sum is
/// exact in float32 whatever order a kernel adds in, and the products must equal the plain loop's
/// exactly. Leading dimensions are padded, and the padding holds NaN (in A and B) or a sentinel (in
/// C), so a kernel that reads or writes outside its matrices is caught too. The large products are
/// checked without a full plain loop, by Freivalds' test in exact arithmetic (C x against
/// A (B x) + beta C0 x for two vectors of whole numbers), then the failing row element by element.
/// All of it is about 4.3 million multiply-adds in OpenBLAS and 0.33 million in plain loops: 12
/// million instructions in callgrind, a few milliseconds once per process.
public enum BLASCheck {
    /// One product of the check, `C = op(A) op(B) + beta C`, row-major, as `BLAS.gemm` takes it.
    public struct Product: Sendable {
        public let transposeA: Bool
        public let transposeB: Bool
        public let m: Int
        public let n: Int
        public let k: Int
        /// The row strides of A, B and C as stored (padded beyond the rows' lengths).
        public let lda: Int
        public let ldb: Int
        public let ldc: Int
        public let beta: Float
        /// A and B as stored (`transposeA`: A is stored k x m), padding NaN.
        public let a: [Float]
        public let b: [Float]
        /// C before the product (the padding holds `BLASCheck.padding`).
        public let c: [Float]
        /// Compared element by element with a plain loop (else by Freivalds' test).
        public let fullComparison: Bool

        /// `sgemm (A transposed, B as stored) 67x131x120 (m x n x k), beta 1`.
        public var description: String {
            "sgemm (A \(transposeA ? "transposed" : "as stored"), B \(transposeB ? "transposed" : "as stored")) "
                + "\(m)x\(n)x\(k) (m x n x k), beta \(beta == 0 ? "0" : "1")"
        }

        /// Element `(row, column)` of op(A) and op(B).
        func opA(_ row: Int, _ column: Int) -> Float { transposeA ? a[column * lda + row] : a[row * lda + column] }
        func opB(_ row: Int, _ column: Int) -> Float { transposeB ? b[column * ldb + row] : b[row * ldb + column] }

        /// The exact result of element `(i, j)` (whole numbers far below 2^53: no rounding anywhere).
        func expected(_ i: Int, _ j: Int) -> Double {
            let (aStep, bStep) = (transposeA ? lda : 1, transposeB ? 1 : ldb)
            return a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    var pa = transposeA ? i : i * lda
                    var pb = transposeB ? j * ldb : j
                    var sum = beta == 0 ? 0 : Double(c[i * ldc + j])
                    for _ in 0..<k {
                        sum += Double(a[pa]) * Double(b[pb])
                        pa += aStep
                        pb += bStep
                    }
                    return sum
                }
            }
        }
    }

    /// What C's padding holds before the product; a product that changes it wrote outside C.
    public static let padding: Float = -12345

    /// Where a product differs from the plain loop's.
    public struct Mismatch: Sendable, Equatable, CustomStringConvertible {
        /// `Product.description`.
        public let product: String
        public let row: Int
        /// The column in C; at or beyond `columns`: the padding after row `row`, which the product changed.
        public let column: Int
        /// C's columns (n).
        public let columns: Int
        public let computed: Float
        public let expected: Float

        public var description: String {
            if column >= columns {
                return "\(product) wrote \(Self.text(computed)) outside C, after the \(columns) columns of its row "
                    + "\(row) (in the row stride's padding, which must keep \(Self.text(expected)))"
            }
            return "\(product) gave C[\(row), \(column)] = \(Self.text(computed)) where a plain loop gives "
                + "\(Self.text(expected))"
        }

        static func text(_ value: Float) -> String {
            value == value.rounded() && abs(value) < 1e7 ? String(Int(value)) : "\(value)"
        }
    }

    /// The check's products (see the type's description), the same every run.
    public static let products: [Product] = {
        var numbers = WholeNumbers()
        // (m, n, k, beta, fullComparison)
        let shapes: [(Int, Int, Int, Float, Bool)] = [
            (3, 5, 7, 0, true), (1, 17, 33, 0, true), (17, 1, 33, 1, true), (19, 23, 37, 1, true),
            (67, 131, 120, 1, false),
        ]
        var result: [Product] = []
        for (transposeA, transposeB) in [(false, false), (false, true), (true, false), (true, true)] {
            for (m, n, k, beta, full) in shapes {
                let (aRows, aColumns) = transposeA ? (k, m) : (m, k)
                let (bRows, bColumns) = transposeB ? (n, k) : (k, n)
                let (lda, ldb, ldc) = (aColumns + 3, bColumns + 2, n + 1)
                result.append(
                    Product(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, lda: lda, ldb: ldb,
                        ldc: ldc, beta: beta, a: numbers.matrix(aRows, aColumns, stride: lda, padding: .nan),
                        b: numbers.matrix(bRows, bColumns, stride: ldb, padding: .nan),
                        c: numbers.matrix(m, n, stride: ldc, padding: padding),
                        fullComparison: full))
            }
        }
        return result
    }()

    /// How the engine runs a product: `BLAS.gemm` (one `cblas_sgemm` on this thread) into `c`, which
    /// holds the product's initial C.
    public static func blasProduct(_ p: Product, _ c: UnsafeMutablePointer<Float>) {
        p.a.withUnsafeBufferPointer { a in
            p.b.withUnsafeBufferPointer { b in
                BLAS.gemm(
                    transposeA: p.transposeA, transposeB: p.transposeB, m: p.m, n: p.n, k: p.k,
                    a: a.baseAddress!, lda: p.lda, b: b.baseAddress!, ldb: p.ldb, beta: p.beta, c: c, ldc: p.ldc)
            }
        }
    }

    /// Runs every product of the check through `compute` (the seam: tests feed it wrong products)
    /// and returns the first element that differs from the plain loop's, or nil when all agree.
    public static func firstMismatch(
        compute: (Product, UnsafeMutablePointer<Float>) -> Void = blasProduct
    ) -> Mismatch? {
        for product in products {
            var c = product.c
            c.withUnsafeMutableBufferPointer { compute(product, $0.baseAddress!) }
            if let mismatch = compare(product, computed: c) { return mismatch }
        }
        return nil
    }

    /// The first element of `computed` (C after the product, padding included) that is not what
    /// the product must give.
    public static func compare(_ p: Product, computed: [Float]) -> Mismatch? {
        precondition(
            computed.count == p.c.count, "BLASCheck.compare: C has \(computed.count) elements, not \(p.c.count)")
        func mismatch(_ i: Int, _ j: Int, _ expected: Float) -> Mismatch {
            Mismatch(
                product: p.description, row: i, column: j, columns: p.n, computed: computed[i * p.ldc + j],
                expected: expected)
        }
        // The padding is untouched, and every element a whole number the exact sums below can hold.
        for i in 0..<p.m {
            for j in p.n..<p.ldc where computed[i * p.ldc + j].bitPattern != padding.bitPattern {
                return mismatch(i, j, padding)
            }
            for j in 0..<p.n {
                let value = computed[i * p.ldc + j]
                guard value == value.rounded(), abs(value) < 16_777_216 else {
                    return mismatch(i, j, Float(p.expected(i, j)))
                }
            }
        }
        if p.fullComparison {
            for i in 0..<p.m {
                for j in 0..<p.n where Double(computed[i * p.ldc + j]) != p.expected(i, j) {
                    return mismatch(i, j, Float(p.expected(i, j)))
                }
            }
            return nil
        }
        // Freivalds' test: C x == A (B x) + beta C0 x, exactly (whole numbers below 2^53 in doubles),
        // for two vectors x of whole numbers; then the first failing row element by element.
        var rng = RNG(seed: 29)
        for _ in 0..<2 {
            let x = (0..<p.n).map { _ in Double(Int(rng.next() % 15) - 7) }
            if let row = freivaldsFailingRow(p, computed: computed, x: x) {
                for j in 0..<p.n where Double(computed[row * p.ldc + j]) != p.expected(row, j) {
                    return mismatch(row, j, Float(p.expected(row, j)))
                }
            }
        }
        return nil
    }

    /// The first row i where (C x)_i differs from (A (B x) + beta C0 x)_i.
    private static func freivaldsFailingRow(_ p: Product, computed: [Float], x: [Double]) -> Int? {
        // op(A)(i, q) is a[i * aRow + q * aColumn]; op(B)(q, j) is b[q * bRow + j * bColumn].
        let (aRow, aColumn) = p.transposeA ? (1, p.lda) : (p.lda, 1)
        let (bRow, bColumn) = p.transposeB ? (1, p.ldb) : (p.ldb, 1)
        let (m, n, k, ldc) = (p.m, p.n, p.k, p.ldc)
        return p.a.withUnsafeBufferPointer { a in
            p.b.withUnsafeBufferPointer { b in
                p.c.withUnsafeBufferPointer { c0 in
                    computed.withUnsafeBufferPointer { c in
                        x.withUnsafeBufferPointer { x in
                            var bx = [Double](repeating: 0, count: k)
                            for q in 0..<k {
                                var sum = 0.0
                                for j in 0..<n { sum += Double(b[q * bRow + j * bColumn]) * x[j] }
                                bx[q] = sum
                            }
                            for i in 0..<m {
                                var expected = 0.0
                                for q in 0..<k { expected += Double(a[i * aRow + q * aColumn]) * bx[q] }
                                var got = 0.0
                                for j in 0..<n {
                                    if p.beta != 0 { expected += Double(c0[i * ldc + j]) * x[j] }
                                    got += Double(c[i * ldc + j]) * x[j]
                                }
                                if got != expected { return i }
                            }
                            return nil
                        }
                    }
                }
            }
        }
    }

    /// The outcome of the check on this process's BLAS, computed on first use.
    private static let outcome: BLASCheckFailure? = firstMismatch().map { BLASCheckFailure.current($0) }

    /// Throws `BLASCheckFailure` when the BLAS computes a product of the check wrong. The check runs
    /// once per process (a few milliseconds); later calls return its outcome.
    public static func verify() throws {
        if let outcome { throw outcome }
    }

    /// The library's own description (`openblas_get_config`: version and build options).
    public static var libraryConfiguration: String { String(cString: openblas_get_config()) }

    /// The kernels OpenBLAS runs (`openblas_get_corename`): `Haswell`, `Cooperlake`, ...
    public static var kernelName: String { String(cString: openblas_get_corename()) }
}

/// The check's matrix entries: whole numbers from -4 to 4, eight from each draw of the generator.
private struct WholeNumbers {
    var rng = RNG(seed: 13)
    var bits: UInt64 = 0
    var left = 0

    mutating func next() -> Float {
        if left == 0 { (bits, left) = (rng.next(), 8) }
        let value = Float(Int(bits & 0xFF) % 9 - 4)
        (bits, left) = (bits >> 8, left - 1)
        return value
    }

    /// A rows x columns matrix of them, rows `stride` apart, `padding` between.
    mutating func matrix(_ rows: Int, _ columns: Int, stride: Int, padding: Float) -> [Float] {
        var values = [Float](repeating: padding, count: rows * stride)
        for row in 0..<rows {
            for column in 0..<columns { values[row * stride + column] = next() }
        }
        return values
    }
}

/// OpenBLAS computed a product of `BLASCheck` wrong: what, which library and kernels, and the way out.
public struct BLASCheckFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public let mismatch: BLASCheck.Mismatch
    /// `openblas_get_config()`.
    public let library: String
    /// `openblas_get_corename()`.
    public let kernel: String
    /// `OPENBLAS_CORETYPE` as this process sees it (nil: not set).
    public let coreType: String?
    /// The command to suggest running again (arguments as written, quoted).
    public let command: String

    public init(mismatch: BLASCheck.Mismatch, library: String, kernel: String, coreType: String?, command: String) {
        self.mismatch = mismatch
        self.library = library
        self.kernel = kernel
        self.coreType = coreType
        self.command = command
    }

    /// The failure for this process: its library, kernels, environment and command line.
    static func current(_ mismatch: BLASCheck.Mismatch) -> BLASCheckFailure {
        let arguments = CommandLine.arguments.dropFirst().map(shellQuoted).joined(separator: " ")
        return BLASCheckFailure(
            mismatch: mismatch, library: BLASCheck.libraryConfiguration, kernel: BLASCheck.kernelName,
            coreType: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"],
            command: Invocation.current.command(arguments))
    }

    /// The kernels to try instead of `kernel`: older ones of the same processor family.
    public static func olderKernel(than kernel: String) -> String {
        #if arch(arm64)
            return "ARMV8"
        #else
            // OpenBLAS's x86-64 kernels, newest first; AMD's Zen kernels are Haswell's.
            let order = ["cooperlake", "skylakex", "haswell", "zen", "sandybridge", "nehalem", "core2", "prescott"]
            guard let index = order.firstIndex(of: kernel.lowercased()) else { return "Sandybridge" }
            switch order[index] {
            case "cooperlake", "skylakex": return "Haswell"
            case "haswell", "zen": return "Sandybridge"
            case "sandybridge": return "Nehalem"
            default: return "Prescott"
            }
        #endif
    }

    public var description: String {
        let older = Self.olderKernel(than: kernel)
        let setting =
            coreType.map { "OPENBLAS_CORETYPE=\($0) is set, and these kernels compute wrong products too" }
            ?? "OPENBLAS_CORETYPE is not set, so OpenBLAS chose these kernels for this processor"
        let fallback = older == "Prescott" ? "" : " (Prescott, the oldest and slowest, if \(older) is wrong too)"
        return
            "The BLAS library computes wrong matrix products on this machine, so nnzoo will not train or evaluate "
            + "with it: a network trained or evaluated with wrong products is wrong without any sign of it. Its "
            + "check multiplies small matrices of whole numbers, where every result is exact: \(mismatch).\n"
            + "The library: \(library) (openblas_get_config), running its \(kernel) kernels "
            + "(openblas_get_corename); \(setting).\n"
            + "What to do: make OpenBLAS use older kernels with the environment variable OPENBLAS_CORETYPE, "
            + "e.g.\n    OPENBLAS_CORETYPE=\(older) \(command)\n"
            + "and export it to keep it\(fallback); or install an OpenBLAS release that computes right on this "
            + "processor."
    }
}
