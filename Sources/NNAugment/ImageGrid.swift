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

/// A line of text drawn with `BitmapFont` in coloured parts (the true class in green, an arrow,
/// the predicted class in red).
public struct GridText: Sendable {
    public var parts: [(text: String, color: BitmapFont.Color)]

    public init(_ parts: [(text: String, color: BitmapFont.Color)]) {
        self.parts = parts
    }

    public init(_ text: String, color: BitmapFont.Color) {
        parts = [(text, color)]
    }

    public var text: String { parts.map(\.text).joined() }

    /// The line cut to `width` pixels at `scale`: whole parts while they fit, then as much of the
    /// next one as fits before a "…" in that part's colour (as `BitmapFont.fitted` cuts a string).
    public func fitted(width: Int, scale: Int) -> GridText {
        let room = BitmapFont.characters(fitting: width, scale: scale)
        guard text.count > room else { return self }
        guard room >= 2 else { return GridText([]) }
        var left = room - 1
        var kept = [(text: String, color: BitmapFont.Color)]()
        for part in parts {
            if part.text.count <= left {
                kept.append(part)
                left -= part.text.count
                continue
            }
            var cut = String(part.text.prefix(left))
            while let last = cut.last, last == " " || last == "-" || last == "/" || last == "," { cut.removeLast() }
            kept.append((cut + "…", part.color))
            break
        }
        return GridText(kept)
    }
}

/// The text under a grid cell: one or more lines, each centred under the cell.
public struct GridCaption: Sendable {
    public var lines: [GridText]

    /// A caption of one line.
    public init(_ parts: [(text: String, color: BitmapFont.Color)]) {
        lines = [GridText(parts)]
    }

    public init(lines: [GridText]) {
        self.lines = lines
    }

    /// The lines joined by newlines.
    public var text: String { lines.map(\.text).joined(separator: "\n") }
}

/// Lays images out in rows and columns, scaled up by pixel repetition (nearest neighbour, so
/// pixels stay crisp), on a gray background with a gap between cells, and renders an RGB image.
///
/// A row may have a title: a line of text in a strip above it, from its left edge (a class name
/// above a row of samples). Cells may have captions: a strip under every row holds each cell's
/// lines of text, each centred under its cell and shortened with "…" where it is wider.
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
    /// The same for row titles.
    public var titleScale = 1

    public init(scale: Int = 1, gap: Int = 2, separatorAfterColumn: Int? = nil, separatorWidth: Int = 4) {
        self.scale = max(1, scale)
        self.gap = max(0, gap)
        self.separatorAfterColumn = separatorAfterColumn
        self.separatorWidth = separatorWidth
        self.background = (48, 48, 48)
        self.separatorColor = (220, 40, 40)
    }

    /// The size in pixels of the image `render` makes for `rows` rows of `columns` cells of
    /// `cellHeight` x `cellWidth` source pixels, with `captionLines` lines of caption under each
    /// row and a title strip above each if `titled`; lets a caller refuse a grid too large to draw.
    public func canvasSize(
        rows: Int, columns: Int, cellHeight: Int, cellWidth: Int, captionLines: Int = 0, titled: Bool = false
    ) -> (width: Int, height: Int) {
        let columns = max(1, columns)
        let sepExtra = separatorExtra(columns: columns)
        return (
            gap + columns * (cellWidth * scale + gap) + sepExtra,
            gap + max(1, rows) * (titleHeight(titled) + cellHeight * scale + captionHeight(lines: captionLines) + gap)
        )
    }

    /// Pixels from the top of one caption line to the top of the next: a line and one blank
    /// font row, so that a descender never touches the capitals below it.
    public var captionLinePitch: Int { BitmapFont.height(scale: captionScale) + captionScale }

    /// The height of the caption strip under each row for `lines` lines of text: the lines, with
    /// 2 pixels above and below (0 for none).
    public func captionHeight(lines: Int) -> Int {
        lines > 0 ? lines * captionLinePitch - captionScale + 4 : 0
    }

    /// The height of the title strip above each row: a line of text with 2 pixels above and below.
    public func titleHeight(_ titled: Bool) -> Int {
        titled ? BitmapFont.height(scale: titleScale) + 4 : 0
    }

    private func separatorExtra(columns: Int) -> Int {
        separatorAfterColumn.map { $0 > 0 && $0 < columns ? separatorWidth + gap : 0 } ?? 0
    }

    /// Renders `rows` (a `nil` cell leaves its place empty). Every cell must have the same size.
    /// `captions`, if given, has the same shape as `rows` (missing entries mean no caption);
    /// `titles` has one entry per row (nil for none).
    public func render(rows: [[GridCell?]], captions: [[GridCaption?]]? = nil, titles: [GridText?]? = nil)
        -> PNGImage
    {
        let cells = rows.flatMap { $0 }.compactMap { $0 }
        let cellH = (cells.first?.height ?? 1) * scale
        let cellW = (cells.first?.width ?? 1) * scale
        let columns = max(1, rows.map(\.count).max() ?? 1)
        let sepExtra = separatorExtra(columns: columns)
        let captionLines = (captions ?? []).flatMap { $0 }.map { $0?.lines.count ?? 0 }.max() ?? 0
        let titled = (titles ?? []).contains { $0 != nil }
        let titleStrip = titleHeight(titled)
        let pitch = titleStrip + cellH + captionHeight(lines: captionLines) + gap
        let (width, height) = canvasSize(
            rows: rows.count, columns: columns, cellHeight: cells.first?.height ?? 1,
            cellWidth: cells.first?.width ?? 1, captionLines: captionLines, titled: titled)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            pixels[3 * i] = background.0
            pixels[3 * i + 1] = background.1
            pixels[3 * i + 2] = background.2
        }
        func left(ofColumn c: Int) -> Int {
            gap + c * (cellW + gap) + (separatorAfterColumn.map { c >= $0 ? sepExtra : 0 } ?? 0)
        }
        if sepExtra > 0, let after = separatorAfterColumn {
            // The bar runs the whole height, except through the title strips (a title spans the row).
            let x0 = gap + after * (cellW + gap)
            for y in 0..<height where titleStrip == 0 || y < gap || (y - gap) % pitch >= titleStrip {
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
                let x0 = left(ofColumn: c)
                let y0 = gap + r * pitch + titleStrip
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
        for (r, title) in (titles ?? []).enumerated() where r < rows.count {
            guard let title else { continue }
            let room = width - 2 * gap
            draw(
                title.fitted(width: room, scale: titleScale), into: &image, x: gap, y: gap + r * pitch + 2,
                scale: titleScale, clip: (gap..<(gap + room), 0..<height))
        }
        for (r, row) in (captions ?? []).enumerated() where r < rows.count {
            for (c, maybeCaption) in row.enumerated() where c < columns {
                guard let caption = maybeCaption else { continue }
                let x0 = left(ofColumn: c)
                for (n, line) in caption.lines.enumerated() {
                    let shown = line.fitted(width: cellW, scale: captionScale)
                    let y = gap + r * pitch + titleStrip + cellH + 2 + n * captionLinePitch
                    let x = x0 + max(0, (cellW - BitmapFont.width(of: shown.text, scale: captionScale)) / 2)
                    draw(shown, into: &image, x: x, y: y, scale: captionScale, clip: (x0..<(x0 + cellW), 0..<height))
                }
            }
        }
        return image
    }

    /// Draws a line's parts one after another from (`x`, `y`).
    private func draw(
        _ line: GridText, into image: inout PNGImage, x: Int, y: Int, scale: Int, clip: (x: Range<Int>, y: Range<Int>)
    ) {
        var x = x
        for part in line.parts {
            BitmapFont.draw(part.text, into: &image, x: x, y: y, scale: scale, color: part.color, clip: clip)
            x += part.text.count * (BitmapFont.glyphWidth + BitmapFont.spacing) * scale
        }
    }
}
