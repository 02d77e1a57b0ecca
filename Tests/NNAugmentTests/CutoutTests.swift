import NNCore
import Testing

@testable import NNAugment

@Suite struct CutoutTests {
    func erased(top: Int, left: Int, size: Int) -> [UInt8] {
        transformed(TestImages.gray4x4, TestImages.gray4x4Shape) { Cutout.erase(&$0, top: top, left: left, size: size) }
    }

    @Test func erasesASquare() {
        #expect(erased(top: 1, left: 1, size: 2) == [1, 2, 3, 4, 5, 0, 0, 8, 9, 0, 0, 12, 13, 14, 15, 16])
        let rgb = transformed(TestImages.rgb4x4, TestImages.rgb4x4Shape) { Cutout.erase(&$0, top: 1, left: 1, size: 2) }
        #expect(rgb == TestImages.rgb(fromGray: erased(top: 1, left: 1, size: 2)))
    }

    @Test func clipsAtTheBorder() {
        #expect(erased(top: -1, left: 3, size: 2) == [1, 2, 3, 0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16])
        #expect(erased(top: 3, left: -2, size: 3) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 14, 15, 16])
        #expect(erased(top: 4, left: 0, size: 3) == TestImages.gray4x4)
        #expect(erased(top: 9, left: 9, size: 2) == TestImages.gray4x4)
        #expect(erased(top: -9, left: 1, size: 2) == TestImages.gray4x4)
        #expect(erased(top: -5, left: -5, size: 20) == [UInt8](repeating: 0, count: 16))
    }

    @Test func randomCentreFromTheGenerator() {
        var seen = Set<[Int]>()
        for seed in UInt64(0)..<200 {
            var rng = RNG(seed: seed)
            var expectedRNG = rng
            let result = applied(Cutout(size: 3), TestImages.gray4x4, TestImages.gray4x4Shape, rng: &rng)
            let centerY = expectedRNG.int(below: 4)
            let centerX = expectedRNG.int(below: 4)
            #expect(result == erased(top: centerY - 1, left: centerX - 1, size: 3))
            #expect(rng == expectedRNG)
            seen.insert([centerY, centerX])
        }
        #expect(seen.count == 16)
    }

    @Test func probabilityZeroKeepsTheImage() {
        var rng = RNG(seed: 1)
        let untouched = rng
        #expect(
            applied(Cutout(size: 3, probability: 0), TestImages.gray4x4, TestImages.gray4x4Shape, rng: &rng)
                == TestImages.gray4x4)
        #expect(rng == untouched)
    }
}
