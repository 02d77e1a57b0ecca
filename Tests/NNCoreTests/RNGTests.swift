import Testing

@testable import NNCore

@Suite struct RNGTests {
    // Values printed by Tools/reference/rng_reference.py, an independent Python implementation.
    @Test func matchesReferenceSequence() {
        var zero = RNG(seed: 0)
        #expect(
            (0..<4).map { _ in zero.next() } == [
                0x99ec_5f36_cb75_f2b4, 0xbf6e_1f78_4956_452a, 0x1a5f_849d_4933_e6e0, 0x6aa5_94f1_262d_2d2c,
            ])
        var fortyTwo = RNG(seed: 42)
        #expect(
            (0..<4).map { _ in fortyTwo.next() } == [
                0x1578_0b2e_0c2e_c716, 0x6104_d986_6d11_3a7e, 0xae17_5332_39e4_99a1, 0xecb8_ad47_03b3_60a1,
            ])
    }

    @Test func floatsAreInUnitInterval() {
        var rng = RNG(seed: 7)
        for _ in 0..<10_000 {
            let f = rng.nextFloat()
            #expect(f >= 0 && f < 1)
        }
    }

    @Test func boundedIntegersAreUniformEnough() {
        var rng = RNG(seed: 3)
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<100_000 { counts[rng.int(below: 10)] += 1 }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 500 })
    }

    @Test func normalHasUnitMoments() {
        var rng = RNG(seed: 11)
        let xs = (0..<200_000).map { _ in Double(rng.normal()) }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count)
        #expect(abs(mean) < 0.01)
        #expect(abs(variance - 1) < 0.02)
    }

    @Test func streamsAreIndependentAndReproducible() {
        var a = RNG(seed: 5, stream: 1)
        var b = RNG(seed: 5, stream: 2)
        var a2 = RNG(seed: 5, stream: 1)
        let sa = (0..<4).map { _ in a.next() }
        #expect(sa == (0..<4).map { _ in a2.next() })
        #expect(sa != (0..<4).map { _ in b.next() })
    }

    @Test func stateRoundTrips() {
        var rng = RNG(seed: 9)
        _ = rng.next()
        let saved = rng.stateWords
        let expected = rng.next()
        var restored = RNG(stateWords: saved)
        #expect(restored?.next() == expected)
        #expect(RNG(stateWords: [0, 0, 0, 0]) == nil)
        #expect(RNG(stateWords: [1, 2]) == nil)
    }

    @Test func permutationContainsEveryIndexOnce() {
        var rng = RNG(seed: 1)
        let p = rng.permutation(1000)
        #expect(p.sorted() == Array(0..<1000))
        #expect(p != Array(0..<1000))
    }
}
