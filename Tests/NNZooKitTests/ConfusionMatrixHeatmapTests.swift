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
        let layout = ConfusionMatrixHeatmap.layout(classCount: 3, maxCount: 10)
        // 48-pixel squares; index labels and counts fit at scale 2 ("10" is 22 pixels).
        #expect(layout.cellSize == 48 && layout.labelScale == 2 && layout.countScale == 2)
        // Top: margin 12, "PREDICTED" 14 high, 8, column indices 14 high, 6 -> 54.
        // Left: margin 12, "T" 10 wide, 16, the widest row index "2" 10 wide, 6 -> 54.
        #expect(layout.gridTop == 54 && layout.gridLeft == 54)
        // Legend 16 right of the 144-pixel grid, 14 wide, then 6, "100%" (23 pixels at scale 1,
        // since the bar is under 200 pixels) and the margin.
        #expect(layout.legendLeft == 54 + 144 + 16)
        #expect(layout.width == 214 + 14 + 6 + 23 + 12 && layout.height == 54 + 144 + 12)
        #expect(ConfusionMatrixHeatmap.defaultCellSize(classCount: 100) == 6)
        // Four-digit counts do not fit at scale 2 in 48 pixels, nor anything in 6.
        #expect(ConfusionMatrixHeatmap.layout(classCount: 10, maxCount: 1000).countScale == 1)
        let hundred = ConfusionMatrixHeatmap.layout(classCount: 100, maxCount: 1000)
        #expect(hundred.countScale == 0 && hundred.labelScale == 1)
        // Two-digit indices are 11 pixels wide and 7 high: with 6-pixel squares, every 5th column
        // (30 - 3 >= 11) and every 2nd row (12 - 3 >= 7) is labelled.
        #expect(hundred.columnLabelStride == 5 && hundred.rowLabelStride == 2)
        // 50 classes: 12-pixel squares, every 2nd column, every row.
        let fifty = ConfusionMatrixHeatmap.layout(classCount: 50, maxCount: 10)
        #expect(fifty.columnLabelStride == 2 && fifty.rowLabelStride == 1)
        #expect(layout.columnLabelStride == 1 && layout.rowLabelStride == 1)
        #expect(ConfusionMatrixHeatmap.layout(classCount: 1000, maxCount: 10).width < 3200)
    }

    @Test func pngDecodesToTheExpectedColours() throws {
        let metrics = try Self.metrics()
        let bytes = try ConfusionMatrixHeatmap.render(metrics).encoded()
        let image = try PNGImage.decode(bytes)
        let layout = ConfusionMatrixHeatmap.layout(classCount: 3, maxCount: 10)
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
        // centred in 47 -> from (18, 16). Its top row ".###." inks x 20...25, not 18...19.
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
        // Column label "0" above the first column: glyph row 0 ".###." at scale 2, 10 wide,
        // centred in 47 -> x from 18, at y = 54 - 6 - 14 = 34; ink at x + 2.
        #expect(pixel(layout.gridLeft + 20, 34) == [40, 40, 40])
    }
}
