import Dispatch
import Foundation
import NNCore

/// Ctrl-C (SIGINT) or SIGTERM while a command writes files: the temporary files it has in flight
/// (`TemporaryFiles`) are removed before the process ends, with status 128 + the signal's number
/// (130, 143), as a shell reports a process the signal ended. A set of files being renamed into
/// place (`AtomicFileSet`) is finished first, so the set changes as a whole or not at all.
///
/// Installed for every command (`NNZoo.main`). Training handles the signals itself while it runs
/// (`InterruptMonitor` suspends this and resumes it when it is done).
final class SignalCleanup: @unchecked Sendable {
    static let shared = SignalCleanup()

    private let lock = NSLock()
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "nnzoo.signal-cleanup")

    /// Starts handling SIGINT and SIGTERM.
    func install() {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler { Self.end(signal: signalNumber) }
            source.resume()
            sources.append(source)
        }
    }

    /// Stops handling them (the default action applies again).
    func suspend() {
        lock.lock()
        defer { lock.unlock() }
        for source in sources { source.cancel() }
        sources = []
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }

    /// Removes the temporaries in flight and ends the process.
    static func end(signal signalNumber: Int32) -> Never {
        let removed = TemporaryFiles.removePending()
        var message = "\nInterrupted."
        if !removed.isEmpty {
            let names = removed.map { ($0 as NSString).lastPathComponent }
            message +=
                " Removed the unfinished \(names.count == 1 ? "file" : "files") " + names.joined(separator: ", ")
                + "."
        }
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(128 + signalNumber)
    }
}
