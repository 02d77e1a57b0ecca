import Foundation
import NNCore

/// One image operation, deterministic given the generator: every random choice comes from `rng`,
/// in an order each operation documents, so the same generator state gives the same pixels.
///
/// `description` is the operation's canonical spec token (`hflip`, `crop:4:reflect`), the form
/// `AugmentationPipeline(spec:)` reads back.
public protocol Augmentation: Sendable, CustomStringConvertible {
    /// Transforms `image` in place. The result is in `image.pixels` afterwards (see `ImageView`).
    func apply(to image: inout ImageView, using rng: inout RNG)

    /// Does exactly what `apply(to:using:)` does, drawing the same random numbers, and says what was
    /// drawn, for a picture's caption.
    func applyDescribing(to image: inout ImageView, using rng: inout RNG) -> DrawnAugmentation
}

/// What one operation drew for one image, in a few words: "shift x+1 y-2", "rotate -7.5°",
/// "hflip no"; `changesImage` is false when the draw leaves the image as it was (no flip, a shift
/// of 0, a factor of exactly 1).
public struct DrawnAugmentation: Equatable, Sendable {
    public let text: String
    public let changesImage: Bool

    public init(_ text: String, changesImage: Bool) {
        self.text = text
        self.changesImage = changesImage
    }
}

/// A signed whole number for a caption: "+2", "-1", "0".
func signed(_ value: Int) -> String { value > 0 ? "+\(value)" : "\(value)" }

/// A factor or angle for a caption with up to `decimals` decimals: 1.1, 0.87, 12.25.
func shortDecimal(_ value: Float, decimals: Int = 2) -> String {
    var text = String(format: "%.\(decimals)f", Double(value))
    if text.contains(".") {
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
    }
    return text == "-0" ? "0" : text
}

/// Where an image's random choices come from during training and in previews.
///
/// Each (epoch, sample) pair has its own xoshiro256** stream, `RNG(seed: seed ^ domain, stream:
/// epoch << 32 | sample)`, where `sample` is the image's index in its dataset split. The pixels an
/// image gets therefore depend only on the run seed, the epoch and the sample index: not on the
/// batch size, the order of the batch, or how many threads share the work. The `domain` constant
/// keeps these streams apart from other uses of the same run seed (weight initialisation, shuffling).
public enum AugmentationRandomness {
    /// "augment" in ASCII, XORed into the seed.
    public static let domain: UInt64 = 0x0061_7567_6D65_6E74

    /// The generator for sample `sample` (its index in the dataset split) in epoch `epoch`.
    public static func generator(seed: UInt64, epoch: Int, sample: Int) -> RNG {
        precondition(epoch >= 0 && sample >= 0, "epoch and sample index are non-negative")
        let stream = UInt64(truncatingIfNeeded: epoch) << 32 ^ UInt64(truncatingIfNeeded: sample)
        return RNG(seed: seed ^ domain, stream: stream)
    }
}

/// Rounds half up and clamps to 0...maxValue.
@inline(__always)
func clampToByte(_ value: Float, max maxValue: UInt8 = 255) -> UInt8 {
    if !(value > 0) { return 0 }
    if value >= Float(maxValue) { return maxValue }
    return UInt8(value + 0.5)
}

/// A spec number in its shortest form: `1` rather than `1.0`, `0.3` rather than `0.30000001`.
func formatSpecNumber(_ value: Float) -> String {
    if value == value.rounded(), abs(value) < 1e7 { return String(Int(value)) }
    return "\(value)"
}
