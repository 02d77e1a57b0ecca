import Dispatch
import Foundation
import NNCore

/// Turns Ctrl-C (SIGINT) and SIGTERM into a request the training loop polls between batches.
///
/// The signals are ignored at the process level and delivered through a `DispatchSource` instead,
/// so no code runs inside a signal handler: the source's handler runs on an ordinary queue and only
/// sets a flag (and prints a line). A second Ctrl-C exits at once, without saving (removing the
/// temporary files in flight, as `SignalCleanup` does, which this replaces while it runs).
final class InterruptMonitor: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "nnzoo.interrupt")

    /// `message` is printed on stderr at the first signal.
    init(message: String) {
        SignalCleanup.shared.suspend()
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler { [weak self] in self?.signalled(message: message) }
            source.resume()
            sources.append(source)
        }
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

    /// Restores the default signal handling.
    func cancel() {
        for source in sources { source.cancel() }
        sources = []
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        SignalCleanup.shared.install()
    }
}
