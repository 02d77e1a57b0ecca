import NNAugment
import Testing

@testable import NNZooKit

@Suite struct ConfusionMatrixHeatmapTests {
    /// Rows (true): class 0 has 8 right and 2 taken for 1; class 1 all 10 right; class 2 has no
    /// samples.
    static func metrics() throws -> ClassificationMetrics {
        try ClassificationMetrics(
            predicted: [0, 0, 0, 0, 0, 0, 0, 0, 1, 1] + [Int](repeating: 1, count: 10),
            truth: [Int](repeating: 0, count: 10) + [Int](repeating: 1, count: 10), classCount: 3)
    }

    @Test func viridisEnds() {
        #expect(ColorRamp.viridis(0) == (68, 1, 84))
        #expect(ColorRamp.viridis(1) == (253, 231, 37))
        #expect(ColorRamp.viridis(.nan) == (68, 1, 84) && ColorRamp.viridis(7) == (253, 231, 37))
        // Halfway between anchors 3 (39,127,142) and 4 (31,161,135): t = 3.5/7.
        #expect(ColorRamp.viridis(0.5) == (35, 144, 139))
    }

    @Test func layoutOfThreeClasses() throws {
        let layout = ConfusionMatrixHeatmap.layout(classNames: ["0", "1", "2"], maxCount: 10)
        // 48-pixel squares; labels and counts fit at scale 2 ("10" is 22 pixels); the one-digit
        // names fit their columns, so they are not turned.
        #expect(layout.cellSize == 48 && layout.labelScale == 2 && layout.countScale == 2)
        #expect(!layout.columnLabelsUp && layout.labels == ["0", "1", "2"] && layout.tickGap == 6)
        // Top: margin 12, "Predicted class" 18 high, 8, a line of labels 18, gap 6, tick 5, 1 -> 68.
        // Left: margin 12, "True class" turned (18 wide), 8, the widest label "2" 10 wide, 6, 5, 1 -> 60.
        #expect(layout.gridTop == 68 && layout.gridLeft == 60)
        // Legend 16 right of the 144-pixel grid, 14 wide, a 4-pixel tick, 3 blank, "100%" (23
        // pixels at scale 1, since the bar is under 200 pixels) and the margin. Height: the grid
        // (144) is taller than the turned "True class" (118).
        #expect(layout.legendLeft == 60 + 144 + 16)
        #expect(layout.width == 220 + 14 + 4 + 3 + 23 + 12 && layout.height == 68 + 144 + 12)
        #expect(ConfusionMatrixHeatmap.defaultCellSize(classCount: 100) == 6)
        // Four-digit counts do not fit at scale 2 in 48 pixels, nor anything in 6.
        let digits = (0..<10).map(String.init)
        #expect(ConfusionMatrixHeatmap.layout(classNames: digits, maxCount: 1000).countScale == 1)
        let hundredNames = (0..<100).map(String.init)
        let hundred = ConfusionMatrixHeatmap.layout(classNames: hundredNames, maxCount: 1000)
        #expect(hundred.countScale == 0 && hundred.labelScale == 1)
        // Two-digit names are 11 pixels wide: with 6-pixel squares they are turned (11 > 3), and a
        // line is 9 high: every 2nd row and column is labelled (12 - 3 >= 9).
        #expect(hundred.columnLabelsUp && hundred.columnLabelStride == 2 && hundred.rowLabelStride == 2)
        // 50 classes: 12-pixel squares, scale 1, every row and column (9 <= 12 - 3).
        let fifty = ConfusionMatrixHeatmap.layout(classNames: (0..<50).map(String.init), maxCount: 10)
        #expect(fifty.columnLabelStride == 1 && fifty.rowLabelStride == 1 && fifty.labelScale == 1)
        #expect(layout.columnLabelStride == 1 && layout.rowLabelStride == 1)
        #expect(ConfusionMatrixHeatmap.layout(classNames: (0..<1000).map(String.init), maxCount: 10).width < 3200)
    }

    @Test func longNamesAreTurnedAndShortened() throws {
        // Fashion-MNIST's names: "T-shirt/top" (11 characters, 130 pixels at scale 2) cannot stand
        // in a 48-pixel column, so the column labels read upwards; none is longer than 16.
        let names = [
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
        ]
        let layout = ConfusionMatrixHeatmap.layout(classNames: names, maxCount: 1000)
        #expect(layout.columnLabelsUp && layout.labels == names && layout.labelScale == 2)
        // The longest label decides the room above and beside the grid: 12 + 18 + 8 + 130 + 12.
        #expect(layout.gridTop == 180 && layout.gridLeft == 180)
        // A name longer than 16 characters is cut to 15 and "…".
        #expect(ConfusionMatrixHeatmap.label("an unusually long class name") == "an unusually lo…")
        #expect(ConfusionMatrixHeatmap.label("Ankle boot") == "Ankle boot")
    }

    /// Ticks stand apart from their labels: between every tick and its label there is a band of
    /// `tickGap` blank pixels across the whole row or column, and the label's ink reaches that
    /// band (the gap is exactly the one drawn, not a stray margin).
    @Test func tickMarksDoNotTouchTheirLabels() throws {
        let names = ["cat", "dog", "horse"]
        let metrics = try ClassificationMetrics(
            predicted: [0, 1, 2, 1], truth: [0, 1, 2, 2], classCount: 3, classNames: names)
        let image = try PNGImage.decode(ConfusionMatrixHeatmap.render(metrics).encoded())
        let layout = ConfusionMatrixHeatmap.layout(classNames: names, maxCount: 1)
        // "horse" at scale 2 is 58 pixels: the grid starts 12 + 18 + 8 + 58 + 12 = 108 from the top
        // and from the left.
        #expect(layout.columnLabelsUp && layout.gridTop == 108 && layout.gridLeft == 108)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] {
            let o = 3 * (y * image.width + x)
            return Array(image.pixels[o..<(o + 3)])
        }
        let white: [UInt8] = [255, 255, 255]
        let tick: [UInt8] = [130, 130, 130]
        let tickEnd = ConfusionMatrixHeatmap.tickLength + 1
        for i in 0..<3 {
            // Row i: its tick runs from gridLeft - 6 to gridLeft - 2 at the row's middle.
            let y = layout.gridTop + layout.middle(of: i)
            #expect((0..<5).allSatisfy { pixel(layout.gridLeft - tickEnd + $0, y) == tick })
            #expect(pixel(layout.gridLeft - 1, y) == white)
            let band = (layout.gridLeft - tickEnd - layout.tickGap)..<(layout.gridLeft - tickEnd)
            let rows = (layout.gridTop + i * 48)..<(layout.gridTop + (i + 1) * 48)
            #expect(band.allSatisfy { x in rows.allSatisfy { pixel(x, $0) == white } }, "row \(i)")
            // Column i: its tick runs up from gridTop - 2 to gridTop - 6 at the column's middle.
            let x = layout.gridLeft + layout.middle(of: i)
            #expect((0..<5).allSatisfy { pixel(x, layout.gridTop - tickEnd + $0) == tick })
            let columnBand = (layout.gridTop - tickEnd - layout.tickGap)..<(layout.gridTop - tickEnd)
            let columns = (layout.gridLeft + i * 48)..<(layout.gridLeft + (i + 1) * 48)
            #expect(columnBand.allSatisfy { y in columns.allSatisfy { pixel($0, y) == white } }, "column \(i)")
            // Turned labels start at the bottom: "cat", "dog" and "horse" begin with a glyph whose
            // first column has ink, so ink sits right above the band.
            #expect(columns.contains { pixel($0, columnBand.lowerBound - 1) == [40, 40, 40] }, "column \(i)")
        }
        // "cat" ends in "t", whose last column has ink (row 5 ".#..#"): right next to the band.
        let catY = layout.gridTop + layout.middle(of: 0)
        #expect(
            ((catY - 6)..<(catY + 12)).contains {
                pixel(layout.gridLeft - tickEnd - layout.tickGap - 1, $0) == [40, 40, 40]
            })
    }

    @Test func pngDecodesToTheExpectedColours() throws {
        let metrics = try Self.metrics()
        let bytes = try ConfusionMatrixHeatmap.render(metrics).encoded()
        let image = try PNGImage.decode(bytes)
        let layout = ConfusionMatrixHeatmap.layout(classNames: ["0", "1", "2"], maxCount: 10)
        #expect(image.channels == 3 && image.width == layout.width && image.height == layout.height)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] {
            let o = 3 * (y * image.width + x)
            return Array(image.pixels[o..<(o + 3)])
        }
        func cell(_ t: Int, _ p: Int) -> [UInt8] {
            let origin = layout.cellOrigin(truth: t, predicted: p)
            return pixel(origin.x + 1, origin.y + 1)
        }
        // Colour = viridis(sqrt(share of the row)), anchors every 1/7:
        //   8/10: sqrt 0.894427 -> 6.26099 anchors up, between (159,218,58) and (253,231,37):
        //         159 + 94 * 0.26099 = 183.5 -> 184, 218 + 13 * 0.26099 = 221.4 -> 221,
        //         58 - 21 * 0.26099 = 52.5 -> 53
        //   2/10: sqrt 0.447214 -> 3.13050, between (39,127,142) and (31,161,135):
        //         39 - 8 * 0.1305 = 37.96 -> 38, 127 + 34 * 0.1305 = 131.4 -> 131, 142 - 7 * 0.1305 -> 141
        //   0:    the low end (68,1,84); 10/10: the high end (253,231,37); no samples: light gray.
        #expect(cell(0, 0) == [184, 221, 53])
        #expect(cell(0, 1) == [38, 131, 141])
        #expect(cell(0, 2) == [68, 1, 84] && cell(1, 0) == [68, 1, 84])
        #expect(cell(1, 1) == [253, 231, 37])
        #expect(cell(2, 0) == [220, 220, 220] && cell(2, 2) == [220, 220, 220])
        // A white line between squares.
        let origin = layout.cellOrigin(truth: 0, predicted: 0)
        #expect(pixel(origin.x + 47, origin.y + 1) == [255, 255, 255])
        // The count "8" in square (0, 0), black on the light square, at scale 2: 10x14 pixels
        // (capitals) centred in 47 -> from (18, 16). Its top row ".###." inks x 20...25, not 18...19.
        #expect(pixel(origin.x + 20, origin.y + 16) == [0, 0, 0])
        #expect(pixel(origin.x + 18, origin.y + 16) == [184, 221, 53])
        // "2" in square (0, 1) is white on the dark square.
        let second = layout.cellOrigin(truth: 0, predicted: 1)
        #expect(pixel(second.x + 20, second.y + 16) == [255, 255, 255])
        // Zeros are left blank: square (1, 0) is all one colour.
        let zero = layout.cellOrigin(truth: 1, predicted: 0)
        for y in zero.y..<(zero.y + 47) {
            for x in zero.x..<(zero.x + 47) where pixel(x, y) != [68, 1, 84] {
                Issue.record("ink at (\(x), \(y)) in a zero square")
            }
        }
        // The legend bar runs from the high end at the top to the low end at the bottom.
        #expect(pixel(layout.legendLeft + 5, layout.gridTop) == [253, 231, 37])
        #expect(pixel(layout.legendLeft + 5, layout.gridTop + 143) == [68, 1, 84])
        // Column label "0" above the first column, side by side (it fits): glyph row 0 ".###." at
        // scale 2, 10 wide, centred on the tick at x = 60 + 23 -> from x = 79, its line (18 high)
        // ending 6 above the tick's top (68 - 6): y = 62 - 6 - 18 = 38; ink from x = 81.
        #expect(pixel(81, 38) == [40, 40, 40] && pixel(80, 38) == [255, 255, 255])
        // Row label "2" right-aligned 6 left of its tick, its capitals centred on the row's
        // middle (68 + 2 * 48 + 23 = 187): from y = 187 - 6 = 181, x = 60 - 6 - 6 - 10 = 38. Row 0
        // of "2" is ".###.": ink at x = 40, not 38.
        #expect(pixel(40, 181) == [40, 40, 40] && pixel(38, 181) == [255, 255, 255])
    }
}
