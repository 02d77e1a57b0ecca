import Foundation
import NNAugment

/// A PNG scatter plot of 2-D points coloured by class, optionally over the plane coloured by a
/// classifier's answer at every pixel: the picture the course notebooks draw with matplotlib's
/// `scatter` (`nnzoo inspect circles --png`) and, with the plane, a trained model's decision regions
/// (`decision.png`).
///
/// Both axes have the same scale (a circle stays round), spanning the points plus a margin; the
/// frame carries tick marks and numbers at steps of 1, 2 or 5 times a power of ten, and the
/// lines x = 0 and y = 0 are drawn in light gray where they cross the plot. Class colours are
/// matplotlib's tab10 cycle; the plane gets a pale tint of the same colours. Points are discs
/// with a dark rim; a second set (`rings`, such as the test split) is drawn as open circles. The
/// legend under the plot pairs each class index with its colour (names are in the terminal
/// output).
public enum ScatterPlot {
    public typealias Color = (UInt8, UInt8, UInt8)

    /// A set of points to draw: `x, y` pairs and a class per point.
    public struct Points: Sendable {
        public var coordinates: [Float]
        public var labels: [Int]
        /// Drawn as open circles instead of discs.
        public var rings: Bool

        public init(coordinates: [Float], labels: [Int], rings: Bool = false) {
            precondition(coordinates.count == 2 * labels.count, "one x, y pair per label")
            self.coordinates = coordinates
            self.labels = labels
            self.rings = rings
        }
    }

    /// Where the plot is, and which data rectangle it shows.
    public struct Frame: Equatable, Sendable {
        public var left: Int
        public var top: Int
        public var side: Int
        public var xMin: Double
        public var yMin: Double
        /// Data units per pixel (both axes).
        public var unitsPerPixel: Double

        /// The data point at the centre of plot pixel (`column`, `row`); row 0 is the top.
        public func point(column: Int, row: Int) -> (x: Double, y: Double) {
            (xMin + (Double(column) + 0.5) * unitsPerPixel, yMin + (Double(side - row) - 0.5) * unitsPerPixel)
        }

        /// The image pixel of data point (`x`, `y`) (may lie outside the plot).
        public func pixel(x: Double, y: Double) -> (x: Int, y: Int) {
            (
                left + Int(((x - xMin) / unitsPerPixel).rounded(.down)),
                top + side - 1 - Int(((y - yMin) / unitsPerPixel).rounded(.down))
            )
        }

        public var xMax: Double { xMin + Double(side) * unitsPerPixel }
        public var yMax: Double { yMin + Double(side) * unitsPerPixel }
    }

    static let palette: [Color] = [
        (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
        (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
    ]
    static let background: Color = (255, 255, 255)
    static let ink: Color = (40, 40, 40)
    static let axisLine: Color = (200, 200, 200)
    static let marginLeft = 48
    static let marginTop = 12
    static let marginRight = 16
    static let marginBottom = 44
    static let pointRadius = 4

    /// The colour of class `c` (tab10, repeating after ten classes).
    public static func color(of c: Int) -> Color { palette[((c % palette.count) + palette.count) % palette.count] }

    /// A class colour mixed 1:3 with white, for the plane.
    public static func tint(of c: Int) -> Color {
        let color = color(of: c)
        func mix(_ v: UInt8) -> UInt8 { UInt8((Int(v) + 3 * 255 + 2) / 4) }
        return (mix(color.0), mix(color.1), mix(color.2))
    }

    /// The square frame that shows every point of `sets` with a margin of a tenth of the span on
    /// each side.
    public static func frame(for sets: [Points], side: Int = 480) -> Frame {
        var xs: [Double] = []
        var ys: [Double] = []
        for set in sets {
            for i in 0..<set.labels.count where set.coordinates[2 * i].isFinite && set.coordinates[2 * i + 1].isFinite {
                xs.append(Double(set.coordinates[2 * i]))
                ys.append(Double(set.coordinates[2 * i + 1]))
            }
        }
        let (x0, x1) = (xs.min() ?? -1, xs.max() ?? 1)
        let (y0, y1) = (ys.min() ?? -1, ys.max() ?? 1)
        var span = max(x1 - x0, y1 - y0)
        if !(span > 0) || !span.isFinite { span = 2 }
        let padded = span * 1.2
        let units = padded / Double(side)
        return Frame(
            left: marginLeft, top: marginTop, side: side, xMin: (x0 + x1) / 2 - padded / 2,
            yMin: (y0 + y1) / 2 - padded / 2, unitsPerPixel: units)
    }

    /// Draws `sets` (in order, later ones on top) with `classCount` classes in the legend. With
    /// `classify`, the plane is coloured first: it receives the centre of every plot pixel as
    /// `x, y` pairs (row by row from the top) and returns one class per pixel.
    public static func render(
        _ sets: [Points], classCount: Int, side: Int = 480, classify: (([Float]) -> [Int])? = nil
    ) -> PNGImage {
        let frame = frame(for: sets, side: side)
        let width = marginLeft + side + marginRight
        let height = marginTop + side + marginBottom
        var image = PNGImage(
            width: width, height: height, channels: 3,
            pixels: [UInt8](repeating: 255, count: width * height * 3))
        if let classify {
            var centres = [Float]()
            centres.reserveCapacity(2 * side * side)
            for row in 0..<side {
                for column in 0..<side {
                    let p = frame.point(column: column, row: row)
                    centres += [Float(p.x), Float(p.y)]
                }
            }
            let classes = classify(centres)
            for row in 0..<side {
                for column in 0..<side where row * side + column < classes.count {
                    fill(&image, x: frame.left + column, y: frame.top + row, tint(of: classes[row * side + column]))
                }
            }
        }
        drawAxes(&image, frame)
        for set in sets {
            for i in 0..<set.labels.count {
                let x = Double(set.coordinates[2 * i])
                let y = Double(set.coordinates[2 * i + 1])
                guard x.isFinite, y.isFinite else { continue }
                let p = frame.pixel(x: x, y: y)
                drawPoint(&image, at: p, color: color(of: set.labels[i]), ring: set.rings, frame: frame)
            }
        }
        drawLegend(&image, classCount: classCount, top: frame.top + side + 24)
        return image
    }

    // MARK: - Drawing

    static func fill(_ image: inout PNGImage, x: Int, y: Int, _ color: Color) {
        guard x >= 0, y >= 0, x < image.width, y < image.height else { return }
        let o = (y * image.width + x) * 3
        image.pixels[o] = color.0
        image.pixels[o + 1] = color.1
        image.pixels[o + 2] = color.2
    }

    static func drawPoint(_ image: inout PNGImage, at p: (x: Int, y: Int), color: Color, ring: Bool, frame: Frame) {
        let r = pointRadius
        let rim: Color = (UInt8(Int(color.0) / 2), UInt8(Int(color.1) / 2), UInt8(Int(color.2) / 2))
        let plotX = frame.left..<(frame.left + frame.side)
        let plotY = frame.top..<(frame.top + frame.side)
        for dy in -r...r {
            for dx in -r...r {
                let d2 = dx * dx + dy * dy
                guard d2 <= r * r + r, plotX.contains(p.x + dx), plotY.contains(p.y + dy) else { continue }
                let onRim = d2 > (r - 1) * (r - 1)
                if ring {
                    if d2 > (r - 2) * (r - 2) + 1 { fill(&image, x: p.x + dx, y: p.y + dy, onRim ? rim : color) }
                } else {
                    fill(&image, x: p.x + dx, y: p.y + dy, onRim ? rim : color)
                }
            }
        }
    }

    /// A step of 1, 2 or 5 times a power of ten giving about five to ten ticks over `span`.
    static func tickStep(span: Double) -> Double {
        guard span > 0, span.isFinite else { return 1 }
        let rough = span / 6
        let power = pow(10, (log10(rough)).rounded(.down))
        for factor in [1.0, 2, 5, 10] where rough <= factor * power { return factor * power }
        return 10 * power
    }

    /// `value` written with the decimals `step` needs (`0.5`, `-2`, `0.25`).
    static func tickLabel(_ value: Double, step: Double) -> String {
        let decimals = max(0, Int((-log10(step)).rounded(.up)))
        let text = String(format: "%.\(decimals)f", abs(value) < step / 1000 ? 0 : value)
        return text == "-0" ? "0" : text
    }

    static func drawAxes(_ image: inout PNGImage, _ frame: Frame) {
        let right = frame.left + frame.side - 1
        let bottom = frame.top + frame.side - 1
        // Zero lines first, under the frame.
        if frame.xMin < 0, frame.xMax > 0 {
            let x = frame.pixel(x: 0, y: 0).x
            for y in frame.top...bottom { fill(&image, x: x, y: y, axisLine) }
        }
        if frame.yMin < 0, frame.yMax > 0 {
            let y = frame.pixel(x: 0, y: 0).y
            for x in frame.left...right { fill(&image, x: x, y: y, axisLine) }
        }
        for x in (frame.left - 1)...(right + 1) {
            fill(&image, x: x, y: frame.top - 1, ink)
            fill(&image, x: x, y: bottom + 1, ink)
        }
        for y in (frame.top - 1)...(bottom + 1) {
            fill(&image, x: frame.left - 1, y: y, ink)
            fill(&image, x: right + 1, y: y, ink)
        }
        let step = tickStep(span: Double(frame.side) * frame.unitsPerPixel)
        var value = (frame.xMin / step).rounded(.up) * step
        while value <= frame.xMax {
            let x = frame.pixel(x: value, y: frame.yMin).x
            if (frame.left...right).contains(x) {
                for dy in 2...5 { fill(&image, x: x, y: bottom + dy, ink) }
                let label = tickLabel(value, step: step)
                BitmapFont.draw(
                    label, into: &image, x: x - BitmapFont.width(of: label) / 2, y: bottom + 8, color: ink)
            }
            value += step
        }
        value = (frame.yMin / step).rounded(.up) * step
        while value <= frame.yMax {
            let y = frame.pixel(x: frame.xMin, y: value).y
            if (frame.top...bottom).contains(y) {
                for dx in 2...5 { fill(&image, x: frame.left - dx, y: y, ink) }
                let label = tickLabel(value, step: step)
                BitmapFont.draw(
                    label, into: &image, x: frame.left - 8 - BitmapFont.width(of: label),
                    y: y - BitmapFont.glyphHeight / 2, color: ink)
            }
            value += step
        }
    }

    static func drawLegend(_ image: inout PNGImage, classCount: Int, top: Int) {
        var x = marginLeft
        for c in 0..<max(0, classCount) {
            let label = String(c)
            guard x + 14 + BitmapFont.width(of: label) < image.width else { break }
            for dy in 0..<BitmapFont.glyphHeight {
                for dx in 0..<BitmapFont.glyphHeight { fill(&image, x: x + dx, y: top + dy, color(of: c)) }
            }
            BitmapFont.draw(label, into: &image, x: x + 11, y: top, color: ink)
            x += 11 + BitmapFont.width(of: label) + 14
        }
    }
}
