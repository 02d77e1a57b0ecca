import ArgumentParser
import Foundation
import NNCore

/// `nnbench sgemm`: OpenBLAS's sgemm rate at the MLP's headline shape (64x100x784, as the first
/// layer's forward product runs it), for `Tools/bench/compare`'s sgemm-bound figure. One JSON line.
struct SgemmBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sgemm",
        abstract: "OpenBLAS sgemm GFLOP/s at 64x100x784 (the MLP's first layer), as one JSON line.",
        discussion: """
            Measures C[64x100] = A[64x784] · Bᵀ (B stored 100x784, row-major) two ways: one cblas_sgemm \
            call with OpenBLAS's own threads set to --threads, and the product split over nnzoo's threads \
            (OpenBLAS pinned to one, as the engine runs it). Each is the best of five runs of --seconds; \
            "gflops" is the better of the two (the stricter reference for a bound). Build in release: \
            swift run -c release nnbench sgemm --threads 1
            """)

    @Option(help: "Threads (default: the number of cores).")
    var threads: Int?

    @Option(help: "Seconds per run of a measurement (the figure is the best of five runs).")
    var seconds: Double = 0.3

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads)).") }
        guard seconds > 0, seconds.isFinite else { throw ValidationError("--seconds must be a positive number") }
    }

    func run() throws {
        Parallel.setThreadCount(threads ?? Parallel.defaultThreadCount)
        let shape = GemmShape.recipeShapes[0]
        let openBLAS = shape.gflops(seconds: seconds, openBLASThreads: true)
        let split = shape.gflops(seconds: seconds, openBLASThreads: false)
        let object: [String: Any] = [
            "m": shape.m, "n": shape.n, "k": shape.k, "threads": Parallel.threadCount,
            "openblas_threads_gflops": openBLAS, "split_gflops": split, "gflops": max(openBLAS, split),
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
