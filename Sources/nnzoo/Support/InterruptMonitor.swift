import Dispatch
import Foundation
import NNCore

/// Turns Ctrl-C (SIGINT) and SIGTERM into a request the training loop polls between batches.
///
/// The signals come through `SignalCleanup`'s dispatch sources, so no code runs inside a signal
/// handler: this only sets a flag (and prints a line). A second Ctrl-C exits at once, without saving
/// (removing the temporary files in flight, as `SignalCleanup` does when nothing else takes them).
final class InterruptMonitor: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false

    /// `message` is printed on stderr at the first signal.
    init(message: String) {
        SignalCleanup.shared.install()
        SignalCleanup.shared.route { [weak self] _ in self?.signalled(message: message) }
    }

    private func signalled(message: String) {
        lock.lock()
        let second = requested
        requested = true
        lock.unlock()
        if second {
            TemporaryFiles.removePending()
            FileHandle.standardError.write(Data("\nStopped without saving.\n".utf8))
            exit(130)
        }
        FileHandle.standardError.write(Data(("\n" + message + "\n").utf8))
    }

    /// Whether a stop was requested.
    var isRequested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return requested
    }

    /// Hands the signals back to `SignalCleanup`'s default handling.
    func cancel() {
        SignalCleanup.shared.restoreDefault()
    }
}
