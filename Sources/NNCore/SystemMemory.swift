import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How much memory this process may use: the machine's physical memory, or less where a control
/// group (a container, a systemd slice) sets a limit, or less again where `NNZOO_MEMORY_LIMIT` says
/// so (bytes, or with a K, M or G suffix: for shared machines, and for testing refusals).
public enum SystemMemory {
    public static let limitVariable = "NNZOO_MEMORY_LIMIT"

    /// The memory available to nnzoo, in bytes, and where the figure comes from. Throws
    /// `SystemMemoryError` when `NNZOO_MEMORY_LIMIT` is set to something that is not a size (it
    /// was silently ignored: `NNZOO_MEMORY_LIMIT=abc` meant no limit at all). Empty counts as unset.
    public static func limit(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> (bytes: Int, source: String) {
        var best = (bytes: physicalBytes(), source: "physical memory")
        if let text = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
            let bytes = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes < best.bytes
        {
            best = (bytes, "the control group's memory.max")
        }
        if let text = environment[limitVariable], !text.isEmpty {
            guard let bytes = parseSize(text) else { throw SystemMemoryError.badLimit(value: text) }
            if bytes < best.bytes { best = (bytes, limitVariable) }
        }
        return best
    }

    /// Physical memory from sysconf (pages times page size).
    public static func physicalBytes() -> Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return Int.max }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: pageSize)
        return overflow ? Int.max : bytes
    }

    /// "123", "64K", "512M", "2G" (powers of 1024) as bytes; nil for anything else.
    public static func parseSize(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        var digits = Substring(trimmed)
        var unit = 1
        if let last = trimmed.last, let factor = units[last] {
            digits = digits.dropLast()
            unit = factor
        }
        guard let value = Int(digits), value > 0 else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: unit)
        return overflow ? nil : bytes
    }
}

/// A memory limit set in the environment that is not a size.
public enum SystemMemoryError: Error, Equatable, Sendable, CustomStringConvertible {
    case badLimit(value: String)

    public var description: String {
        switch self {
        case .badLimit(let value):
            return
                "\(SystemMemory.limitVariable) is \(InputText.quoted(value)), which is not a memory size: give a whole number of bytes "
                + "above 0, or one with K, M or G (\(SystemMemory.limitVariable)=512M), or unset it."
        }
    }
}
