import NNCore

/// Operations applied one after another, read from a spec such as `hflip,crop:4,shift:2`
/// (see `AugmentationSpec`). `description` is the canonical spec: defaults left out, names in
/// lower case, so `AugmentationPipeline(spec: p.description)` gives `p` back.
///
/// In a recipe the pipeline is the spec string (`"augment": "crop:2,shift:2"`): it encodes and
/// decodes as one JSON string.
public struct AugmentationPipeline: Augmentation, Equatable, Codable {
    public let operations: [any Augmentation]

    public init(_ operations: [any Augmentation]) {
        self.operations = operations
    }

    /// Reads `spec`; throws `AugmentError` naming the faulty operation and listing the valid ones.
    public init(spec: String) throws {
        operations = try AugmentationSpec.parse(spec)
    }

    public var isEmpty: Bool { operations.isEmpty }

    public var description: String { operations.map(\.description).joined(separator: ",") }

    public static func == (a: AugmentationPipeline, b: AugmentationPipeline) -> Bool {
        a.description == b.description
    }

    /// Applies every operation in order, all drawing from `rng`.
    public func apply(to image: inout ImageView, using rng: inout RNG) {
        for operation in operations { operation.apply(to: &image, using: &rng) }
    }

    /// Applies the pipeline as `apply(to:using:)` does and returns what each operation drew, one
    /// entry per operation (see `Augmentation.applyDescribing`).
    public func applyDescribingEach(to image: inout ImageView, using rng: inout RNG) -> [DrawnAugmentation] {
        operations.map { $0.applyDescribing(to: &image, using: &rng) }
    }

    /// The same as one description, the operations' texts joined with ", ".
    public func applyDescribing(to image: inout ImageView, using rng: inout RNG) -> DrawnAugmentation {
        let each = applyDescribingEach(to: &image, using: &rng)
        return DrawnAugmentation(
            each.map(\.text).joined(separator: ", "), changesImage: each.contains { $0.changesImage })
    }

    /// Applies the pipeline to one CHW image held in an array (allocates a scratch buffer: for
    /// single images; batches go through `apply(toBatch:...)`).
    public func apply(to pixels: inout [UInt8], shape: ImageShape, maxValue: UInt8 = 255, using rng: inout RNG) {
        withImageView(&pixels, shape: shape, maxValue: maxValue) { view in apply(to: &view, using: &rng) }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let spec = try container.decode(String.self)
        do {
            try self.init(spec: spec)
        } catch let error as AugmentError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension AugmentationPipeline {
    /// Augments a batch in place: `images` holds `sampleIndices.count` CHW images of `shape` one
    /// after another, and image i is sample `sampleIndices[i]` of its dataset split.
    ///
    /// Image i draws from `AugmentationRandomness.generator(seed:epoch:sample: sampleIndices[i])`, so
    /// its pixels depend only on the seed, the epoch and its sample index: never on the thread
    /// count, the batch size or the order within the batch. The batch is split into `threadCount`
    /// contiguous chunks (default `Parallel.threadCount`) run on `Parallel`'s threads; each chunk
    /// allocates one scratch image and reuses it for all its images. `maxValue` is the dataset's full
    /// intensity (`ImageDataset.maxValue`: 255, or 16 for digits).
    public func apply(
        toBatch images: UnsafeMutableBufferPointer<UInt8>, shape: ImageShape, maxValue: UInt8 = 255,
        sampleIndices: [Int], epoch: Int, seed: UInt64, threadCount: Int? = nil
    ) {
        sampleIndices.withUnsafeBufferPointer { samples in
            apply(
                toBatch: images, shape: shape, maxValue: maxValue, samples: samples, epoch: epoch, seed: seed,
                threadCount: threadCount)
        }
    }

    /// `apply(toBatch:...)` with the sample indices in a buffer (a slice of a batch's, for a caller
    /// that splits the batch itself).
    public func apply(
        toBatch images: UnsafeMutableBufferPointer<UInt8>, shape: ImageShape, maxValue: UInt8 = 255,
        samples sampleIndices: UnsafeBufferPointer<Int>, epoch: Int, seed: UInt64, threadCount: Int? = nil
    ) {
        let count = sampleIndices.count
        precondition(images.count == count * shape.byteCount, "the batch must hold one image per sample index")
        guard count > 0, !isEmpty else { return }
        let chunks = max(1, min(threadCount ?? Parallel.threadCount, count))
        let base = images.baseAddress!
        let size = shape.byteCount
        let work = { (chunk: Int) in
            let scratch = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: size)
            defer { scratch.deallocate() }
            for i in Parallel.chunkRange(chunk, of: chunks, count: count) {
                let image = UnsafeMutableBufferPointer(start: base + i * size, count: size)
                var view = ImageView(shape: shape, pixels: image, scratch: scratch, maxValue: maxValue)
                var rng = AugmentationRandomness.generator(seed: seed, epoch: epoch, sample: sampleIndices[i])
                apply(to: &view, using: &rng)
                if view.pixels.baseAddress != image.baseAddress {
                    image.baseAddress!.update(from: view.pixels.baseAddress!, count: size)
                }
            }
        }
        Parallel.forChunks(chunks, work)
    }

    /// `apply(toBatch:...)` on an array of images.
    public func apply(
        toBatch images: inout [UInt8], shape: ImageShape, maxValue: UInt8 = 255, sampleIndices: [Int], epoch: Int,
        seed: UInt64, threadCount: Int? = nil
    ) {
        images.withUnsafeMutableBufferPointer { buffer in
            apply(
                toBatch: buffer, shape: shape, maxValue: maxValue, sampleIndices: sampleIndices, epoch: epoch,
                seed: seed, threadCount: threadCount)
        }
    }
}
