import Foundation
import NNCore
import Testing

@testable import NNAugment

@Suite struct DrawnAugmentationTests {
    static let shape = ImageShape(channels: 3, height: 6, width: 5)

    /// `applyDescribing` must be `apply` with words: the same pixels and the same generator state
    /// afterwards, for every operation, probability edge and image.
    @Test func describingAppliesExactlyWhatApplyDoes() throws {
        let specs = [
            "hflip", "hflip:0", "hflip:1", "vflip", "crop:2", "crop:0", "crop:3:reflect", "shift:2", "shift:0",
            "shift:1:200", "rotate:30", "rotate:0", "cutout:2", "cutout:3:0.5", "cutout:0", "brightness:0.4",
            "brightness:0", "contrast:0.5", "contrast:0", "crop:1,hflip,rotate:10,cutout:2:0.5,brightness:0.2",
        ]
        let images = randomImages(count: 20, shape: Self.shape, seed: 3)
        for spec in specs {
            let pipeline = try AugmentationPipeline(spec: spec)
            for sample in 0..<20 {
                let original = Array(images[(sample * Self.shape.byteCount)..<((sample + 1) * Self.shape.byteCount)])
                var plainRNG = AugmentationRandomness.generator(seed: 5, epoch: 1, sample: sample)
                var describedRNG = plainRNG
                let plain = applied(pipeline, original, Self.shape, rng: &plainRNG)
                var described = original
                var drawn: [DrawnAugmentation] = []
                withImageView(&described, shape: Self.shape) {
                    drawn = pipeline.applyDescribingEach(to: &$0, using: &describedRNG)
                }
                #expect(described == plain, "\(spec), sample \(sample)")
                #expect(describedRNG == plainRNG, "\(spec), sample \(sample)")
                #expect(drawn.count == pipeline.operations.count)
                // An operation that says it left the image alone did (when it is alone).
                if drawn.count == 1 && !drawn[0].changesImage { #expect(plain == original, "\(spec)") }
            }
        }
    }

    /// The words name the drawn values, computed here from the documented order of draws.
    @Test func wordsNameTheDrawnValues() throws {
        func describe(_ spec: String, seed: UInt64 = 9) throws -> (texts: [String], rng: RNG) {
            let rng = RNG(seed: seed)
            var copy = rng
            var pixels = randomImages(count: 1, shape: Self.shape, seed: 1)
            var texts: [String] = []
            try withImageView(&pixels, shape: Self.shape) {
                texts = try AugmentationPipeline(spec: spec).applyDescribingEach(to: &$0, using: &copy).map(\.text)
            }
            return (texts, rng)
        }
        // crop:2: top then left, each int(below: 5); the window's offset from the centre is -2...2.
        var rng = RNG(seed: 9)
        let top = rng.int(below: 5)
        let left = rng.int(below: 5)
        let flip = rng.bernoulli(0.5)
        #expect(
            try describe("crop:2,hflip").texts == [
                "crop x\(left - 2 > 0 ? "+" : "")\(left - 2) y\(top - 2 > 0 ? "+" : "")\(top - 2)",
                flip ? "hflip yes" : "hflip no",
            ])
        // shift:3: dx then dy, each int(below: 7) - 3.
        rng = RNG(seed: 9)
        let dx = rng.int(below: 7) - 3
        let dy = rng.int(below: 7) - 3
        #expect(try describe("shift:3").texts == ["shift x\(dx > 0 ? "+" : "")\(dx) y\(dy > 0 ? "+" : "")\(dy)"])
        // rotate:20: one uniform(-20, 20), a tenth of a degree, signed.
        rng = RNG(seed: 9)
        let angle = rng.uniform(-20, 20)
        #expect(try describe("rotate:20").texts == ["rotate " + String(format: "%+.1f", Double(angle)) + "°"])
        // cutout:2: bernoulli(1) draws nothing, then the centre's row, then its column.
        rng = RNG(seed: 9)
        let centerY = rng.int(below: 6)
        let centerX = rng.int(below: 5)
        #expect(try describe("cutout:2").texts == ["cutout at \(centerX),\(centerY)"])
        #expect(try describe("cutout:2:0").texts == ["cutout no"])
        // brightness:0.5: one uniform(0.5, 1.5), two decimals without trailing zeros.
        rng = RNG(seed: 9)
        let factor = rng.uniform(0.5, 1.5)
        var expected = String(format: "%.2f", Double(factor))
        while expected.hasSuffix("0") { expected.removeLast() }
        if expected.hasSuffix(".") { expected.removeLast() }
        #expect(try describe("brightness:0.5").texts == ["brightness ×\(expected)"])
        #expect(try describe("contrast:0").texts == ["contrast ×1"])
        #expect(try describe("hflip:1,vflip:0").texts == ["hflip yes", "vflip no"])
        #expect(try describe("crop:0,shift:0,rotate:0").texts == ["crop x0 y0", "shift x0 y0", "rotate 0°"])
        #expect(signed(3) == "+3" && signed(0) == "0" && signed(-2) == "-2")
        #expect(shortDecimal(1.1) == "1.1" && shortDecimal(0.8749) == "0.87" && shortDecimal(2) == "2")
        #expect(shortDecimal(-0.001) == "0")
        // Every word is drawable by the bitmap font.
        let all = try describe("crop:1,hflip,vflip,shift:1,rotate:5,cutout:1,brightness:0.1,contrast:0.1").texts
        #expect(all.joined().allSatisfy(BitmapFont.canDraw))
    }
}
