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

    /// C's conversion of `value` by `format` into `buffer` (NUL-terminated when it fits); the length
    /// of the whole text.
    private static func write(_ value: Double, _ format: String, _ buffer: UnsafeMutablePointer<CChar>, _ size: Int)
        -> Int
    {
        Int(withVaList([value]) { vsnprintf(buffer, size, format, $0) })
    }
}
