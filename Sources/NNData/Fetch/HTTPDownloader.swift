import Foundation
import NNCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Timeouts and retries for downloads.
public struct DownloadSettings: Sendable {
    /// Attempts per source for transient failures (dropped connection, timeout, 5xx, 429).
    public var attempts: Int
    /// The wait before retry k (k = 1, 2, …) is `backoff * 2^(k-1)` seconds, at most `maxWait`.
    public var backoff: Double
    /// The longest wait between two attempts, however many there are.
    public static let maxWait = 60.0
    /// Seconds without any data before a request is abandoned.
    public var idleTimeout: Double
    /// Seconds for a whole file before it is abandoned.
    public var totalTimeout: Double

    public init(attempts: Int = 3, backoff: Double = 1, idleTimeout: Double = 30, totalTimeout: Double = 6 * 3600) {
        self.attempts = max(1, attempts)
        self.backoff = max(0, backoff)
        self.idleTimeout = idleTimeout
        self.totalTimeout = totalTimeout
    }
}

/// What a finished download did.
public struct DownloadOutcome: Equatable, Sendable {
    /// The size of the complete .part file.
    public let bytes: Int64
    /// The byte the last successful request started at (0 for a fresh download).
    public let resumedAt: Int64
}

/// Failures that stop a whole fetch rather than one source: the local disk, not the network.
public struct LocalWriteFailure: Error, Sendable {
    public let path: String
    public let reason: String
    public let bytesKept: Int64
}

/// Downloads one URL into a `.part` file with Foundation's URLSession, streaming (never the whole
/// file in memory). When the .part already holds bytes from the same origin it asks for the rest
/// with `Range: bytes=N-` (and `If-Range`); a 206 whose Content-Range starts at N is appended, a 200
/// means the server sent the whole file, so the .part starts over. Transient failures are retried
/// with exponential backoff, resuming where the last attempt stopped.
public final class HTTPDownloader: @unchecked Sendable {
    public let settings: DownloadSettings
    private let log: @Sendable (String) -> Void
    private let sleep: @Sendable (Double) -> Void

    public init(
        settings: DownloadSettings = DownloadSettings(), log: @escaping @Sendable (String) -> Void = { _ in },
        sleep: @escaping @Sendable (Double) -> Void = { Thread.sleep(forTimeInterval: $0) }
    ) {
        self.settings = settings
        self.log = log
        self.sleep = sleep
    }

    /// Downloads `url` into `partPath`.
    ///
    /// - Parameters:
    ///   - expectedSize: the file's size when it is known in advance (a canonical archive); a
    ///     clean end short of it is a truncation and is retried.
    ///   - sameBytesAs: other URLs known to serve the identical file, whose partial downloads may
    ///     be resumed from this one.
    ///   - progress: makes a reporter for one request from (total size, starting byte).
    /// - Throws: `SourceFailure` when this source cannot deliver the file (the .part is kept when
    ///   it holds a resumable prefix), `LocalWriteFailure` when the disk refuses the bytes.
    public func download(
        _ url: URL, to partPath: String, expectedSize: Int64? = nil, sameBytesAs: Set<String> = [],
        progress: ((Int64?, Int64) -> ProgressReporter?)? = nil
    ) throws -> DownloadOutcome {
        prepareResume(url: url, partPath: partPath, sameBytesAs: sameBytesAs)
        var attempt = 1
        while true {
            do {
                return try attemptOnce(url, partPath: partPath, expectedSize: expectedSize, progress: progress)
            } catch let failure as SourceFailure {
                guard failure.isTransient, attempt < settings.attempts else { throw failure }
                let wait = min(settings.backoff * pow(2, Double(attempt - 1)), DownloadSettings.maxWait)
                let kept = fileSize(partPath)
                let resume = kept > 0 ? "; resuming at byte \(kept)" : ""
                log(
                    "\(url.absoluteString): \(failure); retrying in \(ProgressReporter.formatDuration(wait)) "
                        + "(attempt \(attempt + 1) of \(settings.attempts))\(resume)")
                sleep(wait)
                attempt += 1
            }
        }
    }

    /// Removes a .part file that cannot be resumed from `url` (it came from elsewhere).
    private func prepareResume(url: URL, partPath: String, sameBytesAs: Set<String>) {
        let size = fileSize(partPath)
        guard size > 0 else {
            // Nothing to resume; the (empty) .part is truncated when the download starts.
            unlink(PartialDownload.originPath(forPart: partPath))
            return
        }
        let origin = PartialDownload.read(forPart: partPath)
        if let origin, origin.url == url.absoluteString || sameBytesAs.contains(origin.url) { return }
        let from = origin.map { "from \($0.url)" } ?? "of unknown origin"
        log(
            "discarding the partial download \(partPath) (\(ProgressReporter.formatBytes(size)) \(from)): "
                + "it cannot be resumed from \(url.absoluteString)")
        PartialDownload.remove(part: partPath)
    }

    private func attemptOnce(
        _ url: URL, partPath: String, expectedSize: Int64?, progress: ((Int64?, Int64) -> ProgressReporter?)?
    ) throws -> DownloadOutcome {
        var offset = fileSize(partPath)
        if let expectedSize, offset > expectedSize {
            log("\(partPath) is larger than the file (\(offset) > \(expectedSize) bytes); starting over")
            PartialDownload.remove(part: partPath)
            offset = 0
        }
        let origin = PartialDownload.read(forPart: partPath)
        // O_NONBLOCK: a FIFO left at the .part's name must not block the open (without a reader it
        // fails with ENXIO); one with a reader is refused below.
        let fd = open(partPath, O_WRONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0o644)
        guard fd >= 0 else {
            let reason =
                errno == ENXIO ? "it is a FIFO or socket, not a regular file" : "cannot create it (\(errnoText()))"
            throw LocalWriteFailure(path: partPath, reason: reason, bytesKept: 0)
        }
        defer { close(fd) }
        var opened = stat()
        if fstat(fd, &opened) == 0, let kind = FileKind.nonRegular(opened.st_mode), kind != "a character device" {
            throw LocalWriteFailure(path: partPath, reason: "it is \(kind), not a regular file", bytesKept: 0)
        }
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        // Drop anything past the resume point (only a regular file can have any).
        var info = stat()
        let truncated =
            fstat(fd, &info) == 0 && Int64(info.st_size) == offset ? true : ftruncate(fd, off_t(offset)) == 0
        guard truncated, lseek(fd, off_t(offset), SEEK_SET) == off_t(offset) else {
            throw LocalWriteFailure(path: partPath, reason: errnoText(), bytesKept: offset)
        }

        var request = URLRequest(url: url)
        request.cachePolicy = .reloadIgnoringLocalAndRemoteCacheData
        request.timeoutInterval = settings.idleTimeout
        // The archive is the payload: no transfer compression that a client might undo.
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        request.setValue("nnzoo", forHTTPHeaderField: "User-Agent")
        if offset > 0 {
            request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range")
            if let validator = origin?.ifRange { request.setValue(validator, forHTTPHeaderField: "If-Range") }
        }

        let receiver = StreamingReceiver(
            url: url, fd: fd, partPath: partPath, offset: offset, expectedSize: expectedSize)
        receiver.makeProgress = progress
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = settings.idleTimeout
        configuration.timeoutIntervalForResource = settings.totalTimeout
        configuration.urlCache = nil
        let session = URLSession(configuration: configuration, delegate: receiver, delegateQueue: nil)
        let task = session.dataTask(with: request)
        task.resume()
        receiver.finished.wait()
        session.finishTasksAndInvalidate()
        let failed = receiver.failure != nil || receiver.localFailure != nil || receiver.transportError != nil
        let note = failed ? "stopped" : receiver.startedAt > 0 ? "resumed at byte \(receiver.startedAt)" : nil
        receiver.progress?.finish(note)

        if let failure = receiver.localFailure { throw failure }
        if let failure = receiver.failure {
            switch failure {
            case .httpStatus(416) where receiver.rangeTotal == offset:
                // The .part is already complete: an earlier run was interrupted before verifying it.
                return DownloadOutcome(bytes: offset, resumedAt: offset)
            case .httpStatus(416), .badRangeReply:
                // The partial file cannot be continued from this server: start it over, once.
                log("\(url.absoluteString): \(failure); starting the download over")
                PartialDownload.remove(part: partPath)
                if offset > 0 {
                    return try attemptOnce(url, partPath: partPath, expectedSize: expectedSize, progress: progress)
                }
                throw failure
            default:
                throw failure
            }
        }
        let size = receiver.startedAt + receiver.written
        if let error = receiver.transportError {
            let failure = SourceFailure.from(
                error, url: url, received: size, expected: receiver.announcedTotal ?? expectedSize,
                idleTimeout: settings.idleTimeout)
            switch failure {
            case .network where receiver.response != nil:
                // Once the body has started, any transport error other than a timeout means the
                // connection ended early (curl words it "transfer closed with N bytes remaining").
                throw SourceFailure.connectionDropped(received: size, expected: receiver.announcedTotal ?? expectedSize)
            case .timedOut(let seconds) where receiver.response == nil:
                // Not a word from the host: retrying would only wait as long again.
                let host = url.port.map { "\(url.host ?? ""):\($0)" } ?? (url.host ?? url.absoluteString)
                throw SourceFailure.noAnswer(host: host, seconds: seconds)
            default:
                throw failure
            }
        }
        if fsync(fd) != 0 {
            throw LocalWriteFailure(path: partPath, reason: "flushing failed (\(errnoText()))", bytesKept: size)
        }
        for total in [receiver.announcedTotal, expectedSize].compactMap({ $0 }) where size < total {
            throw SourceFailure.truncated(received: size, expected: total)
        }
        return DownloadOutcome(bytes: size, resumedAt: receiver.startedAt)
    }

    private func fileSize(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }
}

/// The URLSession delegate that checks the response and streams the body into the .part file.
private final class StreamingReceiver: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let url: URL
    let fd: Int32
    let partPath: String
    let requestedOffset: Int64
    let expectedSize: Int64?
    let finished = DispatchSemaphore(value: 0)
    var makeProgress: ((Int64?, Int64) -> ProgressReporter?)?
    var progress: ProgressReporter?

    var response: HTTPURLResponse?
    /// Where the body being received starts in the file.
    var startedAt: Int64 = 0
    var written: Int64 = 0
    /// The whole file's size, from Content-Length or Content-Range.
    var announcedTotal: Int64?
    /// The total from a 416's `Content-Range: bytes */N`.
    var rangeTotal: Int64?
    var failure: SourceFailure?
    var localFailure: LocalWriteFailure?
    var transportError: Error?

    init(url: URL, fd: Int32, partPath: String, offset: Int64, expectedSize: Int64?) {
        self.url = url
        self.fd = fd
        self.partPath = partPath
        self.requestedOffset = offset
        self.expectedSize = expectedSize
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        guard let http = response as? HTTPURLResponse else {
            failure = .network("the reply is not an HTTP response")
            completionHandler(.cancel)
            return
        }
        self.response = http
        let length = http.expectedContentLength >= 0 ? Int64(http.expectedContentLength) : nil
        switch http.statusCode {
        case 200:
            // A full body: either a fresh download or a server that ignored the Range request.
            if requestedOffset > 0 {
                guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else {
                    localFailure = LocalWriteFailure(path: partPath, reason: errnoText(), bytesKept: requestedOffset)
                    completionHandler(.cancel)
                    return
                }
            }
            startedAt = 0
            announcedTotal = length
        case 206:
            guard let range = ContentRange(http.value(forHTTPHeaderField: "Content-Range")) else {
                failure = .badRangeReply(
                    "206 with Content-Range \"\(http.value(forHTTPHeaderField: "Content-Range") ?? "")\"")
                completionHandler(.cancel)
                return
            }
            guard range.start == requestedOffset else {
                failure = .badRangeReply("asked for bytes from \(requestedOffset), got bytes from \(range.start)")
                completionHandler(.cancel)
                return
            }
            startedAt = range.start
            announcedTotal = range.total ?? length.map { $0 + range.start }
        case 416:
            rangeTotal = ContentRange.unsatisfiedTotal(http.value(forHTTPHeaderField: "Content-Range"))
            failure = .httpStatus(416)
            completionHandler(.cancel)
            return
        default:
            failure = .httpStatus(http.statusCode)
            completionHandler(.cancel)
            return
        }
        // Record where these bytes come from before any arrive, so an interrupted run can resume.
        let origin = PartialDownload(
            url: url.absoluteString, etag: http.value(forHTTPHeaderField: "ETag"),
            lastModified: http.value(forHTTPHeaderField: "Last-Modified"))
        do {
            try origin.write(forPart: partPath)
        } catch {
            localFailure = LocalWriteFailure(path: partPath, reason: "\(error)", bytesKept: startedAt)
            completionHandler(.cancel)
            return
        }
        progress = makeProgress?(announcedTotal ?? expectedSize, startedAt)
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        // After a refused response (404, a bad range) the body of the error page may still arrive:
        // it is not part of the file.
        guard localFailure == nil, failure == nil, response != nil else { return }
        let ok = data.withUnsafeBytes { raw -> Bool in
            guard var p = raw.baseAddress else { return true }
            var remaining = raw.count
            while remaining > 0 {
                let n = write(fd, p, remaining)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                p += n
                remaining -= n
                written += Int64(n)
            }
            return true
        }
        if !ok {
            localFailure = LocalWriteFailure(
                path: partPath, reason: "writing failed after \(startedAt + written) bytes (\(errnoText()))",
                bytesKept: startedAt + written)
            dataTask.cancel()
            return
        }
        progress?.update(startedAt + written)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if let error, failure == nil, localFailure == nil { transportError = error }
        finished.signal()
    }
}

/// `Content-Range: bytes START-END/TOTAL` (TOTAL may be `*`).
struct ContentRange: Equatable {
    let start: Int64
    let end: Int64
    let total: Int64?

    init?(_ header: String?) {
        guard let header, header.hasPrefix("bytes ") else { return nil }
        let spec = header.dropFirst(6)
        let halves = spec.split(separator: "/", maxSplits: 1)
        guard halves.count == 2 else { return nil }
        let bounds = halves[0].split(separator: "-", maxSplits: 1)
        guard bounds.count == 2, let start = Int64(bounds[0]), let end = Int64(bounds[1]), start <= end else {
            return nil
        }
        self.start = start
        self.end = end
        if halves[1] == "*" {
            total = nil
        } else {
            guard let total = Int64(halves[1]), total > end else { return nil }
            self.total = total
        }
    }

    /// N from a 416's `bytes */N`.
    static func unsatisfiedTotal(_ header: String?) -> Int64? {
        guard let header, header.hasPrefix("bytes */") else { return nil }
        return Int64(header.dropFirst(8))
    }
}
