import NNCore

/// Scales every pixel by a random factor in [max(0, 1 - D), 1 + D], rounding to the nearest value
/// and clamping to the image's range, 0...maxValue (spec `brightness:D`, D from 0 to 1);
/// torchvision's brightness jitter, which blends with a black image.
///
/// Random draws: the factor, `uniform(1 - D, 1 + D)` with the low end clamped at 0.
public struct BrightnessJitter: Augmentation, Equatable {
    public let amount: Float

    public init(amount: Float) {
        precondition(amount >= 0 && amount <= 1, "brightness jitter is between 0 and 1")
        self.amount = amount
    }

    public func apply(to image: inout ImageView, using rng: inout RNG) {
        guard amount > 0 else { return }
        Self.scale(&image, factor: rng.uniform(max(0, 1 - amount), 1 + amount))
    }

    /// "brightness ×1.12".
    public func applyDescribing(to image: inout ImageView, using rng: inout RNG) -> DrawnAugmentation {
        guard amount > 0 else { return DrawnAugmentation("brightness ×1", changesImage: false) }
        let factor = rng.uniform(max(0, 1 - amount), 1 + amount)
        Self.scale(&image, factor: factor)
        return DrawnAugmentation("brightness ×\(shortDecimal(factor))", changesImage: factor != 1)
    }

    /// Multiplies every pixel by `factor`.
    public static func scale(_ image: inout ImageView, factor: Float) {
        for i in image.pixels.indices {
            image.pixels[i] = clampToByte(Float(image.pixels[i]) * factor, max: image.maxValue)
        }
    }

    public var description: String { "brightness:\(formatSpecNumber(amount))" }
}

/// Moves every pixel towards or away from the image's mean gray level by a random factor in
/// [max(0, 1 - D), 1 + D]: out = mean + f * (in - mean), rounded and clamped to 0...maxValue (spec `contrast:D`, D
/// from 0 to 1); torchvision's contrast jitter. The mean gray of a 3-channel image weights red,
/// green and blue 0.299, 0.587, 0.114 (ITU-R BT.601); other channel counts use the plain mean.
///
/// Random draws: the factor, `uniform(1 - D, 1 + D)` with the low end clamped at 0.
public struct ContrastJitter: Augmentation, Equatable {
    public let amount: Float

    public init(amount: Float) {
        precondition(amount >= 0 && amount <= 1, "contrast jitter is between 0 and 1")
        self.amount = amount
    }

    public func apply(to image: inout ImageView, using rng: inout RNG) {
        guard amount > 0 else { return }
        Self.scale(&image, factor: rng.uniform(max(0, 1 - amount), 1 + amount))
    }

    /// "contrast ×0.87".
    public func applyDescribing(to image: inout ImageView, using rng: inout RNG) -> DrawnAugmentation {
        guard amount > 0 else { return DrawnAugmentation("contrast ×1", changesImage: false) }
        let factor = rng.uniform(max(0, 1 - amount), 1 + amount)
        Self.scale(&image, factor: factor)
        return DrawnAugmentation("contrast ×\(shortDecimal(factor))", changesImage: factor != 1)
    }

    /// The mean gray level the contrast scales about.
    public static func meanGray(_ image: ImageView) -> Float {
        let plane = image.shape.planeSize
        var weighted = 0.0
        for channel in 0..<image.channels {
            var sum = 0
            for i in 0..<plane { sum += Int(image.pixels[channel * plane + i]) }
            let luma = channel == 0 ? 0.299 : channel == 1 ? 0.587 : 0.114
            let weight = image.channels == 3 ? luma : 1 / Double(image.channels)
            weighted += weight * Double(sum)
        }
        return Float(weighted / Double(plane))
    }

    /// Scales every pixel's distance from the mean gray by `factor`.
    public static func scale(_ image: inout ImageView, factor: Float) {
        let mean = meanGray(image)
        for i in image.pixels.indices {
            image.pixels[i] = clampToByte(mean + factor * (Float(image.pixels[i]) - mean), max: image.maxValue)
        }
    }

    public var description: String { "contrast:\(formatSpecNumber(amount))" }
}
