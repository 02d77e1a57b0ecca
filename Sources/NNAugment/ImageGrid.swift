/// One image for a grid: 8-bit, channel-major (CHW), 1 or 3 channels.
public struct GridCell: Sendable {
    public let channels: Int
    public let height: Int
    public let width: Int
    public let pixels: [UInt8]

    public init(channels: Int, height: Int, width: Int, pixels: [UInt8]) {
        precondition(channels == 1 || channels == 3, "a grid cell has 1 or 3 channels")
        precondition(pixels.count == channels * height * width)
        self.channels = channels
        self.height = height
        self.width = width
        self.pixels = pixels
    }
}

/// Lays images out in rows and columns, scaled up by pixel repetition (nearest neighbour, so
/// pixels stay crisp), on a gray background with a gap between cells, and renders an RGB image.
public struct ImageGrid: Sendable {
    /// Each source pixel becomes a `scale` x `scale` block.
    public var scale: Int
    /// Background pixels between cells.
    public var gap: Int
    /// If set, a coloured bar is drawn after this many columns (e.g. to set originals apart).
    public var separatorAfterColumn: Int?
    /// Width of the separator bar, in pixels.
    public var separatorWidth: Int
    public var background: (UInt8, UInt8, UInt8)
    public var separatorColor: (UInt8, UInt8, UInt8)

    public init(scale: Int = 1, gap: Int = 2, separatorAfterColumn: Int? = nil, separatorWidth: Int = 4) {
        self.scale = max(1, scale)
        self.gap = max(0, gap)
        self.separatorAfterColumn = separatorAfterColumn
        self.separatorWidth = separatorWidth
        self.background = (48, 48, 48)
        self.separatorColor = (220, 40, 40)
    }

    /// The size in pixels of the image `render` makes for `rows` rows of `columns` cells of
    /// `cellHeight` x `cellWidth` source pixels; lets a caller refuse a grid too large to draw.
    public func canvasSize(rows: Int, columns: Int, cellHeight: Int, cellWidth: Int) -> (width: Int, height: Int) {
        let columns = max(1, columns)
        let sepExtra = separatorExtra(columns: columns)
        return (
            gap + columns * (cellWidth * scale + gap) + sepExtra, gap + max(1, rows) * (cellHeight * scale + gap)
        )
    }

    private func separatorExtra(columns: Int) -> Int {
        separatorAfterColumn.map { $0 > 0 && $0 < columns ? separatorWidth + gap : 0 } ?? 0
    }

    /// Renders `rows` (a `nil` cell leaves its place empty). Every cell must have the same size.
    public func render(rows: [[GridCell?]]) -> PNGImage {
        let cells = rows.flatMap { $0 }.compactMap { $0 }
        let cellH = (cells.first?.height ?? 1) * scale
        let cellW = (cells.first?.width ?? 1) * scale
        let columns = max(1, rows.map(\.count).max() ?? 1)
        let sepExtra = separatorExtra(columns: columns)
        let (width, height) = canvasSize(
            rows: rows.count, columns: columns, cellHeight: cells.first?.height ?? 1, cellWidth: cells.first?.width ?? 1
        )
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            pixels[3 * i] = background.0
            pixels[3 * i + 1] = background.1
            pixels[3 * i + 2] = background.2
        }
        if sepExtra > 0, let after = separatorAfterColumn {
            let x0 = gap + after * (cellW + gap)
            for y in 0..<height {
                for x in x0..<(x0 + separatorWidth) {
                    let o = 3 * (y * width + x)
                    pixels[o] = separatorColor.0
                    pixels[o + 1] = separatorColor.1
                    pixels[o + 2] = separatorColor.2
                }
            }
        }
        for (r, row) in rows.enumerated() {
            for (c, maybeCell) in row.enumerated() {
                guard let cell = maybeCell else { continue }
                precondition(cell.height * scale == cellH && cell.width * scale == cellW, "grid cells differ in size")
                let x0 = gap + c * (cellW + gap) + (separatorAfterColumn.map { c >= $0 ? sepExtra : 0 } ?? 0)
                let y0 = gap + r * (cellH + gap)
                let plane = cell.height * cell.width
                for y in 0..<cellH {
                    let sy = y / scale
                    for x in 0..<cellW {
                        let s = sy * cell.width + x / scale
                        let o = 3 * ((y0 + y) * width + x0 + x)
                        if cell.channels == 1 {
                            let v = cell.pixels[s]
                            pixels[o] = v
                            pixels[o + 1] = v
                            pixels[o + 2] = v
                        } else {
                            pixels[o] = cell.pixels[s]
                            pixels[o + 1] = cell.pixels[plane + s]
                            pixels[o + 2] = cell.pixels[2 * plane + s]
                        }
                    }
                }
            }
        }
        return PNGImage(width: width, height: height, channels: 3, pixels: pixels)
    }
}
