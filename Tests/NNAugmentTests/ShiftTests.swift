import NNCore
import Testing

@testable import NNAugment

@Suite struct ShiftTests {
    func shifted(_ dx: Int, _ dy: Int, fill: UInt8 = 0) -> [UInt8] {
        transformed(TestImages.gray4x4, TestImages.gray4x4Shape) { RandomShift.shift(&$0, dx: dx, dy: dy, fill: fill) }
    }

    @Test func shiftsMoveContentAndFillTheBorder() {
        #expect(shifted(1, 0) == [0, 1, 2, 3, 0, 5, 6, 7, 0, 9, 10, 11, 0, 13, 14, 15])
        #expect(shifted(0, 1) == [0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
        #expect(shifted(-1, 2, fill: 99) == [99, 99, 99, 99, 99, 99, 99, 99, 2, 3, 4, 99, 6, 7, 8, 99])
        #expect(shifted(2, -3, fill: 7) == [7, 7, 13, 14, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7])
        #expect(shifted(0, 0) == TestImages.gray4x4)
    }

    @Test func shiftingByTheWholeImageOrMoreLeavesOnlyFill() {
        for (dx, dy) in [(4, 0), (-4, 0), (0, 4), (0, -4), (5, 1), (-1, -9), (100, 100)] {
            #expect(shifted(dx, dy, fill: 42) == [UInt8](repeating: 42, count: 16), "dx \(dx) dy \(dy)")
        }
    }

    @Test func threeChannelsShiftTogether() {
        let rgb = transformed(TestImages.rgb4x4, TestImages.rgb4x4Shape) {
            RandomShift.shift(&$0, dx: -1, dy: 1, fill: 0)
        }
        #expect(rgb == TestImages.rgb(fromGray: shifted(-1, 1)))
    }

    @Test func randomShiftDrawsDxThenDyWithinRange() {
        var seen = Set<[Int]>()
        for seed in UInt64(0)..<200 {
            var rng = RNG(seed: seed)
            var expectedRNG = rng
            let result = applied(
                RandomShift(maxShift: 1, fill: 5), TestImages.gray4x4, TestImages.gray4x4Shape, rng: &rng)
            let dx = expectedRNG.int(below: 3) - 1
            let dy = expectedRNG.int(below: 3) - 1
            #expect(result == shifted(dx, dy, fill: 5))
            #expect(rng == expectedRNG)
            seen.insert([dx, dy])
        }
        #expect(seen.count == 9, "all nine shifts in -1...1 x -1...1 occur")
    }

    @Test func maxShiftZeroIsIdentity() {
        var rng = RNG(seed: 3)
        let untouched = rng
        #expect(
            applied(RandomShift(maxShift: 0), TestImages.gray4x4, TestImages.gray4x4Shape, rng: &rng)
                == TestImages.gray4x4)
        #expect(rng == untouched)
    }
}
