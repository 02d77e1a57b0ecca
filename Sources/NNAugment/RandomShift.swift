import NNCore

/// Translates the image by a random whole number of pixels, up to `maxShift` in each direction,
/// filling the uncovered border with `fill` (spec `shift:K[:FILL]`, FILL default 0).
///
/// Random draws: `dx` then `dy`, each `int(below: 2K + 1) - K`. A positive `dx` moves the content
/// right, a positive `dy` down. A shift of the whole width or more leaves only the fill value.
public struct RandomShift: Augmentation, Equatable {
    public let maxShift: Int
    public let fill: UInt8

    public init(maxShift: Int, fill: UInt8 = 0) {
        precondition(maxShift >= 0, "a shift is non-negative")
        self.maxShift = maxShift
        self.fill = fill
    }

    public func apply(to image: inout ImageView, using rng: inout RNG) {
        guard let (dx, dy) = draw(&rng) else { return }
        Self.shift(&image, dx: dx, dy: dy, fill: fill)
    }

    /// The move, or nil when `maxShift` is 0 (nothing is drawn then).
    private func draw(_ rng: inout RNG) -> (dx: Int, dy: Int)? {
        guard maxShift > 0 else { return nil }
        let dx = rng.int(below: 2 * maxShift + 1) - maxShift
        let dy = rng.int(below: 2 * maxShift + 1) - maxShift
        return (dx, dy)
    }

    /// "shift x+1 y-2": how far the content moved (right and down are positive).
    public func applyDescribing(to image: inout ImageView, using rng: inout RNG) -> DrawnAugmentation {
        guard let (dx, dy) = draw(&rng) else { return DrawnAugmentation("shift x0 y0", changesImage: false) }
        Self.shift(&image, dx: dx, dy: dy, fill: fill)
        return DrawnAugmentation("shift x\(signed(dx)) y\(signed(dy))", changesImage: dx != 0 || dy != 0)
    }

    /// Moves the content `dx` pixels right and `dy` pixels down: out(x, y) = in(x - dx, y - dy),
    /// or `fill` where that falls outside the image. A fill above the image's `maxValue` (128 on the
    /// digits' 0...16 scale) means full intensity: it is clamped, so no pixel leaves the range.
    ///
    /// Each plane moves as one flat block by `dy * width + dx` (one copy and one fill, where a call
    /// per row cost more than the pixels on 28-pixel rows), then the `|dx|` columns that came
    /// around from the neighbouring row are filled.
    public static func shift(_ image: inout ImageView, dx: Int, dy: Int, fill: UInt8) {
        if dx == 0 && dy == 0 { return }
        let fill = min(fill, image.maxValue)
        let width = image.width
        let height = image.height
        let count = width * height
        let source = image.pixels.baseAddress!
        let target = image.scratch.baseAddress!
        for channel in 0..<image.channels {
            let input = source + channel * image.shape.planeSize
            let out = target + channel * image.shape.planeSize
            guard abs(dx) < width && abs(dy) < height else {
                out.update(repeating: fill, count: count)
                continue
            }
            // out[i] = in[i - offset] where 0 <= i - offset < count, else fill. A pixel whose source
            // row is outside the image lands here; one whose source column is outside does not:
            let offset = dy * width + dx
            if offset >= 0 {
                out.update(repeating: fill, count: offset)
                (out + offset).update(from: input, count: count - offset)
            } else {
                out.update(from: input - offset, count: count + offset)
                (out + count + offset).update(repeating: fill, count: -offset)
            }
            // ... those columns are filled here.
            let columns = dx > 0 ? 0..<dx : (width + dx)..<width
            if !columns.isEmpty {
                for y in 0..<height {
                    (out + y * width + columns.lowerBound).update(repeating: fill, count: columns.count)
                }
            }
        }
        image.swapBuffers()
    }

    public var description: String {
        fill == 0 ? "shift:\(maxShift)" : "shift:\(maxShift):\(fill)"
    }
}
