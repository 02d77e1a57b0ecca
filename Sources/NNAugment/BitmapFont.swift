import Foundation

/// A 5x7 pixel font with descenders, drawn into `PNGImage`s for the words on generated pictures
/// (class names on a confusion matrix, captions under images, operation parameters under
/// augmentation variants) without a font library. It has every printable ASCII character and the
/// signs → … × ° ± (`BitmapFontGlyphs.swift`). A letter with a diacritic draws as its base letter
/// (a folder of "Café" images is labelled "Cafe"); any other character draws as a hollow box, so a
/// missing glyph is visible rather than silently dropped.
///
/// Why bitmap rather than a real font through FreeType: the pictures are byte-for-byte the same for
/// the same data and seed, on every machine, and the tests assert exact pixels. Anti-aliased
/// outlines change with the FreeType version and its settings, would need a new system library
/// and font package, and would make every picture test approximate. At the sizes these pictures
/// use (1x under 28-pixel images, 2x for headings) a pixel font is also the sharper one.
///
/// Text is drawn left to right, or turned a quarter counter-clockwise to read bottom to top
/// (`Direction.up`, for column labels).
public enum BitmapFont {
    public static let glyphWidth = 5
    /// Rows from the top of a capital to the baseline.
    public static let glyphHeight = 7
    /// Rows below the baseline (for g j p q y , ; _).
    public static let descent = 2
    /// The height of a line: cap height and descent.
    public static let lineHeight = glyphHeight + descent
    /// Blank columns between glyphs, before scaling.
    public static let spacing = 1

    public typealias Color = (UInt8, UInt8, UInt8)

    /// Which way text runs.
    public enum Direction: Sendable {
        /// Left to right (the usual).
        case right
        /// Bottom to top: the text turned a quarter counter-clockwise, its first character at the
        /// bottom; the glyphs' tops face left.
        case up
    }

    /// Each glyph's rows, `lineHeight` of them, as bit masks (bit 4 is the leftmost column).
    static let glyphs: [Character: [UInt8]] = {
        var table = [Character: [UInt8]]()
        for (character, source) in glyphSource {
            var rows = source.split(separator: " ").map { row in
                row.reduce(UInt8(0)) { bits, pixel in bits << 1 | (pixel == "#" ? 1 : 0) }
            }
            rows += [UInt8](repeating: 0, count: max(0, lineHeight - rows.count))
            table[character] = rows
        }
        return table
    }()
    static let missingGlyph: [UInt8] = [0b11111, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b11111, 0, 0]

    /// Whether `character` has a glyph of its own (others draw as their base letter or a box).
    public static func canDraw(_ character: Character) -> Bool { glyphs[character] != nil }

    /// The rows `character` draws with: its glyph, else the glyph of the letter it is with its
    /// diacritics removed (é → e, Å → A), else the hollow box.
    static func glyph(for character: Character) -> [UInt8] {
        if let rows = glyphs[character] { return rows }
        let base = String(character).folding(options: [.diacriticInsensitive, .widthInsensitive], locale: nil)
        if base.count == 1, let first = base.first, let rows = glyphs[first] { return rows }
        return missingGlyph
    }

    /// The glyph of `character` as rows of "#" and "." (for tests and documentation).
    public static func rows(of character: Character) -> [String] {
        glyph(for: character).map { bits in
            String((0..<glyphWidth).map { bits >> (glyphWidth - 1 - $0) & 1 == 1 ? "#" : "." })
        }
    }

    /// The length in pixels of `text` drawn at `scale` (no trailing space): its width, or its
    /// height when drawn `.up`.
    public static func width(of text: String, scale: Int = 1) -> Int {
        text.isEmpty ? 0 : (text.count * (glyphWidth + spacing) - spacing) * max(1, scale)
    }

    /// The height in pixels of a line drawn at `scale` (descender included).
    public static func height(scale: Int = 1) -> Int { lineHeight * max(1, scale) }

    /// The height of capitals and digits at `scale`: what to centre a number by.
    public static func capHeight(scale: Int = 1) -> Int { glyphHeight * max(1, scale) }

    /// How many characters fit in `width` pixels at `scale`.
    public static func characters(fitting width: Int, scale: Int = 1) -> Int {
        max(0, (width + spacing * max(1, scale)) / ((glyphWidth + spacing) * max(1, scale)))
    }

    /// `text` if it fits in `width` pixels at `scale`, else as many of its first characters as fit
    /// with "…" after them (trailing spaces and dashes dropped), or "" when not even one does.
    public static func fitted(_ text: String, width: Int, scale: Int = 1) -> String {
        let room = characters(fitting: width, scale: scale)
        guard text.count > room else { return text }
        guard room >= 2 else { return room == 1 && text.count == 1 ? text : "" }
        var kept = String(text.prefix(room - 1))
        while let last = kept.last, last == " " || last == "-" || last == "/" || last == "," { kept.removeLast() }
        return kept.isEmpty ? "" : kept + "…"
    }

    /// Draws `text` with the top-left corner of its box at (`x`, `y`), each font pixel a `scale` x
    /// `scale` block of `color`. The box is `width(of:)` wide and `height(scale:)` tall, or the
    /// other way round for `.up`. Pixels outside `clip` (default: the whole image) are left alone.
    /// Gray images get the colour's luminance; RGBA images get opaque ink.
    public static func draw(
        _ text: String, into image: inout PNGImage, x: Int, y: Int, scale: Int = 1, color: Color,
        clip: (x: Range<Int>, y: Range<Int>)? = nil, direction: Direction = .right
    ) {
        let scale = max(1, scale)
        let xRange = (clip?.x ?? 0..<image.width).clamped(to: 0..<image.width)
        let yRange = (clip?.y ?? 0..<image.height).clamped(to: 0..<image.height)
        guard !xRange.isEmpty, !yRange.isEmpty else { return }
        // Rec. 601 luma weights, in thousandths.
        let red: Int = 299 * Int(color.0)
        let green: Int = 587 * Int(color.1)
        let blue: Int = 114 * Int(color.2)
        let gray = UInt8((red + green + blue + 500) / 1000)
        let channels = image.channels
        let imageWidth = image.width
        let length = width(of: text, scale: scale)
        image.pixels.withUnsafeMutableBufferPointer { pixels in
            func ink(_ px: Int, _ py: Int) {
                guard xRange.contains(px), yRange.contains(py) else { return }
                let o = (py * imageWidth + px) * channels
                if channels == 1 {
                    pixels[o] = gray
                } else {
                    pixels[o] = color.0
                    pixels[o + 1] = color.1
                    pixels[o + 2] = color.2
                    if channels == 4 { pixels[o + 3] = 255 }
                }
            }
            for (n, character) in text.enumerated() {
                let rows = glyph(for: character)
                // Position along the line and across it, in pixels from the box's start.
                let start = n * (glyphWidth + spacing) * scale
                for (row, bits) in rows.enumerated() where bits != 0 {
                    for column in 0..<glyphWidth where bits >> (glyphWidth - 1 - column) & 1 == 1 {
                        for dy in 0..<scale {
                            for dx in 0..<scale {
                                let along = start + column * scale + dx
                                let across = row * scale + dy
                                switch direction {
                                case .right: ink(x + along, y + across)
                                case .up: ink(x + across, y + length - 1 - along)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
