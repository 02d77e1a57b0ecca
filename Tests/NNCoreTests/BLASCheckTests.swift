import Testing

@testable import NNCore

@Suite struct BLASCheckTests {
    /// `product` as the engine's BLAS computes it, then changed by `edit` (C with its padding, row stride ldc).
    static func wrong(
        where chosen: @escaping (BLASCheck.Product) -> Bool,
        _ edit: @escaping (UnsafeMutablePointer<Float>, Int) -> Void
    ) -> (BLASCheck.Product, UnsafeMutablePointer<Float>) -> Void {
        { product, c in
            BLASCheck.blasProduct(product, c)
            if chosen(product) { edit(c, product.ldc) }
        }
    }

    static func isLargeTN(_ p: BLASCheck.Product) -> Bool { p.transposeA && !p.transposeB && !p.fullComparison }

    @Test func thisMachinesOpenBLASPassesTheCheck() throws {
        #expect(BLASCheck.firstMismatch() == nil)
        try BLASCheck.verify()
        #expect(BLASCheck.libraryConfiguration.hasPrefix("OpenBLAS "))
        #expect(!BLASCheck.kernelName.isEmpty)
        #expect(BLASCheck.libraryConfiguration.contains(BLASCheck.kernelName))
    }

    @Test func theProductsCoverEveryTransposeBothOpenBLASPathsAndPaddedStrides() {
        let products = BLASCheck.products
        #expect(products.count == 20)
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            let these = products.filter { $0.transposeA == ta && $0.transposeB == tb }
            #expect(
                these.map { "\($0.m)x\($0.n)x\($0.k)" } == ["3x5x7", "1x17x33", "17x1x33", "19x23x37", "67x131x120"])
            // OpenBLAS 0.3.21 sends products up to 100^3 multiply-adds to its small-matrix kernels.
            #expect(these.contains { $0.m * $0.n * $0.k > 1_000_000 })
            #expect(these.contains { $0.m * $0.n * $0.k < 20_000 && $0.m > 1 && $0.n > 1 })
            #expect(Set(these.map(\.beta)) == [0, 1])
        }
        for p in products {
            #expect(p.lda > (p.transposeA ? p.m : p.k) && p.ldb > (p.transposeB ? p.k : p.n) && p.ldc > p.n)
            #expect(p.a.filter(\.isNaN).count == p.a.count - p.m * p.k)
            #expect(p.c.filter { $0 == BLASCheck.padding }.count == p.m * (p.ldc - p.n))
            // Whole numbers from -4 to 4: every sum is exact in float32.
            #expect(p.a.allSatisfy { $0.isNaN || ($0 == $0.rounded() && abs($0) <= 4) })
        }
    }

    @Test func anElementOffByOneInALargeProductIsFoundByRowAndColumn() {
        let p = BLASCheck.products.first(where: Self.isLargeTN)!
        let expected = Float(p.expected(40, 77))
        let mismatch = BLASCheck.firstMismatch(
            compute: Self.wrong(where: Self.isLargeTN) { c, ldc in c[40 * ldc + 77] += 1 })
        #expect(
            mismatch
                == BLASCheck.Mismatch(
                    product: "sgemm (A transposed, B as stored) 67x131x120 (m x n x k), beta 1", row: 40, column: 77,
                    columns: 131, computed: expected + 1, expected: expected))
    }

    @Test func aResultOneUlpOffOrNotANumberIsAMismatch() {
        let p = BLASCheck.products.first(where: Self.isLargeTN)!
        let expected = Float(p.expected(66, 130))
        let ulp = BLASCheck.firstMismatch(
            compute: Self.wrong(where: Self.isLargeTN) { c, ldc in c[66 * ldc + 130] = c[66 * ldc + 130].nextUp })
        #expect(ulp?.row == 66 && ulp?.column == 130 && ulp?.computed == expected.nextUp && ulp?.expected == expected)
        let nan = BLASCheck.firstMismatch(
            compute: Self.wrong(where: Self.isLargeTN) { c, ldc in c[5 * ldc + 3] = .nan })
        #expect(nan?.row == 5 && nan?.column == 3 && nan?.computed.isNaN == true)
        #expect(
            nan?.description.hasSuffix("gave C[5, 3] = nan where a plain loop gives \(Int(p.expected(5, 3)))") == true)
    }

    @Test func twoErrorsThatCancelInARowSumAreStillFound() {
        // +1 and -1 in one row: the row's plain sum would not change, Freivalds' random weights do.
        let mismatch = BLASCheck.firstMismatch(
            compute: Self.wrong(where: Self.isLargeTN) { c, ldc in
                c[9 * ldc + 10] += 1
                c[9 * ldc + 11] -= 1
            })
        #expect(mismatch?.row == 9 && mismatch?.column == 10)
    }

    @Test func aKernelThatDropsTheLastStepOfTheInnerLoopIsCaughtOnTheFirstProduct() {
        // A plain loop with a typical kernel bug: the last of the k multiply-adds left out.
        let mismatch = BLASCheck.firstMismatch { p, c in
            for i in 0..<p.m {
                for j in 0..<p.n {
                    var sum: Float = p.beta == 0 ? 0 : c[i * p.ldc + j]
                    for q in 0..<(p.k - 1) { sum += p.opA(i, q) * p.opB(q, j) }
                    c[i * p.ldc + j] = sum
                }
            }
        }
        let first = BLASCheck.products[0]
        #expect(mismatch?.product == "sgemm (A as stored, B as stored) 3x5x7 (m x n x k), beta 0")
        #expect(mismatch?.row == 0 && mismatch?.column == 0 && mismatch?.expected == Float(first.expected(0, 0)))
    }

    @Test func aWriteIntoThePaddingAfterARowIsCaught() {
        let mismatch = BLASCheck.firstMismatch(
            compute: Self.wrong(where: { $0.transposeB && $0.m == 19 }) { c, ldc in c[2 * ldc + 23] = 0 })
        #expect(
            mismatch?.description
                == "sgemm (A as stored, B transposed) 19x23x37 (m x n x k), beta 1 wrote 0 outside C, after the 23 "
                + "columns of its row 2 (in the row stride's padding, which must keep -12345)")
    }

    @Test func theRefusalNamesTheLibraryTheKernelAndTheWayOut() {
        let mismatch = BLASCheck.Mismatch(
            product: "sgemm (A transposed, B as stored) 67x131x120 (m x n x k), beta 1", row: 40, column: 77,
            columns: 131, computed: 15, expected: 14)
        let library = "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64"
        let unset = BLASCheckFailure(
            mismatch: mismatch, library: library, kernel: "Cooperlake", coreType: nil,
            command: "./nnzoo train mlp-784-100-10")
        #expect(
            unset.description
                == "The BLAS library computes wrong matrix products on this machine, so nnzoo will not train or "
                + "evaluate with it: a network trained or evaluated with wrong products is wrong without any sign of "
                + "it. Its check multiplies small matrices of whole numbers, where every result is exact: sgemm (A "
                + "transposed, B as stored) 67x131x120 (m x n x k), beta 1 gave C[40, 77] = 15 where a plain loop "
                + "gives 14.\n"
                + "The library: \(library) (openblas_get_config), running its Cooperlake kernels "
                + "(openblas_get_corename); OPENBLAS_CORETYPE is not set, so OpenBLAS chose these kernels for this "
                + "processor.\n"
                + "What to do: make OpenBLAS use older kernels with the environment variable OPENBLAS_CORETYPE, e.g.\n"
                + "    OPENBLAS_CORETYPE=Haswell ./nnzoo train mlp-784-100-10\n"
                + "and export it to keep it (Prescott, the oldest and slowest, if Haswell is wrong too); or install "
                + "an OpenBLAS release that computes right on this processor.")
        let set = BLASCheckFailure(
            mismatch: mismatch, library: library, kernel: "Haswell", coreType: "Haswell", command: "nnzoo eval runs/a")
        #expect(
            set.description.contains(
                "running its Haswell kernels (openblas_get_corename); OPENBLAS_CORETYPE=Haswell is set, and these kernels compute wrong products too."
            ))
        #expect(set.description.contains("\n    OPENBLAS_CORETYPE=Sandybridge nnzoo eval runs/a\n"))
        #expect(
            ["Cooperlake", "SKYLAKEX", "Haswell", "Zen", "Sandybridge", "Nehalem", "Core2", "Prescott", "Bulldozer"]
                .map(
                    BLASCheckFailure.olderKernel(than:))
                == [
                    "Haswell", "Haswell", "Sandybridge", "Sandybridge", "Nehalem", "Prescott", "Prescott", "Prescott",
                    "Sandybridge",
                ])
    }
}
