import Foundation
import NNCore
import Testing

@Suite struct DecimalTextTests {
    /// The same text as Foundation's String(format:), which it replaces where it is hot.
    @Test func writesWhatStringFormatWrites() {
        var values: [Double] = [
            0, -0.0, 1, -1, 0.5, 0.0000005, 0.0000015, 0.0000025, 0.1234565, 0.9999995, 0.99999949, 1e-300,
            123_456.789_012_345, -98.765_432_1, 1e22, 1.7976931348623157e308, -1.7976931348623157e308,
            .nan, .infinity, -.infinity, 0.125, 2.5, 3.5, 0.05, 0.15, 0.25, 0.35,
        ]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 { values.append(Double.random(in: 0...1, using: &rng)) }
        // Beside the ties that printf decides and across the sizes written from whole counts.
        for _ in 0..<500 { values.append(Double.random(in: -2e6...2e6, using: &rng)) }
        for tie in [0.0000005, 0.0000025, 0.1234565, 2.5, 0.125, 1_099_511.627_776_5] {
            values += [tie.nextUp, tie.nextDown, tie + 1e-9, tie - 1e-9, -tie]
        }
        for value in values {
            for decimals in [0, 1, 3, 4, 6] {
                #expect(DecimalText.fixed(value, decimals: decimals) == String(format: "%.\(decimals)f", value))
            }
        }
        #expect(DecimalText.fixed(-0.0, decimals: 2) == "-0.00")
        // Longer than the first buffer: written again into one of the right size.
        #expect(DecimalText.fixed(1e300, decimals: 1).count == 303)
        #expect(DecimalText.fixed(0.931_348_2, decimals: 6) == "0.931348")
    }
}
