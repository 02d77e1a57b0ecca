import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How many columns the terminal behind a file descriptor has, for lines that must not wrap.
///
/// Asked of the terminal itself each time (`TIOCGWINSZ`), so a window resized while a command runs
/// is followed from the next line drawn on; `$COLUMNS` when the terminal does not say; 80 when
/// neither does.
public enum TerminalWidth {
    public static let fallback = 80

    /// The width of the terminal `fileDescriptor` writes to; for a file or a pipe, `$COLUMNS` or 80.
    public static func columns(
        of fileDescriptor: Int32, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Int {
        var size = winsize()
        if isatty(fileDescriptor) == 1, ioctl(fileDescriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return Int(size.ws_col)
        }
        return fromEnvironment(environment) ?? fallback
    }

    /// `$COLUMNS` when it is a whole number from 1 to 10000.
    public static func fromEnvironment(_ environment: [String: String]) -> Int? {
        guard let text = environment["COLUMNS"]?.trimmingCharacters(in: .whitespaces), let value = Int(text),
            (1...10_000).contains(value)
        else { return nil }
        return value
    }
}
