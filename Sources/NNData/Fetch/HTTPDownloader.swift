import Foundation
import NNCore

/// Timeouts, rates and retries for downloads.
public struct DownloadSettings: Sendable {
    /// Attempts per source for transient failures (dropped connection, timeout, 5xx, 429).
    public var attempts: Int
    /// The wait before retry k (k = 1, 2, …) is `backoff * 2^(k-1)` seconds, at most `maxWait`.
    public var backoff: Double
    /// The longest wait between two attempts, however many there are.
    public static let maxWait = 60.0
    /// Seconds without any data before a request is abandoned; also the time a server has to
    /// answer with a complete response head, and the span over which `minimumRate` is measured.
    public var idleTimeout: Double
    /// The slowest a transfer may be, in bytes per second, averaged over each `idleTimeout` seconds
    /// (a server that sends one byte a second is not idle, but it is no use either).
    public var minimumRate: Double
    /// The longest one file may take, all attempts and waits included, whatever its size. Each
    /// file's own deadline is shorter: `deadline(forBytes:)`.
    public var totalTimeout: Double

    public init(
        attempts: Int = 3, backoff: Double = 1, idleTimeout: Double = 30, minimumRate: Double = 16_000,
        totalTimeout: Double = 6 * 3600
    ) {
        self.attempts = max(1, attempts)
        self.backoff = max(0, backoff)
        self.idleTimeout = idleTimeout
        self.minimumRate = max(1, minimumRate)
        self.totalTimeout = totalTimeout
    }

    /// The deadline for a file of at most `bytes`: its size at `minimumRate`, plus two idle
    /// timeouts for connecting and answering, at most `totalTimeout`. (170 MB for CIFAR-10: 3 hours.)
    public func deadline(forBytes bytes: Int64) -> Double {
        min(totalTimeout, 2 * idleTimeout + Double(bytes) / minimumRate)
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

/// Downloads one URL into a `.part` file with libcurl (`CurlRequest`), streaming: each chunk is
/// written before the next is read from the network, so memory stays at libcurl's buffer however
/// fast the server sends. When the .part already holds bytes from the same origin it asks for the
/// rest with `Range: bytes=N-` (and `If-Range`); a 206 whose Content-Range starts at N is appended,
/// a 200 means the server sent the whole file, so the .part starts over. Transient failures are
/// retried with exponential backoff, resuming where the last attempt stopped.
///
/// Every download is bounded: by `sizeLimit` (a Content-Length or Content-Range total beyond it is
/// refused before a byte is written; a body that runs past it is cut there and thrown away), by
/// the idle timeout and minimum rate, by a limit on response header bytes, and by a deadline for
/// the whole file (`DownloadSettings.deadline(forBytes:)`).
public final class HTTPDownloader: @unchecked Sendable {
    public let settings: DownloadSettings
    private let log: @Sendable (String) -> Void
    private let sleep: @Sendable (Double) -> Void

    /// The most response header bytes accepted (all header lines of one request, redirects included).
    public static let maxHeaderBytes = 64 << 10

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
    ///   - sizeLimit: the most the file may hold (`DatasetFile.downloadLimit`); at least
    ///     `expectedSize`. Without one, `defaultSizeLimit`.
    ///   - sameBytesAs: other URLs known to serve the identical file, whose partial downloads may
    ///     be resumed from this one.
    ///   - progress: makes a reporter for one request from (total size, starting byte).
    /// - Throws: `SourceFailure` when this source cannot deliver the file (the .part is kept when
    ///   it holds a resumable prefix), `LocalWriteFailure` when the disk refuses the bytes.
    public func download(
        _ url: URL, to partPath: String, expectedSize: Int64? = nil, sizeLimit: Int64? = nil,
        sameBytesAs: Set<String> = [], progress: ((Int64?, Int64) -> ProgressReporter?)? = nil
    ) throws -> DownloadOutcome {
        let limit = max(sizeLimit ?? Self.defaultSizeLimit, expectedSize ?? 0)
        let allowed = settings.deadline(forBytes: limit)
        let deadline = ProgressReporter.monotonicSeconds() + allowed
        prepareResume(url: url, partPath: partPath, sameBytesAs: sameBytesAs)
        var attempt = 1
        while true {
            do {
                return try attemptOnce(
                    url, partPath: partPath, expectedSize: expectedSize, limit: limit,
                    deadline: (deadline, allowed), progress: progress)
            } catch let failure as SourceFailure {
                guard failure.isTransient, attempt < settings.attempts else { throw failure }
                let wait = min(settings.backoff * pow(2, Double(attempt - 1)), DownloadSettings.maxWait)
                guard ProgressReporter.monotonicSeconds() + wait < deadline else {
                    throw SourceFailure.deadlineExceeded(seconds: allowed, received: fileSize(partPath))
                }
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

    /// The size limit of a download whose file the registry does not bound: 2 GiB.
    public static let defaultSizeLimit: Int64 = 1 << 31

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
        _ url: URL, partPath: String, expectedSize: Int64?, limit: Int64, deadline: (at: Double, allowed: Double),
        progress: ((Int64?, Int64) -> ProgressReporter?)?
    ) throws -> DownloadOutcome {
        var offset = fileSize(partPath)
        if offset > limit || expectedSize.map({ offset > $0 }) ?? false {
            let size = expectedSize.map { "the file's \($0) bytes" } ?? "the \(limit) bytes this file can hold"
            log("\(partPath) holds \(offset) bytes, more than \(size); starting over")
            PartialDownload.remove(part: partPath)
            offset = 0
        }
        let origin = PartialDownload.read(forPart: partPath)
        // O_NONBLOCK: a FIFO left at the .part's name must not block the open (without a reader it
        // fails with ENXIO); one with a reader, or a device, is refused below. O_NOFOLLOW: a symbolic
        // link is not followed (it fails with ELOOP).
        let fd = open(partPath, O_WRONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            let reason =
                switch errno {
                case ENXIO: "it is a FIFO or socket, not a regular file"
                case ELOOP: "it is a symbolic link, not a regular file"
                default: "cannot create it (\(errnoText()))"
                }
            throw LocalWriteFailure(path: partPath, reason: reason, bytesKept: 0)
        }
        defer { close(fd) }
        var opened = stat()
        if fstat(fd, &opened) == 0, let kind = FileKind.nonRegular(opened.st_mode) {
            throw LocalWriteFailure(path: partPath, reason: "it is \(kind), not a regular file", bytesKept: 0)
        }
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        // Drop anything past the resume point (only a regular file can have any).
        let truncated = Int64(opened.st_size) == offset ? true : ftruncate(fd, off_t(offset)) == 0
        guard truncated, lseek(fd, off_t(offset), SEEK_SET) == off_t(offset) else {
            throw LocalWriteFailure(path: partPath, reason: errnoText(), bytesKept: offset)
        }

        // The archive is the payload: no transfer compression that a client might undo.
        var headers = ["Accept-Encoding: identity", "User-Agent: nnzoo"]
        if offset > 0 {
            headers.append("Range: bytes=\(offset)-")
            if let validator = origin?.ifRange { headers.append("If-Range: \(validator)") }
        }
        let remaining = deadline.at - ProgressReporter.monotonicSeconds()
        guard remaining > 0 else { throw SourceFailure.deadlineExceeded(seconds: deadline.allowed, received: offset) }
        let receiver = StreamingReceiver(
            url: url, fd: fd, partPath: partPath, offset: offset, limit: limit, settings: settings,
            deadline: deadline)
        receiver.makeProgress = progress
        let request = CurlRequest(
            url: url.absoluteString, headers: headers, connectTimeout: settings.idleTimeout,
            totalTimeout: remaining + 1, maxHeaderBytes: Self.maxHeaderBytes)
        request.onHead = receiver.head
        request.onBody = receiver.body
        request.onTick = { receiver.tick(headerBytes: request.headerBytes) }
        let result = request.perform()
        let failed = result != .completed
        let note = failed ? "stopped" : receiver.startedAt > 0 ? "resumed at byte \(receiver.startedAt)" : nil
        receiver.progress?.finish(note)

        if let failure = receiver.localFailure { throw failure }
        if request.headerBytes > Self.maxHeaderBytes {
            throw SourceFailure.badReply("more than \(Self.maxHeaderBytes / 1024) KiB of response headers")
        }
        let size = receiver.startedAt + receiver.written
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
                    return try attemptOnce(
                        url, partPath: partPath, expectedSize: expectedSize, limit: limit, deadline: deadline,
                        progress: progress)
                }
                throw failure
            case .tooLarge, .deadlineExceeded:
                // Bytes past what the file can hold, or a transfer that cannot end in time: nothing
                // worth resuming.
                PartialDownload.remove(part: partPath)
                throw failure
            default:
                throw failure
            }
        }
        if case .failed(let code, let message) = result {
            let failure = SourceFailure.from(
                curlCode: code, message: message, url: url, received: size,
                expected: receiver.announcedTotal ?? expectedSize, answered: receiver.response != nil,
                idleTimeout: settings.idleTimeout)
            if case .deadlineExceeded = failure { PartialDownload.remove(part: partPath) }
            throw failure
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

/// Checks the response of one request and streams its body into the .part file; watches the
/// transfer's time and rate.
private final class StreamingReceiver {
    let url: URL
    let fd: Int32
    let partPath: String
    let requestedOffset: Int64
    let limit: Int64
    let settings: DownloadSettings
    let deadline: (at: Double, allowed: Double)
    var makeProgress: ((Int64?, Int64) -> ProgressReporter?)?
    var progress: ProgressReporter?

    var response: ResponseHead?
    /// Where the body being received starts in the file.
    var startedAt: Int64 = 0
    var written: Int64 = 0
    /// The whole file's size, from Content-Length or Content-Range.
    var announcedTotal: Int64?
    /// The total from a 416's `Content-Range: bytes */N`.
    var rangeTotal: Int64?
    var failure: SourceFailure?
    var localFailure: LocalWriteFailure?

    private let started = ProgressReporter.monotonicSeconds()
    /// When the last body bytes arrived.
    private var lastData: Double
    /// The start of the current rate window and the bytes received before it.
    private var windowStart: Double
    private var windowBytes: Int64 = 0

    init(
        url: URL, fd: Int32, partPath: String, offset: Int64, limit: Int64, settings: DownloadSettings,
        deadline: (at: Double, allowed: Double)
    ) {
        self.url = url
        self.fd = fd
        self.partPath = partPath
        self.requestedOffset = offset
        self.limit = limit
        self.settings = settings
        self.deadline = deadline
        windowStart = started
        lastData = started
    }

    /// The final response head, before any of its body: false stops the transfer.
    func head(_ head: ResponseHead) -> Bool {
        response = head
        let length = head.contentLength
        switch head.status {
        case 200:
            // A full body: either a fresh download or a server that ignored the Range request.
            if requestedOffset > 0 {
                guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else {
                    localFailure = LocalWriteFailure(path: partPath, reason: errnoText(), bytesKept: requestedOffset)
                    return false
                }
            }
            startedAt = 0
            announcedTotal = length
        case 206:
            guard let range = ContentRange(head.header("Content-Range")) else {
                failure = .badRangeReply("206 with Content-Range \"\(head.header("Content-Range") ?? "")\"")
                return false
            }
            guard range.start == requestedOffset else {
                failure = .badRangeReply("asked for bytes from \(requestedOffset), got bytes from \(range.start)")
                return false
            }
            startedAt = range.start
            announcedTotal = range.total ?? length.map { $0 &+ range.start }
        case 416:
            rangeTotal = ContentRange.unsatisfiedTotal(head.header("Content-Range"))
            failure = .httpStatus(416)
            return false
        default:
            failure = .httpStatus(head.status)
            return false
        }
        // Refused before a byte is written: the size announced is more than the file can be.
        if let total = announcedTotal, total > limit || total < 0 {
            failure = .tooLarge(announced: total, limit: limit)
            return false
        }
        // Record where these bytes come from before any arrive, so an interrupted run can resume.
        let origin = PartialDownload(
            url: url.absoluteString, etag: head.header("ETag"), lastModified: head.header("Last-Modified"))
        do {
            try origin.write(forPart: partPath)
        } catch let error as FileWriteError {
            // The record's own path and reason: the message names the file that could not be written.
            localFailure = LocalWriteFailure(path: error.path, reason: error.reason, bytesKept: startedAt)
            return false
        } catch {
            localFailure = LocalWriteFailure(
                path: PartialDownload.originPath(forPart: partPath), reason: "\(error)", bytesKept: startedAt)
            return false
        }
        progress = makeProgress?(announcedTotal, startedAt)
        windowStart = ProgressReporter.monotonicSeconds()
        lastData = windowStart
        return true
    }

    /// A chunk of the body: written before the next is read. False stops the transfer.
    func body(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard failure == nil, localFailure == nil, response != nil else { return false }
        guard startedAt + written + Int64(bytes.count) <= limit else {
            failure = .tooLarge(announced: nil, limit: limit)
            return false
        }
        guard var p = bytes.baseAddress else { return true }
        var remaining = bytes.count
        while remaining > 0 {
            let n = write(fd, p, remaining)
            if n < 0 {
                if errno == EINTR { continue }
                localFailure = LocalWriteFailure(
                    path: partPath, reason: "writing failed after \(startedAt + written) bytes (\(errnoText()))",
                    bytesKept: startedAt + written)
                return false
            }
            p += n
            remaining -= n
            written += Int64(n)
        }
        lastData = ProgressReporter.monotonicSeconds()
        progress?.update(startedAt + written)
        return true
    }

    /// About once a second: the file's deadline, the time to a complete response head, and the
    /// rate over the last `idleTimeout` seconds. False stops the transfer.
    func tick(headerBytes: Int) -> Bool {
        let now = ProgressReporter.monotonicSeconds()
        let idle = settings.idleTimeout
        if now >= deadline.at {
            failure = .deadlineExceeded(seconds: deadline.allowed, received: startedAt + written)
            return false
        }
        if response == nil {
            guard now - started < idle else {
                failure =
                    headerBytes == 0
                    ? .noAnswer(host: Self.host(url), seconds: idle)
                    : .badReply(
                        "no complete response head within \(SourceFailure.seconds(idle)) (\(headerBytes) bytes of headers)"
                    )
                return false
            }
            return true
        }
        if now - lastData >= idle {
            failure = .timedOut(seconds: idle)
            return false
        }
        if now - windowStart >= idle {
            let bytes = written - windowBytes
            if Double(bytes) < settings.minimumRate * (now - windowStart) {
                failure = .tooSlow(bytes: bytes, seconds: now - windowStart, minimumRate: settings.minimumRate)
                return false
            }
            windowStart = now
            windowBytes = written
        }
        return true
    }

    static func host(_ url: URL) -> String {
        url.port.map { "\(url.host ?? ""):\($0)" } ?? (url.host ?? url.absoluteString)
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
