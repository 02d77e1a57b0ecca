import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where progress text goes, and whether it is a terminal (a redrawn bar) or a log (plain lines).
public struct ProgressOutput: Sendable {
    public let isTerminal: Bool
    private let width: @Sendable () -> Int
    public let write: @Sendable (String) -> Void

    /// The terminal's width in columns now (lines are fitted to it; asked again for each line drawn,
    /// so a resized window is followed).
    public var columns: Int { max(20, width()) }

    public init(isTerminal: Bool, columns: Int = 80, write: @escaping @Sendable (String) -> Void) {
        self.init(isTerminal: isTerminal, width: { columns }, write: write)
    }

    public init(isTerminal: Bool, width: @escaping @Sendable () -> Int, write: @escaping @Sendable (String) -> Void) {
        self.isTerminal = isTerminal
        self.width = width
        self.write = write
    }

    /// Standard error: a bar when it is a terminal, plain lines when it is a file or a pipe (CI logs).
    public static var standardError: ProgressOutput {
        ProgressOutput(
            isTerminal: isatty(STDERR_FILENO) == 1, width: { TerminalWidth.columns(of: STDERR_FILENO) },
            write: { text in FileHandle.standardError.write(Data(text.utf8)) })
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
    /// The bar's width last drawn, and the terminal width it was drawn for: a bar only narrows as the
    /// text beside it grows and shrinks, until the window is resized.
    private var barCap: Int?
    private var barCapColumns = 0
    /// Fields after the status (a training loop's running loss), set with `update(_:details:)`.
    private var details: [FittedLine.Field] = []
    /// The order in which a terminal line sheds fields that do not fit (see `standardFitting`).
    private let fitting: [FittedLine.Step]

    /// What a line too wide for the terminal gives up first: a plain `detail`, the bar, a note, the
    /// rate ("1.2 MB/s"; for counted things first its unit), then the amount ("4.5 MB/9.9 MB"), then
    /// the time left. The label and the percentage stay; a label too long is cut short with "…".
    /// Fields of `update(_:details:)` stay unless `fitting` names them.
    public static let standardFitting: [FittedLine.Step] = [
        .drop("detail"), .drop("bar"), .drop("note"), .shorten("rate"), .drop("rate"), .drop("amount"), .drop("eta"),
    ]

    /// - Parameters:
    ///   - total: the amount of work, when known.
    ///   - startingAt: work already done before this run (a resumed download); it counts towards
    ///     the fraction done but not towards the rate.
    ///   - fitting: what a terminal line too wide gives up, in order: keys `bar`, `amount`, `rate`,
    ///     `eta`, `note` and those of the detail fields.
    ///   - clock: seconds from any fixed origin; tests pass a fake one.
    public init(
        label: String, total: Int64?, unit: Unit = .bytes, startingAt: Int64 = 0,
        output: ProgressOutput = .standardError, plainInterval: Double = 5,
        fitting: [FittedLine.Step] = ProgressReporter.standardFitting,
        clock: @escaping @Sendable () -> Double = ProgressReporter.monotonicSeconds
    ) {
        self.fitting = fitting
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
    /// "loss 0.412 acc 85.1%"); on a terminal it is dropped first when the line does not fit.
    public func update(_ value: Int64, detail: String) {
        update(value, details: [FittedLine.Field("detail", detail)])
    }

    /// Records that `value` units are done in all, with `details` shown after the status, each
    /// dropped or shortened on a narrow terminal as `fitting` says.
    public func update(_ value: Int64, details: [FittedLine.Field]) {
        lock.lock()
        self.details = details
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
            let columns = output.columns
            if columns != barCapColumns { barCap = nil }
            // The last column is left empty: writing into it makes some terminals wrap.
            let (line, barWidth) = FittedLine.layout(
                terminalFields(now: now, final: final, note: note), width: columns - 1, steps: fitting, labelGap: 2,
                barCap: barCap)
            barCap = barWidth
            barCapColumns = columns
            output.write("\r\u{1B}[2K" + line + (final ? "\n" : ""))
        } else {
            output.write(
                label + ": " + status(now: now, final: final)
                    + details.map { ", " + $0.text }.joined() + (note.map { ", " + $0 } ?? "") + "\n")
        }
    }

    /// The fields of a terminal line, in order: label, bar, amount, percentage, rate, time left (or
    /// taken), then the details and a note. "t10k-images  [####----] 4.5 MB/9.9 MB 45% 1.2 MB/s ETA 5s".
    func terminalFields(now: Double, final: Bool, note: String?) -> [FittedLine.Field] {
        var fields = [FittedLine.Field("label", label, gap: 0)]
        if let total, total > 0 {
            let fraction = Double(completed) / Double(total)
            fields.append(.bar(fraction: fraction, widths: 10...42))
            let percent = min(100, Int((100 * fraction).rounded(.down)))
            switch unit {
            case .bytes:
                fields.append(FittedLine.Field("amount", Self.formatBytes(completed) + "/" + Self.formatBytes(total)))
            case .items: fields.append(FittedLine.Field("amount", "\(completed)/\(total)"))
            }
            fields.append(FittedLine.Field("percent", "\(percent)%"))
        } else {
            fields.append(FittedLine.Field("amount", amount(completed)))
        }
        let elapsed = now - startTime
        if final {
            let done = Double(completed - startValue)
            if elapsed > 0, done > 0 { fields.append(rateField(done / elapsed)) }
            fields.append(FittedLine.Field("eta", "took " + Self.formatDuration(elapsed)))
        } else if let perSecond = currentRate(now: now) {
            fields.append(rateField(perSecond))
            if let total, total > completed, perSecond > 0 {
                fields.append(
                    FittedLine.Field("eta", "ETA " + Self.formatDuration(Double(total - completed) / perSecond)))
            }
        }
        fields += details
        if let note { fields.append(FittedLine.Field("note", note)) }
        return fields
    }

    private func rateField(_ perSecond: Double) -> FittedLine.Field {
        switch unit {
        case .bytes: return FittedLine.Field("rate", rate(perSecond))
        case .items: return FittedLine.Field("rate", rate(perSecond), short: Self.formatCount(perSecond) + "/s")
        }
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

    /// Units per second over the recent samples (about the last five seconds); in the first moments,
    /// over what is done so far, so that even work that lasts a fraction of a second shows a rate.
    private func currentRate(now: Double) -> Double? {
        guard let first = samples.first, now > first.time, completed > first.value else { return nil }
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
        case .items(let name): return Self.formatCount(perSecond) + " \(name)/s"
        }
    }

    /// A rate of counted things in at most 4 digits: 2.5, 48.0, 912, 2500, 18.5k, 185k, 1.2M.
    public static func formatCount(_ value: Double) -> String {
        guard value.isFinite, value >= 0 else { return "?" }
        if value < 100 { return String(format: "%.1f", value) }
        if value < 9999.5 { return String(format: "%.0f", value) }
        if value < 99_950 { return String(format: "%.1fk", value / 1000) }
        if value < 999_500 { return String(format: "%.0fk", value / 1000) }
        return String(format: "%.1fM", value / 1_000_000)
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
