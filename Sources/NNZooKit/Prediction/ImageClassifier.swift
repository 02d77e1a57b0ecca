import Foundation
import NNCore
import NNData
import NNImage
import NNLayers

/// The classes a model gives one image file, best first, or why the file could not be classified.
public struct ImagePrediction: Equatable, Sendable {
    public struct Ranked: Equatable, Sendable {
        /// The class's index in the model's output (and in the checkpoint's class names).
        public var index: Int
        public var probability: Double
    }

    public var file: String
    /// The `top` most probable classes, most probable first (the lower index first on ties).
    public var top: [Ranked]
    /// The image's own size when `--resize` resized it.
    public var resizedFrom: ImageSize?
    /// A dark figure on light paper where the model expects the opposite (see `ImagePreparation`).
    public var looksInverted: Bool
    /// Why the file could not be classified; then `top` is empty.
    public var error: String?
}

/// Classifies image files with a trained model: files are decoded and prepared on all threads in
/// blocks (so a folder of any size needs memory for one block only), then each block goes through
/// the network as `eval` sends a dataset, in batches of `ModelEvaluation.batchSize`, normalised
/// with the checkpoint's constants by the same `BatchAssembler`. Images written from a dataset's
/// split therefore get exactly the outputs `eval` computes for them.
public struct ImageClassifier {
    public let model: Sequential
    public let info: CheckpointInfo
    public let preparation: ImagePreparation
    /// Images decoded and classified at a time: a multiple of the evaluation batch.
    public static let blockSize = 8 * ModelEvaluation.batchSize

    public init(model: Sequential, info: CheckpointInfo, preparation: ImagePreparation) {
        self.model = model
        self.info = info
        self.preparation = preparation
    }

    /// The predictions for `files`, in their order; `onProgress` is told how many are done.
    public func classify(_ files: [String], top: Int, onProgress: ((Int) -> Void)? = nil) -> [ImagePrediction] {
        var results: [ImagePrediction] = []
        results.reserveCapacity(files.count)
        var start = 0
        while start < files.count {
            let end = min(files.count, start + Self.blockSize)
            results += classifyBlock(Array(files[start..<end]), top: top)
            start = end
            onProgress?(start)
        }
        return results
    }

    private func classifyBlock(_ files: [String], top: Int) -> [ImagePrediction] {
        let size = preparation.imageSize
        var prepared = [ImagePreparation.Prepared?](repeating: nil, count: files.count)
        var errors = [String?](repeating: nil, count: files.count)
        prepared.withUnsafeMutableBufferPointer { preparedOut in
            errors.withUnsafeMutableBufferPointer { errorsOut in
                Parallel.forEach(files.count) { i in
                    do {
                        preparedOut[i] = try preparation.prepareFile(files[i])
                    } catch {
                        errorsOut[i] = String(describing: error)
                    }
                }
            }
        }
        let good = prepared.indices.filter { prepared[$0] != nil }
        var pixels = [UInt8]()
        pixels.reserveCapacity(good.count * size)
        for i in good { pixels += prepared[i]?.pixels ?? [] }
        var ranked = [[ImagePrediction.Ranked]](repeating: [], count: files.count)
        if !good.isEmpty {
            let images = ImageDataset(
                images: pixels, labels: [UInt8](repeating: 0, count: good.count), channels: preparation.input.channels,
                height: preparation.input.height, width: preparation.input.width, classNames: info.classNames,
                maxValue: UInt8(clamping: preparation.maxValue))
            let outputs = ModelEvaluation.outputs(model, dataset: images, normalization: info.normalization)
            let classes = good.isEmpty ? 0 : outputs.count / good.count
            let probabilities = info.architecture.last == .softmax
            outputs.withUnsafeBufferPointer { values in
                for (row, i) in good.enumerated() {
                    let rowValues = UnsafeBufferPointer(rebasing: values[(row * classes)..<((row + 1) * classes)])
                    ranked[i] = Self.top(top, of: rowValues, areProbabilities: probabilities)
                }
            }
        }
        return files.indices.map { i in
            ImagePrediction(
                file: files[i], top: ranked[i], resizedFrom: prepared[i]?.resizedFrom,
                looksInverted: prepared[i]?.looksInverted ?? false, error: errors[i])
        }
    }

    /// The `k` classes of one row of outputs with the highest probabilities, most probable first
    /// (the lower index first on ties). The probabilities are the softmax of the outputs in double
    /// precision (for a LogSoftmax network, whose outputs are log-probabilities, the same as their
    /// exponentials), or the outputs themselves when the network ends in Softmax.
    public static func top(_ k: Int, of row: UnsafeBufferPointer<Float>, areProbabilities: Bool = false)
        -> [ImagePrediction.Ranked]
    {
        guard !row.isEmpty, k > 0 else { return [] }
        var probability = row.map { Double($0) }
        if !areProbabilities {
            let largest = probability.max() ?? 0
            var sum = 0.0
            for j in probability.indices {
                probability[j] = exp(probability[j] - largest)
                sum += probability[j]
            }
            for j in probability.indices { probability[j] = sum.isFinite && sum > 0 ? probability[j] / sum : 0 }
        }
        // NaN outputs rank last, as no confidence.
        let order = probability.indices.sorted { a, b in
            let pa = probability[a].isNaN ? -1 : probability[a]
            let pb = probability[b].isNaN ? -1 : probability[b]
            return pa != pb ? pa > pb : a < b
        }
        return order.prefix(k).map {
            ImagePrediction.Ranked(index: $0, probability: probability[$0].isNaN ? 0 : probability[$0])
        }
    }
}
