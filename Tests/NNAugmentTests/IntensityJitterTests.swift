import NNCore
import Testing

@testable import NNAugment

@Suite struct IntensityJitterTests {
    let row = ImageShape(channels: 1, height: 1, width: 5)

    @Test func brightnessScalesAndRoundsHalfUp() {
        let pixels: [UInt8] = [0, 1, 3, 255, 100]
        #expect(transformed(pixels, row) { BrightnessJitter.scale(&$0, factor: 0.5) } == [0, 1, 2, 128, 50])
        #expect(transformed(pixels, row) { BrightnessJitter.scale(&$0, factor: 2) } == [0, 2, 6, 255, 200])
        #expect(transformed(pixels, row) { BrightnessJitter.scale(&$0, factor: 0) } == [0, 0, 0, 0, 0])
    }

    @Test func jitterClampsToTheImagesFullIntensity() {
        // The digits set counts 0...16: brighter or more contrast never goes past 16.
        let digits: [UInt8] = [0, 4, 8, 12, 16]
        var brighter = digits
        withImageView(&brighter, shape: row, maxValue: 16) { BrightnessJitter.scale(&$0, factor: 1.5) }
        #expect(brighter == [0, 6, 12, 16, 16])
        var contrast = digits  // mean 8
        withImageView(&contrast, shape: row, maxValue: 16) { ContrastJitter.scale(&$0, factor: 2) }
        #expect(contrast == [0, 0, 8, 16, 16])
    }

    @Test func contrastScalesAboutTheMean() {
        let shape = ImageShape(channels: 1, height: 2, width: 2)
        let pixels: [UInt8] = [0, 100, 200, 100]  // mean 100
        #expect(transformed(pixels, shape) { ContrastJitter.scale(&$0, factor: 2) } == [0, 100, 255, 100])
        #expect(transformed(pixels, shape) { ContrastJitter.scale(&$0, factor: 0.5) } == [50, 100, 150, 100])
        #expect(transformed(pixels, shape) { ContrastJitter.scale(&$0, factor: 0) } == [100, 100, 100, 100])
    }

    @Test func contrastOfRGBUsesTheLuminanceMean() {
        // R = [100, 200], G = [50, 50], B = [0, 0]: mean gray (0.299 * 300 + 0.587 * 100) / 2 = 74.2.
        let shape = ImageShape(channels: 3, height: 1, width: 2)
        let pixels: [UInt8] = [100, 200, 50, 50, 0, 0]
        #expect(transformed(pixels, shape) { ContrastJitter.scale(&$0, factor: 0) } == [74, 74, 74, 74, 74, 74])
        #expect(transformed(pixels, shape) { ContrastJitter.scale(&$0, factor: 2) } == [126, 255, 26, 26, 0, 0])
    }

    @Test func factorsComeFromTheGenerator() {
        for seed in UInt64(0)..<20 {
            var rng = RNG(seed: seed)
            var expectedRNG = rng
            let bright = applied(BrightnessJitter(amount: 0.4), TestImages.rgb4x4, TestImages.rgb4x4Shape, rng: &rng)
            let brightFactor = expectedRNG.uniform(0.6, 1.4)
            #expect(
                bright
                    == transformed(TestImages.rgb4x4, TestImages.rgb4x4Shape) {
                        BrightnessJitter.scale(&$0, factor: brightFactor)
                    })
            let contrast = applied(ContrastJitter(amount: 1), TestImages.gray4x4, TestImages.gray4x4Shape, rng: &rng)
            let contrastFactor = expectedRNG.uniform(0, 2)
            #expect(
                contrast
                    == transformed(TestImages.gray4x4, TestImages.gray4x4Shape) {
                        ContrastJitter.scale(&$0, factor: contrastFactor)
                    })
            #expect(rng == expectedRNG)
        }
    }

    @Test func amountZeroIsIdentity() {
        var rng = RNG(seed: 9)
        let untouched = rng
        #expect(
            applied(BrightnessJitter(amount: 0), TestImages.gray4x4, TestImages.gray4x4Shape, rng: &rng)
                == TestImages.gray4x4)
        #expect(
            applied(ContrastJitter(amount: 0), TestImages.gray4x4, TestImages.gray4x4Shape, rng: &rng)
                == TestImages.gray4x4)
        #expect(rng == untouched)
    }
}
