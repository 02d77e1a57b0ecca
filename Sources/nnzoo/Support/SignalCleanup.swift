import Dispatch
import Foundation
import NNCore

/// The one place SIGINT (Ctrl-C) and SIGTERM are handled, for every command (`NNZoo.main` installs
/// it first thing).
///
/// By default the temporary files the command has in flight (`TemporaryFiles`) are removed and the
/// process ends with status 128 + the signal's number (130, 143), as a shell reports a process the
/// signal ended; a set of files being renamed into place (`AtomicFileSet`) is finished first, so the
/// set changes as a whole or not at all. While training runs, `InterruptMonitor` takes the signals
/// instead (`route(to:)`) and hands them back when it is done (`restoreDefault`).
///
/// The signals are ignored at the process level and delivered through `DispatchSource`s, so no code
/// runs inside a signal handler. The sources are made once and never cancelled: on Linux,
/// libdispatch installs the handler that feeds its `signalfd` only for the first source of a
/// signal, so a source made again after a disposition was reset would never fire.
final class SignalCleanup: @unchecked Sendable {
    static let shared = SignalCleanup()

    private let lock = NSLock()
    private var sources: [any DispatchSourceSignal] = []
    private var handler: ((Int32) -> Void)?
    private let queue = DispatchQueue(label: "nnzoo.signals")

    /// Starts handling SIGINT and SIGTERM (once; later calls do nothing).
    func install() {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty else { return }
        // A parent may start us with the signals blocked (Foundation's `Process` blocks nearly all in
        // its children): unblock them, so that they arrive the same way however nnzoo was started.
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        sigaddset(&unblocked, SIGINT)
        sigaddset(&unblocked, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler { [weak self] in self?.received(signalNumber) }
            source.resume()
            sources.append(source)
        }
    }

    /// Sends the signals to `handler` (on a queue of its own) until `restoreDefault`.
    func route(to handler: @escaping (Int32) -> Void) {
        lock.lock()
        self.handler = handler
        lock.unlock()
    }

    /// Back to removing the temporaries in flight and ending the process.
    func restoreDefault() {
        lock.lock()
        handler = nil
        lock.unlock()
    }

    private func received(_ signalNumber: Int32) {
        lock.lock()
        let handler = self.handler
        lock.unlock()
        if let handler { handler(signalNumber) } else { Self.end(signal: signalNumber) }
    }

    /// Removes the temporaries in flight and ends the process.
    static func end(signal signalNumber: Int32) -> Never {
        let removed = TemporaryFiles.removePending()
        var message = "\nInterrupted."
        if !removed.isEmpty {
            let names = removed.map { ($0 as NSString).lastPathComponent }
            message +=
                " Removed the unfinished \(names.count == 1 ? "file" : "files") " + names.joined(separator: ", ") + "."
        }
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(128 + signalNumber)
    }
}
