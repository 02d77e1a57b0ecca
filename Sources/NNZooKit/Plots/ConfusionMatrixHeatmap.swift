import NNAugment

/// A PNG picture of a confusion matrix: one square per (true, predicted) pair, rows true classes
/// and columns predicted classes (as in the terminal table and the CSV), coloured by the share of
/// the true class's samples that landed in the cell.
///
/// The colour is viridis(sqrt(share)): the square root spreads the small shares that matter most
/// (a 2% confusion is a third of the way up the ramp, not invisible next to a 98% diagonal); the
/// legend bar on the right is labelled in shares (0, 10, 25, 50, 100%) at their places on that
/// scale. Each square also shows its count when it fits, in black or white for contrast. The class
/// names label the rows (left of the grid) and the columns (above it), each at a tick mark with a
/// gap between mark and text; column names read bottom to top when any of them is wider than its
/// column, and names longer than `maxLabelCharacters` are shortened with "…". "True class" and
/// "Predicted class" say which axis is which. Everything is drawn with the built-in `BitmapFont`. A
/// row of a class with no samples is light gray.
public struct ConfusionMatrixHeatmap {
    public typealias Color = (UInt8, UInt8, UInt8)

    public static let background: Color = (255, 255, 255)
    public static let ink: Color = (40, 40, 40)
    public static let emptyRow: Color = (220, 220, 220)
    static let margin = 12
    /// Class names longer than this are shortened with "…" on the axes.
    public static let maxLabelCharacters = 16
    /// A tick mark's length, and the blank pixels between it and the grid. Between a tick and its
    /// label there are `Layout.tickGap` blank pixels: three font pixels, so that a tick never
    /// reads as a hyphen of the name.
    public static let tickLength = 5
    static let gridGap = 1
    /// The tick marks' colour, lighter than the text.
    public static let tickColor: Color = (130, 130, 130)
    public static let predictedTitle = "Predicted class"
    public static let trueTitle = "True class"

    /// Where things are, in pixels.
    public struct Layout: Equatable, Sendable {
        public let classCount: Int
        public let cellSize: Int
        public let gridLeft: Int
        public let gridTop: Int
        public let legendLeft: Int
        public let legendWidth: Int
        public let width: Int
        public let height: Int
        /// The label of each class as drawn (the name, shortened if needed).
        public let labels: [String]
        /// Scale of the class labels, and which of them are drawn (every `columnLabelStride`-th
        /// column and `rowLabelStride`-th row, when squares are too small for all).
        public let labelScale: Int
        public let columnLabelStride: Int
        public let rowLabelStride: Int
        /// Whether the column labels read bottom to top (some name is wider than its column).
        public let columnLabelsUp: Bool
        /// Blank pixels between a tick mark and its label.
        public var tickGap: Int { 3 * labelScale }
        /// Scale of the counts in the squares (0: they do not fit and are left out).
        public let countScale: Int

        public var gridSize: Int { classCount * cellSize }

        /// The top-left pixel of the square for (`truth`, `predicted`); the square fills
        /// `cellSize - 1` pixels each way, leaving a white line between squares.
        public func cellOrigin(truth: Int, predicted: Int) -> (x: Int, y: Int) {
            (gridLeft + predicted * cellSize, gridTop + truth * cellSize)
        }

        /// The pixel across the middle of row or column `index` (where its tick mark is).
        public func middle(of index: Int) -> Int { index * cellSize + (cellSize - 1) / 2 }
    }

    /// A square size that keeps the grid about 480 to 640 pixels wide: 48 for up to 13 classes,
    /// smaller for more, at least 3 (a thousand classes make a 3000-pixel picture).
    public static func defaultCellSize(classCount: Int) -> Int {
        max(3, min(48, 640 / max(1, classCount)))
    }

    /// The label of a class on the axes: its name, shortened to `maxLabelCharacters`.
    public static func label(_ name: String) -> String {
        BitmapFont.fitted(
            name, width: BitmapFont.width(of: String(repeating: "x", count: maxLabelCharacters)))
    }

    public static func layout(classNames: [String], maxCount: Int, cellSize: Int? = nil) -> Layout {
        let n = max(1, classNames.count)
        let cell = max(3, cellSize ?? defaultCellSize(classCount: n))
        let labels = (0..<n).map { $0 < classNames.count ? label(classNames[$0]) : String($0) }
        // Labels at scale 2 when a line of them fits a square, else at scale 1 on every `stride`-th
        // row or column (1, 2, 5, 10, ...), so that neighbouring labels never touch.
        let labelScale = BitmapFont.height(scale: 2) <= cell - 4 ? 2 : 1
        func stride(for size: Int) -> Int {
            [1, 2, 5, 10, 20, 50, 100, 200, 500].first { size <= $0 * cell - 3 } ?? 1000
        }
        let widest = labels.map { BitmapFont.width(of: $0, scale: labelScale) }.max() ?? 0
        let lineHeight = BitmapFont.height(scale: labelScale)
        let rowStride = stride(for: lineHeight)
        // Column labels side by side when every one fits its column; otherwise turned to read
        // upwards, a line's height apart.
        let columnsUp = widest > cell - 3
        let columnStride = stride(for: columnsUp ? lineHeight : widest)
        let countText = String(maxCount)
        let countScale =
            BitmapFont.width(of: countText, scale: 2) <= cell - 6
            ? 2 : BitmapFont.width(of: countText, scale: 1) <= cell - 3 && cell >= 11 ? 1 : 0
        let titleHeight = BitmapFont.height(scale: 2)
        let ticks = 3 * labelScale + tickLength + gridGap
        // Above the grid: "Predicted class", then the column labels and their ticks. Left of it:
        // "True class" reading upwards, then the row labels and their ticks.
        let gridTop = margin + titleHeight + 8 + (columnsUp ? widest : lineHeight) + ticks
        let gridLeft = margin + titleHeight + 8 + widest + ticks
        let legendLeft = gridLeft + n * cell + 16
        let legendWidth = 14
        let legendLabelScale = n * cell >= 200 ? 2 : 1
        let width =
            legendLeft + legendWidth + 4 + 3 * legendLabelScale + BitmapFont.width(of: "100%", scale: legendLabelScale)
            + margin
        let height =
            max(gridTop + n * cell, gridTop + BitmapFont.width(of: trueTitle, scale: 2), gridTop + 100) + margin
        return Layout(
            classCount: n, cellSize: cell, gridLeft: gridLeft, gridTop: gridTop, legendLeft: legendLeft,
            legendWidth: legendWidth, width: width, height: height, labels: labels, labelScale: labelScale,
            columnLabelStride: columnStride, rowLabelStride: rowStride, columnLabelsUp: columnsUp,
            countScale: countScale)
    }

    /// The colour of a square holding `count` of the `rowTotal` samples of its true class.
    public static func color(count: Int, rowTotal: Int) -> Color {
        rowTotal > 0 ? ColorRamp.viridis((Double(count) / Double(rowTotal)).squareRoot()) : emptyRow
    }

    /// The legend's labelled shares.
    static let legendShares: [(share: Double, label: String)] = [
        (0, "0%"), (0.1, "10%"), (0.25, "25%"), (0.5, "50%"), (1, "100%"),
    ]

    public static func render(_ metrics: ClassificationMetrics, cellSize: Int? = nil) -> PNGImage {
        let n = metrics.classCount
        let maxCount = metrics.confusion.flatMap { $0 }.max() ?? 0
        let layout = layout(classNames: metrics.classNames, maxCount: maxCount, cellSize: cellSize)
        var image = PNGImage(
            width: layout.width, height: layout.height, channels: 3,
            pixels: [UInt8](repeating: 255, count: layout.width * layout.height * 3))
        let cell = layout.cellSize

        // Axis titles: "Predicted class" centred above the grid, "True class" reading upwards,
        // centred beside it.
        BitmapFont.draw(
            predictedTitle, into: &image,
            x: layout.gridLeft + (layout.gridSize - BitmapFont.width(of: predictedTitle, scale: 2)) / 2,
            y: margin, scale: 2, color: ink)
        BitmapFont.draw(
            trueTitle, into: &image, x: margin,
            y: layout.gridTop + max(0, (layout.gridSize - BitmapFont.width(of: trueTitle, scale: 2)) / 2), scale: 2,
            color: ink, direction: .up)

        // Tick marks and class labels: a tick outside the grid at the middle of each labelled row
        // and column, `tickGap` blank pixels, then the label (rows: right-aligned, its capitals
        // centred on the tick; columns: ending just above the tick, centred on it).
        let scale = layout.labelScale
        let tickEnd = tickLength + gridGap
        let tickGap = layout.tickGap
        for i in 0..<n {
            let text = layout.labels[i]
            let length = BitmapFont.width(of: text, scale: scale)
            let middle = layout.middle(of: i)
            if i % layout.rowLabelStride == 0 {
                let y = layout.gridTop + middle
                fillRect(&image, x: layout.gridLeft - tickEnd, y: y, width: tickLength, height: 1, color: tickColor)
                BitmapFont.draw(
                    text, into: &image, x: layout.gridLeft - tickEnd - tickGap - length,
                    y: y - (BitmapFont.capHeight(scale: scale) - 1) / 2, scale: scale, color: ink)
            }
            if i % layout.columnLabelStride == 0 {
                let x = layout.gridLeft + middle
                let tickTop = layout.gridTop - tickEnd
                fillRect(&image, x: x, y: tickTop, width: 1, height: tickLength, color: tickColor)
                if layout.columnLabelsUp {
                    BitmapFont.draw(
                        text, into: &image, x: x - (BitmapFont.capHeight(scale: scale) - 1) / 2,
                        y: tickTop - tickGap - length, scale: scale, color: ink, direction: .up)
                } else {
                    BitmapFont.draw(
                        text, into: &image, x: x - (length - 1) / 2,
                        y: tickTop - tickGap - BitmapFont.height(scale: scale), scale: scale, color: ink)
                }
            }
        }

        // The squares and their counts.
        for t in 0..<n {
            let rowTotal = metrics.confusion[t].reduce(0, +)
            for p in 0..<n {
                let count = metrics.confusion[t][p]
                let fill = color(count: count, rowTotal: rowTotal)
                let (x0, y0) = layout.cellOrigin(truth: t, predicted: p)
                fillRect(&image, x: x0, y: y0, width: cell - 1, height: cell - 1, color: fill)
                if layout.countScale > 0 && count > 0 {
                    let text = String(count)
                    let textColor: Color = ColorRamp.luminance(fill) > 0.45 ? (0, 0, 0) : (255, 255, 255)
                    BitmapFont.draw(
                        text, into: &image,
                        x: x0 + (cell - 1 - BitmapFont.width(of: text, scale: layout.countScale)) / 2,
                        y: y0 + (cell - 1 - BitmapFont.capHeight(scale: layout.countScale)) / 2,
                        scale: layout.countScale, color: textColor)
                }
            }
        }

        // The legend bar: 100% at the top, 0% at the bottom, on the square-root scale.
        let barHeight = layout.gridSize
        let barBottom = layout.gridTop + barHeight - 1
        for y in 0..<barHeight {
            let position = Double(barHeight - 1 - y) / Double(max(1, barHeight - 1))
            fillRect(
                &image, x: layout.legendLeft, y: layout.gridTop + y, width: layout.legendWidth, height: 1,
                color: ColorRamp.viridis(position))
        }
        let legendScale = barHeight >= 200 ? 2 : 1
        let legendTextHeight = BitmapFont.capHeight(scale: legendScale)
        var lastLabelTop = Int.max
        for (share, label) in legendShares {
            let y = barBottom - Int((share.squareRoot() * Double(barHeight - 1)).rounded())
            fillRect(&image, x: layout.legendLeft + layout.legendWidth, y: y, width: 4, height: 1, color: tickColor)
            let top = min(max(layout.gridTop, y - legendTextHeight / 2), barBottom - legendTextHeight + 1)
            // Leave out a label that would touch the one below it.
            guard top + legendTextHeight + 2 <= lastLabelTop else { continue }
            BitmapFont.draw(
                label, into: &image, x: layout.legendLeft + layout.legendWidth + 4 + 3 * legendScale, y: top,
                scale: legendScale,
                color: ink)
            lastLabelTop = top
        }
        return image
    }

    static func fillRect(_ image: inout PNGImage, x: Int, y: Int, width: Int, height: Int, color: Color) {
        let xs = max(0, x)..<min(image.width, x + width)
        let ys = max(0, y)..<min(image.height, y + height)
        guard !xs.isEmpty, !ys.isEmpty else { return }
        let imageWidth = image.width
        image.pixels.withUnsafeMutableBufferPointer { pixels in
            for py in ys {
                for px in xs {
                    let o = 3 * (py * imageWidth + px)
                    pixels[o] = color.0
                    pixels[o + 1] = color.1
                    pixels[o + 2] = color.2
                }
            }
        }
    }
}
