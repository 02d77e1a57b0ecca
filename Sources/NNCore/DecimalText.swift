#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Numbers written with a fixed count of decimals, exactly as C's `printf("%.Nf")` writes them (and so
/// exactly as Foundation's `String(format: "%.Nf", x)`, which hands `%f` to the C library) without
/// Foundation's format-string machinery: `nnzoo predict --csv` over 10000 files spent a quarter of its
/// instructions building CFStrings for 30000 probabilities.
public enum DecimalText {
    /// `value` with `decimals` (0 to 100) digits after the point (`nan`, `inf`, `-inf` as printf writes them).
    public static func fixed(_ value: Double, decimals: Int) -> String {
        if let text = rounded(value, decimals: decimals) { return text }
        let format = "%.\(max(0, min(decimals, 100)))f"
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            let written = write(value, format, buffer.baseAddress!, 64)
            if written < 64 { return written < 0 ? String(value) : String(cString: buffer.baseAddress!) }
            // Longer than 63 characters (a huge value): written again into a buffer of its size.
            var large = [CChar](repeating: 0, count: written + 1)
            return large.withUnsafeMutableBufferPointer { whole in
                _ = write(value, format, whole.baseAddress!, whole.count)
                return String(cString: whole.baseAddress!)
            }
        }
    }

    /// The powers of ten that `rounded` scales by (all exact as doubles).
    private static let scales: [Double] = (0...9).map { pow(10, Double($0)) }

    /// `value` written from its integer count of 10^-decimals where that count is certain, nil where
    /// printf must decide (more than 9 decimals, not finite, large, or within a thousandth of a tie).
    /// The product `|value| * 10^decimals` is below 2^40, so it is off the exact product by at most
    /// 2^-13, and rounding it to the nearest integer gives the exact product's rounding, which is
    /// printf's, whenever its fraction is further than that from one half. vsnprintf with its
    /// va_list took 7500 instructions a number (predict --csv writes three a file); this about 1600.
    private static func rounded(_ value: Double, decimals: Int) -> String? {
        guard value.isFinite, decimals >= 0, decimals < scales.count else { return nil }
        let scaled = value.magnitude * scales[decimals]
        guard scaled < 0x1p40, (scaled - scaled.rounded(.down) - 0.5).magnitude > 1e-3 else { return nil }
        let count = UInt64(scaled.rounded(.toNearestOrAwayFromZero))
        let scale = UInt64(scales[decimals])
        var text = value.sign == .minus ? "-" : ""
        text += String(count / scale)
        guard decimals > 0 else { return text }
        let fraction = String(count % scale)
        text += "."
        text += String(repeating: "0", count: decimals - fraction.utf8.count)
        text += fraction
        return text
    }

    /// C's conversion of `value` by `format` into `buffer` (NUL-terminated when it fits); the length
    /// of the whole text.
    private static func write(_ value: Double, _ format: String, _ buffer: UnsafeMutablePointer<CChar>, _ size: Int)
        -> Int
    {
        Int(withVaList([value]) { vsnprintf(buffer, size, format, $0) })
    }
}
