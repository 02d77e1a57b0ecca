import CBLAS
import CZlib
import Foundation
import MallocCounter
import NNCore
import NNLayers

/// One sgemm shape as the engine calls it.
struct GemmShape {
    let label: String
    let transposeA: Bool
    let transposeB: Bool
    let m: Int
    let n: Int
    let k: Int
    var isHeadline = false
    /// 1 for the products that add into C (the weight gradients).
    var beta: Float = 0

    var flops: Double { BLAS.gemmFlops(m: m, n: n, k: k) }

    /// The shapes of the two recipes' training steps at batch 64 (the MLP's first-layer forward
    /// product, 64x100x784, is the headline figure the step goals refer to).
    static let recipeShapes: [GemmShape] = [
        GemmShape(
            label: "MLP fc1 forward   64x100x784 (N,T)", transposeA: false, transposeB: true, m: 64, n: 100, k: 784,
            isHeadline: true),
        GemmShape(
            label: "MLP fc1 dW       100x784x64  (T,N)", transposeA: true, transposeB: false, m: 100, n: 784, k: 64),
        GemmShape(
            label: "MLP fc2 forward   64x10x100  (N,T)", transposeA: false, transposeB: true, m: 64, n: 10, k: 100),
        GemmShape(
            label: "conv1 forward  10x36864x25   (N,N)", transposeA: false, transposeB: false, m: 10, n: 36864, k: 25),
        GemmShape(
            label: "conv1 dW       10x25x36864   (N,T)", transposeA: false, transposeB: true, m: 10, n: 25, k: 36864),
        GemmShape(
            label: "conv2 forward  20x4096x250   (N,N)", transposeA: false, transposeB: false, m: 20, n: 4096, k: 250),
        GemmShape(
            label: "conv2 dW       20x250x4096   (N,T)", transposeA: false, transposeB: true, m: 20, n: 250, k: 4096),
        GemmShape(
            label: "conv2 dcols   250x4096x20    (T,N)", transposeA: true, transposeB: false, m: 250, n: 4096, k: 20),
        GemmShape(
            label: "fc 320->60 forward 64x60x320 (N,T)", transposeA: false, transposeB: true, m: 64, n: 60, k: 320),
    ]

    /// The batch of `mlpStepShapes`.
    static let mlpBatch = 64

    /// The products of one MLP 784-100-10 training step at batch 64, as the engine calls them (Dense:
    /// a batch with fewer rows than the layer has outputs runs its forward product transposed; the
    /// first layer needs no input gradient). The first layer's forward product is the headline.
    static let mlpStepShapes: [GemmShape] = [
        GemmShape(
            label: "fc1 forward   100x64x784 (N,T)", transposeA: false, transposeB: true, m: 100, n: 64, k: 784,
            isHeadline: true),
        GemmShape(label: "fc2 forward    64x10x100 (N,T)", transposeA: false, transposeB: true, m: 64, n: 10, k: 100),
        GemmShape(
            label: "fc2 dW         10x100x64 (T,N)", transposeA: true, transposeB: false, m: 10, n: 100, k: 64,
            beta: 1),
        GemmShape(label: "fc2 dX         64x100x10 (N,N)", transposeA: false, transposeB: false, m: 64, n: 100, k: 10),
        GemmShape(
            label: "fc1 dW        100x784x64 (T,N)", transposeA: true, transposeB: false, m: 100, n: 784, k: 64,
            beta: 1),
    ]

    /// Operand buffers for this shape, filled with small values.
    func operands() -> (a: [Float], b: [Float], c: [Float]) {
        var rng = RNG(seed: 1)
        let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
        let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
        return (a, b, [Float](repeating: 0, count: m * n))
    }

    /// Runs the product once on the given buffers: one OpenBLAS call (`split: false`), or split
    /// over the project's threads as the engine's dense layers do (`split: true`).
    @inline(__always)
    func run(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, split: Bool = true
    ) {
        if split {
            BLAS.parallelGemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: transposeA ? m : k,
                b: b, ldb: transposeB ? k : n, beta: beta, c: c, ldc: n)
        } else {
            BLAS.gemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: transposeA ? m : k,
                b: b, ldb: transposeB ? k : n, beta: beta, c: c, ldc: n)
        }
    }

    /// Measured GFLOP/s of this product alone: with OpenBLAS's own threads (`Parallel.threadCount`
    /// of them, for this measurement only), or split over the project's threads.
    func gflops(seconds: Double, openBLASThreads: Bool) -> Double {
        var (a, b, c) = operands()
        if openBLASThreads { openblas_set_num_threads(Int32(Parallel.threadCount)) }
        defer { openblas_set_num_threads(1) }
        let time = a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    for _ in 0..<5 { run(pa.baseAddress!, pb.baseAddress!, pc.baseAddress!, split: !openBLASThreads) }
                    return bestSecondsPerCall(seconds: seconds) { _ in
                        run(pa.baseAddress!, pb.baseAddress!, pc.baseAddress!, split: !openBLASThreads)
                    }
                }
            }
        }
        return flops / time / 1e9
    }
}

/// Images for the benchmark: the first Fashion-MNIST training images scaled to [0, 1].
struct BenchImages {
    let pixels: [Float]  // count * 784
    let count: Int
    let source: String

    static func load(dataDirectory: String?, count: Int = 4096) -> BenchImages {
        var candidates: [String] = []
        if let dataDirectory { candidates.append(dataDirectory + "/fashion-mnist/train-images-idx3-ubyte.gz") }
        candidates.append("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")
        for path in candidates {
            if let pixels = readIDXImages(path: path, count: count) {
                return BenchImages(pixels: pixels, count: count, source: "\(count) Fashion-MNIST images from \(path)")
            }
        }
        var rng = RNG(seed: 1)
        let noise = (0..<(count * 784)).map { _ in rng.nextFloat() }
        return BenchImages(
            pixels: noise, count: count,
            source: "uniform noise (no Fashion-MNIST at \(candidates.joined(separator: " or ")))")
    }

    /// The first `count` 28x28 images of a gzip IDX3 file, or nil if it is missing or not one.
    private static func readIDXImages(path: String, count: Int) -> [Float]? {
        guard let file = gzopen(path, "rb") else { return nil }
        defer { gzclose(file) }
        var header = [UInt8](repeating: 0, count: 16)
        guard gzread(file, &header, 16) == 16, header[0...3] == [0, 0, 8, 3] else { return nil }
        let total = header[4...7].reduce(0) { $0 << 8 | Int($1) }
        let (rows, columns) = (
            header[8...11].reduce(0) { $0 << 8 | Int($1) }, header[12...15].reduce(0) { $0 << 8 | Int($1) }
        )
        guard total >= count, rows == 28, columns == 28 else { return nil }
        var bytes = [UInt8](repeating: 0, count: count * 784)
        guard gzread(file, &bytes, UInt32(bytes.count)) == Int32(bytes.count) else { return nil }
        return bytes.map { Float($0) / 255 }
    }

    /// Batches of 64 as `[64, 1, 28, 28]` tensors with labels (the class of image i is i % 10:
    /// the step's cost does not depend on the labels).
    func batches(size: Int = 64) -> [(Tensor, [Int])] {
        stride(from: 0, to: count - size + 1, by: size).map { start in
            let x = Tensor(shape: [size, 1, 28, 28], scalars: Array(pixels[(start * 784)..<((start + size) * 784)]))
            return (x, (start..<(start + size)).map { $0 % 10 })
        }
    }
}

/// A model of the recipes with its optimizer, loss and batches, ready to time.
final class BenchModel {
    let name: String
    let model: Sequential
    let optimizer: SGD
    let lossGradient: (Tensor, [Int]) -> Tensor
    let batches: [(Tensor, [Int])]
    let goalPercent: Int
    /// The sgemm calls one training step makes, and their total FLOPs.
    let gemms: [GemmShape]
    let flopsPerStep: Double

    private init(
        name: String, model: Sequential, lossGradient: @escaping (Tensor, [Int]) -> Tensor,
        batches: [(Tensor, [Int])], goalPercent: Int
    ) throws {
        self.name = name
        self.model = model
        self.lossGradient = lossGradient
        self.batches = batches
        self.goalPercent = goalPercent
        optimizer = try SGD(model.parameters, learningRate: 0.01, momentum: 0.9)
        gemms = try BenchModel.stepGemms(model, input: batches[0].0.shape)
        flopsPerStep = gemms.reduce(0) { $0 + $1.flops }
    }

    /// Flatten, Linear 784→100, ReLU, Linear 100→10; softmax cross-entropy.
    static func mlp(images: BenchImages) -> BenchModel {
        var rng = RNG(seed: 1)
        let loss = SoftmaxCrossEntropy()
        return try! BenchModel(
            name: "MLP 784-100-10",
            model: Sequential(
                Flatten(), try! Dense(inFeatures: 784, outFeatures: 100, rng: &rng), ReLU(),
                try! Dense(inFeatures: 100, outFeatures: 10, rng: &rng)),
            lossGradient: { loss($0, $1).grad }, batches: images.batches(), goalPercent: 50)
    }

    /// The ConvNet of the recipes (as Tools/bench/reference/torch_train.py builds it); NLL loss.
    static func convNet(images: BenchImages) -> BenchModel {
        var rng = RNG(seed: 1)
        let loss = NLLLoss()
        let layers: [any Layer] = [
            try! Conv2D(inChannels: 1, outChannels: 10, kernel: 5, rng: &rng), try! MaxPool2D(kernel: 2), ReLU(),
            try! Conv2D(inChannels: 10, outChannels: 20, kernel: 5, rng: &rng),
            try! Dropout2d(p: 0.5, rng: RNG(seed: 1, stream: 4)), try! MaxPool2D(kernel: 2), ReLU(), Flatten(),
            try! Dense(inFeatures: 320, outFeatures: 60, rng: &rng), ReLU(),
            try! Dropout(p: 0.5, rng: RNG(seed: 1, stream: 10)),
            try! Dense(inFeatures: 60, outFeatures: 10, rng: &rng), LogSoftmax(),
        ]
        return try! BenchModel(
            name: "ConvNet", model: Sequential(layers), lossGradient: { loss($0, $1).grad },
            batches: images.batches(), goalPercent: 30)
    }

    /// The sgemm calls of one training step: forward and weight gradient of every Dense and
    /// Conv2D, and the input gradient of all but the first.
    static func stepGemms(_ model: Sequential, input: Shape) throws -> [GemmShape] {
        var shape = input
        var gemms: [GemmShape] = []
        var first = true
        for layer in model.layers {
            let next = try layer.outputShape(for: shape)
            if let dense = layer as? Dense {
                let (rows, i, o) = (shape.elementCount / dense.inFeatures, dense.inFeatures, dense.outFeatures)
                gemms.append(GemmShape(label: "", transposeA: false, transposeB: true, m: rows, n: o, k: i))
                gemms.append(GemmShape(label: "", transposeA: true, transposeB: false, m: o, n: i, k: rows))
                if !first {
                    gemms.append(GemmShape(label: "", transposeA: false, transposeB: false, m: rows, n: i, k: o))
                }
                first = false
            } else if let conv = layer as? Conv2D {
                let patch = conv.inChannels * conv.kernelHeight * conv.kernelWidth
                let columns = next[0] * next[2] * next[3]
                let o = conv.outChannels
                gemms.append(GemmShape(label: "", transposeA: false, transposeB: false, m: o, n: columns, k: patch))
                gemms.append(GemmShape(label: "", transposeA: false, transposeB: true, m: o, n: patch, k: columns))
                if !first {
                    gemms.append(GemmShape(label: "", transposeA: true, transposeB: false, m: patch, n: columns, k: o))
                }
                first = false
            }
            shape = next
        }
        return gemms
    }

    /// One training step on batch `index` (cycling).
    @inline(__always)
    func step(_ index: Int) {
        let (x, labels) = batches[index % batches.count]
        optimizer.zeroGrad()
        let output = model.forward(x, training: true)
        model.backwardParameters(lossGradient(output, labels))
        optimizer.step()
    }

    /// Seconds per training step, best of five runs (after a warm-up).
    func stepSeconds(seconds: Double) -> Double {
        for i in 0..<5 { step(i) }
        return bestSecondsPerCall(seconds: seconds) { step($0) }
    }

    /// GFLOP/s of this step's products as whole-batch sgemms (split over the threads), run back to
    /// back, nothing else.
    func gemmOnlyGflops(seconds: Double) -> Double {
        let buffers = gemms.map { $0.operands() }
        let pointers = buffers.map {
            a, b, c -> (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) in
            let pa = UnsafeMutablePointer<Float>.allocate(capacity: a.count)
            pa.initialize(from: a, count: a.count)
            let pb = UnsafeMutablePointer<Float>.allocate(capacity: b.count)
            pb.initialize(from: b, count: b.count)
            let pc = UnsafeMutablePointer<Float>.allocate(capacity: c.count)
            pc.initialize(repeating: 0, count: c.count)
            return (pa, pb, pc)
        }
        defer {
            for (a, b, c) in pointers {
                a.deallocate()
                b.deallocate()
                c.deallocate()
            }
        }
        let time = bestSecondsPerCall(seconds: seconds) { _ in
            for (gemm, (a, b, c)) in zip(gemms, pointers) { gemm.run(a, b, c) }
        }
        return flopsPerStep / time / 1e9
    }

    struct AllocationReport {
        let total: UInt64
        let large: UInt64
        let perStep: Double
        let heapBefore: Int
        let heapAfter: Int
        let peakRSSBefore: Int  // KiB
        let peakRSSAfter: Int
    }

    /// Heap allocations (every malloc-family call in the process) over `steps` warm steps, with
    /// the heap bytes in use (mallinfo2) and the peak resident size before and after.
    func allocationsPerStep(steps: Int) -> AllocationReport {
        for i in 0..<3 { step(i) }
        let heapBefore = nnbench_heap_in_use()
        let rssBefore = nnbench_peak_rss_kib()
        let before = nnbench_allocation_count()
        let largeBefore = nnbench_large_allocation_count()
        for i in 0..<steps { step(i) }
        let total = nnbench_allocation_count() - before
        return AllocationReport(
            total: total, large: nnbench_large_allocation_count() - largeBefore,
            perStep: Double(total) / Double(max(steps, 1)), heapBefore: Int(heapBefore),
            heapAfter: Int(nnbench_heap_in_use()), peakRSSBefore: rssBefore, peakRSSAfter: nnbench_peak_rss_kib())
    }
}

extension BenchModel {
    /// Milliseconds per step spent in each layer's forward and backward, and in the loss and the
    /// optimizer, over `steps` steps (the same work as `step`, timed piece by piece).
    func layerProfile(steps: Int) -> [(name: String, forward: Double, backward: Double)] {
        let layers = model.layers
        let first = layers.firstIndex { !$0.parameters.isEmpty } ?? 0
        var forward = [Double](repeating: 0, count: layers.count + 2)
        var backward = [Double](repeating: 0, count: layers.count + 2)
        for s in 0..<(steps + 3) {
            let record = s >= 3
            let (x, labels) = batches[s % batches.count]
            var t = monotonicSeconds()
            optimizer.zeroGrad()
            var now = monotonicSeconds()
            if record { backward[layers.count + 1] += now - t }
            t = now
            var y = x
            for (i, layer) in layers.enumerated() {
                y = layer.forward(y, training: true)
                now = monotonicSeconds()
                if record { forward[i] += now - t }
                t = now
            }
            var g = lossGradient(y, labels)
            now = monotonicSeconds()
            if record { forward[layers.count] += now - t }
            t = now
            for i in stride(from: layers.count - 1, through: first, by: -1) {
                if i == first { layers[i].backwardParameters(g) } else { g = layers[i].backward(g) }
                now = monotonicSeconds()
                if record { backward[i] += now - t }
                t = now
            }
            optimizer.step()
            now = monotonicSeconds()
            if record { backward[layers.count + 1] += now - t }
        }
        let names = layers.map(\.description) + ["loss", "zeroGrad + SGD step"]
        return names.enumerated().map { i, name in
            (name, forward[i] * 1e3 / Double(steps), backward[i] * 1e3 / Double(steps))
        }
    }
}
