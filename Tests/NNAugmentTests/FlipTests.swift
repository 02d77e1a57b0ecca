import NNCore
import Testing

@testable import NNAugment

@Suite struct FlipTests {
    @Test func horizontalFlipMirrorsEveryRow() {
        let gray = transformed(TestImages.gray4x4, TestImages.gray4x4Shape) { HorizontalFlip.flip(&$0) }
        #expect(gray == [4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9, 16, 15, 14, 13])
        let rgb = transformed(TestImages.rgb4x4, TestImages.rgb4x4Shape) { HorizontalFlip.flip(&$0) }
        #expect(rgb == TestImages.rgb(fromGray: gray))
        // Odd width: the middle column stays.
        let odd = transformed([1, 2, 3, 4, 5, 6], ImageShape(channels: 1, height: 2, width: 3)) {
            HorizontalFlip.flip(&$0)
        }
        #expect(odd == [3, 2, 1, 6, 5, 4])
    }

    @Test func verticalFlipReversesRows() {
        let gray = transformed(TestImages.gray4x4, TestImages.gray4x4Shape) { VerticalFlip.flip(&$0) }
        #expect(gray == [13, 14, 15, 16, 9, 10, 11, 12, 5, 6, 7, 8, 1, 2, 3, 4])
        let rgb = transformed(TestImages.rgb4x4, TestImages.rgb4x4Shape) { VerticalFlip.flip(&$0) }
        #expect(rgb == TestImages.rgb(fromGray: gray))
        let odd = transformed([1, 2, 3, 4, 5, 6], ImageShape(channels: 1, height: 3, width: 2)) {
            VerticalFlip.flip(&$0)
        }
        #expect(odd == [5, 6, 3, 4, 1, 2])
    }

    @Test func probabilityOneAlwaysFlipsAndZeroNever() {
        for seed in UInt64(0)..<20 {
            var rng = RNG(seed: seed)
            let untouched = rng
            #expect(
                applied(HorizontalFlip(probability: 1), TestImages.gray4x4, TestImages.gray4x4Shape, rng: &rng)
                    == [4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9, 16, 15, 14, 13])
            #expect(
                applied(VerticalFlip(probability: 0), TestImages.gray4x4, TestImages.gray4x4Shape, rng: &rng)
                    == TestImages.gray4x4)
            #expect(rng == untouched, "probability 0 and 1 draw nothing")
        }
    }

    @Test func halfProbabilityFollowsTheGenerator() {
        var flipped = 0
        for seed in UInt64(0)..<400 {
            var rng = RNG(seed: seed)
            var expectedRNG = rng
            let result = applied(HorizontalFlip(), TestImages.gray4x4, TestImages.gray4x4Shape, rng: &rng)
            let flips = expectedRNG.bernoulli(0.5)
            #expect(result == (flips ? [4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9, 16, 15, 14, 13] : TestImages.gray4x4))
            #expect(rng == expectedRNG)
            if flips { flipped += 1 }
        }
        // 400 fair coin flips: 200 +- 40 is over four standard deviations.
        #expect((160...240).contains(flipped))
    }
}
