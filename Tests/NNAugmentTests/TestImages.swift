import NNCore

@testable import NNAugment

/// Small hand-made images for exact-pixel tests.
enum TestImages {
    /// 4x4, one channel, values 1...16 row by row:
    ///
    ///      1  2  3  4
    ///      5  6  7  8
    ///      9 10 11 12
    ///     13 14 15 16
    static let gray4x4: [UInt8] = Array(1...16)
    static let gray4x4Shape = ImageShape(channels: 1, height: 4, width: 4)

    /// 4x4, three channels: channel c holds `gray4x4` plus 100 * c.
    static let rgb4x4: [UInt8] = (0..<3).flatMap { c in gray4x4.map { $0 + UInt8(100 * c) } }
    static let rgb4x4Shape = ImageShape(channels: 3, height: 4, width: 4)

    /// The same per-plane transformation applied to each of rgb4x4's planes: `plane` maps the 16
    /// values of a 1...16 plane, and 0 stays 0 (fill) where the plane result is 0.
    static func rgb(fromGray plane: [UInt8], fill: UInt8 = 0) -> [UInt8] {
        (0..<3).flatMap { c in plane.map { $0 == fill ? fill : $0 + UInt8(100 * c) } }
    }
}

/// Runs `body` on a copy of `pixels` and returns the result.
func transformed(_ pixels: [UInt8], _ shape: ImageShape, _ body: (inout ImageView) -> Void) -> [UInt8] {
    var copy = pixels
    withImageView(&copy, shape: shape, body)
    return copy
}

/// Applies `operation` with `rng` to a copy of `pixels`.
func applied(_ operation: any Augmentation, _ pixels: [UInt8], _ shape: ImageShape, rng: inout RNG) -> [UInt8] {
    var copy = pixels
    withImageView(&copy, shape: shape) { operation.apply(to: &$0, using: &rng) }
    return copy
}

/// `count` images of `shape` with pseudo-random pixels.
func randomImages(count: Int, shape: ImageShape, seed: UInt64) -> [UInt8] {
    var rng = RNG(seed: seed)
    return (0..<(count * shape.byteCount)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
}
