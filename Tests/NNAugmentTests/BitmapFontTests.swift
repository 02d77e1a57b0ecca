import Testing

@testable import NNAugment

@Suite struct BitmapFontTests {
    /// The ink of `image` (gray) as rows of "#" and ".".
    static func picture(_ image: PNGImage) -> [String] {
        (0..<image.height).map { y in
            String((0..<image.width).map { x in image.pixels[y * image.width + x] > 0 ? "#" : "." })
        }
    }

    static func blank(width: Int, height: Int, channels: Int = 1) -> PNGImage {
        PNGImage(
            width: width, height: height, channels: channels,
            pixels: [UInt8](repeating: 0, count: width * height * channels))
    }

    @Test func everyPrintableASCIICharacterHasItsOwnGlyph() {
        let ascii = (32...126).map { Character(Unicode.Scalar(UInt8($0))) }
        for character in ascii + ["→", "…", "×", "°", "±"] {
            #expect(BitmapFont.canDraw(character), "no glyph for \(character)")
        }
        #expect(BitmapFont.glyphSource.count == 95 + 5)
        for (character, source) in BitmapFont.glyphSource {
            let rows = source.split(separator: " ")
            // 7 rows on the baseline, 9 with a descender; 5 columns of "#" and ".".
            #expect(rows.count == 7 || rows.count == 9, "glyph \(character)")
            #expect(rows.allSatisfy { $0.count == 5 && $0.allSatisfy { $0 == "#" || $0 == "." } }, "glyph \(character)")
        }
        // No two characters look the same (0 and O, 1 l I and |, ' and `, - and _ and ~ apart).
        var seen = [[UInt8]: Character]()
        for (character, _) in BitmapFont.glyphSource where character != " " {
            let bits = BitmapFont.glyphs[character]!
            #expect(seen[bits] == nil, "\(character) looks like \(seen[bits] ?? " ")")
            seen[bits] = character
        }
        // Only g j p q y , ; _ reach below the baseline.
        let descenders = BitmapFont.glyphSource.filter { BitmapFont.glyphs[$0.0]![7...].contains { $0 != 0 } }.map(\.0)
        #expect(String(descenders) == ",;_gjpqy")
        #expect(!BitmapFont.canDraw("é") && !BitmapFont.canDraw("\t"))
    }

    @Test func glyphsAsRows() {
        #expect(
            BitmapFont.rows(of: "g") == [
                ".....", ".....", ".####", "#...#", "#...#", "#...#", ".####", "....#", ".###.",
            ])
        #expect(BitmapFont.rows(of: "A").prefix(7) == [".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"])
    }

    @Test func drawsTextWithSpacing() {
        var image = Self.blank(width: 11, height: 9)
        BitmapFont.draw("17", into: &image, x: 0, y: 0, color: (255, 255, 255))
        #expect(
            Self.picture(image) == [
                "..#...#####",
                ".##.......#",
                "..#......#.",
                "..#.....#..",
                "..#....#...",
                "..#....#...",
                ".###...#...",
                "...........",
                "...........",
            ])
        #expect(BitmapFont.width(of: "17") == 11 && BitmapFont.width(of: "17", scale: 2) == 22)
        #expect(
            BitmapFont.width(of: "") == 0 && BitmapFont.height(scale: 3) == 27 && BitmapFont.capHeight(scale: 3) == 21)
        // A descender: "gy" below the baseline.
        var descend = Self.blank(width: 11, height: 9)
        BitmapFont.draw("gy", into: &descend, x: 0, y: 0, color: (255, 255, 255))
        #expect(Self.picture(descend)[6...] == [".####..####", "....#.....#", ".###...###."])
    }

    @Test func textTurnedToReadUpwards() {
        // "Lj" turned a quarter counter-clockwise: 9 wide (the line's height), 11 tall (its
        // length); the first letter at the bottom, the tops of the glyphs on the left.
        var image = Self.blank(width: 9, height: 11)
        BitmapFont.draw("Lj", into: &image, x: 0, y: 0, color: (255, 255, 255), direction: .up)
        #expect(
            Self.picture(image) == [
                ".........",
                "#.######.",
                "..#.....#",
                "........#",
                ".......#.",
                ".........",
                "......#..",
                "......#..",
                "......#..",
                "......#..",
                "#######..",
            ])
    }

    @Test func fittingShortensWithAnEllipsis() {
        // 6 pixels a character (5 and a space): 40 pixels hold 6 characters (35 pixels).
        #expect(BitmapFont.characters(fitting: 40) == 6 && BitmapFont.characters(fitting: 41) == 7)
        #expect(BitmapFont.characters(fitting: 70, scale: 2) == 6 && BitmapFont.characters(fitting: 4) == 0)
        #expect(BitmapFont.fitted("Sandal", width: 35) == "Sandal")
        #expect(BitmapFont.fitted("Ankle boot", width: 35) == "Ankle…")
        // A cut after a space, dash or slash drops it: "T-shirt/top" in 9 characters is "T-shirt…".
        #expect(BitmapFont.fitted("T-shirt/top", width: BitmapFont.width(of: "123456789")) == "T-shirt…")
        #expect(BitmapFont.fitted("a b", width: BitmapFont.width(of: "12")) == "a…")
        #expect(BitmapFont.fitted("abc", width: 5) == "" && BitmapFont.fitted("a", width: 5) == "a")
        #expect(BitmapFont.fitted("-abc", width: 11) == "")
    }

    @Test func scaleClipAndUnknownCharacters() {
        // Scale 2: each font pixel is a 2x2 block; the clip keeps the right half blank.
        var image = Self.blank(width: 10, height: 14)
        BitmapFont.draw("-", into: &image, x: 0, y: 0, scale: 2, color: (255, 255, 255), clip: (0..<5, 0..<14))
        #expect(Self.picture(image)[6] == "..###.....")
        #expect(Self.picture(image)[7] == "..###.....")
        #expect(
            Self.picture(image).enumerated().allSatisfy {
                $0.offset == 6 || $0.offset == 7 || !$0.element.contains("#")
            })
        // An unknown character is a hollow box; text running off the image is cut, not a crash.
        var box = Self.blank(width: 5, height: 9)
        BitmapFont.draw("日", into: &box, x: 0, y: 0, color: (255, 255, 255))
        #expect(Self.picture(box) == ["#####", "#...#", "#...#", "#...#", "#...#", "#...#", "#####", ".....", "....."])
        // A letter with a diacritic draws as its base letter.
        #expect(
            BitmapFont.rows(of: "é") == BitmapFont.rows(of: "e") && BitmapFont.rows(of: "Å") == BitmapFont.rows(of: "A")
        )
        #expect(!BitmapFont.canDraw("é") && BitmapFont.rows(of: "ß") == BitmapFont.rows(of: "日"))
        var small = Self.blank(width: 3, height: 3)
        BitmapFont.draw("888", into: &small, x: -2, y: -2, scale: 3, color: (255, 255, 255))
        #expect(small.pixels.count == 9)
    }

    @Test func colourIsWrittenPerChannel() {
        var rgb = Self.blank(width: 5, height: 7, channels: 3)
        BitmapFont.draw("1", into: &rgb, x: 0, y: 0, color: (10, 20, 30))
        // Row 0 of "1" is "..#..": pixel (2, 0) is ink.
        #expect(Array(rgb.pixels[6..<9]) == [10, 20, 30] && Array(rgb.pixels[0..<3]) == [0, 0, 0])
        var rgba = Self.blank(width: 5, height: 7, channels: 4)
        BitmapFont.draw("1", into: &rgba, x: 0, y: 0, color: (10, 20, 30))
        #expect(Array(rgba.pixels[8..<12]) == [10, 20, 30, 255])
        var gray = Self.blank(width: 5, height: 7)
        BitmapFont.draw("1", into: &gray, x: 0, y: 0, color: (255, 0, 0))
        // Rec. 601 luma of pure red: 0.299 * 255 = 76.2.
        #expect(gray.pixels[2] == 76)
    }
}

@Suite struct GridCaptionTests {
    @Test func captionLinesUnderEachRowAndATitleAbove() {
        var grid = ImageGrid(scale: 2, gap: 1)
        grid.captionScale = 1
        // Two 6x6 white cells (12x12 on screen), one row titled "ab"; the first cell captioned "1",
        // the second "2>3" over "4".
        let cell = GridCell(channels: 1, height: 6, width: 6, pixels: [UInt8](repeating: 255, count: 36))
        let captions: [[GridCaption?]] = [
            [
                GridCaption([("1", (0, 255, 0))]),
                GridCaption(lines: [
                    GridText([("2", (0, 255, 0)), (">", (9, 9, 9)), ("3", (255, 0, 0))]),
                    GridText("4", color: (7, 7, 7)),
                ]),
            ]
        ]
        // Two caption lines: 9 each, a blank row between, 2 above and 2 below: 23. Title: 9 + 4.
        #expect(grid.captionHeight(lines: 2) == 23 && grid.captionHeight(lines: 0) == 0 && grid.captionLinePitch == 10)
        #expect(grid.titleHeight(true) == 13 && grid.titleHeight(false) == 0)
        let size = grid.canvasSize(rows: 1, columns: 2, cellHeight: 6, cellWidth: 6, captionLines: 2, titled: true)
        #expect(size.width == 1 + 2 * 13 && size.height == 1 + 13 + 12 + 23 + 1)
        let image = grid.render(rows: [[cell, cell]], captions: captions, titles: [GridText("ab", color: (1, 2, 3))])
        #expect(image.width == size.width && image.height == size.height)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] {
            Array(image.pixels[(3 * (y * image.width + x))..<(3 * (y * image.width + x) + 3)])
        }
        // The title starts at the left gap, 2 pixels down: "a"'s row 2 ".###." inks x 2...4, y 5.
        #expect(pixel(2, 5) == [1, 2, 3] && pixel(1, 5) == [48, 48, 48])
        // The cells start under the title strip, at y = 1 + 13.
        #expect(pixel(1, 14) == [255, 255, 255] && pixel(1, 13) == [48, 48, 48])
        // "1" (5 wide) is centred in the 12-pixel cell starting at x = 1: from x = 1 + 3 = 4; its
        // top row "..#.." puts ink at x = 6, y = 14 + 12 + 2 = 28.
        #expect(pixel(6, 28) == [0, 255, 0] && pixel(5, 28) == [48, 48, 48])
        // "2>3" (17 pixels) does not fit 12: it is cut to "2…" (11 pixels, from x = 14), the "…" in
        // the colour of the part it replaces; "…" is row 6 "#.#.#".
        #expect(pixel(15, 28) == [0, 255, 0])
        #expect(pixel(20, 34) == [9, 9, 9] && pixel(21, 34) == [48, 48, 48] && pixel(24, 34) == [9, 9, 9])
        // The second line, 10 pixels lower: "4" centred (from x = 17), top row "...#.".
        #expect(pixel(20, 38) == [7, 7, 7] && pixel(19, 38) == [48, 48, 48])
        // Without captions or titles the grid is as before.
        #expect(grid.render(rows: [[cell, cell]]).height == 1 + 12 + 1)
        // A title wider than the grid is shortened: 25 pixels hold 4 characters, "abc…".
        #expect(GridText("abcdef", color: (0, 0, 0)).fitted(width: 25, scale: 1).text == "abc…")
        #expect(GridText([("ab", (0, 0, 0)), ("cd", (1, 1, 1))]).fitted(width: 23, scale: 1).text == "abcd")
        #expect(GridText("abcdef", color: (0, 0, 0)).fitted(width: 6, scale: 1).text == "")
    }
}
