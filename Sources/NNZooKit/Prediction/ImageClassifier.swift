import Foundation
import NNCore
import NNData
import NNImage
import NNLayers

/// The classes a model gives one image file, best first, or why the file could not be classified.
public struct ImagePrediction: Equatable, Sendable {
    public struct Ranked: Equatable, Sendable {
        /// The class's index in the checkpoint's class names (and in the model's output, unless
        /// one output decides between two classes).
        public var index: Int
        /// The class's probability (`ClassPrediction.probabilities`); nil for a model whose
        /// outputs are margins (hinge, squared error), which then has `margin`.
        public var probability: Double?
        /// For a margin model: the class's output (for a single output z, z for class 1 and -z for
        /// class 0); nil otherwise, or when the output is NaN.
        public var margin: Double?

        public init(index: Int, probability: Double?, margin: Double? = nil) {
            self.index = index
            self.probability = probability
            self.margin = margin
        }
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
            // The outputs per image as the network gives them (ModelEvaluation.outputs reads the
            // width from the network), which is what `eval`'s ClassPrediction reads.
            let width = outputs.count / good.count
            let prediction = ClassPrediction(outputs: info.prediction.outputs, width: width)
            outputs.withUnsafeBufferPointer { values in
                for (row, i) in good.enumerated() {
                    let rowValues = UnsafeBufferPointer(rebasing: values[(row * width)..<((row + 1) * width)])
                    ranked[i] = Self.top(top, of: rowValues, prediction: prediction)
                }
            }
        }
        return files.indices.map { i in
            ImagePrediction(
                file: files[i], top: ranked[i], resizedFrom: prepared[i]?.resizedFrom,
                looksInverted: prepared[i]?.looksInverted ?? false, error: errors[i])
        }
    }

    /// The `k` most likely classes of one row of outputs (`prediction.width` values), best first.
    /// The first is `ClassPrediction.predictedClass`, with `predictedProbability`, exactly what
    /// `eval` counts and shows for the image; the others follow by `ClassPrediction.probabilities`
    /// (softmax of scores, exp of log-probabilities, a final Softmax's outputs, [1 - σ(z), σ(z)] for
    /// one logit), the lower index first on ties and NaN last. Margin models (hinge, squared error)
    /// have no probabilities: they are ranked by their outputs, given as `margin`.
    public static func top(_ k: Int, of row: UnsafeBufferPointer<Float>, prediction: ClassPrediction)
        -> [ImagePrediction.Ranked]
    {
        guard let base = row.baseAddress, row.count == prediction.width, k > 0 else { return [] }
        let predicted = prediction.predictedClass(base)
        let probabilities = prediction.probabilities(Array(row))
        let values: [Double] =
            probabilities ?? (row.count == 1 ? [-Double(row[0]), Double(row[0])] : row.map { Double($0) })
        let others = values.indices.filter { $0 != predicted }.sorted { a, b in
            let (va, vb) = (values[a], values[b])
            if va.isNaN || vb.isNaN { return !va.isNaN && vb.isNaN || (va.isNaN == vb.isNaN && a < b) }
            return va != vb ? va > vb : a < b
        }
        return ([predicted] + others).prefix(k).map { j in
            if probabilities == nil {
                return ImagePrediction.Ranked(index: j, probability: nil, margin: values[j].isNaN ? nil : values[j])
            }
            let p = j == predicted ? (prediction.predictedProbability(base) ?? 0) : values[j]
            return ImagePrediction.Ranked(index: j, probability: p.isNaN ? 0 : p)
        }
    }
}
