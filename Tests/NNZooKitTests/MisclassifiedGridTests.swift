import NNAugment
import NNData
import Testing

@testable import NNZooKit

@Suite struct MisclassifiedGridTests {
    // Sample:     0  1  2  3  4  5  6  7  8  9 10 11
    static let truth = [0, 2, 2, 1, 2, 2, 2, 0, 2, 2, 1, 0]
    static let predicted = [0, 0, 1, 1, 1, 0, 1, 1, 2, 1, 2, 0]

    @Test func rowsPerTrueClassOrderedByPrediction() throws {
        let rows = try MisclassifiedGrid.select(truth: Self.truth, predicted: Self.predicted, perRow: 12)
        // Mistakes: class 0: sample 7 (as 1); class 1: sample 10 (as 2); class 2: samples 1, 5
        // (as 0) and 2, 4, 6, 9 (as 1).
        #expect(rows.map(\.truth) == [0, 1, 2])
        #expect(rows.map(\.mistakes) == [1, 1, 6])
        #expect(rows[2].shown.map(\.index) == [1, 5, 2, 4, 6, 9])
        #expect(rows[2].shown.map(\.predicted) == [0, 0, 1, 1, 1, 1])
        #expect(rows[2].byPredicted.map(\.predicted) == [0, 1] && rows[2].byPredicted.map(\.count) == [2, 4])
    }

    @Test func aFullRowTakesTurnsAmongConfusions() throws {
        // Class 2 has 6 mistakes; with room for 3, it takes the first "as 0" (1), the first "as 1"
        // (2), then the second "as 0" (5), and orders them by prediction.
        let rows = try MisclassifiedGrid.select(truth: Self.truth, predicted: Self.predicted, perRow: 3)
        #expect(rows[2].shown.map(\.index) == [1, 5, 2])
        #expect(rows[2].mistakes == 6)
        let one = try MisclassifiedGrid.select(truth: Self.truth, predicted: Self.predicted, perRow: 1)
        #expect(one[2].shown.map(\.index) == [1])
        #expect(try MisclassifiedGrid.select(truth: [0, 1], predicted: [0, 1]).isEmpty)
        #expect(throws: EvaluationError.labelCountMismatch(predicted: 1, truth: 2)) {
            try MisclassifiedGrid.select(truth: [0, 1], predicted: [0])
        }
    }

    @Test func legendAndCSV() throws {
        let rows = try MisclassifiedGrid.select(truth: Self.truth, predicted: Self.predicted, perRow: 3)
        let names = ["cat", "dog", "bird, small"]
        #expect(
            MisclassifiedGrid.legend(rows, classNames: names) == [
                "row 1: true 0 cat (1 mistake, 1 shown): 1 dog ×1",
                "row 2: true 1 dog (1 mistake, 1 shown): 2 bird, small ×1",
                "row 3: true 2 bird, small (6 mistakes, 3 shown): 1 dog ×4, 0 cat ×2",
            ])
        // Too narrow for every confusion: the rest are counted.
        #expect(
            MisclassifiedGrid.legend([rows[2]], classNames: names, width: 50) == [
                "row 1: true 2 bird, small (6 mistakes, 3 shown): 1 dog ×4, … (1 more)"
            ])
        #expect(
            MisclassifiedGrid.csv(rows, classNames: names) == """
                row,column,index,true,true_name,predicted,predicted_name
                1,1,7,0,cat,1,dog
                2,1,10,1,dog,2,"bird, small"
                3,1,1,2,"bird, small",0,cat
                3,2,5,2,"bird, small",0,cat
                3,3,2,2,"bird, small",1,dog

                """)
    }

    @Test func renderedGridPutsEachImageInItsCell() throws {
        // 2x2 gray images whose four pixels are the sample index times 10 (0...16 scale would be
        // stretched; keep maxValue 255).
        let images = (0..<12).flatMap { [UInt8](repeating: UInt8($0 * 10), count: 4) }
        let dataset = ImageDataset(
            images: images, labels: Self.truth.map(UInt8.init), channels: 1, height: 2, width: 2,
            classNames: ["0", "1", "2"])
        let rows = try MisclassifiedGrid.select(truth: Self.truth, predicted: Self.predicted, perRow: 4)
        let image = try PNGImage.decode(MisclassifiedGrid.render(dataset, rows: rows, scale: 10, gap: 4).encoded())
        // Cells are 20x20; the caption "2→1" (17 pixels) fits at scale 1 only (34 at scale 2), so
        // the strip is 7 + 4 high; rows are 4 + 20 + 11 = 35 apart; 4 columns of 24.
        #expect(MisclassifiedGrid.captionScale(rows: rows, cellWidth: 20) == 1)
        #expect(image.width == 4 + 4 * 24 && image.height == 4 + 3 * 35)
        func gray(_ x: Int, _ y: Int) -> UInt8 { image.pixels[3 * (y * image.width + x)] }
        // Row 3 (class 2) shows samples 1, 5, 2, 4: their pixels are 10, 50, 20, 40.
        let rowTop = 4 + 2 * 35
        #expect([0, 1, 2, 3].map { gray(4 + $0 * 24 + 10, rowTop + 10) } == [10, 50, 20, 40])
        // Row 1 has one image (sample 7, pixel 70), the rest of the row is background.
        #expect(gray(14, 14) == 70 && gray(4 + 24 + 10, 14) == 48)
        // The caption "0→1" of row 1 is centred under the cell: 17 pixels from x = 4 + 1; the
        // top row of "0" (".###.") inks x = 6, y = 4 + 20 + 2 = 26, in the true-class green.
        let o = 3 * (26 * image.width + 6)
        #expect(Array(image.pixels[o..<(o + 3)]) == [110, 220, 120])
        // The predicted digit "1" starts 12 pixels later; its top row "..#.." inks x = 5 + 12 + 2.
        let p = 3 * (26 * image.width + 19)
        #expect(Array(image.pixels[p..<(p + 3)]) == [255, 110, 90])
    }
}
