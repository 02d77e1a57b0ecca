import NNCore

/// Cutout (DeVries and Taylor, 2017): with probability `probability`, sets a `size` x `size`
/// square centred on a random pixel to zero in every channel; the square is clipped where it
/// crosses the border (spec `cutout:SIZE[:P]`, P default 1).
///
/// Random draws: one `bernoulli(probability)` (none when it is 0 or 1), then the centre's row then
/// column, `int(below: H)` and `int(below: W)`. The square covers rows `cy - SIZE/2 ..< cy - SIZE/2 +
/// SIZE` (integer division), and the same for columns.
public struct Cutout: Augmentation, Equatable {
    public static let defaultProbability: Float = 1
    public let size: Int
    public let probability: Float

    public init(size: Int, probability: Float = Cutout.defaultProbability) {
        precondition(size >= 0 && (0...1).contains(probability), "cutout needs a size >= 0 and a probability")
        self.size = size
        self.probability = probability
    }

    public func apply(to image: inout ImageView, using rng: inout RNG) {
        guard let (centerY, centerX) = draw(&rng, image) else { return }
        Self.erase(&image, top: centerY - size / 2, left: centerX - size / 2, size: size)
    }

    /// The square's centre, or nil when nothing is erased.
    private func draw(_ rng: inout RNG, _ image: ImageView) -> (y: Int, x: Int)? {
        guard size > 0, rng.bernoulli(probability) else { return nil }
        let centerY = rng.int(below: image.height)
        let centerX = rng.int(below: image.width)
        return (centerY, centerX)
    }

    /// "cutout at 12,7" (the square's centre, x then y), or "cutout no".
    public func applyDescribing(to image: inout ImageView, using rng: inout RNG) -> DrawnAugmentation {
        guard let (centerY, centerX) = draw(&rng, image) else {
            return DrawnAugmentation("cutout no", changesImage: false)
        }
        Self.erase(&image, top: centerY - size / 2, left: centerX - size / 2, size: size)
        return DrawnAugmentation("cutout at \(centerX),\(centerY)", changesImage: true)
    }

    /// Zeros the square with top-left corner (left, top) and side `size`, clipped to the image.
    public static func erase(_ image: inout ImageView, top: Int, left: Int, size: Int) {
        let firstY = max(0, top)
        let endY = max(firstY, min(image.height, top + size))
        let firstX = max(0, left)
        let endX = max(firstX, min(image.width, left + size))
        guard endY > firstY, endX > firstX else { return }
        let base = image.pixels.baseAddress!
        for channel in 0..<image.channels {
            for y in firstY..<endY {
                (base + channel * image.shape.planeSize + y * image.width + firstX).update(
                    repeating: 0, count: endX - firstX)
            }
        }
    }

    public var description: String {
        probability == Self.defaultProbability ? "cutout:\(size)" : "cutout:\(size):\(formatSpecNumber(probability))"
    }
}
