/// A labelled set of examples in memory, the form every loader produces: 8-bit images, or rows of
/// Float32 features (a CSV table, a toy set of 2-D points).
///
/// Images are stored one after another, each channel-major (CHW: all of channel 0 row by row, then
/// channel 1, …), so `images.count == count * channels * height * width`. That is the NCHW layout
/// the network's tensors use, and it is CIFAR-10's own layout.
///
/// A feature set (`kind == .features`) has `1 x 1 x F` examples: `features` holds `F` values per
/// example, one example after another, and `images` is empty. Its `maxValue` is 1 (the values are
/// used as they are; normalisation standardises each feature). Augmentation, sample grids and
/// pixel statistics are for images only.
public struct ImageDataset: Equatable, Sendable {
    /// What the examples are made of.
    public enum Kind: String, Equatable, Sendable, Codable {
        /// 8-bit pixels in `images`.
        case pixels
        /// Float32 values in `features`.
        case features
    }

    public let kind: Kind
    public var images: [UInt8]
    /// The values of a feature set, `count * width` of them; empty for images.
    public var features: [Float]
    public var labels: [UInt8]
    public let channels: Int
    public let height: Int
    public let width: Int
    public let classNames: [String]
    /// The pixel value that means full intensity: 255 for 8-bit images, 16 for the digits set
    /// (whose pixels are counts 0...16), 1 for a feature set. Divide by it to normalise to [0, 1].
    public let maxValue: UInt8
    /// The last `validationCount` examples are the split's own validation examples (an image
    /// folder's `val/`): training holds these out instead of a seeded share of the split. 0 for none.
    public var validationCount: Int

    public init(
        images: [UInt8], labels: [UInt8], channels: Int, height: Int, width: Int, classNames: [String],
        maxValue: UInt8 = 255, validationCount: Int = 0
    ) {
        precondition(channels > 0 && height > 0 && width > 0)
        precondition(images.count == labels.count * channels * height * width)
        precondition(validationCount >= 0 && validationCount <= labels.count)
        self.kind = .pixels
        self.images = images
        self.features = []
        self.labels = labels
        self.channels = channels
        self.height = height
        self.width = width
        self.classNames = classNames
        self.maxValue = maxValue
        self.validationCount = validationCount
    }

    /// A feature set: `featureCount` values per example, example after example.
    public init(features: [Float], labels: [UInt8], featureCount: Int, classNames: [String], validationCount: Int = 0) {
        precondition(featureCount > 0)
        precondition(features.count == labels.count * featureCount)
        precondition(validationCount >= 0 && validationCount <= labels.count)
        self.kind = .features
        self.images = []
        self.features = features
        self.labels = labels
        self.channels = 1
        self.height = 1
        self.width = featureCount
        self.classNames = classNames
        self.maxValue = 1
        self.validationCount = validationCount
    }

    public var count: Int { labels.count }
    /// Values per example (`channels * height * width`): bytes of an image, or features of a row.
    public var imageSize: Int { channels * height * width }
    /// True for a feature set (a table or toy points), false for images.
    public var isFeatureSet: Bool { kind == .features }

    /// The pixels of image `index`, CHW (images only).
    public func image(_ index: Int) -> ArraySlice<UInt8> {
        images[index * imageSize..<(index + 1) * imageSize]
    }

    /// The values of example `index` of a feature set.
    public func featureRow(_ index: Int) -> ArraySlice<Float> {
        features[index * imageSize..<(index + 1) * imageSize]
    }

    /// The examples and labels at `indices`, in that order (without any validation part).
    public func subset(_ indices: [Int]) -> ImageDataset {
        switch kind {
        case .pixels:
            var out = [UInt8]()
            out.reserveCapacity(indices.count * imageSize)
            for i in indices { out.append(contentsOf: image(i)) }
            return ImageDataset(
                images: out, labels: indices.map { labels[$0] }, channels: channels, height: height,
                width: width, classNames: classNames, maxValue: maxValue)
        case .features:
            var out = [Float]()
            out.reserveCapacity(indices.count * imageSize)
            for i in indices { out.append(contentsOf: featureRow(i)) }
            return ImageDataset(
                features: out, labels: indices.map { labels[$0] }, featureCount: width, classNames: classNames)
        }
    }

    /// This set followed by `other`'s examples (the same kind, shape and classes).
    public func appending(_ other: ImageDataset) -> ImageDataset {
        precondition(kind == other.kind && imageSize == other.imageSize, "only sets of one shape can be joined")
        var joined = self
        joined.images += other.images
        joined.features += other.features
        joined.labels += other.labels
        joined.validationCount = 0
        return joined
    }
}
