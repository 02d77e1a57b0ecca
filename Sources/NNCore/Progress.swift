import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where progress text goes, and whether it is a terminal (a redrawn bar) or a log (plain lines).
public struct ProgressOutput: Sendable {
    public let isTerminal: Bool
    /// The terminal's width in columns (bars are fitted to it).
    public let columns: Int
    public let write: @Sendable (String) -> Void

    public init(isTerminal: Bool, columns: Int = 80, write: @escaping @Sendable (String) -> Void) {
        self.isTerminal = isTerminal
        self.columns = max(40, columns)
        self.write = write
    }

    /// Standard error: a bar when it is a terminal, plain lines when it is a file or a pipe (CI logs).
    public static var standardError: ProgressOutput {
        let terminal = isatty(STDERR_FILENO) == 1
        var size = winsize()
        let columns =
            terminal && ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0
            ? Int(size.ws_col) : 80
        return ProgressOutput(isTerminal: terminal, columns: columns) { text in
            FileHandle.standardError.write(Data(text.utf8))
        }
    }
}

/// Reports progress of one long piece of work (a download, an epoch) with a count, a rate and an
/// estimated time left. On a terminal it redraws one line (at most ten times a second); otherwise it
/// writes a plain line every `plainInterval` seconds and one at the end, so logs stay short.
///
/// Thread-safe: `update` may be called from any thread.
public final class ProgressReporter: @unchecked Sendable {
    public enum Unit: Sendable, Equatable {
        /// Sizes in bytes, shown with decimal units (kB, MB, GB).
        case bytes
        /// Counted things, e.g. `.items("batches")`.
        case items(String)
    }

    public let label: String
    public let unit: Unit
    private let output: ProgressOutput
    private let clock: @Sendable () -> Double
    private let plainInterval: Double
    private let lock = NSLock()
    private var total: Int64?
    private var completed: Int64
    private let startValue: Int64
    private let startTime: Double
    private var lastDraw = -Double.infinity
    private var samples: [(time: Double, value: Int64)] = []
    private var finished = false
    /// The widest status text drawn so far on a terminal.
    private var textRoom = 0
    /// Extra text after the status (a training loop's running loss), set with `update(_:detail:)`.
    private var detail: String?

    /// - Parameters:
    ///   - total: the amount of work, when known.
    ///   - startingAt: work already done before this run (a resumed download); it counts towards
    ///     the fraction done but not towards the rate.
    ///   - clock: seconds from any fixed origin; tests pass a fake one.
    public init(
        label: String, total: Int64?, unit: Unit = .bytes, startingAt: Int64 = 0,
        output: ProgressOutput = .standardError, plainInterval: Double = 5,
        clock: @escaping @Sendable () -> Double = ProgressReporter.monotonicSeconds
    ) {
        self.label = label
        self.total = total
        self.unit = unit
        self.completed = startingAt
        self.startValue = startingAt
        self.output = output
        self.plainInterval = plainInterval
        self.clock = clock
        self.startTime = clock()
        samples = [(startTime, startingAt)]
        lastDraw = output.isTerminal ? -Double.infinity : startTime
    }

    /// Seconds since an arbitrary fixed point, never going backwards.
    @Sendable public static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }

    /// Sets the total once it becomes known (e.g. from a Content-Length).
    public func setTotal(_ newTotal: Int64?) {
        lock.lock()
        total = newTotal
        lock.unlock()
    }

    /// Records that `value` units are done in all.
    public func update(_ value: Int64) {
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        completed = value
        let now = clock()
        samples.append((now, value))
        // Keep about five seconds of samples for the rate.
        while samples.count > 2, now - samples[1].time > 5 { samples.removeFirst() }
        let interval = output.isTerminal ? 0.1 : plainInterval
        if now - lastDraw >= interval {
            lastDraw = now
            draw(now: now, final: false)
        }
    }

    /// Records that `value` units are done in all, with `detail` shown after the status (for example
    /// "loss 0.412 acc 85.1%").
    public func update(_ value: Int64, detail: String) {
        lock.lock()
        self.detail = detail
        lock.unlock()
        update(value)
    }

    /// Ends the display without a final line: a terminal's bar is erased (so a summary printed next
    /// takes its place); nothing is written to a log.
    public func dismiss() {
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        finished = true
        if output.isTerminal && lastDraw > -Double.infinity { output.write("\r\u{1B}[2K") }
    }

    /// Records `amount` more units done.
    public func advance(by amount: Int64) {
        lock.lock()
        let value = completed + amount
        lock.unlock()
        update(value)
    }

    /// Draws the final state and ends the line; `note` is appended (e.g. "resumed").
    public func finish(_ note: String? = nil) {
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        finished = true
        draw(now: clock(), final: true, note: note)
    }

    /// The status text without a bar: "4.5 MB of 9.9 MB (45%), 1.2 MB/s, 5s left".
    public var statusText: String {
        lock.lock()
        defer { lock.unlock() }
        return status(now: clock(), final: false)
    }

    // MARK: - Drawing

    private func draw(now: Double, final: Bool, note: String? = nil) {
        if output.isTerminal {
            let text =
                compactStatus(now: now, final: final) + (detail.map { " " + $0 } ?? "") + (note.map { ", " + $0 } ?? "")
            // The text matters most, then the label, then the bar: the bar takes the room left
            // (8 to 40 cells) or is left out, and a long label is shortened, so the line never wraps.
            let width = output.columns - 1
            var name = label
            if name.count + 2 + text.count > width { name = String(name.prefix(max(0, width - 3 - text.count))) + "…" }
            // The bar keeps its width as the text grows and shrinks (it only ever narrows).
            textRoom = max(textRoom, text.count)
            let room = width - name.count - 2 - min(textRoom, width) - 3
            let line = name + "  " + (room >= 8 ? bar(width: room) + " " : "") + text
            output.write("\r\u{1B}[2K" + String(line.prefix(width)) + (final ? "\n" : ""))
        } else {
            output.write(
                label + ": " + status(now: now, final: final) + (detail.map { ", " + $0 } ?? "")
                    + (note.map { ", " + $0 } ?? "") + "\n")
        }
    }

    /// The status for a bar, short enough to leave it room on 80 columns:
    /// "4.5 MB/9.9 MB 45% 1.2 MB/s ETA 5s".
    private func compactStatus(now: Double, final: Bool) -> String {
        var parts: [String] = []
        if let total, total > 0 {
            let percent = min(100, Int((100 * Double(completed) / Double(total)).rounded(.down)))
            switch unit {
            case .bytes: parts.append(Self.formatBytes(completed) + "/" + Self.formatBytes(total) + " \(percent)%")
            case .items(let name): parts.append("\(completed)/\(total) \(name) \(percent)%")
            }
        } else {
            parts.append(amount(completed))
        }
        let elapsed = now - startTime
        if final {
            let done = Double(completed - startValue)
            if elapsed > 0, done > 0 { parts.append(rate(done / elapsed)) }
            parts.append("took " + Self.formatDuration(elapsed))
        } else if let perSecond = currentRate(now: now) {
            parts.append(rate(perSecond))
            if let total, total > completed, perSecond > 0 {
                parts.append("ETA " + Self.formatDuration(Double(total - completed) / perSecond))
            }
        }
        return parts.joined(separator: " ")
    }

    private func bar(width: Int) -> String {
        let inner = min(width, 40)
        guard let total, total > 0 else { return "[" + String(repeating: "-", count: inner) + "]" }
        let filled = Int(Double(inner) * min(1, Double(completed) / Double(total)))
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: inner - filled) + "]"
    }

    private func status(now: Double, final: Bool) -> String {
        var parts: [String] = []
        if let total, total > 0 {
            let percent = Int((100 * Double(completed) / Double(total)).rounded(.down))
            parts.append("\(amount(completed)) of \(amount(total)) (\(min(100, percent))%)")
        } else {
            parts.append(amount(completed))
        }
        let elapsed = now - startTime
        if final {
            let done = Double(completed - startValue)
            if elapsed > 0, done > 0 { parts.append(rate(done / elapsed)) }
            parts.append("took " + Self.formatDuration(elapsed))
        } else if let perSecond = currentRate(now: now) {
            parts.append(rate(perSecond))
            if let total, total > completed, perSecond > 0 {
                parts.append(Self.formatDuration(Double(total - completed) / perSecond) + " left")
            }
        }
        return parts.joined(separator: ", ")
    }

    /// Units per second over the recent samples, once there is half a second of them.
    private func currentRate(now: Double) -> Double? {
        guard let first = samples.first, now - first.time >= 0.5 else { return nil }
        return Double(completed - first.value) / (now - first.time)
    }

    private func amount(_ value: Int64) -> String {
        switch unit {
        case .bytes: return Self.formatBytes(value)
        case .items(let name): return "\(value) \(name)"
        }
    }

    private func rate(_ perSecond: Double) -> String {
        switch unit {
        case .bytes: return Self.formatBytes(Int64(perSecond)) + "/s"
        case .items(let name): return String(format: "%.1f", perSecond) + " \(name)/s"
        }
    }

    // MARK: - Formatting

    /// Decimal units with one decimal above 1000 bytes: 512 B, 28.9 kB, 9.9 MB, 1.2 GB.
    public static func formatBytes(_ bytes: Int64) -> String {
        let units = ["kB", "MB", "GB", "TB"]
        if bytes < 1000 { return "\(bytes) B" }
        var value = Double(bytes) / 1000
        var index = 0
        while value >= 999.95 && index < units.count - 1 {
            value /= 1000
            index += 1
        }
        return String(format: "%.1f", value) + " " + units[index]
    }

    /// 0s, 59s, 1m 05s, 2h 03m.
    public static func formatDuration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total)s" }
        if total < 3600 { return String(format: "%dm %02ds", total / 60, total % 60) }
        return String(format: "%dh %02dm", total / 3600, (total % 3600) / 60)
    }
}
