import CBLAS

/// Matrix products through OpenBLAS's `cblas_sgemm`, row-major, with transpose flags so that a
/// weight matrix is never copied to be transposed.
///
/// OpenBLAS runs single-threaded (see `Parallel`): `gemm` is one sgemm on the calling thread and
/// is safe inside a `Parallel` loop; `parallelGemm` splits a large product into blocks of rows or
/// columns of C and runs them on the project's threads.
public enum BLAS {
    /// Products below this many floating-point operations are not split (a block must be worth
    /// more than waking a thread).
    public static let parallelFlopsPerChunk = 1_000_000.0

    /// Blocks of a split product start at multiples of this many rows or columns (OpenBLAS's
    /// kernels work on 4-wide panels).
    static let splitGranularity = 4

    /// `gemm`, split into up to `Parallel.threadCount` blocks of C (along its longer side, in
    /// multiples of 4, as even as that allows: 100 columns split 52 + 48, not 64 + 36) when the
    /// product is large enough. Each block is one sgemm with the same operands offset, so the
    /// result for a given thread count is always the same.
    public static func parallelGemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        parallelGemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b,
            ldb: ldb, beta: beta, c: c, ldc: ldc
        ) { _, _ in }
    }

    /// `parallelGemm`, calling `eachBlock(rows, columns)` with the rows and columns of each block of
    /// C as soon as that block is computed, on the thread that computed it (the whole of C in one
    /// call when the product is not split), so that work on the result runs split the same way
    /// while the block is in that core's cache. The blocks do not overlap; `eachBlock` may run on
    /// several threads at once.
    public static func parallelGemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
        eachBlock: (_ rows: Range<Int>, _ columns: Range<Int>) -> Void
    ) {
        let flops = gemmFlops(m: m, n: n, k: k)
        let splitColumns = n >= m
        let units = ((splitColumns ? n : m) + splitGranularity - 1) / splitGranularity
        let chunks = min(Parallel.threadCount, units, Int(flops / parallelFlopsPerChunk))
        guard chunks > 1 else {
            gemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            eachBlock(0..<m, 0..<n)
            return
        }
        Parallel.forChunks(chunks) { chunk in
            let block = Parallel.chunkRange(chunk, of: chunks, count: units)
            let start = block.lowerBound * splitGranularity
            if splitColumns {
                let end = min(n, block.upperBound * splitGranularity)
                // columns start..<end of op(B) and of C
                gemm(
                    transposeA: transposeA, transposeB: transposeB, m: m, n: end - start, k: k, alpha: alpha,
                    a: a, lda: lda, b: b + (transposeB ? start * ldb : start), ldb: ldb, beta: beta,
                    c: c + start, ldc: ldc)
                eachBlock(0..<m, start..<end)
            } else {
                let end = min(m, block.upperBound * splitGranularity)
                // rows start..<end of op(A) and of C
                gemm(
                    transposeA: transposeA, transposeB: transposeB, m: end - start, n: n, k: k, alpha: alpha,
                    a: a + (transposeA ? start : start * lda), lda: lda, b: b, ldb: ldb, beta: beta,
                    c: c + start * ldc, ldc: ldc)
                eachBlock(start..<end, 0..<n)
            }
        }
    }

    /// `C = alpha * op(A) * op(B) + beta * C` where `op(A)` is `m x k`, `op(B)` is `k x n` and `C`
    /// is `m x n`, all row-major. `op(X)` is `X` transposed when the flag says so; `lda`, `ldb`,
    /// `ldc` are the row strides of the matrices as stored (A is stored `k x m` when transposed).
    @inline(__always)
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            // op(A) * op(B) is all zeros: only the beta scaling remains.
            for i in 0..<m {
                for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] }
            }
            return
        }
        _ = Parallel.threadCount  // pins OpenBLAS to one thread before its first product
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The floating-point operations of one `gemm` call of this size (2 per multiply-add).
    public static func gemmFlops(m: Int, n: Int, k: Int) -> Double { 2 * Double(m) * Double(n) * Double(k) }
}

extension Tensor {
    /// The matrix product `op(a) * op(b)` of two 2-D tensors (a new tensor; for one-off use,
    /// layers call `BLAS.gemm` into their own buffers).
    public static func matmul(
        _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false
    ) -> Tensor {
        precondition(a.shape.rank == 2 && b.shape.rank == 2, "matmul needs two matrices")
        let m = transposeA ? a.shape[1] : a.shape[0]
        let k = transposeA ? a.shape[0] : a.shape[1]
        let kb = transposeB ? b.shape[1] : b.shape[0]
        let n = transposeB ? b.shape[0] : b.shape[1]
        precondition(k == kb, "matmul: inner dimensions differ (\(a.shape) and \(b.shape))")
        var c = Tensor(shape: Shape(m, n))
        guard m > 0, n > 0, k > 0 else { return c }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    BLAS.parallelGemm(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                        a: pa.baseAddress!, lda: a.shape[1], b: pb.baseAddress!, ldb: b.shape[1],
                        c: pc.baseAddress!, ldc: n)
                }
            }
        }
        return c
    }
}
