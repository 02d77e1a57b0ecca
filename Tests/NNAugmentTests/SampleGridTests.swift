import Testing

@testable import NNAugment
@testable import NNData

@Suite struct SampleGridTests {
    /// 1x1 gray images whose pixel is their own index; labels cycle 0, 1, 2 but class 3 is empty.
    static func dataset(count: Int, maxValue: UInt8 = 255) -> ImageDataset {
        ImageDataset(
            images: (0..<count).map { UInt8($0 % 256) }, labels: (0..<count).map { UInt8($0 % 3) }, channels: 1,
            height: 1, width: 1, classNames: ["a", "b", "c", "d"], maxValue: maxValue)
    }

    @Test func samplesAreSharedAmongClassesThatHaveImages() {
        let rows = SampleGrid.select(Self.dataset(count: 30), count: 7)
        #expect(rows.map(\.label) == [0, 1, 2])
        #expect(rows.map(\.indices) == [[0, 3, 6], [1, 4], [2, 5]])
        #expect(SampleGrid.select(Self.dataset(count: 30), count: 2).map(\.indices) == [[0], [1]])
        // A class with fewer images than its share shows what it has.
        #expect(SampleGrid.select(Self.dataset(count: 4), count: 9).map(\.indices) == [[0, 3], [1], [2]])
        #expect(SampleGrid.select(Self.dataset(count: 4), count: 0).isEmpty)
    }

    @Test func scaleMakesCellsAboutSixtyFourPixels() {
        func scale(_ side: Int) -> Int {
            SampleGrid.defaultScale(
                for: ImageDataset(
                    images: [UInt8](repeating: 0, count: side * side), labels: [0], channels: 1, height: side,
                    width: side, classNames: ["x"]))
        }
        #expect([scale(28), scale(32), scale(8), scale(100)] == [3, 2, 8, 1])
    }

    @Test func pixelValuesAreStretchedToFullRange() {
        let digits = ImageDataset(
            images: [0, 8, 16, 1], labels: [0, 0, 0, 0], channels: 1, height: 1, width: 1, classNames: ["0"],
            maxValue: 16)
        let image = SampleGrid.render(digits, rows: [[0, 1, 2, 3]], scale: 1, gap: 0)
        #expect(image.width == 4 && image.height == 1)
        #expect(stride(from: 0, to: 12, by: 3).map { image.pixels[$0] } == [0, 128, 255, 16])
    }
}
