import Foundation
import NNCore
import Testing

@testable import NNData

@Suite struct HTTPDownloaderTests {
    /// 100 000 bytes that are not all the same, so an offset mistake changes the bytes.
    static let payload: [UInt8] = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }

    private func tempFolder() throws -> String {
        let path = NSTemporaryDirectory() + "nnzoo-download-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func fastSettings(attempts: Int = 1) -> DownloadSettings {
        DownloadSettings(attempts: attempts, backoff: 0, idleTimeout: 10)
    }

    @Test func downloadsAWholeFile() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try LocalHTTPServer { _ in .file(Self.payload) }
        defer { server.stop() }
        let part = folder + "/f.bin.part"
        let outcome = try HTTPDownloader(settings: fastSettings())
            .download(URL(string: server.baseURL + "f.bin")!, to: part)
        #expect(outcome == DownloadOutcome(bytes: 100_000, resumedAt: 0))
        #expect(FileManager.default.contents(atPath: part) == Data(Self.payload))
        #expect(server.requests.count == 1)
        #expect(server.requests[0].header("range") == nil)
        #expect(server.requests[0].header("accept-encoding") == "identity")
        #expect(PartialDownload.read(forPart: part)?.url == server.baseURL + "f.bin")
    }

    @Test func notFoundIsAFailureWithTheStatus() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try LocalHTTPServer { _ in .status(404, body: Array("nope".utf8)) }
        defer { server.stop() }
        #expect(throws: SourceFailure.httpStatus(404)) {
            try HTTPDownloader(settings: fastSettings(attempts: 3))
                .download(URL(string: server.baseURL + "f.bin")!, to: folder + "/f.bin.part")
        }
        #expect(server.requests.count == 1, "a 404 is not retried")
        #expect(
            (FileManager.default.contents(atPath: folder + "/f.bin.part") ?? Data()).isEmpty,
            "the error page's body is not written into the file")
        #expect(
            SourceFailure.httpStatus(404).description == "the server answered 404 Not Found (the file is not there)")
    }

    @Test func droppedConnectionKeepsThePartAndTheNextRunResumesWithRange() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try LocalHTTPServer { request in
            request.header("range") == nil ? .dropAfter(40_000, of: Self.payload) : .file(Self.payload)
        }
        defer { server.stop() }
        let url = URL(string: server.baseURL + "f.bin")!
        let part = folder + "/f.bin.part"
        #expect(throws: SourceFailure.connectionDropped(received: 40_000, expected: 100_000)) {
            try HTTPDownloader(settings: fastSettings()).download(url, to: part)
        }
        #expect(FileManager.default.contents(atPath: part) == Data(Self.payload.prefix(40_000)))

        let outcome = try HTTPDownloader(settings: fastSettings()).download(url, to: part)
        #expect(outcome == DownloadOutcome(bytes: 100_000, resumedAt: 40_000))
        #expect(server.requests.map { $0.header("range") } == [nil, "bytes=40000-"])
        #expect(FileManager.default.contents(atPath: part) == Data(Self.payload))
    }

    @Test func retriesWithinOneRunResumeAfterADrop() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try LocalHTTPServer { request in
            request.header("range") == nil ? .dropAfter(25_000, of: Self.payload) : .file(Self.payload)
        }
        defer { server.stop() }
        let lines = LineCollector()
        let downloader = HTTPDownloader(settings: fastSettings(attempts: 2), log: { lines.append($0) }, sleep: { _ in })
        let outcome = try downloader.download(URL(string: server.baseURL + "f.bin")!, to: folder + "/f.bin.part")
        #expect(outcome == DownloadOutcome(bytes: 100_000, resumedAt: 25_000))
        #expect(server.requests.map { $0.header("range") } == [nil, "bytes=25000-"])
        #expect(lines.all.count == 1)
        #expect(lines.all.first?.contains("retrying in 0s (attempt 2 of 2); resuming at byte 25000") == true)
    }

    @Test func aTransferThatStallsTimesOutAndIsResumed() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let gate = LocalHTTPServer.Gate()
        let server = try LocalHTTPServer { request in
            request.header("range") == nil ? .stallAfter(1000, of: Self.payload, until: gate) : .file(Self.payload)
        }
        defer {
            gate.open()
            server.stop()
        }
        let lines = LineCollector()
        let downloader = HTTPDownloader(
            settings: DownloadSettings(attempts: 2, backoff: 0, idleTimeout: 1), log: { lines.append($0) })
        let outcome = try downloader.download(URL(string: server.baseURL + "f.bin")!, to: folder + "/f.bin.part")
        #expect(outcome == DownloadOutcome(bytes: 100_000, resumedAt: 1000))
        #expect(server.requests.map { $0.header("range") } == [nil, "bytes=1000-"])
        #expect(
            lines.all == [
                "\(server.baseURL)f.bin: no data for 1 second (timed out; --timeout sets the limit); retrying in 0s "
                    + "(attempt 2 of 2); resuming at byte 1000"
            ])
    }

    @Test func aServerThatIgnoresRangeMakesThePartStartOver() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try LocalHTTPServer { _ in .file(Self.payload, ranges: false) }
        defer { server.stop() }
        let url = URL(string: server.baseURL + "f.bin")!
        let part = folder + "/f.bin.part"
        try AtomicFile.write(Array(Self.payload.prefix(30_000)), to: part)
        try PartialDownload(url: url.absoluteString).write(forPart: part)
        let outcome = try HTTPDownloader(settings: fastSettings()).download(url, to: part)
        #expect(outcome == DownloadOutcome(bytes: 100_000, resumedAt: 0))
        #expect(server.requests.map { $0.header("range") } == ["bytes=30000-"])
        #expect(FileManager.default.contents(atPath: part) == Data(Self.payload))
    }

    @Test func aPartFromAnotherOriginIsNotResumed() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try LocalHTTPServer { _ in .file(Self.payload) }
        defer { server.stop() }
        let part = folder + "/f.bin.part"
        try AtomicFile.write([1, 2, 3], to: part)
        try PartialDownload(url: "http://elsewhere.invalid/f.bin").write(forPart: part)
        let lines = LineCollector()
        let outcome = try HTTPDownloader(settings: fastSettings(), log: { lines.append($0) })
            .download(URL(string: server.baseURL + "f.bin")!, to: part)
        #expect(outcome == DownloadOutcome(bytes: 100_000, resumedAt: 0))
        #expect(server.requests.map { $0.header("range") } == [nil])
        #expect(lines.all.first?.contains("discarding the partial download") == true)
    }

    @Test func aPartFromAMirrorWithTheSameBytesIsResumed() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try LocalHTTPServer { _ in .file(Self.payload) }
        defer { server.stop() }
        let part = folder + "/f.bin.part"
        try AtomicFile.write(Array(Self.payload.prefix(1000)), to: part)
        try PartialDownload(url: "http://mirror.invalid/f.bin").write(forPart: part)
        let outcome = try HTTPDownloader(settings: fastSettings())
            .download(
                URL(string: server.baseURL + "f.bin")!, to: part, sameBytesAs: ["http://mirror.invalid/f.bin"])
        #expect(outcome == DownloadOutcome(bytes: 100_000, resumedAt: 1000))
        #expect(FileManager.default.contents(atPath: part) == Data(Self.payload))
    }

    @Test func aCompletePartAnswered416IsDone() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try LocalHTTPServer { _ in .file(Self.payload) }
        defer { server.stop() }
        let url = URL(string: server.baseURL + "f.bin")!
        let part = folder + "/f.bin.part"
        try AtomicFile.write(Self.payload, to: part)
        try PartialDownload(url: url.absoluteString).write(forPart: part)
        let outcome = try HTTPDownloader(settings: fastSettings()).download(url, to: part)
        #expect(outcome == DownloadOutcome(bytes: 100_000, resumedAt: 100_000))
        #expect(server.requests.map { $0.header("range") } == ["bytes=100000-"])
    }

    @Test func aCleanEndShortOfTheKnownSizeIsATruncation() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try LocalHTTPServer { _ in .file(Array(Self.payload.prefix(60_000)), ranges: false) }
        defer { server.stop() }
        #expect(throws: SourceFailure.truncated(received: 60_000, expected: 100_000)) {
            try HTTPDownloader(settings: fastSettings())
                .download(URL(string: server.baseURL + "f.bin")!, to: folder + "/f.bin.part", expectedSize: 100_000)
        }
        #expect(
            SourceFailure.truncated(received: 60_000, expected: 100_000).description.contains(
                "truncated at byte 60000 of 100000"))
    }

    @Test func transientStatusesAreRetriedThenReported() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try LocalHTTPServer { _ in .status(503) }
        defer { server.stop() }
        let waits = LineCollector()
        let downloader = HTTPDownloader(
            settings: DownloadSettings(attempts: 3, backoff: 0.5, idleTimeout: 10), sleep: { waits.append("\($0)") })
        #expect(throws: SourceFailure.httpStatus(503)) {
            try downloader.download(URL(string: server.baseURL + "f.bin")!, to: folder + "/f.bin.part")
        }
        #expect(server.requests.count == 3)
        #expect(waits.all == ["0.5", "1.0"], "exponential backoff")
    }

    @Test func refusedConnectionAndUnknownHostFailFastWithoutRetries() throws {
        let folder = try tempFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A port that was just free: nothing listens on it.
        let server = try LocalHTTPServer { _ in .status(200) }
        let port = server.port
        server.stop()
        let downloader = HTTPDownloader(settings: fastSettings(attempts: 3), sleep: { _ in Issue.record("no retry") })
        #expect(throws: SourceFailure.connectionRefused("127.0.0.1:\(port)")) {
            try downloader.download(URL(string: "http://127.0.0.1:\(port)/f.bin")!, to: folder + "/a.part")
        }
        #expect(throws: SourceFailure.hostNotFound("nnzoo-test.invalid")) {
            try downloader.download(URL(string: "http://nnzoo-test.invalid/f.bin")!, to: folder + "/b.part")
        }
    }

    @Test func contentRangeParsing() {
        #expect(ContentRange("bytes 100-199/200") == ContentRange("bytes 100-199/200"))
        #expect(ContentRange("bytes 100-199/200")?.start == 100)
        #expect(ContentRange("bytes 100-199/200")?.total == 200)
        #expect(ContentRange("bytes 0-9/*")?.total == nil)
        #expect(ContentRange("bytes 10-5/20") == nil)
        #expect(ContentRange("bytes 0-19/20x") == nil)
        #expect(ContentRange("items 0-1/2") == nil)
        #expect(ContentRange("bytes 0-19/10") == nil)
        #expect(ContentRange.unsatisfiedTotal("bytes */123") == 123)
    }
}

/// Collects lines from callbacks on any thread.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) {
        lock.lock()
        lines.append(line)
        lock.unlock()
    }
    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }
}
