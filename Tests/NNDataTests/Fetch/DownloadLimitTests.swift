import Foundation
import NNCore
import Testing

@testable import NNData

/// Every download is bounded, whatever the server does: by the size the file can have (an
/// announced size beyond it is refused before a byte is written, a body that runs past it is cut
/// and thrown away), by the time to a complete response head, by the rate over each idle span, by
/// a deadline for the whole file, and in memory (the body is written before more is read, so a
/// server can get no further ahead than the sockets' buffers). Each test ends in a second or two.
@Suite struct DownloadLimitTests {
    private func tempFolder() throws -> String {
        let path = NSTemporaryDirectory() + "nnzoo-limits-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func settings(idle: Double = 10, minimumRate: Double = 1000, total: Double = 60) -> DownloadSettings {
        DownloadSettings(attempts: 3, backoff: 0, idleTimeout: idle, minimumRate: minimumRate, totalTimeout: total)
    }

    private func size(_ path: String) -> Int64? {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : nil
    }

    @Test func anAnnouncedSizeBeyondTheLimitIsRefusedBeforeAnythingIsWritten() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try LocalHTTPServer { _ in .endlessBody(contentLength: 1_000_000_000_000) }
        defer { server.stop() }
        let part = folder + "/f.part"
        #expect(throws: SourceFailure.tooLarge(announced: 1_000_000_000_000, limit: 4542)) {
            try HTTPDownloader(settings: settings()).download(
                URL(string: server.baseURL + "f")!, to: part, sizeLimit: 4542)
        }
        #expect(size(part) == nil, "no .part is kept")
        #expect(server.requests.count == 1, "not retried")
        #expect(
            SourceFailure.tooLarge(announced: 1_000_000_000_000, limit: 4542).description
                == "the server announced 1000000000000 bytes, more than the 4542 this file can hold; nothing was "
                + "written")
    }

    @Test func anEndlessBodyIsCutAtTheLimitAndThrownAway() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try LocalHTTPServer { _ in .endlessBody(contentLength: nil) }
        defer { server.stop() }
        let part = folder + "/f.part"
        #expect(throws: SourceFailure.tooLarge(announced: nil, limit: 300_000)) {
            try HTTPDownloader(settings: settings()).download(
                URL(string: server.baseURL + "f")!, to: part, sizeLimit: 300_000)
        }
        #expect(size(part) == nil)
        #expect(PartialDownload.read(forPart: part) == nil)
        #expect(server.requests.count == 1)
    }

    /// A resumed request whose Content-Range total is beyond the limit is refused too, and the
    /// .part it would have continued is dropped; a .part already past the limit starts over.
    @Test func aRangeTotalBeyondTheLimitIsRefused() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let payload = [UInt8](repeating: 7, count: 100_000)
        let server = try LocalHTTPServer { _ in .file(payload) }
        defer { server.stop() }
        let url = URL(string: server.baseURL + "f")!
        let part = folder + "/f.part"
        try AtomicFile.write(Array(payload.prefix(1000)), to: part)
        try PartialDownload(url: url.absoluteString).write(forPart: part)
        #expect(throws: SourceFailure.tooLarge(announced: 100_000, limit: 50_000)) {
            try HTTPDownloader(settings: settings()).download(url, to: part, sizeLimit: 50_000)
        }
        #expect(server.requests.map { $0.header("range") } == ["bytes=1000-"])
        #expect(size(part) == nil)

        try AtomicFile.write(payload, to: part)
        try PartialDownload(url: url.absoluteString).write(forPart: part)
        let lines = LineCollector()
        let outcome = try HTTPDownloader(settings: settings(), log: { lines.append($0) })
            .download(url, to: part, sizeLimit: 100_000)
        #expect(outcome == DownloadOutcome(bytes: 100_000, resumedAt: 100_000), "a complete .part: 416")
        try AtomicFile.write(payload + [1], to: part)
        let restarted = try HTTPDownloader(settings: settings(), log: { lines.append($0) })
            .download(url, to: part, sizeLimit: 100_000)
        #expect(restarted == DownloadOutcome(bytes: 100_000, resumedAt: 0))
        #expect(
            lines.all.contains(
                "\(part) holds 100001 bytes, more than the 100000 bytes this file can hold; starting over"))
    }

    /// One byte every 50 ms is never idle, but far below the minimum rate: stopped after the first
    /// span, then retried (a slow link may recover) and stopped again.
    @Test func aServerThatDripsIsStoppedAfterOneSpan() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try LocalHTTPServer { _ in .drip(contentLength: 100_000, interval: 0.05) }
        defer { server.stop() }
        let downloader = HTTPDownloader(
            settings: DownloadSettings(attempts: 2, backoff: 0, idleTimeout: 1, minimumRate: 1000))
        do {
            _ = try downloader.download(URL(string: server.baseURL + "f")!, to: folder + "/f.part", sizeLimit: 100_000)
            Issue.record("a drip must not complete")
        } catch let failure as SourceFailure {
            guard case .tooSlow(let bytes, let seconds, let rate) = failure else {
                Issue.record("expected tooSlow, got \(failure)")
                return
            }
            #expect(bytes > 0 && Double(bytes) < rate * seconds)
            #expect(seconds >= 1)
            #expect(failure.isTransient)
        }
        #expect(server.requests.count == 2)
        #expect(
            SourceFailure.tooSlow(bytes: 17, seconds: 1.02, minimumRate: 16_000).description
                == "only 17 bytes in 1 second, slower than 16.0 kB/s (--min-rate sets the rate, --timeout the span)")
    }

    @Test func headerLinesWithoutEndAreCutOff() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fast = try LocalHTTPServer { _ in .endlessHeaders(interval: 0) }
        defer { fast.stop() }
        #expect(throws: SourceFailure.badReply("more than 64 KiB of response headers")) {
            try HTTPDownloader(settings: settings()).download(URL(string: fast.baseURL + "f")!, to: folder + "/a.part")
        }
        // Slow enough never to reach the limit: the head must be complete within the idle span.
        let slow = try LocalHTTPServer { _ in .endlessHeaders(interval: 0.05) }
        defer { slow.stop() }
        do {
            _ = try HTTPDownloader(settings: settings(idle: 1))
                .download(URL(string: slow.baseURL + "f")!, to: folder + "/b.part")
            Issue.record("endless headers must not complete")
        } catch let failure as SourceFailure {
            guard case .badReply(let what) = failure else {
                Issue.record("expected badReply, got \(failure)")
                return
            }
            #expect(what.hasPrefix("no complete response head within 1 second ("))
        }
    }

    /// The file's deadline covers every attempt: a transfer fast enough for the rate check but too
    /// slow for the deadline is stopped, and its bytes are thrown away.
    @Test func theFilesDeadlineStopsATransferThatWouldNotEnd() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try LocalHTTPServer { _ in .drip(contentLength: 100_000, interval: 0.01) }
        defer { server.stop() }
        let downloader = HTTPDownloader(
            settings: DownloadSettings(attempts: 3, backoff: 0, idleTimeout: 1, minimumRate: 1, totalTimeout: 1.5))
        #expect(downloader.settings.deadline(forBytes: 100_000) == 1.5)
        do {
            _ = try downloader.download(URL(string: server.baseURL + "f")!, to: folder + "/f.part", sizeLimit: 100_000)
            Issue.record("the drip must not complete")
        } catch let failure as SourceFailure {
            guard case .deadlineExceeded(let seconds, let received) = failure else {
                Issue.record("expected deadlineExceeded, got \(failure)")
                return
            }
            #expect(seconds == 1.5)
            #expect(received > 0)
            #expect(!failure.isTransient)
        }
        #expect(server.requests.count == 1)
        #expect(size(folder + "/f.part") == nil)
        // The deadline from the size: 170 MB at 16 kB/s plus two idle spans.
        #expect(DownloadSettings().deadline(forBytes: 170_052_171) == 60 + 170_052_171.0 / 16_000)
    }

    /// libcurl hands each chunk over before it reads more: with a writer that lags, a server that
    /// sends as fast as it can gets no further ahead than the sockets' buffers (URLSession queued
    /// every chunk for its delegate: a fast endless body grew the process past a gigabyte).
    @Test func aFastServerCannotGetAheadOfASlowWriter() throws {
        let server = try LocalHTTPServer { _ in .endlessBody(contentLength: nil) }
        defer { server.stop() }
        let request = CurlRequest(
            url: server.baseURL + "f", headers: [], connectTimeout: 10, totalTimeout: 60)
        var received = 0
        var calls = 0
        request.onBody = { bytes in
            received += bytes.count
            calls += 1
            usleep(2000)  // a disk far slower than the loopback link
            return received < 8 << 20
        }
        #expect(request.perform() == .stopped)
        #expect(received >= 8 << 20)
        // What the server sent beyond what was read sat in the sockets' buffers (a few MB at most).
        let ahead = server.endlessBytesSent - Int64(received)
        #expect(ahead < 32 << 20, "the server got \(ahead) bytes ahead")
    }

    /// Redirects are followed within the web only: a mirror cannot send the downloader to a local
    /// file (`file:///etc/passwd` would be "downloaded" and then verified or kept as rejected).
    @Test func aRedirectIsFollowedOnlyToHTTP() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let payload = [UInt8](repeating: 9, count: 5000)
        let server = try LocalHTTPServer { request in
            request.path.hasSuffix("/moved")
                ? .redirect(to: "/real")
                : request.path.hasSuffix("/local")
                    ? .redirect(to: "file:///etc/passwd") : .file(payload)
        }
        defer { server.stop() }
        let outcome = try HTTPDownloader(settings: settings())
            .download(URL(string: server.baseURL + "moved")!, to: folder + "/a.part", sizeLimit: 5000)
        #expect(outcome == DownloadOutcome(bytes: 5000, resumedAt: 0))
        #expect(FileManager.default.contents(atPath: folder + "/a.part") == Data(payload))
        do {
            _ = try HTTPDownloader(settings: settings())
                .download(URL(string: server.baseURL + "local")!, to: folder + "/b.part", sizeLimit: 5000)
            Issue.record("a redirect to file:// must be refused")
        } catch let failure as SourceFailure {
            guard case .network(let text) = failure else {
                Issue.record("expected a refused redirect, got \(failure)")
                return
            }
            #expect(text.hasPrefix("a redirect to a URL that is neither http nor https was refused ("), "\(text)")
        }
        #expect(size(folder + "/b.part") ?? 0 == 0)
    }

    /// Replies that are not usable HTTP are said as such, naming what was wrong: bytes without a
    /// status line (HTTP/0.9; it said "a redirect to a URL that is neither http nor https was
    /// refused"), a header line longer than libcurl reads (it said "Out of memory"), a redirect
    /// loop (its message carried an earlier event's text).
    @Test func repliesThatAreNotHTTPAreNamed() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let longLine = Array("HTTP/1.1 200 OK\r\nX-Long: ".utf8) + [UInt8](repeating: 0x61, count: 200_000)
        let server = try LocalHTTPServer { request in
            if request.path.hasSuffix("/old") { return .raw(Array("\u{1f}\u{8b} bytes and no head".utf8)) }
            if request.path.hasSuffix("/long") { return .raw(longLine + Array("\r\n\r\n".utf8)) }
            return .redirect(to: "/loop")
        }
        defer { server.stop() }
        func failure(_ name: String) -> SourceFailure? {
            do {
                _ = try HTTPDownloader(settings: settings())
                    .download(URL(string: server.baseURL + name)!, to: folder + "/\(name).part", sizeLimit: 5000)
                return nil
            } catch {
                return error as? SourceFailure
            }
        }
        #expect(failure("old") == .badReply("bytes without a status line or headers (HTTP/0.9)"))
        let long = try #require(failure("long"))
        guard case .badReply(let what) = long else {
            Issue.record("expected badReply, got \(long)")
            return
        }
        #expect(what.hasPrefix("a response header line too long to read (libcurl: "), "\(what)")
        #expect(failure("loop") == .network("more than 10 redirects (a redirect loop?)"))
    }

    @Test func limitsFromTheRegistry() {
        let mnist = DatasetRegistry.mnist
        let trainImages = mnist.files.first { $0.name == "train-images-idx3-ubyte.gz" }!
        // Canonical: the published size exactly.
        #expect(trainImages.downloadLimit(canonical: true) == 9_912_422)
        // A mirror may recompress: the content (47040016 bytes) stored uncompressed, framed, plus 64 KiB.
        #expect(trainImages.downloadLimit(canonical: false) == 47_040_016 + 47_040_016 / 8192 + 65_536)
        // Digits publish no archive size: the bound of the content, whatever the source.
        let digits = DatasetRegistry.digits.files[0]
        #expect(digits.downloadLimit(canonical: true) == 264_712 + 264_712 / 8192 + 65_536)
    }
}
