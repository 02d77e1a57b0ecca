import NNAugment

/// A PNG picture of a confusion matrix: one square per (true, predicted) pair, rows true classes
/// and columns predicted classes (as in the terminal table and the CSV), coloured by the share of
/// the true class's samples that landed in the cell.
///
/// The colour is viridis(sqrt(share)): the square root spreads the small shares that matter most
/// (a 2% confusion is a third of the way up the ramp, not invisible next to a 98% diagonal); the
/// legend bar on the right is labelled in shares (0, 10, 25, 50, 100%) at their places on that
/// scale. Each square also shows its count when it fits, in black or white for contrast, and the
/// class indices label the rows and columns ("TRUE" and "PREDICTED" say which is which), drawn
/// with the built-in `BitmapFont`; class names are in the terminal output and the CSV. A row of
/// a class with no samples is light gray.
public struct ConfusionMatrixHeatmap {
    public typealias Color = (UInt8, UInt8, UInt8)

    public static let background: Color = (255, 255, 255)
    public static let ink: Color = (40, 40, 40)
    public static let emptyRow: Color = (220, 220, 220)
    static let margin = 12

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
        /// Scale of the index labels, and which of them are drawn (every `columnLabelStride`-th
        /// column and `rowLabelStride`-th row, when squares are too small for all).
        public let labelScale: Int
        public let columnLabelStride: Int
        public let rowLabelStride: Int
        /// Scale of the counts in the squares (0: they do not fit and are left out).
        public let countScale: Int

        public var gridSize: Int { classCount * cellSize }

        /// The top-left pixel of the square for (`truth`, `predicted`); the square fills
        /// `cellSize - 1` pixels each way, leaving a white line between squares.
        public func cellOrigin(truth: Int, predicted: Int) -> (x: Int, y: Int) {
            (gridLeft + predicted * cellSize, gridTop + truth * cellSize)
        }
    }

    /// A square size that keeps the grid about 480 to 640 pixels wide: 48 for up to 13 classes,
    /// smaller for more, at least 3 (a thousand classes make a 3000-pixel picture).
    public static func defaultCellSize(classCount: Int) -> Int {
        max(3, min(48, 640 / max(1, classCount)))
    }

    public static func layout(classCount: Int, maxCount: Int, cellSize: Int? = nil) -> Layout {
        let n = max(1, classCount)
        let cell = max(3, cellSize ?? defaultCellSize(classCount: n))
        let largestIndex = String(n - 1)
        // Index labels at scale 2 if they fit a square, else at scale 1 on every `stride`-th row or
        // column (1, 2, 5, 10, ...), so that neighbouring labels never touch.
        let labelScale =
            BitmapFont.width(of: largestIndex, scale: 2) <= cell - 2 && BitmapFont.height(scale: 2) <= cell - 2 ? 2 : 1
        func stride(for size: Int) -> Int {
            [1, 2, 5, 10, 20, 50, 100, 200, 500].first { size <= $0 * cell - 3 } ?? 1000
        }
        let columnStride = stride(for: BitmapFont.width(of: largestIndex, scale: labelScale))
        let rowStride = stride(for: BitmapFont.height(scale: labelScale))
        let countText = String(maxCount)
        let countScale =
            BitmapFont.width(of: countText, scale: 2) <= cell - 6
            ? 2 : BitmapFont.width(of: countText, scale: 1) <= cell - 3 && cell >= 11 ? 1 : 0
        let titleHeight = BitmapFont.height(scale: 2)
        // Above the grid: "PREDICTED", then the column indices. Left of it: "TRUE" (stacked
        // letters), then the row indices.
        let labelHeight = BitmapFont.height(scale: labelScale) + 6
        let labelWidth = BitmapFont.width(of: largestIndex, scale: labelScale) + 6
        let gridTop = margin + titleHeight + 8 + labelHeight
        let gridLeft = margin + BitmapFont.width(of: "T", scale: 2) + 16 + labelWidth
        let legendLeft = gridLeft + n * cell + 16
        let legendWidth = 14
        let legendLabelScale = n * cell >= 200 ? 2 : 1
        let width = legendLeft + legendWidth + 6 + BitmapFont.width(of: "100%", scale: legendLabelScale) + margin
        let height = max(gridTop + n * cell, gridTop + 4 * (BitmapFont.height(scale: 2) + 4)) + margin
        return Layout(
            classCount: n, cellSize: cell, gridLeft: gridLeft, gridTop: gridTop, legendLeft: legendLeft,
            legendWidth: legendWidth, width: width, height: height, labelScale: labelScale,
            columnLabelStride: columnStride,
            rowLabelStride: rowStride, countScale: countScale)
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
        let layout = layout(classCount: n, maxCount: maxCount, cellSize: cellSize)
        var image = PNGImage(
            width: layout.width, height: layout.height, channels: 3,
            pixels: [UInt8](repeating: 255, count: layout.width * layout.height * 3))
        let cell = layout.cellSize

        // Titles.
        let predicted = "PREDICTED"
        BitmapFont.draw(
            predicted, into: &image,
            x: layout.gridLeft + max(0, (layout.gridSize - BitmapFont.width(of: predicted, scale: 2)) / 2),
            y: margin, scale: 2, color: ink)
        let letterPitch = BitmapFont.height(scale: 2) + 4
        let trueTop = layout.gridTop + max(0, (layout.gridSize - 4 * letterPitch + 4) / 2)
        for (i, letter) in "TRUE".enumerated() {
            BitmapFont.draw(String(letter), into: &image, x: margin, y: trueTop + i * letterPitch, scale: 2, color: ink)
        }

        // Index labels: columns centred above, rows right-aligned to the left of the grid.
        let labelHeight = BitmapFont.height(scale: layout.labelScale)
        for i in 0..<n {
            let text = String(i)
            let textWidth = BitmapFont.width(of: text, scale: layout.labelScale)
            if i % layout.columnLabelStride == 0 {
                BitmapFont.draw(
                    text, into: &image, x: layout.gridLeft + i * cell + (cell - 1 - textWidth) / 2,
                    y: layout.gridTop - 6 - labelHeight, scale: layout.labelScale, color: ink)
            }
            if i % layout.rowLabelStride == 0 {
                BitmapFont.draw(
                    text, into: &image, x: layout.gridLeft - 6 - textWidth,
                    y: layout.gridTop + i * cell + (cell - 1 - labelHeight) / 2, scale: layout.labelScale, color: ink)
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
                        y: y0 + (cell - 1 - BitmapFont.height(scale: layout.countScale)) / 2,
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
        let legendTextHeight = BitmapFont.height(scale: legendScale)
        var lastLabelTop = Int.max
        for (share, label) in legendShares {
            let y = barBottom - Int((share.squareRoot() * Double(barHeight - 1)).rounded())
            fillRect(&image, x: layout.legendLeft + layout.legendWidth, y: y, width: 4, height: 1, color: ink)
            let top = min(max(layout.gridTop, y - legendTextHeight / 2), barBottom - legendTextHeight + 1)
            // Leave out a label that would touch the one below it.
            guard top + legendTextHeight + 2 <= lastLabelTop else { continue }
            BitmapFont.draw(
                label, into: &image, x: layout.legendLeft + layout.legendWidth + 6, y: top, scale: legendScale,
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
