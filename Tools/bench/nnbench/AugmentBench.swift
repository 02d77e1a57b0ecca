import ArgumentParser
import Foundation
import NNAugment
import NNCore
import NNData

/// Augmentation throughput over one epoch, batch by batch as training would run it: gather a batch
/// from the dataset, then augment it in place on the thread pool. The reference in the same run is
/// the gather alone (what an epoch costs without augmentation before the network's own work).
struct AugmentBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "augment",
        abstract: "Augmentation throughput per epoch (Fashion-MNIST 28x28, CIFAR-10 32x32x3 when present).")

    @Option(help: ArgumentHelp("Folder that holds the datasets (default: $NNZOO_DATA, else ./Data).", valueName: "dir"))
    var dataDir: String?

    @Option(help: "Batch size.")
    var batch: Int = 128

    @Option(help: "Timed epochs per measurement; the fastest is reported.")
    var repeats: Int = 3

    func validate() throws {
        if batch < 1 || repeats < 1 { throw ValidationError("--batch and --repeats must be at least 1.") }
    }

    func run() throws {
        let directory = DataDirectory.resolve(explicit: dataDir)
        let fashion = try DatasetLoader.load("fashion-mnist", split: .train, dataDirectory: directory)
        measure(fashion, name: "fashion-mnist train", pipelines: ["crop:2,shift:2", "hflip,crop:2", "rotate:15"])
        do {
            let cifar = try DatasetLoader.load("cifar10", split: .train, dataDirectory: directory)
            measure(cifar, name: "cifar10 train", pipelines: ["hflip,crop:4", "hflip,crop:4:reflect", "rotate:15"])
        } catch {
            print("32x32x3 figures skipped: \(error)")
        }
    }

    private func measure(_ dataset: ImageDataset, name: String, pipelines: [String]) {
        let shape = ImageShape(channels: dataset.channels, height: dataset.height, width: dataset.width)
        print("\(name): \(dataset.count) images of \(shape), batches of \(batch), best of \(repeats) epochs")
        print("pipeline                  threads   epoch ms   us/image   gather-only ms")
        let threadCounts = Array(Set([1, Parallel.defaultThreadCount])).sorted()
        for spec in pipelines {
            guard let pipeline = try? AugmentationPipeline(spec: spec) else { continue }
            for threads in threadCounts {
                let gatherOnly = best { epoch(dataset, shape: shape, pipeline: nil, threads: threads) }
                let augmented = best { epoch(dataset, shape: shape, pipeline: pipeline, threads: threads) }
                let perImage = augmented * 1000 / Double(dataset.count)
                print(
                    spec.padding(toLength: 26, withPad: " ", startingAt: 0) + String(format: "%7d", threads)
                        + String(format: "%11.1f%11.2f%17.1f", augmented, perImage, gatherOnly))
            }
        }
    }

    /// Milliseconds of the fastest of `repeats` runs.
    private func best(_ body: () -> Void) -> Double {
        var fastest = Double.infinity
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return fastest
    }

    /// One epoch in shuffled batches: copy each batch out of the dataset, augment it if asked.
    private func epoch(_ dataset: ImageDataset, shape: ImageShape, pipeline: AugmentationPipeline?, threads: Int) {
        var rng = RNG(seed: 1)
        let order = rng.permutation(dataset.count)
        var buffer = [UInt8](repeating: 0, count: batch * shape.byteCount)
        var start = 0
        while start < dataset.count {
            let indices = Array(order[start..<min(start + batch, dataset.count)])
            let size = indices.count * shape.byteCount
            dataset.images.withUnsafeBufferPointer { source in
                buffer.withUnsafeMutableBufferPointer { target in
                    for (i, sample) in indices.enumerated() {
                        (target.baseAddress! + i * shape.byteCount).update(
                            from: source.baseAddress! + sample * shape.byteCount, count: shape.byteCount)
                    }
                    pipeline?.apply(
                        toBatch: UnsafeMutableBufferPointer(rebasing: target[0..<size]), shape: shape,
                        maxValue: dataset.maxValue, sampleIndices: indices, epoch: 0, seed: 1, threadCount: threads)
                }
            }
            start += batch
        }
    }
}
