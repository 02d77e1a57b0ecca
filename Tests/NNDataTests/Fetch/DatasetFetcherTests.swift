import FixtureSupport
import Foundation
import NNCore
import Testing

@testable import NNData

/// `nnzoo fetch` end to end against a server on 127.0.0.1 that each test starts and stops, with the
/// real MNIST files from Tests/Fixtures/data/mnist as what the server holds.
@Suite struct DatasetFetcherTests {
    /// The error when MNIST's labels, the only file asked for, came from `location` and failed verification.
    private static func labelsRejected(from location: String, problem: String, movedTo: String?) -> FetchError {
        FetchError.unavailable(
            dataset: "mnist",
            files: [
                UnavailableFile(
                    name: F.labels,
                    attempts: [
                        SourceAttempt(location: location, failure: .rejected(problem: problem, movedTo: movedTo))
                    ])
            ], fetched: [], offline: false)
    }

    typealias F = FetchFixtures

    @Test func firstMirrorAnswers404AndTheSecondDelivers() throws {
        let data = TempFolder()
        let labels = try F.bytes(F.labels)
        let server = try LocalHTTPServer { request in
            request.path.hasPrefix("/b/") ? .file(labels) : .status(404, body: Array("no".utf8))
        }
        defer { server.stop() }
        var configuration = F.configuration(data.path)
        configuration.mirrors = [server.baseURL + "a/", server.baseURL + "b/"]
        let messages = LineCollector()
        let verified = try F.fetcher(configuration, messages: messages).fetch(F.mnist([F.labels]))

        #expect(server.requests.map(\.path) == ["/a/\(F.labels)", "/b/\(F.labels)"])
        let destination = data.path + "/mnist/" + F.labels
        #expect(F.contents(destination) == labels)
        try #require(verified.count == 1)
        #expect(verified[0].contentSHA256 == "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2")
        #expect(verified[0].contentHashChecked)
        #expect(!verified[0].matchesPublishedArchive, "the fixture is a recompressed copy")
        #expect(verified[0].structure == "IDX u8 10000")
        #expect(verified[0].source == server.baseURL + "b/" + F.labels)
        #expect(
            messages.all.contains(
                "\(F.labels): \(server.baseURL)a/\(F.labels): " + SourceFailure.httpStatus(404).description))
        // No .part, no origin record left behind; the record says the file is verified.
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: data.path + "/mnist").sorted() == [
                ".lock", ".verified", F.labels,
            ])
        #expect(VerificationRecord.read(folder: data.path + "/mnist").current(F.labels, at: destination) != nil)
    }

    @Test func aDroppedConnectionIsResumedWithARangeRequestByTheNextRun() throws {
        let data = TempFolder()
        let images = try F.bytes(F.images)
        let server = try LocalHTTPServer { request in
            request.header("range") == nil ? .dropAfter(600_000, of: images) : .file(images)
        }
        defer { server.stop() }
        let spec = try F.mnist([F.images], urls: { [server.baseURL + $0] }, publishFixtureArchive: true)
        let part = data.path + "/mnist/\(F.images).part"

        #expect(
            throws: FetchError.unavailable(
                dataset: "mnist",
                files: [
                    UnavailableFile(
                        name: F.images,
                        attempts: [
                            SourceAttempt(
                                location: server.baseURL + F.images,
                                failure: .connectionDropped(received: 600_000, expected: Int64(images.count)))
                        ])
                ], fetched: [], offline: false)
        ) { try F.fetcher(F.configuration(data.path), messages: LineCollector()).fetch(spec) }
        #expect(F.contents(part) == Array(images.prefix(600_000)), "the partial download is kept")

        let verified = try F.fetcher(F.configuration(data.path), messages: LineCollector()).fetch(spec)
        #expect(server.requests.map { $0.header("range") } == [nil, "bytes=600000-"])
        #expect(verified.first?.matchesPublishedArchive == true)
        #expect(verified.first?.contentSHA256 == "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7")
        #expect(F.contents(data.path + "/mnist/" + F.images) == images)
        #expect(!FileManager.default.fileExists(atPath: part))
        #expect(!FileManager.default.fileExists(atPath: part + ".origin"))
    }

    @Test func anHTMLPageIsRejectedMovedAsideAndNamed() throws {
        let data = TempFolder()
        let page = Array(
            "<!DOCTYPE html>\n<html><head><title>Sign in to continue</title></head><body>Please log in</body></html>\n"
                .utf8)
        let server = try LocalHTTPServer { _ in .file(page, contentType: "text/html") }
        defer { server.stop() }
        var configuration = F.configuration(data.path)
        configuration.mirrors = [server.baseURL]
        let messages = LineCollector()
        var caught: FetchError?
        do {
            try F.fetcher(configuration, messages: messages).fetch(F.mnist([F.labels]))
        } catch let error as FetchError {
            caught = error
        }
        let rejected = RejectedFile.list(F.labels, in: data.path + "/mnist")
        #expect(rejected.count == 1)
        #expect(F.contents(rejected.first ?? "") == page, "the page is kept for a person to look at")
        let problem = "this is an HTML page, not gzip data (the server sent a web page instead of the file)"
        #expect(
            caught
                == Self.labelsRejected(
                    from: server.baseURL + F.labels, problem: problem, movedTo: rejected.first))
        #expect(caught?.description.contains("it was moved aside to \(rejected.first ?? "?")") == true)
        #expect(!FileManager.default.fileExists(atPath: data.path + "/mnist/" + F.labels))
    }

    @Test func corruptedBytesWithStatus200AreRejected() throws {
        let data = TempFolder()
        var damaged = try F.bytes(F.labels, minimumCount: 2001)
        damaged[2000] ^= 0xFF
        let good = try F.bytes(F.labels)
        let served = damaged
        let server = try LocalHTTPServer { request in
            request.path.hasPrefix("/bad/") ? .file(served) : .file(good)
        }
        defer { server.stop() }
        var configuration = F.configuration(data.path)
        configuration.mirrors = [server.baseURL + "bad/", server.baseURL + "good/"]
        let messages = LineCollector()
        let verified = try F.fetcher(configuration, messages: messages).fetch(F.mnist([F.labels]))
        #expect(verified.map(\.name) == [F.labels])
        #expect(F.contents(data.path + "/mnist/" + F.labels) == good)
        let rejected = RejectedFile.list(F.labels, in: data.path + "/mnist")
        #expect(rejected.count == 1)
        #expect(F.contents(rejected.first ?? "") == damaged)
        let line = messages.all.first { $0.contains("sent a bad file") } ?? ""
        #expect(line.hasPrefix("\(F.labels): \(server.baseURL)bad/\(F.labels) sent a bad file: "))
        #expect(line.contains("damaged"), "\(line)")
        #expect(line.hasSuffix("moved it aside to \(rejected.first ?? "?")"))
    }

    /// What a server sent that failed verification is kept for a person to look at, but bounded:
    /// its first MiB, and the newest three per file. A copy moved aside from the data directory (it
    /// may be the user's) is never cut or removed.
    @Test func rejectedDownloadsAreCutAndOnlyTheNewestAreKept() throws {
        let data = TempFolder()
        let junk = [UInt8](repeating: UInt8(ascii: "A"), count: 3 << 20)
        let server = try LocalHTTPServer { _ in .file(junk) }
        defer { server.stop() }
        var configuration = F.configuration(data.path)
        configuration.mirrors = [server.baseURL]
        let spec = try F.mnist([F.images])
        let users = data.write([UInt8](repeating: 1, count: 2 << 20), to: "mnist/\(F.images).rejected-20200101T000000Z")
        for run in 1...5 {
            let messages = LineCollector()
            #expect(throws: FetchError.self) { try F.fetcher(configuration, messages: messages).fetch(spec) }
            let kept = RejectedFile.list(F.images, in: data.path + "/mnist").filter { $0 != users }
            #expect(kept.count == min(run, RejectedFile.keptDownloads))
            #expect(kept.allSatisfy { F.contents($0) == Array(junk.prefix(RejectedFile.keptBytes)) })
            let line = messages.all.first { $0.contains("sent a bad file") } ?? ""
            #expect(
                line.hasSuffix("moved its first 1 MiB aside to \(kept.last ?? "?") (the rest was thrown away)"),
                "\(line)")
        }
        #expect(F.contents(users).count == 2 << 20, "the user's copy is kept whole")
    }

    @Test func aCanonicalURLMustServeThePublishedArchive() throws {
        let data = TempFolder()
        // The registry's real entry: the fixture is a recompressed copy, so its content is right but
        // its archive is not the published one: from a canonical URL that is a failure.
        let fixture = try F.bytes(F.labels)
        let server = try LocalHTTPServer { _ in .file(fixture) }
        defer { server.stop() }
        let spec = try F.mnist([F.labels], urls: { [server.baseURL + $0] })
        let published = DatasetRegistry.mnist.file(named: F.labels)?.archiveSHA256 ?? ""
        let problem = "the archive's SHA-256 is \(SHA256.hex(fixture)), the published checksum is \(published)"
        var caught: FetchError?
        do {
            try F.fetcher(F.configuration(data.path), messages: LineCollector()).fetch(spec)
        } catch let error as FetchError {
            caught = error
        }
        let rejected = RejectedFile.list(F.labels, in: data.path + "/mnist")
        #expect(
            caught
                == Self.labelsRejected(
                    from: server.baseURL + F.labels, problem: problem, movedTo: rejected.first))
    }

    @Test func everySourceFailingGivesOneMessageWithEachSourceAndTheWaysOut() throws {
        let data = TempFolder()
        let page = Array("<html><body><h1>404 Not Found</h1></body></html>".utf8)
        let server = try LocalHTTPServer { _ in .status(404, body: page, contentType: "text/html") }
        defer { server.stop() }
        let dead = try F.deadPort()
        let canonical = "http://127.0.0.1:\(dead)/mnist/"
        let spec = try F.mnist([F.labels, F.trainLabels], urls: { [canonical + $0] })
        var configuration = F.configuration(data.path)
        configuration.mirrors = [server.baseURL]
        var caught: FetchError?
        let messages = LineCollector()
        do {
            try F.fetcher(configuration, messages: messages).fetch(spec)
        } catch let error as FetchError {
            caught = error
        }
        #expect(messages.all.filter { $0.hasPrefix("not asking 127.0.0.1 again") }.count == 1)
        let expected = """
            Could not fetch mnist: train-labels-idx1-ubyte.gz, t10k-labels-idx1-ubyte.gz are unavailable from every source.
            train-labels-idx1-ubyte.gz, sources tried in order:
              - \(canonical)train-labels-idx1-ubyte.gz: could not connect to 127.0.0.1:\(dead) (connection refused or unreachable)
              - \(server.baseURL)train-labels-idx1-ubyte.gz: the server answered 404 Not Found (the file is not there)
            t10k-labels-idx1-ubyte.gz, sources tried in order:
              - \(canonical)t10k-labels-idx1-ubyte.gz: could not connect to 127.0.0.1:\(dead) (connection refused or unreachable)
              - \(server.baseURL)t10k-labels-idx1-ubyte.gz: the server answered 404 Not Found (the file is not there)
            Ways out:
              - a mirror that has the files: nnzoo fetch mnist --mirror URL (repeatable, or NNZOO_MIRROR=URL1,URL2; the file name is appended to URL, {dataset} in URL becomes mnist);
              - download them on another machine: nnzoo fetch mnist --print-urls lists every URL with its size and SHA-256; then nnzoo fetch mnist --from DIR imports and verifies them.
            """
        #expect(caught?.description == expected)
        // The unreachable host was asked once, not once per file.
        #expect(server.requests.count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: data.path + "/mnist") == [".lock"])
    }

    @Test func fromAFolderWithTheRightFilesVerifiesAndCopiesThem() throws {
        let data = TempFolder()
        let names = [F.labels, F.images, F.trainLabels]
        let fixtures = try Fixture.mnistFolder()
        var configuration = F.configuration(data.path)
        configuration.fromFolders = [fixtures]
        configuration.offline = true
        let messages = LineCollector()
        let verified = try F.fetcher(configuration, messages: messages).fetch(F.mnist(names))
        try #require(verified.map(\.name) == [F.trainLabels, F.images, F.labels])
        #expect(verified.allSatisfy { $0.contentHashChecked && $0.source.hasPrefix(fixtures) })
        for name in names {
            #expect(try F.contents(data.path + "/mnist/" + name) == F.bytes(name))
        }
        #expect(verified[1].structure == "IDX u8 10000x28x28")
        #expect(verified[0].structure == "IDX u8 60000")

        // A second run finds them verified and reads nothing again.
        let again = LineCollector()
        try F.fetcher(configuration, messages: again).fetch(F.mnist(names))
        #expect(again.all == [F.trainLabels, F.images, F.labels].map { "\($0): already verified" })
    }

    @Test func fromAFolderWithAWrongFileLeavesItAndSaysWhy() throws {
        let data = TempFolder()
        let scratch = TempFolder()
        let from = (path: URL(fileURLWithPath: scratch.path).standardizedFileURL.path, folder: scratch)
        // The test-set labels under the training labels' name: a real IDX file of the wrong split.
        from.folder.write(try F.bytes(F.labels), to: F.trainLabels)
        from.folder.write([0, 0, 8, 1], to: "t10k-labels-idx1-ubyte")
        var configuration = F.configuration(data.path)
        configuration.fromFolders = [from.path]
        configuration.offline = true
        var caught: FetchError?
        do {
            try F.fetcher(configuration, messages: LineCollector()).fetch(F.mnist([F.trainLabels, F.labels]))
        } catch let error as FetchError {
            caught = error
        }
        let text = caught?.description ?? ""
        #expect(
            text.contains(
                "  - \(from.path)/\(F.trainLabels): it failed verification: it holds u8 with shape 10000, expected IDX "
                    + "u8 with shape 60000 (a file of another dataset or split?)"))
        #expect(
            text.contains(
                "  - \(from.path)/\(F.labels): only the decompressed \(from.path)/t10k-labels-idx1-ubyte is there"))
        #expect(text.contains("  - the network: not tried (--offline)"))
        #expect(text.contains("  - run the command without --offline"))
        #expect(try F.contents(from.path + "/" + F.trainLabels) == F.bytes(F.labels), "the user's file is not moved")
        #expect(!FileManager.default.fileExists(atPath: data.path + "/mnist/" + F.trainLabels))
    }

    @Test func offlineUsesLocalCopiesAndNeverTheNetwork() throws {
        let data = TempFolder()
        let labels = try F.bytes(F.labels)
        let fixtures = try Fixture.mnistFolder()
        let server = try LocalHTTPServer { _ in .file(labels) }
        defer { server.stop() }
        let spec = try F.mnist([F.labels], urls: { [server.baseURL + $0] })
        var configuration = F.configuration(data.path)
        configuration.offline = true
        configuration.mirrors = [server.baseURL]

        // Without local files: nothing to use, and the server is never asked.
        #expect(throws: FetchError.self) { try F.fetcher(configuration, messages: LineCollector()).fetch(spec) }
        #expect(server.requests.isEmpty)

        // With a system folder holding the file: verified from there, still no request.
        configuration.systemFolders = ["mnist": [fixtures]]
        let messages = LineCollector()
        let verified = try F.fetcher(configuration, messages: messages).fetch(spec)
        #expect(verified.map(\.contentHashChecked) == [true])
        #expect(server.requests.isEmpty)
        #expect(
            messages.all.first
                == "\(F.labels): found \(fixtures)/\(F.labels) (installed by a system package); verifying it")
    }

    @Test func twoFetchesOfOneDatasetAtOnceDownloadOnce() throws {
        let data = TempFolder()
        let labels = try F.bytes(F.labels)
        let gate = LocalHTTPServer.Gate()
        let server = try LocalHTTPServer { _ in .waitFor(gate, then: .file(labels)) }
        defer { server.stop() }
        var settings = F.configuration(data.path)
        settings.mirrors = [server.baseURL]
        let configuration = settings
        let spec = try F.mnist([F.labels])

        let first = LineCollector()
        let firstDone = DispatchSemaphore(value: 0)
        let results = LineCollector()
        Thread.detachNewThread {
            do {
                try F.fetcher(configuration, messages: first).fetch(spec)
                results.append("first verified")
            } catch { results.append("first: \(error)") }
            firstDone.signal()
        }
        // Wait until the first fetcher holds the lock and is downloading (its request reached the server).
        while server.requests.isEmpty { usleep(1000) }

        let second = LineCollector()
        let secondDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do {
                try F.fetcher(configuration, messages: second).fetch(spec)
                results.append("second verified")
            } catch { results.append("second: \(error)") }
            secondDone.signal()
        }
        while !second.all.contains(where: { $0.contains("waiting for it to finish") }) { usleep(1000) }
        gate.open()
        firstDone.wait()
        secondDone.wait()
        #expect(Set(results.all) == ["first verified", "second verified"])
        #expect(server.requests.count == 1, "the second run found the file verified instead of downloading it again")
        #expect(second.all.last == "\(F.labels): already verified")
        #expect(F.contents(data.path + "/mnist/" + F.labels) == labels)
    }

    @Test func aBadCopyInTheDataDirectoryIsMovedAsideAndFetchedAgain() throws {
        let data = TempFolder()
        data.write(Array("<html><body>Not Found</body></html>".utf8), to: "mnist/" + F.labels)
        var configuration = F.configuration(data.path)
        configuration.fromFolders = try [Fixture.mnistFolder()]
        let messages = LineCollector()
        try F.fetcher(configuration, messages: messages).fetch(F.mnist([F.labels]))
        let rejected = RejectedFile.list(F.labels, in: data.path + "/mnist")
        #expect(rejected.count == 1)
        #expect(
            messages.all.first
                == "\(F.labels): the copy in \(data.path)/mnist failed verification: this is an HTML page, not gzip "
                + "data (the server sent a web page instead of the file); moved it aside to \(rejected.first ?? "?")")
        #expect(try F.contents(data.path + "/mnist/" + F.labels) == F.bytes(F.labels))
    }

    @Test func anUnwritableDataDirectoryIsAClearError() throws {
        let scratch = TempFolder()
        // A regular file where the data directory should be: not writable as a folder, even by root.
        let blocker = scratch.write([1], to: "not-a-folder")
        var configuration = F.configuration(blocker + "/Data")
        configuration.fromFolders = try [Fixture.mnistFolder()]
        var caught: FetchError?
        do {
            try F.fetcher(configuration, messages: LineCollector()).fetch(F.mnist([F.labels]))
        } catch let error as FetchError {
            caught = error
        }
        #expect(
            caught?.description
                == "Cannot write to the data directory \(blocker)/Data/mnist: "
                + "\(URL(fileURLWithPath: blocker).standardizedFileURL.path) is a file, not a folder. Nothing was downloaded "
                + "and no file was changed. Choose a writable folder with --data-dir DIR (or NNZOO_DATA), or fix the "
                + "folder's permissions.")
        #expect(F.contents(blocker) == [1])
    }

    @Test func verifyRehashesAndMovesAsideWhatChanged() throws {
        let data = TempFolder()
        var configuration = F.configuration(data.path)
        configuration.fromFolders = try [Fixture.mnistFolder()]
        let spec = try F.mnist([F.labels, F.trainLabels])
        try F.fetcher(configuration, messages: LineCollector()).fetch(spec)
        #expect(try F.fetcher(configuration, messages: LineCollector()).verifyOnDisk(spec).count == 2)

        // Damage one byte of the label data in place, keeping size and time: only --verify can notice.
        let path = data.path + "/mnist/" + F.labels
        var info = stat()
        stat(path, &info)
        var bytes = F.contents(path)
        try #require(bytes.count > 10, "\(path) was copied whole")
        bytes[bytes.count - 10] ^= 0x01
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        var times = [info.st_atim, info.st_mtim]
        utimensat(AT_FDCWD, path, &times, 0)
        #expect(DatasetStatus(spec, dataDirectory: data.path).summary == "verified")

        var caught: FetchError?
        do {
            try F.fetcher(configuration, messages: LineCollector()).verifyOnDisk(spec)
        } catch let error as FetchError {
            caught = error
        }
        let rejected = RejectedFile.list(F.labels, in: data.path + "/mnist")
        #expect(rejected.count == 1)
        guard case .verificationFailed(let dataset, let problems) = caught else {
            Issue.record("expected verificationFailed, got \(String(describing: caught))")
            return
        }
        #expect(dataset == "mnist")
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("\(F.labels): the bytes are damaged: the gzip CRC-32 check") == true)
        #expect(problems.first?.hasSuffix("moved aside to \(rejected.first ?? "?")") == true)
        #expect(DatasetStatus(spec, dataDirectory: data.path).summary == "1 of 2 files, verified; missing: \(F.labels)")
    }
}

/// `--verify` where nothing, or only a read-only system copy, is there.
@Suite struct VerifyOnDiskTests {
    typealias F = FetchFixtures

    @Test func nothingOnDiskIsNotPresent() throws {
        let data = TempFolder()
        #expect(
            throws: FetchError.notPresent(
                dataset: "mnist", missing: [F.trainLabels, F.labels], folder: data.path + "/mnist")
        ) {
            try F.fetcher(F.configuration(data.path), messages: LineCollector()).verifyOnDisk(
                F.mnist([F.labels, F.trainLabels]))
        }
        #expect(
            FetchError.notPresent(dataset: "mnist", missing: [F.labels], folder: "/d/mnist").description
                == "mnist is not fully in /d/mnist: \(F.labels) is missing. Run `nnzoo fetch mnist` first.")
    }

    @Test func aReadOnlySystemCopyIsVerifiedInPlaceAndAMissingFileIsAProblem() throws {
        let data = TempFolder()
        let fixtures = try Fixture.mnistFolder()
        var configuration = F.configuration(data.path)
        configuration.systemFolders = ["mnist": [fixtures]]
        let messages = LineCollector()
        var caught: FetchError?
        do {
            try F.fetcher(configuration, messages: messages).verifyOnDisk(F.mnist([F.trainImages, F.labels]))
        } catch let error as FetchError {
            caught = error
        }
        #expect(
            caught
                == FetchError.verificationFailed(
                    dataset: "mnist", problems: ["\(F.trainImages): not in \(data.path)/mnist"]))
        #expect(
            messages.all.last
                == "\(F.labels): verified the read-only copy \(fixtures)/\(F.labels): content SHA-256 "
                + "ff7bcfd416de… matches; IDX u8 10000")
        #expect(
            caught?.description
                == "mnist failed verification:\n  - \(F.trainImages): not in \(data.path)/mnist\nRun `nnzoo fetch mnist` "
                + "to download the files again.")
    }
}

/// Failures of the local disk and of a silent server.
@Suite struct FetchFailureTests {
    typealias F = FetchFixtures

    /// A full disk, for real: the data directory is a 256 KiB tmpfs, filled up after a first file
    /// was verified in it: with no room left the download's origin record cannot be written; with
    /// one page left it can, and the download itself fails. The message names the file that could
    /// not be written (it had named the .part for the record, nesting the record's own message).
    @Test(
        .enabled(if: Tmpfs.available, "needs root and a tmpfs mount (mount -t tmpfs)"),
        arguments: [(0, ".part.origin"), (4096, ".part")])
    func aFullDiskStopsTheFetchWithAClearMessageAndDamagesNothing(room: Int, failing: String) throws {
        let folder = TempFolder()
        let data = folder.path + "/data"
        mkdir(data, 0o755)
        #expect(Tmpfs.mount(on: data, size: "256k"))
        defer { Tmpfs.unmount(data) }
        var configuration = F.configuration(data)
        configuration.fromFolders = try [Fixture.mnistFolder()]
        try F.fetcher(configuration, messages: LineCollector()).fetch(F.mnist([F.trainLabels]))
        let verifiedPath = data + "/mnist/" + F.trainLabels

        let labels = try F.bytes(F.labels)
        let server = try LocalHTTPServer { _ in .file(labels) }
        defer { server.stop() }
        let part = data + "/mnist/\(F.labels).part"
        #expect(Tmpfs.fill(data))
        var info = stat()
        #expect(stat(data + "/filler", &info) == 0 && truncate(data + "/filler", info.st_size - off_t(room)) == 0)
        var download = F.configuration(data)
        download.mirrors = [server.baseURL]
        var caught: FetchError?
        do {
            try F.fetcher(download, messages: LineCollector()).fetch(F.mnist([F.trainLabels, F.labels]))
        } catch let error as FetchError {
            caught = error
        }
        #expect(
            caught?.description
                == "Could not write \(data)/mnist/\(F.labels)\(failing): writing failed after 0 bytes (No space left on device). Files already "
                + "verified were not touched. Free some space or fix the folder's permissions (or choose another "
                + "folder with --data-dir), then run the command again.")
        #expect(try F.contents(verifiedPath) == F.bytes(F.trainLabels))
        #expect(!FileManager.default.fileExists(atPath: part), "an empty partial download is not kept")
        #expect(!FileManager.default.fileExists(atPath: part + ".origin"))
        #expect(try DatasetStatus(F.mnist([F.trainLabels]), dataDirectory: data).summary == "verified")
        withExtendedLifetime(folder) {}
    }

    /// A `.part` that is a link to a device (or anything but a regular file) is refused before a
    /// byte is asked for, and left as it is: the server's bytes go nowhere but a file of nnzoo's.
    @Test(arguments: ["/dev/null", "/dev/full", "/dev/zero"])
    func aPartialDownloadLinkedToADeviceIsRefused(device: String) throws {
        let data = TempFolder()
        let labels = try F.bytes(F.labels)
        let server = try LocalHTTPServer { _ in .file(labels) }
        defer { server.stop() }
        mkdir(data.path + "/mnist", 0o755)
        let part = data.path + "/mnist/\(F.labels).part"
        #expect(symlink(device, part) == 0)
        var download = F.configuration(data.path)
        download.mirrors = [server.baseURL]
        var caught: FetchError?
        do {
            try F.fetcher(download, messages: LineCollector()).fetch(F.mnist([F.labels]))
        } catch let error as FetchError {
            caught = error
        }
        #expect(caught == .notRegularFile(path: part, kind: "a symbolic link"), "\(String(describing: caught))")
        #expect(server.requests.isEmpty)
        var info = stat()
        #expect(lstat(part, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK)
    }

    @Test func aServerThatSendsNothingTimesOut() throws {
        let data = TempFolder()
        let gate = LocalHTTPServer.Gate()
        let server = try LocalHTTPServer { _ in .waitFor(gate, then: .status(500)) }
        defer {
            gate.open()
            server.stop()
        }
        var configuration = F.configuration(data.path)
        configuration.mirrors = [server.baseURL]
        // Three attempts allowed, but a host that never answers is not asked again.
        configuration.download = DownloadSettings(attempts: 3, backoff: 0, idleTimeout: 1)
        var caught: FetchError?
        do {
            try F.fetcher(configuration, messages: LineCollector()).fetch(F.mnist([F.trainLabels, F.labels]))
        } catch let error as FetchError {
            caught = error
        }
        let line =
            "no answer from 127.0.0.1:\(server.port) within 1 second (unreachable, or blocked by a firewall; "
            + "--timeout sets the limit)"
        #expect(caught?.description.contains("  - \(server.baseURL)\(F.trainLabels): \(line)") == true)
        #expect(caught?.description.contains("  - \(server.baseURL)\(F.labels): \(line)") == true)
        #expect(server.requests.count == 1)
    }
}
