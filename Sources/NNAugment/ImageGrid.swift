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

/// A short line of text under a grid cell, drawn with `BitmapFont` in coloured parts (e.g. the true
/// class in green, an arrow, the predicted class in red).
public struct GridCaption: Sendable {
    public var parts: [(text: String, color: BitmapFont.Color)]

    public init(_ parts: [(text: String, color: BitmapFont.Color)]) {
        self.parts = parts
    }

    public var text: String { parts.map(\.text).joined() }
}

/// Lays images out in rows and columns, scaled up by pixel repetition (nearest neighbour, so
/// pixels stay crisp), on a gray background with a gap between cells, and renders an RGB image.
/// Cells may have captions: a strip under every cell of the grid holds each cell's text, centred
/// (and cut at the cell's edges if it is wider).
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
    /// Each font pixel of a caption is a `captionScale` x `captionScale` block.
    public var captionScale = 1

    public init(scale: Int = 1, gap: Int = 2, separatorAfterColumn: Int? = nil, separatorWidth: Int = 4) {
        self.scale = max(1, scale)
        self.gap = max(0, gap)
        self.separatorAfterColumn = separatorAfterColumn
        self.separatorWidth = separatorWidth
        self.background = (48, 48, 48)
        self.separatorColor = (220, 40, 40)
    }

    /// The size in pixels of the image `render` makes for `rows` rows of `columns` cells of
    /// `cellHeight` x `cellWidth` source pixels (with a caption strip under each row if
    /// `captioned`); lets a caller refuse a grid too large to draw.
    public func canvasSize(rows: Int, columns: Int, cellHeight: Int, cellWidth: Int, captioned: Bool = false)
        -> (width: Int, height: Int)
    {
        let columns = max(1, columns)
        let sepExtra = separatorExtra(columns: columns)
        return (
            gap + columns * (cellWidth * scale + gap) + sepExtra,
            gap + max(1, rows) * (cellHeight * scale + captionHeight(captioned) + gap)
        )
    }

    /// The height of the caption strip under each cell: a line of text with 2 pixels above and
    /// below.
    public func captionHeight(_ captioned: Bool) -> Int {
        captioned ? BitmapFont.height(scale: captionScale) + 4 : 0
    }

    private func separatorExtra(columns: Int) -> Int {
        separatorAfterColumn.map { $0 > 0 && $0 < columns ? separatorWidth + gap : 0 } ?? 0
    }

    /// Renders `rows` (a `nil` cell leaves its place empty). Every cell must have the same size.
    /// `captions`, if given, has the same shape as `rows` (missing entries mean no caption).
    public func render(rows: [[GridCell?]], captions: [[GridCaption?]]? = nil) -> PNGImage {
        let cells = rows.flatMap { $0 }.compactMap { $0 }
        let cellH = (cells.first?.height ?? 1) * scale
        let cellW = (cells.first?.width ?? 1) * scale
        let columns = max(1, rows.map(\.count).max() ?? 1)
        let sepExtra = separatorExtra(columns: columns)
        let captioned = captions != nil
        let pitch = cellH + captionHeight(captioned) + gap
        let (width, height) = canvasSize(
            rows: rows.count, columns: columns, cellHeight: cells.first?.height ?? 1,
            cellWidth: cells.first?.width ?? 1,
            captioned: captioned)
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
                let y0 = gap + r * pitch
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
        var image = PNGImage(width: width, height: height, channels: 3, pixels: pixels)
        for (r, row) in (captions ?? []).enumerated() where r < rows.count {
            for (c, maybeCaption) in row.enumerated() where c < columns {
                guard let caption = maybeCaption else { continue }
                let x0 = gap + c * (cellW + gap) + (separatorAfterColumn.map { c >= $0 ? sepExtra : 0 } ?? 0)
                let y = gap + r * pitch + cellH + 2
                var x = x0 + max(0, (cellW - BitmapFont.width(of: caption.text, scale: captionScale)) / 2)
                for part in caption.parts {
                    BitmapFont.draw(
                        part.text, into: &image, x: x, y: y, scale: captionScale, color: part.color,
                        clip: (x0..<(x0 + cellW), y..<(y + BitmapFont.height(scale: captionScale))))
                    x += part.text.count * (BitmapFont.glyphWidth + BitmapFont.spacing) * captionScale
                }
            }
        }
        return image
    }
}
