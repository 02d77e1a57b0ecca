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

    @Test func everyGlyphIsFiveBySeven() {
        for (character, rows) in BitmapFont.glyphs {
            #expect(rows.count == 7 && rows.allSatisfy { $0.count == 5 }, "glyph \(character)")
        }
        for character in "0123456789TRUEPDIC%→>-./ " {
            #expect(BitmapFont.canDraw(character))
        }
        #expect(!BitmapFont.canDraw("x"))
    }

    @Test func drawsTextWithSpacing() {
        var image = Self.blank(width: 11, height: 7)
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
            ])
        #expect(BitmapFont.width(of: "17") == 11 && BitmapFont.width(of: "17", scale: 2) == 22)
        #expect(BitmapFont.width(of: "") == 0 && BitmapFont.height(scale: 3) == 21)
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
        var box = Self.blank(width: 5, height: 7)
        BitmapFont.draw("x", into: &box, x: 0, y: 0, color: (255, 255, 255))
        #expect(Self.picture(box) == ["#####", "#...#", "#...#", "#...#", "#...#", "#...#", "#####"])
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
    @Test func captionsAddAStripUnderEachRow() {
        var grid = ImageGrid(scale: 2, gap: 1)
        grid.captionScale = 1
        // Two 6x6 white cells (12x12 on screen), one row, captions "1" and "2>3".
        let cell = GridCell(channels: 1, height: 6, width: 6, pixels: [UInt8](repeating: 255, count: 36))
        let captions: [[GridCaption?]] = [
            [
                GridCaption([("1", (0, 255, 0))]),
                GridCaption([("2", (0, 255, 0)), (">", (9, 9, 9)), ("3", (255, 0, 0))]),
            ]
        ]
        #expect(grid.captionHeight(true) == 11 && grid.captionHeight(false) == 0)
        let size = grid.canvasSize(rows: 1, columns: 2, cellHeight: 6, cellWidth: 6, captioned: true)
        #expect(size.width == 1 + 2 * 13 && size.height == 1 + 12 + 11 + 1)
        let image = grid.render(rows: [[cell, cell]], captions: captions)
        #expect(image.width == size.width && image.height == size.height)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] {
            Array(image.pixels[(3 * (y * image.width + x))..<(3 * (y * image.width + x) + 3)])
        }
        // "1" (5 wide) is centred in the 12-pixel cell starting at x = 1: from x = 1 + 3 = 4; its
        // top row "..#.." puts ink at x = 6, y = 1 + 12 + 2 = 15.
        #expect(pixel(6, 15) == [0, 255, 0])
        #expect(pixel(5, 15) == [48, 48, 48])
        // "2>3" is 17 pixels, wider than the cell: it starts at the cell's left edge (x = 14) and
        // is cut at its right edge (x = 25); the "3" would start at x = 26 and is not drawn.
        #expect(pixel(15, 15) == [0, 255, 0])  // top row of "2" is ".###."
        #expect(pixel(26, 15) == [48, 48, 48])
        // Without captions the grid is as before.
        #expect(grid.render(rows: [[cell, cell]]).height == 1 + 12 + 1)
    }
}
