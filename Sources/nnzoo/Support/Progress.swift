import NNCore

/// Progress for work that usually finishes quickly (loading or hashing a dataset): silent for the
/// first second, then NNCore's `ProgressReporter` (a bar on a terminal, plain lines in logs).
final class Progress {
    private let label: String
    private let unit: ProgressReporter.Unit
    private let start = ProgressReporter.monotonicSeconds()
    private var reporter: ProgressReporter?

    init(_ label: String, unit: ProgressReporter.Unit = .bytes) {
        self.label = label
        self.unit = unit
    }

    /// Reports `done` of `total` units.
    func update(_ done: Int, of total: Int) {
        if reporter == nil {
            guard ProgressReporter.monotonicSeconds() - start >= 1 else { return }
            reporter = ProgressReporter(label: label, total: Int64(total), unit: unit)
        }
        reporter?.setTotal(Int64(total))
        reporter?.update(Int64(done))
    }

    /// A callback for readers that report (done, total).
    var callback: (Int, Int) -> Void {
        { [self] done, total in update(done, of: total) }
    }

    /// Ends the display (a final line only if anything was shown).
    func finish() {
        reporter?.finish()
        reporter = nil
    }
}
