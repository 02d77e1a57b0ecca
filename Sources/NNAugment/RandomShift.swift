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
        guard maxShift > 0 else { return }
        let dx = rng.int(below: 2 * maxShift + 1) - maxShift
        let dy = rng.int(below: 2 * maxShift + 1) - maxShift
        Self.shift(&image, dx: dx, dy: dy, fill: fill)
    }

    /// Moves the content `dx` pixels right and `dy` pixels down: out(x, y) = in(x - dx, y - dy),
    /// or `fill` where that falls outside the image.
    public static func shift(_ image: inout ImageView, dx: Int, dy: Int, fill: UInt8) {
        if dx == 0 && dy == 0 { return }
        let width = image.width
        let height = image.height
        let source = image.pixels.baseAddress!
        let target = image.scratch.baseAddress!
        // Columns of the output that come from the image: x - dx in 0 ..< width.
        let firstX = min(width, max(0, dx))
        let endX = max(firstX, min(width, width + dx))
        for channel in 0..<image.channels {
            let plane = channel * image.shape.planeSize
            for y in 0..<height {
                let out = target + plane + y * width
                let sourceY = y - dy
                guard sourceY >= 0 && sourceY < height && endX > firstX else {
                    out.update(repeating: fill, count: width)
                    continue
                }
                out.update(repeating: fill, count: firstX)
                (out + firstX).update(from: source + plane + sourceY * width + (firstX - dx), count: endX - firstX)
                (out + endX).update(repeating: fill, count: width - endX)
            }
        }
        image.swapBuffers()
    }

    public var description: String {
        fill == 0 ? "shift:\(maxShift)" : "shift:\(maxShift):\(fill)"
    }
}
