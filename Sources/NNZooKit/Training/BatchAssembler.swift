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
/// them (training batches only) and converts them to normalised Float32 through a lookup table.
public final class BatchAssembler: @unchecked Sendable {
    public let dataset: ImageDataset
    public let normalization: InputNormalization
    /// Applied to training batches; empty for none.
    public let augmentation: AugmentationPipeline
    /// The run seed (augmentation streams derive from it).
    public let seed: UInt64
    private let table: [Float]

    public init(
        dataset: ImageDataset, normalization: InputNormalization, augmentation: AugmentationPipeline, seed: UInt64
    ) {
        self.dataset = dataset
        self.normalization = normalization
        self.augmentation = augmentation
        self.seed = seed
        table = normalization.lookupTable()
    }

    /// Fills `slot` with the examples `indices` (dataset indices). With `augmentEpoch` set and a
    /// non-empty pipeline, each image is augmented with its own stream for (epoch, sample index)
    /// first, so the pixels never depend on the batch, its order or the thread count.
    /// `augmentationThreads` bounds the threads the augmentation uses; `parallel` lets the conversion to
    /// Float32 use all of `Parallel`'s threads (only from the thread that runs the network).
    public func fill(
        _ slot: BatchSlot, indices: ArraySlice<Int>, augmentEpoch: Int?, augmentationThreads: Int = 1,
        parallel: Bool = false
    ) {
        slot.reset(indices: indices, dataset: dataset)
        let size = dataset.imageSize
        let channels = dataset.channels
        if let epoch = augmentEpoch, !augmentation.isEmpty {
            slot.resizeStaging(indices.count * size)
            dataset.images.withUnsafeBufferPointer { images in
                slot.staging.withUnsafeMutableBufferPointer { staging in
                    slot.prepareTouched(1)
                    slot.touched[0] = touchLines(count: indices.count) { row in
                        images.baseAddress! + indices[indices.startIndex + row] * size
                    }
                    for (row, index) in indices.enumerated() {
                        (staging.baseAddress! + row * size).update(
                            from: images.baseAddress! + index * size, count: size)
                    }
                }
            }
            slot.staging.withUnsafeMutableBufferPointer { staging in
                augmentation.apply(
                    toBatch: staging,
                    shape: ImageShape(channels: channels, height: dataset.height, width: dataset.width),
                    maxValue: dataset.maxValue, sampleIndices: slot.sampleIndices, epoch: epoch, seed: seed,
                    threadCount: augmentationThreads)
            }
            slot.staging.withUnsafeBufferPointer { staging in
                convert(count: indices.count, into: slot, parallel: parallel) { row in
                    staging.baseAddress! + row * size
                }
            }
        } else {
            dataset.images.withUnsafeBufferPointer { images in
                convert(count: indices.count, into: slot, parallel: parallel) { row in
                    images.baseAddress! + indices[indices.startIndex + row] * size
                }
            }
        }
    }

    /// Writes `count` images, image `row` read from `source(row)`, into the slot's input tensor.
    ///
    /// The images of a shuffled batch lie anywhere in the dataset (47 MB for Fashion-MNIST), so each
    /// is a run of cache misses. One byte of every cache line of a range's images is read first:
    /// those loads do not depend on each other, so the memory system serves many at once, and the
    /// lookups that follow find the pixels in cache (reading image by image waits for each miss in
    /// turn). Rows are split over the threads when `parallel` (not from a thread beside the
    /// training loop, which would take the threads the network's products need).
    private func convert(
        count: Int, into slot: BatchSlot, parallel: Bool, source: (Int) -> UnsafePointer<UInt8>
    ) {
        let size = dataset.imageSize
        let plane = dataset.height * dataset.width
        let channels = dataset.channels
        slot.prepareTouched(count)
        table.withUnsafeBufferPointer { lut in
            slot.touched.withUnsafeMutableBufferPointer { touched in
                slot.inputBuffer { out in
                    func rows(_ range: Range<Int>) {
                        // Kept (one slot per range, so threads never share one) so the reads stay.
                        touched[range.lowerBound] = touchLines(count: range.count) { source(range.lowerBound + $0) }
                        for row in range {
                            let pixels = source(row)
                            let destination = out.baseAddress! + row * size
                            for c in 0..<channels {
                                lookUp(
                                    pixels + c * plane, destination + c * plane, plane, lut.baseAddress! + c * 256)
                            }
                        }
                    }
                    if parallel {
                        Parallel.forRanges(count, minChunk: max(1, Self.rowsWorthAThread / max(1, size)), rows)
                    } else {
                        rows(0..<count)
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

    /// `output[i] = table[pixels[i]]` for `count` pixels. Eight pixels come from one 8-byte load and
    /// go out as two 4-lane stores: a third of the memory operations of a byte-by-byte loop.
    @inline(__always)
    private func lookUp(
        _ pixels: UnsafePointer<UInt8>, _ output: UnsafeMutablePointer<Float>, _ count: Int,
        _ table: UnsafePointer<Float>
    ) {
        let (source, target) = (UnsafeRawPointer(pixels), UnsafeMutableRawPointer(output))
        var i = 0
        while i + 8 <= count {
            let word = source.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            @inline(__always) func entry(_ byte: Int) -> Float {
                table[Int(truncatingIfNeeded: (word &>> (8 * byte)) & 0xFF)]
            }
            let low = SIMD4(entry(0), entry(1), entry(2), entry(3))
            let high = SIMD4(entry(4), entry(5), entry(6), entry(7))
            target.storeBytes(of: low, toByteOffset: 4 * i, as: SIMD4<Float>.self)
            target.storeBytes(of: high, toByteOffset: 4 * i + 16, as: SIMD4<Float>.self)
            i += 8
        }
        while i < count {
            output[i] = table[Int(pixels[i])]
            i += 1
        }
    }

    /// Pixels whose conversion is worth handing to another thread.
    private static let rowsWorthAThread = 16_384
}

extension BatchSlot {
    fileprivate func inputBuffer(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        input.withUnsafeMutableBufferPointer(body)
    }
}
