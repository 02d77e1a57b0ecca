import NNCore

/// Mirrors the image left to right with probability `probability` (spec `hflip[:P]`, P default 0.5).
///
/// Random draws: one `bernoulli(probability)` (none when the probability is 0 or 1).
public struct HorizontalFlip: Augmentation, Equatable {
    public static let defaultProbability: Float = 0.5
    public let probability: Float

    public init(probability: Float = HorizontalFlip.defaultProbability) {
        precondition((0...1).contains(probability), "a probability is between 0 and 1")
        self.probability = probability
    }

    public func apply(to image: inout ImageView, using rng: inout RNG) {
        if rng.bernoulli(probability) { Self.flip(&image) }
    }

    public func applyDescribing(to image: inout ImageView, using rng: inout RNG) -> DrawnAugmentation {
        let flipped = rng.bernoulli(probability)
        if flipped { Self.flip(&image) }
        return DrawnAugmentation(flipped ? "hflip yes" : "hflip no", changesImage: flipped)
    }

    /// Mirrors every row of every channel, in place.
    public static func flip(_ image: inout ImageView) {
        let width = image.width
        let rows = image.channels * image.height
        let base = image.pixels.baseAddress!
        for row in 0..<rows {
            var left = base + row * width
            var right = left + (width - 1)
            while left < right {
                swap(&left.pointee, &right.pointee)
                left += 1
                right -= 1
            }
        }
    }

    public var description: String {
        probability == Self.defaultProbability ? "hflip" : "hflip:\(formatSpecNumber(probability))"
    }
}

/// Mirrors the image top to bottom with probability `probability` (spec `vflip[:P]`, P default 0.5).
///
/// Random draws: one `bernoulli(probability)` (none when the probability is 0 or 1).
public struct VerticalFlip: Augmentation, Equatable {
    public static let defaultProbability: Float = 0.5
    public let probability: Float

    public init(probability: Float = VerticalFlip.defaultProbability) {
        precondition((0...1).contains(probability), "a probability is between 0 and 1")
        self.probability = probability
    }

    public func apply(to image: inout ImageView, using rng: inout RNG) {
        if rng.bernoulli(probability) { Self.flip(&image) }
    }

    public func applyDescribing(to image: inout ImageView, using rng: inout RNG) -> DrawnAugmentation {
        let flipped = rng.bernoulli(probability)
        if flipped { Self.flip(&image) }
        return DrawnAugmentation(flipped ? "vflip yes" : "vflip no", changesImage: flipped)
    }

    /// Swaps row y with row height-1-y in every channel, in place.
    public static func flip(_ image: inout ImageView) {
        let width = image.width
        let height = image.height
        let base = image.pixels.baseAddress!
        for channel in 0..<image.channels {
            let plane = base + channel * image.shape.planeSize
            for y in 0..<(height / 2) {
                let top = plane + y * width
                let bottom = plane + (height - 1 - y) * width
                for x in 0..<width { swap(&top[x], &bottom[x]) }
            }
        }
    }

    public var description: String {
        probability == Self.defaultProbability ? "vflip" : "vflip:\(formatSpecNumber(probability))"
    }
}
