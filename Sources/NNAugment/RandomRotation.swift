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

    /// Rotates by `degrees` counter-clockwise.
    ///
    /// With the centre c = ((W-1)/2, (H-1)/2) and d = (x, y) - c, output pixel (x, y) samples the
    /// input at c + (cos t * dx - sin t * dy, sin t * dx + cos t * dy): the inverse rotation, written
    /// for image coordinates where y points down. The four neighbours of that point are weighted
    /// bilinearly; a neighbour outside the image counts as `fill`. Sample positions within 1e-3 of a
    /// whole pixel snap to it, so quarter turns move pixels exactly.
    public static func rotate(_ image: inout ImageView, degrees: Float, fill: UInt8) {
        let radians = Double(degrees) * Double.pi / 180
        let cosine = Float(cos(radians))
        let sine = Float(sin(radians))
        let width = image.width
        let height = image.height
        let centerX = Float(width - 1) / 2
        let centerY = Float(height - 1) / 2
        let fillValue = Float(fill)
        let source = image.pixels.baseAddress!
        let target = image.scratch.baseAddress!
        for y in 0..<height {
            let dy = Float(y) - centerY
            for x in 0..<width {
                let dx = Float(x) - centerX
                let sourceX = snapped(centerX + cosine * dx - sine * dy)
                let sourceY = snapped(centerY + sine * dx + cosine * dy)
                let x0f = sourceX.rounded(.down)
                let y0f = sourceY.rounded(.down)
                let fx = sourceX - x0f
                let fy = sourceY - y0f
                // Beyond one pixel outside the image every neighbour is fill: no Int overflow risk.
                guard x0f >= -1, y0f >= -1, x0f < Float(width), y0f < Float(height) else {
                    for channel in 0..<image.channels {
                        target[channel * image.shape.planeSize + y * width + x] = fill
                    }
                    continue
                }
                let x0 = Int(x0f)
                let y0 = Int(y0f)
                let inX0 = x0 >= 0
                let inX1 = x0 + 1 < width && fx > 0
                let inY0 = y0 >= 0
                let inY1 = y0 + 1 < height && fy > 0
                for channel in 0..<image.channels {
                    let plane = source + channel * image.shape.planeSize
                    @inline(__always) func value(_ px: Int, _ py: Int, _ inside: Bool) -> Float {
                        inside ? Float(plane[py * width + px]) : fillValue
                    }
                    let topLeft = value(x0, y0, inX0 && inY0)
                    let topRight = fx > 0 ? value(x0 + 1, y0, inX1 && inY0) : 0
                    let bottomLeft = fy > 0 ? value(x0, y0 + 1, inX0 && inY1) : 0
                    let bottomRight = fx > 0 && fy > 0 ? value(x0 + 1, y0 + 1, inX1 && inY1) : 0
                    let top = topLeft + fx * (topRight - topLeft)
                    let bottom = bottomLeft + fx * (bottomRight - bottomLeft)
                    let sample = fy > 0 ? top + fy * (bottom - top) : top
                    target[channel * image.shape.planeSize + y * width + x] = clampToByte(sample)
                }
            }
        }
        image.swapBuffers()
    }

    @inline(__always)
    private static func snapped(_ value: Float) -> Float {
        let whole = value.rounded()
        return abs(value - whole) < 1e-3 ? whole : value
    }

    public var description: String {
        let degrees = "rotate:\(formatSpecNumber(maxDegrees))"
        return fill == 0 ? degrees : "\(degrees):\(fill)"
    }
}
