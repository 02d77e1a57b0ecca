import Foundation

/// The project's one pseudo-random number generator: xoshiro256** 1.0 (Blackman and Vigna, 2018),
/// seeded through SplitMix64. Both algorithms are fixed-width integer arithmetic, so the same seed
/// gives the same sequence on every machine and every build.
///
/// - `next()` returns the next 64-bit output of xoshiro256**.
/// - `RNG(seed:)` fills the 256-bit state with four successive SplitMix64 outputs of `seed`.
/// - `RNG(seed:stream:)` derives an independent generator for a sub-task (a sample index, an epoch,
///   a layer) by seeding SplitMix64 with `seed` and `stream` mixed together; used wherever work
///   is split across threads, so results never depend on which thread ran what.
/// - Floats take the top 24 bits (`Float` in [0, 1)), doubles the top 53 bits.
/// - Normals use the Box–Muller transform on two doubles; integers below a bound use Lemire's
///   multiply-and-reject method (unbiased).
public struct RNG: RandomNumberGenerator, Sendable, Equatable {
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var sm = SplitMix64(state: seed)
        state = (sm.next(), sm.next(), sm.next(), sm.next())
        if state == (0, 0, 0, 0) { state.0 = 0x9E37_79B9_7F4A_7C15 }
    }

    /// A generator for sub-task `stream` of a run seeded with `seed`.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SplitMix64(state: seed ^ 0xD1B5_4A32_D192_ED03)
        let a = mixer.next()
        var sm2 = SplitMix64(state: stream &* 0x9E37_79B9_7F4A_7C15 ^ a)
        self.init(seed: sm2.next())
    }

    /// Restores a generator from `stateWords` (as saved in a checkpoint).
    public init?(stateWords: [UInt64]) {
        guard stateWords.count == 4, stateWords.contains(where: { $0 != 0 }) else { return nil }
        state = (stateWords[0], stateWords[1], stateWords[2], stateWords[3])
    }

    /// The four state words, for saving in a checkpoint.
    public var stateWords: [UInt64] { [state.0, state.1, state.2, state.3] }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    /// Uniform `Float` in [0, 1).
    @inline(__always)
    public mutating func nextFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform `Double` in [0, 1).
    @inline(__always)
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform `Float` in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * nextFloat()
    }

    /// Standard normal sample (mean 0, standard deviation 1), Box–Muller.
    public mutating func normal() -> Float {
        var u1 = nextDouble()
        while u1 <= 0 { u1 = nextDouble() }
        let u2 = nextDouble()
        return Float((-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2))
    }

    /// Uniform integer in 0 ..< bound (bound > 0), without modulo bias.
    public mutating func int(below bound: Int) -> Int {
        precondition(bound > 0, "RNG.int(below:) needs a positive bound")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// `true` with probability `p`.
    public mutating func bernoulli(_ p: Float) -> Bool {
        if p <= 0 { return false }
        if p >= 1 { return true }
        return nextFloat() < p
    }

    /// Fisher–Yates shuffle of `array` in place.
    public mutating func shuffle<T>(_ array: inout [T]) {
        var i = array.count
        while i > 1 {
            let j = int(below: i)
            i -= 1
            array.swapAt(i, j)
        }
    }

    /// A permutation of 0 ..< n.
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        shuffle(&p)
        return p
    }

    public static func == (a: RNG, b: RNG) -> Bool { a.stateWords == b.stateWords }
}

@inline(__always)
private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

/// SplitMix64 (Steele, Lea and Flood, 2014), used only to seed xoshiro256**.
public struct SplitMix64: Sendable {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
