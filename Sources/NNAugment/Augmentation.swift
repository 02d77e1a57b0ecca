import NNCore

/// One image operation, deterministic given the generator: every random choice comes from `rng`,
/// in an order each operation documents, so the same generator state gives the same pixels.
///
/// `description` is the operation's canonical spec token (`hflip`, `crop:4:reflect`), the form
/// `AugmentationPipeline(spec:)` reads back.
public protocol Augmentation: Sendable, CustomStringConvertible {
    /// Transforms `image` in place. The result is in `image.pixels` afterwards (see `ImageView`).
    func apply(to image: inout ImageView, using rng: inout RNG)
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
