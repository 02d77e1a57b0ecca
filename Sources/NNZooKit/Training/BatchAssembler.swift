import NNAugment
import NNCore
import NNData

/// One batch as the network takes it: normalised Float32 images `[N, C, H, W]` and class indices.
/// Slots are reused batch after batch, so once they have grown to the batch size nothing is
/// allocated per batch.
public final class BatchSlot: @unchecked Sendable {
    /// The images, normalised.
    public private(set) var input = Tensor()
    /// The class index of each image.
    public private(set) var labels: [Int] = []
    /// Each image's index in its dataset split (what augmentation streams are keyed by).
    public private(set) var sampleIndices: [Int] = []
    /// Raw pixels, for augmenting before conversion.
    fileprivate var staging: [UInt8] = []
    /// The bytes read ahead of the conversion, kept so the reads are not optimised away.
    fileprivate var touched: [UInt8] = []

    public init() {}

    public var count: Int { labels.count }

    fileprivate func reset(indices: ArraySlice<Int>, dataset: ImageDataset) {
        sampleIndices.removeAll(keepingCapacity: true)
        sampleIndices.append(contentsOf: indices)
        labels.removeAll(keepingCapacity: true)
        for i in indices { labels.append(Int(dataset.labels[i])) }
        let shape = Shape(indices.count, dataset.channels, dataset.height, dataset.width)
        if input.shape != shape { input.resize(to: shape) }
    }

    fileprivate func prepareTouched(_ count: Int) {
        if touched.count < count { touched.append(contentsOf: repeatElement(0, count: count - touched.count)) }
    }

    fileprivate func resizeStaging(_ count: Int) {
        if staging.count > count {
            staging.removeLast(staging.count - count)
        } else if staging.count < count {
            staging.append(contentsOf: repeatElement(0, count: count - staging.count))
        }
    }
}

/// Fills batch slots from a dataset in memory: gathers the images of the given indices, augments
/// them (training batches only) and converts them to normalised Float32 (`InputNormalization.affine`).
/// A feature set's rows are gathered and standardised the same way (`x * scale + offset`, one pair per
/// feature or one for all), never augmented.
public final class BatchAssembler: @unchecked Sendable {
    public let dataset: ImageDataset
    public let normalization: InputNormalization
    /// Applied to training batches; empty for none.
    public let augmentation: AugmentationPipeline
    /// The run seed (augmentation streams derive from it).
    public let seed: UInt64
    /// Per channel, `InputNormalization.affine(channel:)`.
    private let scales: [Float]
    private let offsets: [Float]
    /// For a feature set, per feature.
    private let featureScales: [Float]
    private let featureOffsets: [Float]

    public init(
        dataset: ImageDataset, normalization: InputNormalization, augmentation: AugmentationPipeline, seed: UInt64
    ) {
        self.dataset = dataset
        self.normalization = normalization
        self.augmentation = augmentation
        self.seed = seed
        let affine = (0..<dataset.channels).map {
            normalization.affine(channel: min($0, normalization.mean.count - 1))
        }
        scales = affine.map(\.scale)
        offsets = affine.map(\.offset)
        if dataset.isFeatureSet {
            let perFeature = (0..<dataset.imageSize).map {
                normalization.affine(channel: normalization.perFeature ? min($0, normalization.mean.count - 1) : 0)
            }
            featureScales = perFeature.map(\.scale)
            featureOffsets = perFeature.map(\.offset)
        } else {
            featureScales = []
            featureOffsets = []
        }
    }

    /// Fills `slot` with the examples `indices` (dataset indices). With `augmentEpoch` set and a
    /// non-empty pipeline, each image is augmented with its own stream for (epoch, sample index)
    /// first, so the pixels never depend on the batch, its order or the thread count.
    ///
    /// The batch is cut into at most `threads` row ranges (fewer when a range would hold too few
    /// pixels to be worth a thread), run on `Parallel`'s threads: each range gathers its images,
    /// augments them and converts them to Float32 while they are in its core's cache, all in one
    /// parallel loop. Pass more than 1 only from the thread that runs the network (a thread beside
    /// it would take the threads the network's products need).
    ///
    /// The images of a shuffled batch lie anywhere in the dataset (47 MB for Fashion-MNIST), so each
    /// is a run of cache misses. One byte of every cache line of a range's images is read first:
    /// those loads do not depend on each other, so the memory system serves many at once, and the
    /// reads that follow find the pixels in cache (reading image by image waits for each miss in
    /// turn).
    public func fill(_ slot: BatchSlot, indices: ArraySlice<Int>, augmentEpoch: Int?, threads: Int = 1) {
        slot.reset(indices: indices, dataset: dataset)
        let count = indices.count
        guard count > 0 else { return }
        if dataset.isFeatureSet {
            fillFeatures(slot, indices: indices)
            return
        }
        let size = dataset.imageSize
        let plane = dataset.height * dataset.width
        let channels = dataset.channels
        let shape = ImageShape(channels: channels, height: dataset.height, width: dataset.width)
        let epoch = augmentation.isEmpty ? nil : augmentEpoch
        if epoch != nil { slot.resizeStaging(count * size) }
        slot.prepareTouched(count)
        let chunks = max(1, min(threads, count / max(1, Self.pixelsWorthAThread / max(1, size))))
        dataset.images.withUnsafeBufferPointer { images in
            slot.staging.withUnsafeMutableBufferPointer { staging in
                slot.touched.withUnsafeMutableBufferPointer { touched in
                    slot.sampleIndices.withUnsafeBufferPointer { samples in
                        slot.inputBuffer { out in
                            func image(_ row: Int) -> UnsafePointer<UInt8> {
                                images.baseAddress! + indices[indices.startIndex + row] * size
                            }
                            func convert(_ row: Int, from pixels: UnsafePointer<UInt8>) {
                                let destination = out.baseAddress! + row * size
                                for c in 0..<channels {
                                    convertPlane(
                                        pixels + c * plane, destination + c * plane, plane, scales[c], offsets[c])
                                }
                            }
                            func rows(_ range: Range<Int>) {
                                // Kept (one entry per range, so threads never share one) so the
                                // reads stay.
                                touched[range.lowerBound] = touchLines(count: range.count) {
                                    image(range.lowerBound + $0)
                                }
                                guard let epoch else {
                                    for row in range { convert(row, from: image(row)) }
                                    return
                                }
                                let batch = staging.baseAddress! + range.lowerBound * size
                                for row in range {
                                    (batch + (row - range.lowerBound) * size).update(from: image(row), count: size)
                                }
                                augmentation.apply(
                                    toBatch: UnsafeMutableBufferPointer(start: batch, count: range.count * size),
                                    shape: shape, maxValue: dataset.maxValue,
                                    samples: UnsafeBufferPointer(rebasing: samples[range]), epoch: epoch,
                                    seed: seed, threadCount: 1)
                                for row in range {
                                    convert(row, from: batch + (row - range.lowerBound) * size)
                                }
                            }
                            if chunks == 1 {
                                rows(0..<count)
                            } else {
                                Parallel.forChunks(chunks) {
                                    rows(Parallel.chunkRange($0, of: chunks, count: count))
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// A feature set's batch: each row's values times its feature's scale plus its offset. Rows are
    /// short (a table's columns), so one thread does it.
    private func fillFeatures(_ slot: BatchSlot, indices: ArraySlice<Int>) {
        let width = dataset.imageSize
        dataset.features.withUnsafeBufferPointer { values in
            featureScales.withUnsafeBufferPointer { scale in
                featureOffsets.withUnsafeBufferPointer { offset in
                    slot.inputBuffer { out in
                        for (row, index) in indices.enumerated() {
                            let source = values.baseAddress! + index * width
                            let destination = out.baseAddress! + row * width
                            for j in 0..<width { destination[j] = source[j] * scale[j] + offset[j] }
                        }
                    }
                }
            }
        }
    }

    /// Reads one byte of every cache line of `count` images (`image(row)`), loads that do not wait
    /// for each other, so the lines are in cache for what follows; returns their bits or-ed together
    /// (for the caller to keep, so the reads are not optimised away).
    @inline(__always)
    private func touchLines(count: Int, _ image: (Int) -> UnsafePointer<UInt8>) -> UInt8 {
        let size = dataset.imageSize
        var bits: UInt8 = 0
        for row in 0..<count {
            let pixels = image(row)
            var offset = 0
            while offset < size {
                bits |= pixels[offset]
                offset += 64
            }
        }
        return bits
    }

    /// `output[i] = pixels[i] * scale + offset` for `count` pixels (a loop the compiler vectorises:
    /// bytes widened to Float lanes, a multiply and an add per lane).
    @inline(__always)
    private func convertPlane(
        _ pixels: UnsafePointer<UInt8>, _ output: UnsafeMutablePointer<Float>, _ count: Int, _ scale: Float,
        _ offset: Float
    ) {
        for i in 0..<count { output[i] = Float(pixels[i]) * scale + offset }
    }

    /// Pixels whose conversion is worth handing to another thread.
    private static let pixelsWorthAThread = 16_384
}

extension BatchSlot {
    fileprivate func inputBuffer(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        input.withUnsafeMutableBufferPointer(body)
    }
}
