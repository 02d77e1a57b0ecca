import Foundation
import NNCore

/// Rotates the image about its centre by a random angle in [-DEG, DEG] degrees, sampling
/// bilinearly and filling what comes from outside the image with `fill` (spec `rotate:DEG[:FILL]`,
/// FILL default 0). Positive angles turn the content counter-clockwise, as in torchvision.
///
/// Random draws: the angle, `uniform(-DEG, DEG)`.
public struct RandomRotation: Augmentation, Equatable {
    public let maxDegrees: Float
    public let fill: UInt8

    public init(maxDegrees: Float, fill: UInt8 = 0) {
        precondition(maxDegrees >= 0 && maxDegrees <= 180, "the rotation range is 0 to 180 degrees")
        self.maxDegrees = maxDegrees
        self.fill = fill
    }

    public func apply(to image: inout ImageView, using rng: inout RNG) {
        guard maxDegrees > 0 else { return }
        Self.rotate(&image, degrees: rng.uniform(-maxDegrees, maxDegrees), fill: fill)
    }

    /// "rotate +12.3°" (counter-clockwise positive), to a tenth of a degree ("+5.0°", "-0.0°").
    public func applyDescribing(to image: inout ImageView, using rng: inout RNG) -> DrawnAugmentation {
        guard maxDegrees > 0 else { return DrawnAugmentation("rotate 0°", changesImage: false) }
        let degrees = rng.uniform(-maxDegrees, maxDegrees)
        Self.rotate(&image, degrees: degrees, fill: fill)
        return DrawnAugmentation("rotate \(String(format: "%+.1f", Double(degrees)))°", changesImage: degrees != 0)
    }

    /// Rotates by `degrees` counter-clockwise.
    ///
    /// With the centre c = ((W-1)/2, (H-1)/2) and d = (x, y) - c, output pixel (x, y) samples the
    /// input at c + (cos t * dx - sin t * dy, sin t * dx + cos t * dy): the inverse rotation, written
    /// for image coordinates where y points down. The four neighbours of that point are weighted
    /// bilinearly; a neighbour outside the image counts as `fill`, clamped to the image's
    /// `maxValue` (see `RandomShift.shift`).
    public static func rotate(_ image: inout ImageView, degrees: Float, fill: UInt8) {
        let fill = min(fill, image.maxValue)
        let radians = Double(degrees) * Double.pi / 180
        var cosine = Float(cos(radians))
        var sine = Float(sin(radians))
        // Quarter turns: cos and sin come out as 6e-17 rather than 0; exact values make every
        // sample position a whole pixel, so pixels move exactly.
        if abs(cosine) < 1e-6 { cosine = 0 }
        if abs(sine) < 1e-6 { sine = 0 }
        let width = image.width
        let height = image.height
        let centerX = Float(width - 1) / 2
        let centerY = Float(height - 1) / 2
        let fillValue = Float(fill)
        let channels = image.channels
        let planeSize = image.shape.planeSize
        let source = image.pixels.baseAddress!
        let target = image.scratch.baseAddress!
        for y in 0..<height {
            let dy = Float(y) - centerY
            for x in 0..<width {
                let dx = Float(x) - centerX
                let sourceX = centerX + cosine * dx - sine * dy
                let sourceY = centerY + sine * dx + cosine * dy
                let out = y * width + x
                // A whole pixel or more outside the image every neighbour is fill (and the Int
                // conversions below stay in range).
                guard sourceX > -1, sourceY > -1, sourceX < Float(width), sourceY < Float(height) else {
                    for channel in 0..<channels { target[channel * planeSize + out] = fill }
                    continue
                }
                // floor, by truncating a positive number (libm's floorf is a call on x86-64).
                let x0 = Int(sourceX + 1) - 1
                let y0 = Int(sourceY + 1) - 1
                let fx = sourceX - Float(x0)
                let fy = sourceY - Float(y0)
                // Which of the four neighbours are inside; a neighbour with zero weight counts as
                // outside, so x0 + 1 or y0 + 1 is never read past the edge.
                let left = x0 >= 0
                let right = fx > 0 && x0 + 1 < width
                let up = y0 >= 0
                let down = fy > 0 && y0 + 1 < height
                let offset = y0 * width + x0
                for channel in 0..<channels {
                    let plane = source + channel * planeSize + offset
                    let topLeft = up && left ? Float(plane[0]) : fillValue
                    let topRight = up && right ? Float(plane[1]) : fillValue
                    let bottomLeft = down && left ? Float(plane[width]) : fillValue
                    let bottomRight = down && right ? Float(plane[width + 1]) : fillValue
                    let top = topLeft + fx * (topRight - topLeft)
                    let bottom = bottomLeft + fx * (bottomRight - bottomLeft)
                    target[channel * planeSize + out] = clampToByte(top + fy * (bottom - top))
                }
            }
        }
        image.swapBuffers()
    }

    public var description: String {
        let degrees = "rotate:\(formatSpecNumber(maxDegrees))"
        return fill == 0 ? degrees : "\(degrees):\(fill)"
    }
}
