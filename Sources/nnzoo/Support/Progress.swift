import Foundation

/// Progress feedback on stderr for work that may take a while. Silent for the first second (most
/// work finishes sooner); then a self-updating line when stderr is a terminal, or a plain line
/// every few seconds otherwise (CI logs).
final class Progress {
    private let label: String
    private let start = Date()
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var lastPrint = Date.distantPast
    private var printed = false
    private var lastFraction = -1.0

    init(_ label: String) {
        self.label = label
    }

    /// Reports `done` of `total` units (bytes, files).
    func update(_ done: Int, of total: Int, unit: Unit = .bytes) {
        let now = Date()
        guard now.timeIntervalSince(start) >= 1 else { return }
        let interval: TimeInterval = isTerminal ? 0.1 : 5
        guard now.timeIntervalSince(lastPrint) >= interval else { return }
        lastPrint = now
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 0
        let amount: String
        switch unit {
        case .bytes:
            amount = String(format: "%.1f of %.1f MB", Double(done) / 1e6, Double(total) / 1e6)
        case .items(let name):
            amount = "\(done) of \(total) \(name)"
        }
        let line = String(format: "%@ %3.0f%% (%@)", label, fraction * 100, amount)
        if isTerminal {
            FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
        } else if fraction > lastFraction {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        lastFraction = fraction
        printed = true
    }

    /// A callback for readers that report (done, total) bytes.
    var callback: (Int, Int) -> Void {
        { [self] done, total in update(done, of: total) }
    }

    /// Ends the progress display (a final line if anything was shown).
    func finish() {
        guard printed else { return }
        let seconds = Date().timeIntervalSince(start)
        let line = String(format: "%@ done in %.1f s", label, seconds)
        FileHandle.standardError.write(
            Data(((isTerminal ? "\r" : "") + line + (isTerminal ? "\u{1B}[K\n" : "\n")).utf8))
        printed = false
    }

    enum Unit {
        case bytes
        case items(String)
    }
}
