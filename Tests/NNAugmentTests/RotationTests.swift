import NNCore
import Testing

@testable import NNAugment

@Suite struct RotationTests {
    func rotated(_ pixels: [UInt8], _ shape: ImageShape, _ degrees: Float, fill: UInt8 = 0) -> [UInt8] {
        transformed(pixels, shape) { RandomRotation.rotate(&$0, degrees: degrees, fill: fill) }
    }

    @Test func quarterTurnsMovePixelsExactly() {
        let shape = TestImages.gray4x4Shape
        // Counter-clockwise: the top row becomes the left column, read bottom to top.
        #expect(rotated(TestImages.gray4x4, shape, 90) == [4, 8, 12, 16, 3, 7, 11, 15, 2, 6, 10, 14, 1, 5, 9, 13])
        #expect(rotated(TestImages.gray4x4, shape, -90) == [13, 9, 5, 1, 14, 10, 6, 2, 15, 11, 7, 3, 16, 12, 8, 4])
        #expect(rotated(TestImages.gray4x4, shape, 180) == Array(TestImages.gray4x4.reversed()))
        #expect(rotated(TestImages.gray4x4, shape, 0) == TestImages.gray4x4)
        let rgb = rotated(TestImages.rgb4x4, TestImages.rgb4x4Shape, 90)
        #expect(rgb == TestImages.rgb(fromGray: [4, 8, 12, 16, 3, 7, 11, 15, 2, 6, 10, 14, 1, 5, 9, 13]))
    }

    @Test func quarterTurnOfANonSquareImageFillsWhatFallsOutside() {
        // 2 rows x 4 columns, centre (1.5, 0.5): a quarter turn maps it onto a 4x2 footprint, so the
        // outer columns of the output sample outside the input.
        let out = rotated([1, 2, 3, 4, 5, 6, 7, 8], ImageShape(channels: 1, height: 2, width: 4), 90, fill: 9)
        #expect(out == [9, 3, 7, 9, 9, 2, 6, 9])
    }

    /// The numbers printed by Tools/reference/rotation_reference.py (PyTorch's grid_sample).
    @Test func matchesPyTorchReference() {
        let square = (0..<25).map { UInt8(($0 * 53 + 7) % 251) }
        let squareShape = ImageShape(channels: 1, height: 5, width: 5)
        #expect(
            rotated(square, squareShape, 30) == [
                20, 92, 170, 223, 63, 50, 102, 155, 208, 165, 35, 88, 141, 194, 63, 25, 74, 127, 180, 174, 12, 59, 112,
                124, 56,
            ])
        #expect(
            rotated(square, squareShape, -17.5, fill: 200) == [
                110, 36, 82, 146, 191, 65, 65, 112, 158, 204, 48, 95, 141, 187, 234, 78, 124, 170, 175, 171, 151, 161,
                200, 107, 109,
            ])
        let wide = (0..<24).map { UInt8(($0 * 29 + 3) % 256) }
        #expect(
            rotated(wide, ImageShape(channels: 1, height: 4, width: 6), 45) == [
                0, 29, 89, 51, 142, 150, 13, 70, 112, 101, 192, 154, 29, 172, 188, 151, 113, 48, 95, 147, 110, 72, 32,
                0,
            ])
    }

    @Test func randomAngleComesFromTheGenerator() {
        for seed in UInt64(0)..<20 {
            var rng = RNG(seed: seed)
            var expectedRNG = rng
            let result = applied(
                RandomRotation(maxDegrees: 20, fill: 3), TestImages.rgb4x4, TestImages.rgb4x4Shape, rng: &rng)
            let degrees = expectedRNG.uniform(-20, 20)
            #expect(result == rotated(TestImages.rgb4x4, TestImages.rgb4x4Shape, degrees, fill: 3))
            #expect(rng == expectedRNG)
        }
    }
}
