import Foundation

/// Round tick positions for a plot axis: a step of 1, 2 or 5 times a power of ten (the "nice
/// numbers" of Heckbert's Graphics Gems label algorithm), and a domain widened to whole steps so
/// that the first and last ticks sit on the axis ends.
struct AxisTicks: Equatable {
    /// The axis runs from `lower` to `upper`; both are multiples of `step`.
    let lower: Double
    let upper: Double
    let step: Double

    /// Ticks covering `low...high` with about `intervals` steps between them. An empty or
    /// single-value range is widened (by 10% of the value, or by 1 around zero) so the axis has a
    /// length. `limits`, if given, clips the widened range (accuracy stays within 0...100); every
    /// nice step divides 100, so the rounded ends stay inside such limits.
    static func covering(
        _ low: Double, _ high: Double, intervals: Int = 5, limits: ClosedRange<Double>? = nil
    ) -> AxisTicks {
        var low = low
        var high = high
        if !(high > low) {
            let pad = low == 0 ? 1 : abs(low) * 0.1
            low -= pad
            high += pad
            if let limits {
                low = max(low, limits.lowerBound)
                high = min(high, limits.upperBound)
            }
        }
        // Divided before subtracting, so that even a range near Double.greatestFiniteMagnitude
        // does not overflow.
        let step = niceStep(high / Double(max(1, intervals)) - low / Double(max(1, intervals)))
        // The small tolerance keeps 0.3 / 0.1 = 2.9999999999999996 from rounding down a step.
        let lower = (low / step + 1e-9).rounded(.down) * step
        let upper = (high / step - 1e-9).rounded(.up) * step
        return AxisTicks(lower: lower, upper: max(upper, lower + step), step: step)
    }

    /// Integer ticks for epoch numbers `first...last`: the axis spans exactly that range (half an
    /// epoch either side when there is only one) and ticks fall on multiples of a whole step.
    static func epochs(_ first: Int, _ last: Int, intervals: Int = 10) -> AxisTicks {
        let step = max(1, niceStep(Double(last - first) / Double(max(1, intervals))))
        let lower = last > first ? Double(first) : Double(first) - 0.5
        let upper = last > first ? Double(last) : Double(last) + 0.5
        return AxisTicks(lower: lower, upper: upper, step: step.rounded())
    }

    /// The tick values: the multiples of `step` within `lower...upper`.
    var values: [Double] {
        let first = (lower / step - 1e-9).rounded(.up)
        let last = (upper / step + 1e-9).rounded(.down)
        guard first <= last, last - first <= 1000 else { return [] }
        return stride(from: first, through: last, by: 1).map { $0 * step }
    }

    /// A tick label with just enough decimals for the step (0.05 -> two), or a short exponent form
    /// for very large or very small steps.
    func label(_ value: Double) -> String {
        // A tick computed as 0 * step can be -0 or a rounding crumb: it reads as zero.
        let value = abs(value) < step * 1e-6 ? 0 : value
        if step >= 1e5 || step < 1e-4 {
            return String(format: "%.3g", value)
        }
        let decimals = max(0, -Int(log10(step).rounded(.down)))
        return String(format: "%.\(decimals)f", value)
    }

    private static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow(10, log10(raw).rounded(.down))
        let fraction = raw / magnitude
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        return nice * magnitude
    }
}
