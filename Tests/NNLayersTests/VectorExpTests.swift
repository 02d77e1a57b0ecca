import Foundation
import NNCore
import Testing

@testable import NNLayers

@Suite struct VectorExpTests {
    /// Relative error against Double-precision exp over the whole unclamped range, in steps that hit
    /// every part of the range reduction (both signs, near multiples of ln 2, tiny arguments).
    @Test func agreesWithDoubleExpWithinTwoUlps() {
        var worst = 0.0
        var x: Float = -87.3
        while x <= 88 {
            let lanes = SIMD8<Float>(x, x / 3, -x / 7, x * 1e-3, x * 1e-6, Float(0.6931472), -Float(0.3465736), 0)
            let result = vectorExp(lanes)
            for lane in 0..<8 {
                let exact = Foundation.exp(Double(lanes[lane]))
                worst = max(worst, abs(Double(result[lane]) - exact) / exact)
            }
            x += 0.0173
        }
        #expect(worst < 2.4e-7, "worst relative error \(worst)")
        #expect(vectorExp(SIMD8(repeating: 0)) == SIMD8(repeating: 1))
        #expect(vectorExp(SIMD8(repeating: 1))[0] == Float(2.7182817))
    }

    /// Overflow, underflow through the denormals, infinities and NaN as the C library's expf.
    @Test func overflowsAndUnderflowsAsExpfDoes() {
        let result = vectorExp(SIMD8<Float>(1000, .infinity, -1000, -.infinity, .nan, 88.7, -100, 89))
        #expect(result[0] == .infinity && result[1] == .infinity && result[7] == .infinity)
        #expect(result[2] == 0 && result[3] == 0)
        #expect(result[4].isNaN)
        let (high, low) = (Foundation.exp(Double(Float(88.7))), Foundation.exp(Double(Float(-100))))
        #expect(result[5].isFinite && abs(Double(result[5]) - high) <= 2.4e-7 * high, "\(result[5]) vs \(high)")
        // a denormal keeps fewer digits: within half its last place (2^-150) of the exact value
        #expect(result[6].isSubnormal && abs(Double(result[6]) - low) <= 0x1p-150, "\(result[6]) vs \(low)")
    }

    @Test func sigmoidMatchesTheFormulaAtEveryLane() throws {
        let layer = Sigmoid()
        let values: [Float] = (0..<21).map { Float($0) * 1.5 - 15 }  // 21: two vectors and a tail
        let output = layer.forward(Tensor(values), training: false)
        for (x, y) in zip(values, output.scalars) {
            let exact = 1 / (1 + Foundation.exp(-Double(x)))
            #expect(abs(Double(y) - exact) <= 2.4e-7 * exact, "sigmoid(\(x)) = \(y), expected \(exact)")
        }
    }
}
