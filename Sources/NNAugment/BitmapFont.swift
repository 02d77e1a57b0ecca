/// A tiny 5x7 pixel font drawn into `PNGImage`s, for labels on generated pictures (class indices
/// on a heatmap, "3→5" under a misclassified sample) without a font library. It has the digits,
/// the capitals of TRUE and PREDICTED, and a few signs (% → > - . / and space); any other
/// character draws as a hollow box, so a missing glyph is visible rather than silently dropped.
public enum BitmapFont {
    public static let glyphWidth = 5
    public static let glyphHeight = 7
    /// Blank columns between glyphs, before scaling.
    public static let spacing = 1

    public typealias Color = (UInt8, UInt8, UInt8)

    /// Each glyph is 7 rows of 5 columns; "#" is ink.
    static let glyphs: [Character: [String]] = [
        "0": [".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."],
        "1": ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
        "2": [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
        "3": ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."],
        "4": ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
        "5": ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
        "6": ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
        "7": ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
        "8": [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
        "9": [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
        "C": [".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."],
        "D": ["###..", "#..#.", "#...#", "#...#", "#...#", "#..#.", "###.."],
        "E": ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
        "I": [".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."],
        "P": ["####.", "#...#", "#...#", "####.", "#....", "#....", "#...."],
        "R": ["####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"],
        "T": ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."],
        "U": ["#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
        "%": ["##...", "##..#", "...#.", "..#..", ".#...", "#..##", "...##"],
        "→": [".....", "..#..", "...#.", "#####", "...#.", "..#..", "....."],
        ">": [".....", ".#...", "..#..", "...#.", "..#..", ".#...", "....."],
        "-": [".....", ".....", ".....", ".###.", ".....", ".....", "....."],
        ".": [".....", ".....", ".....", ".....", ".....", ".##..", ".##.."],
        "/": [".....", "....#", "...#.", "..#..", ".#...", "#....", "....."],
        " ": [".....", ".....", ".....", ".....", ".....", ".....", "....."],
    ]
    static let missingGlyph = ["#####", "#...#", "#...#", "#...#", "#...#", "#...#", "#####"]

    /// Whether `character` has a glyph of its own (others draw as a box).
    public static func canDraw(_ character: Character) -> Bool { glyphs[character] != nil }

    /// The width in pixels of `text` drawn at `scale` (no trailing space).
    public static func width(of text: String, scale: Int = 1) -> Int {
        text.isEmpty ? 0 : (text.count * (glyphWidth + spacing) - spacing) * max(1, scale)
    }

    /// The height in pixels of a line drawn at `scale`.
    public static func height(scale: Int = 1) -> Int { glyphHeight * max(1, scale) }

    /// Draws `text` with its top-left corner at (`x`, `y`), each font pixel a `scale` x `scale`
    /// block of `color`. Pixels outside `clip` (default: the whole image) are left alone. Gray
    /// images get the colour's luminance; RGBA images get opaque ink.
    public static func draw(
        _ text: String, into image: inout PNGImage, x: Int, y: Int, scale: Int = 1, color: Color,
        clip: (x: Range<Int>, y: Range<Int>)? = nil
    ) {
        let scale = max(1, scale)
        let xRange = (clip?.x ?? 0..<image.width).clamped(to: 0..<image.width)
        let yRange = (clip?.y ?? 0..<image.height).clamped(to: 0..<image.height)
        // Rec. 601 luma weights, in thousandths.
        let red: Int = 299 * Int(color.0)
        let green: Int = 587 * Int(color.1)
        let blue: Int = 114 * Int(color.2)
        let gray = UInt8((red + green + blue + 500) / 1000)
        let channels = image.channels
        let width = image.width
        image.pixels.withUnsafeMutableBufferPointer { pixels in
            for (n, character) in text.enumerated() {
                let rows = glyphs[character] ?? missingGlyph
                let left = x + n * (glyphWidth + spacing) * scale
                for (row, bits) in rows.enumerated() {
                    for (column, bit) in bits.enumerated() where bit == "#" {
                        for py in (y + row * scale)..<(y + (row + 1) * scale) where yRange.contains(py) {
                            for px in (left + column * scale)..<(left + (column + 1) * scale) where xRange.contains(px)
                            {
                                let o = (py * width + px) * channels
                                if channels == 1 {
                                    pixels[o] = gray
                                } else {
                                    pixels[o] = color.0
                                    pixels[o + 1] = color.1
                                    pixels[o + 2] = color.2
                                    if channels == 4 { pixels[o + 3] = 255 }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
