/// A labelled set of 8-bit images, the form every loader produces.
///
/// Images are stored one after another, each channel-major (CHW: all of channel 0 row by row, then
/// channel 1, …), so `images.count == count * channels * height * width`. That is the NCHW layout
/// the network's tensors use, and it is CIFAR-10's own layout.
public struct ImageDataset: Equatable, Sendable {
    public var images: [UInt8]
    public var labels: [UInt8]
    public let channels: Int
    public let height: Int
    public let width: Int
    public let classNames: [String]
    /// The pixel value that means full intensity: 255 for 8-bit images, 16 for the digits set
    /// (whose pixels are counts 0...16). Divide by it to normalise to [0, 1].
    public let maxValue: UInt8

    public init(
        images: [UInt8], labels: [UInt8], channels: Int, height: Int, width: Int, classNames: [String],
        maxValue: UInt8 = 255
    ) {
        precondition(channels > 0 && height > 0 && width > 0)
        precondition(images.count == labels.count * channels * height * width)
        self.images = images
        self.labels = labels
        self.channels = channels
        self.height = height
        self.width = width
        self.classNames = classNames
        self.maxValue = maxValue
    }

    public var count: Int { labels.count }
    /// Bytes per image (`channels * height * width`).
    public var imageSize: Int { channels * height * width }

    /// The pixels of image `index`, CHW.
    public func image(_ index: Int) -> ArraySlice<UInt8> {
        images[index * imageSize..<(index + 1) * imageSize]
    }

    /// The images and labels at `indices`, in that order.
    public func subset(_ indices: [Int]) -> ImageDataset {
        var out = [UInt8]()
        out.reserveCapacity(indices.count * imageSize)
        for i in indices { out.append(contentsOf: image(i)) }
        return ImageDataset(
            images: out, labels: indices.map { labels[$0] }, channels: channels, height: height,
            width: width, classNames: classNames, maxValue: maxValue)
    }
}
