import ArgumentParser
import Foundation
import NNCore

/// `nnbench sgemm`: the BLAS's sgemm rate on each product of the MLP 784-100-10's training step as
/// the engine calls it, and the epoch's sgemm bound from those rates, for `Tools/bench/compare`'s
/// sgemm-bound figure. One JSON line.
struct SgemmBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sgemm",
        abstract: "sgemm GFLOP/s on the MLP 784-100-10's products and its epoch's sgemm bound, as one JSON line.",
        discussion: """
            Measures the five products of one MLP 784-100-10 training step at batch 64, each with the \
            transposes, shapes and beta the engine uses: the first layer's forward product (100x64x784, \
            computed transposed for a batch smaller than the layer), the second's (64x10x100), both weight \
            gradients (10x100x64, 100x784x64) and the second layer's input gradient (64x100x10). Each \
            is run two ways, one cblas_sgemm call with OpenBLAS's own threads set to --threads, and split \
            over nnzoo's threads (OpenBLAS pinned to one, as the engine runs it); each figure is the best \
            of five runs of --seconds, and a product's rate is the better of its two ways (the stricter \
            reference for a bound). The bound of an epoch (60000 images) is the sum over the products of \
            their FLOPs in an epoch divided by their rates: the time the epoch's products alone take at \
            the best rate this BLAS reaches for them. "kernel" is what openblas_get_corename() \
            reports. Build in release: swift run -c release nnbench sgemm --threads 1
            """)

    @Option(help: "Threads (default: the number of cores).")
    var threads: Int?

    @Option(help: "Seconds per run of a measurement (each figure is the best of five runs).")
    var seconds: Double = 0.2

    @Option(help: "Training images in an epoch (the bound scales with it).")
    var epochImages: Int = 60000

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads)).") }
        guard seconds > 0, seconds.isFinite else { throw ValidationError("--seconds must be a positive number") }
        guard epochImages >= 1 else { throw ValidationError("--epoch-images must be at least 1") }
    }

    func run() throws {
        Parallel.setThreadCount(threads ?? Parallel.defaultThreadCount)
        try BLASCheck.verify()
        let batchesPerEpoch = Double(epochImages) / Double(GemmShape.mlpBatch)
        var shapes: [[String: Any]] = []
        var boundSeconds = 0.0
        var epochFlops = 0.0
        var headline = 0.0
        for shape in GemmShape.mlpStepShapes {
            let openBLAS = shape.gflops(seconds: seconds, openBLASThreads: true)
            let split = shape.gflops(seconds: seconds, openBLASThreads: false)
            let best = max(openBLAS, split)
            let flops = shape.flops * batchesPerEpoch
            epochFlops += flops
            boundSeconds += flops / (best * 1e9)
            if shape.isHeadline { headline = best }
            shapes.append([
                "label": shape.label, "m": shape.m, "n": shape.n, "k": shape.k, "transpose_a": shape.transposeA,
                "transpose_b": shape.transposeB, "openblas_threads_gflops": openBLAS, "split_gflops": split,
                "gflops": best, "epoch_flop": flops,
            ])
        }
        let object: [String: Any] = [
            "threads": Parallel.threadCount, "kernel": BLASCheck.kernelName, "library": BLASCheck.libraryConfiguration,
            "shapes": shapes, "epoch_images": epochImages, "mlp_epoch_flop": epochFlops,
            "mlp_epoch_bound_seconds": boundSeconds, "mlp_epoch_bound_gflops": epochFlops / boundSeconds / 1e9,
            "gflops": headline,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
