import NNCore
import Testing

@testable import NNAugment

@Suite struct CropTests {
    func cropped(padding: Int, top: Int, left: Int, _ mode: PaddingMode) -> [UInt8] {
        transformed(TestImages.gray4x4, TestImages.gray4x4Shape) {
            RandomCrop.crop(&$0, padding: padding, top: top, left: left, mode: mode)
        }
    }

    @Test func zeroPaddingFillsWithBlack() {
        #expect(cropped(padding: 1, top: 0, left: 0, .zero) == [0, 0, 0, 0, 0, 1, 2, 3, 0, 5, 6, 7, 0, 9, 10, 11])
        #expect(cropped(padding: 2, top: 4, left: 3, .zero) == [10, 11, 12, 0, 14, 15, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func edgePaddingRepeatsTheBorderPixel() {
        // Output (x, y) = input (clamp(x + 2), clamp(y - 2)).
        #expect(cropped(padding: 2, top: 0, left: 4, .edge) == [3, 4, 4, 4, 3, 4, 4, 4, 3, 4, 4, 4, 7, 8, 8, 8])
        // Output (x, y) = input (clamp(x - 2), clamp(y + 3)): every row is the last, columns 0, 0, 0, 1.
        #expect(
            cropped(padding: 3, top: 6, left: 1, .edge) == [
                13, 13, 13, 14, 13, 13, 13, 14, 13, 13, 13, 14, 13, 13, 13, 14,
            ])
    }

    @Test func reflectPaddingMirrorsWithoutRepeatingTheEdge() {
        // Rows and columns -2, -1, 0, 1 read 2, 1, 0, 1.
        #expect(cropped(padding: 2, top: 0, left: 0, .reflect) == [11, 10, 9, 10, 7, 6, 5, 6, 3, 2, 1, 2, 7, 6, 5, 6])
        // Rows and columns 2, 3, 4, 5 read 2, 3, 2, 1.
        #expect(
            cropped(padding: 2, top: 4, left: 4, .reflect) == [
                11, 12, 11, 10, 15, 16, 15, 14, 11, 12, 11, 10, 7, 8, 7, 6,
            ])
    }

    @Test func paddingModesMapIndicesLikePyTorch() {
        // Size 4: reflect folds with period 6; pads wider than the image keep folding.
        let reflect = (-6...9).map { PaddingMode.reflect.sourceIndex($0, size: 4) }
        #expect(reflect == [0, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2, 3])
        #expect((-3...2).map { PaddingMode.reflect.sourceIndex($0, size: 1) } == [0, 0, 0, 0, 0, 0])
        #expect((-2...5).map { PaddingMode.edge.sourceIndex($0, size: 4) } == [0, 0, 0, 1, 2, 3, 3, 3])
        #expect((-1...4).map { PaddingMode.zero.sourceIndex($0, size: 4) } == [nil, 0, 1, 2, 3, nil])
    }

    @Test func paddingWiderThanTheImage() {
        // Pad 5 reflect, window at (0, 0): rows/columns -5...-2 read 1, 2, 3, 2.
        let plane: [UInt8] = [6, 7, 8, 7, 10, 11, 12, 11, 14, 15, 16, 15, 10, 11, 12, 11]
        #expect(cropped(padding: 5, top: 0, left: 0, .reflect) == plane)
        #expect(cropped(padding: 5, top: 0, left: 0, .zero) == [UInt8](repeating: 0, count: 16))
        #expect(cropped(padding: 5, top: 10, left: 10, .edge) == [UInt8](repeating: 16, count: 16))
    }

    @Test func centredWindowIsTheOriginal() {
        for mode in PaddingMode.allCases {
            #expect(cropped(padding: 3, top: 3, left: 3, mode) == TestImages.gray4x4)
        }
    }

    @Test func threeChannelsCropTogether() {
        for mode in PaddingMode.allCases {
            let rgb = transformed(TestImages.rgb4x4, TestImages.rgb4x4Shape) {
                RandomCrop.crop(&$0, padding: 2, top: 1, left: 4, mode: mode)
            }
            #expect(rgb == TestImages.rgb(fromGray: cropped(padding: 2, top: 1, left: 4, mode)))
        }
    }

    @Test func randomCropDrawsTopThenLeft() {
        var seen = Set<[Int]>()
        for seed in UInt64(0)..<300 {
            var rng = RNG(seed: seed)
            var expectedRNG = rng
            let result = applied(
                RandomCrop(padding: 1, mode: .reflect), TestImages.gray4x4, TestImages.gray4x4Shape, rng: &rng)
            let top = expectedRNG.int(below: 3)
            let left = expectedRNG.int(below: 3)
            #expect(result == cropped(padding: 1, top: top, left: left, .reflect))
            #expect(rng == expectedRNG)
            seen.insert([top, left])
        }
        #expect(seen.count == 9)
    }
}
