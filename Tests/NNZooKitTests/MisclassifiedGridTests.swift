import NNAugment
import NNData
import Testing

@testable import NNZooKit

@Suite struct MisclassifiedGridTests {
    // Sample:     0    1    2    3    4     5    6    7     8     9   10   11
    static let truth = [0, 2, 2, 1, 2, 2, 2, 0, 2, 2, 1, 0]
    static let predicted = [0, 0, 1, 1, 1, 0, 1, 1, 2, 1, 2, 0]
    static let probability = [0.9, 0.6, 0.7, 0.8, 0.95, 0.8, 0.7, 0.55, 0.99, 0.9, 0.5, 0.9]

    static func select(perRow: Int) throws -> [MisclassifiedGrid.Row] {
        try MisclassifiedGrid.select(
            truth: truth, predicted: predicted, probability: probability, perRow: perRow)
    }

    @Test func mostFrequentConfusionFirstMostConfidentMistakeFirst() throws {
        let rows = try Self.select(perRow: 12)
        // Mistakes: class 0: sample 7 (as 1); class 1: sample 10 (as 2); class 2: samples 1, 5 (as
        // 0) and 2, 4, 6, 9 (as 1). Class 2's confusion with 1 is the more frequent: it comes
        // first, its mistakes by probability (4: 0.95, 9: 0.9, then 2 and 6 at 0.7 in dataset
        // order), then 5 (0.8) and 1 (0.6).
        #expect(rows.map(\.truth) == [0, 1, 2])
        #expect(rows.map(\.mistakes) == [1, 1, 6])
        #expect(rows[2].shown.map(\.index) == [4, 9, 2, 6, 5, 1])
        #expect(rows[2].shown.map(\.predicted) == [1, 1, 1, 1, 0, 0])
        #expect(rows[2].shown.map(\.probability) == [0.95, 0.9, 0.7, 0.7, 0.8, 0.6])
        #expect(rows[2].byPredicted.map(\.predicted) == [1, 0] && rows[2].byPredicted.map(\.count) == [4, 2])
        // Without probabilities, dataset order within a confusion.
        let plain = try MisclassifiedGrid.select(truth: Self.truth, predicted: Self.predicted)
        #expect(plain[2].shown.map(\.index) == [2, 4, 6, 9, 1, 5])
    }

    @Test func aFullRowIsSharedInProportionToTheConfusions() throws {
        // Class 2 has 4 mistakes as 1 and 2 as 0; room for 3 gives them 2 and 1, room for 4 gives
        // 2.67 and 1.33: 2 and 1, and the slot left to the larger fraction.
        #expect(try Self.select(perRow: 3)[2].shown.map(\.index) == [4, 9, 5])
        #expect(try Self.select(perRow: 4)[2].shown.map(\.index) == [4, 9, 2, 5])
        #expect(try Self.select(perRow: 1)[2].shown.map(\.index) == [4])
        #expect(try Self.select(perRow: 3)[2].mistakes == 6)
        // Fashion-MNIST's Shirt row after 3 epochs of mlp-784-100-10: 346 mistakes, 133
        // T-shirt/top, 102 Pullover, 55 Coat, 39 Dress, 16 Bag, 1 Trouser. 12 slots: whole parts
        // 4, 3, 1, 1, 0, 0 and the 3 left to the largest fractions (Coat .91, T-shirt .61, Bag .55).
        #expect(MisclassifiedGrid.share(12, among: [133, 102, 55, 39, 16, 1]) == [5, 3, 2, 1, 1, 0])
        #expect(MisclassifiedGrid.share(12, among: [182, 100, 60, 30, 20, 15]) == [5, 3, 2, 1, 1, 0])
        #expect(MisclassifiedGrid.share(12, among: [3, 2]) == [3, 2])
        #expect(MisclassifiedGrid.share(2, among: [1, 1, 1]) == [1, 1, 0])
        #expect(MisclassifiedGrid.share(0, among: [5]) == [0])
        #expect(try MisclassifiedGrid.select(truth: [0, 1], predicted: [0, 1]).isEmpty)
        #expect(throws: EvaluationError.labelCountMismatch(predicted: 1, truth: 2)) {
            try MisclassifiedGrid.select(truth: [0, 1], predicted: [0])
        }
        #expect(throws: EvaluationError.labelCountMismatch(predicted: 1, truth: 2)) {
            try MisclassifiedGrid.select(truth: [0, 1], predicted: [1, 0], probability: [0.5])
        }
    }

    @Test func captionsAndTitlesNameTheClasses() throws {
        let names = ["T-shirt/top", "Trouser", "Shirt"]
        let sample = MisclassifiedGrid.Sample(index: 3, predicted: 0, probability: 0.87)
        // "Shirt→T-shirt/top" (17 characters, 101 pixels) fits a 112-pixel cell on one line.
        #expect(
            MisclassifiedGrid.caption(truth: 2, sample: sample, classNames: names, width: 112).text
                == "Shirt→T-shirt/top\np=0.87")
        // In 96 pixels it does not: three lines.
        let narrow = MisclassifiedGrid.caption(truth: 2, sample: sample, classNames: names, width: 96)
        #expect(narrow.text == "Shirt\n→T-shirt/top\np=0.87")
        #expect(narrow.lines[0].parts[0].color == MisclassifiedGrid.trueColor)
        #expect(narrow.lines[1].parts.map(\.text) == ["→", "T-shirt/top"])
        #expect(
            MisclassifiedGrid.probabilityText(0.996) == "p=0.996" && MisclassifiedGrid.probabilityText(0.5) == "p=0.50"
                && MisclassifiedGrid.probabilityText(1) == "p=1.00")
        let rows = try Self.select(perRow: 3)
        #expect(
            MisclassifiedGrid.title(rows[2], classNames: names).text
                == "Shirt: 6 mistakes, 4 as Trouser, 2 as T-shirt/top")
        #expect(MisclassifiedGrid.title(rows[0], classNames: names).text == "T-shirt/top: 1 mistake, 1 as Trouser")
    }

    @Test func legendAndCSV() throws {
        let rows = try Self.select(perRow: 3)
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
                row,column,index,true,true_name,predicted,predicted_name,probability
                1,1,7,0,cat,1,dog,0.550000
                2,1,10,1,dog,2,"bird, small",0.500000
                3,1,4,2,"bird, small",1,dog,0.950000
                3,2,9,2,"bird, small",1,dog,0.900000
                3,3,5,2,"bird, small",0,cat,0.800000

                """)
    }

    @Test func renderedGridPutsEachImageInItsCell() throws {
        // 2x2 gray images whose four pixels are the sample index times 10 (0...16 scale would be
        // stretched; keep maxValue 255).
        let images = (0..<12).flatMap { [UInt8](repeating: UInt8($0 * 10), count: 4) }
        let dataset = ImageDataset(
            images: images, labels: Self.truth.map(UInt8.init), channels: 1, height: 2, width: 2,
            classNames: ["0", "1", "2"])
        let rows = try Self.select(perRow: 4)
        let image = try PNGImage.decode(MisclassifiedGrid.render(dataset, rows: rows, scale: 10, gap: 4).encoded())
        // Cells are 20x20 under a 13-pixel title strip; "2→1" (17 pixels) fits on one line, so
        // the captions have two lines (23 pixels): rows are 13 + 20 + 23 + 4 = 60 apart; 4
        // columns of 24.
        #expect(image.width == 4 + 4 * 24 && image.height == 4 + 3 * 60)
        func gray(_ x: Int, _ y: Int) -> UInt8 { image.pixels[3 * (y * image.width + x)] }
        func rgb(_ x: Int, _ y: Int) -> [UInt8] {
            Array(image.pixels[(3 * (y * image.width + x))..<(3 * (y * image.width + x) + 3)])
        }
        // Row 3 (class 2) shows samples 4, 9, 2, 5: their pixels are 40, 90, 20, 50.
        let rowTop = 4 + 2 * 60 + 13
        #expect([0, 1, 2, 3].map { gray(4 + $0 * 24 + 10, rowTop + 10) } == [40, 90, 20, 50])
        // Row 1 has one image (sample 7, pixel 70), the rest of the row is background.
        #expect(gray(14, 27) == 70 && gray(4 + 24 + 10, 27) == 48)
        // The caption "0→1" of row 1 is centred under the cell: 17 pixels from x = 4 + 1; the
        // top row of "0" (".###.") inks x = 6, y = 4 + 13 + 20 + 2 = 39, in the true-class green.
        #expect(rgb(6, 39) == [110, 220, 120])
        // The predicted "1" starts 12 pixels later; its top row "..#.." inks x = 5 + 12 + 2.
        #expect(rgb(19, 39) == [255, 110, 90])
        // The title "0: 1 mistake, 1 as 1" starts at the left gap, 2 pixels into its strip: "0"
        // in green, the rest in light gray (":" has ink at row 1, x 1...2).
        #expect(rgb(5, 6) == [110, 220, 120] && rgb(11, 7) == [230, 230, 230])
        #expect(MisclassifiedGrid.defaultScale(for: dataset) == 48)
    }
}
