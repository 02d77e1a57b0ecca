import Foundation
import NNCore
import Testing

@testable import NNData

/// `fetch --list` on small files no `.verified` record vouches for (the digits file shipped with
/// nnzoo, a file put in place by hand), `--verify` of datasets that are not there, and the
/// verifying progress in the file's own size.
@Suite struct QuickVerificationTests {
    typealias F = FetchFixtures
    let digits = DatasetRegistry.digits

    private func shippedDigits() throws -> [UInt8] {
        [UInt8](try #require(FileManager.default.contents(atPath: try TestData.shippedDigits)))
    }

    @Test func theShippedDigitsCountAsVerifiedByTheirContent() throws {
        // In a data directory, as in a checkout's Data/: no .verified record, the content checks out.
        let data = TempFolder()
        data.write(try shippedDigits(), to: "digits/digits.csv.gz")
        let status = DatasetStatus(digits, dataDirectory: data.path, systemFolders: [])
        #expect(status.files.map(\.state) == [.verified])
        #expect(status.summary == "verified")
        #expect(!FileManager.default.fileExists(atPath: data.path + "/digits/.verified"))

        // Only the copy shipped with nnzoo, read-only: verified too, and said where.
        let empty = TempFolder()
        let shipped = DatasetStatus(digits, dataDirectory: empty.path)
        let shippedPath = try TestData.shippedDigits
        #expect(shipped.files.map(\.state) == [.verifiedSystemCopy(shippedPath)])
        #expect(shipped.summary == "verified, read-only in \(DigitsCSV.shippedFolder), shipped with nnzoo")
    }

    @Test func aRecordThatIsNotAFileIsNamedAndVouchesForNothing() throws {
        let data = TempFolder()
        data.write(try shippedDigits(), to: "digits/digits.csv.gz")
        let record = data.path + "/digits/.verified"
        #expect(mkfifo(record, 0o600) == 0)
        let status = DatasetStatus(digits, dataDirectory: data.path, systemFolders: [])
        #expect(status.recordNotAFile == "a FIFO (named pipe)")
        #expect(status.files.map(\.state) == [.unverified])
        #expect(
            status.summary
                == "its record \(record) is a FIFO (named pipe), not a regular file: remove it (rm \(record)); "
                + "present, not verified (run nnzoo fetch --verify digits)")

        // --verify and fetch stop before hashing or writing anything, and say what to do.
        let expected = FetchError.recordNotAFile(path: record, kind: "a FIFO (named pipe)")
        let fetcher = F.fetcher(F.configuration(data.path), messages: LineCollector())
        #expect(throws: expected) { try fetcher.verifyOnDisk(digits) }
        #expect(throws: expected) { try fetcher.fetch(digits) }
        #expect(
            expected.description
                == "\(record) is a FIFO (named pipe), not a regular file, where nnzoo records which files of the "
                + "dataset it verified; nnzoo neither reads nor replaces it. Nothing was changed. Remove it "
                + "(rm \(record)), then run the command again.")
        var info = stat()
        #expect(lstat(record, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO)

        // Removed: the content vouches for the file again.
        unlink(record)
        #expect(DatasetStatus(digits, dataDirectory: data.path, systemFolders: []).summary == "verified")
    }

    @Test func aSmallFileWithOtherContentStaysUnverified() throws {
        let data = TempFolder()
        // Valid gzip, a digits-like CSV, but not the registry's content.
        let text = String(decoding: try Gzip.decodeFile(TestData.shippedDigits), as: UTF8.self)
        data.write(
            Gzip.compress(Array(text.replacingOccurrences(of: "16", with: "15").utf8)), to: "digits/digits.csv.gz")
        let status = DatasetStatus(digits, dataDirectory: data.path, systemFolders: [])
        #expect(status.files.map(\.state) == [.unverified])
        #expect(status.summary == "present, not verified (run nnzoo fetch --verify digits)")
        // Not gzip at all.
        data.write(Array("<html>".utf8), to: "digits/digits.csv.gz")
        #expect(DatasetStatus(digits, dataDirectory: data.path, systemFolders: []).files.map(\.state) == [.unverified])
    }

    @Test func largeFilesAreNotHashedByList() throws {
        // MNIST's test labels (10 kB of content) are hashed; its test images (7.8 MB) wait for --verify.
        let data = TempFolder()
        data.write(try F.bytes(F.labels), to: "mnist/" + F.labels)
        data.write(try F.bytes(F.images), to: "mnist/" + F.images)
        let spec = try F.mnist([F.images, F.labels])
        #expect(DatasetStatus(spec, dataDirectory: data.path).files.map(\.state) == [.unverified, .verified])
    }

    @Test func verifyingWhatIsNotThereCreatesNothing() throws {
        let data = TempFolder()
        let fetcher = F.fetcher(F.configuration(data.path), messages: LineCollector())
        #expect(
            throws: FetchError.notPresent(
                dataset: "mnist", missing: DatasetRegistry.mnist.files.map(\.name), folder: data.path + "/mnist")
        ) {
            try fetcher.verifyOnDisk(DatasetRegistry.mnist)
        }
        #expect(!FileManager.default.fileExists(atPath: data.path + "/mnist"))
        // Only a read-only copy: verified where it is, no folder or lock made for it.
        var configuration = F.configuration(data.path)
        configuration.systemFolders = ["digits": [DigitsCSV.shippedFolder]]
        let messages = LineCollector()
        let verified = try F.fetcher(configuration, messages: messages).verifyOnDisk(digits)
        #expect(verified.map(\.contentSHA256) == [digits.files[0].contentSHA256])
        #expect(!FileManager.default.fileExists(atPath: data.path + "/digits"))
    }

    @Test func verifyingProgressCountsTheFileOnceNotThreeTimes() throws {
        final class Lines: @unchecked Sendable {
            let lock = NSLock()
            var lines: [String] = []
            func add(_ line: String) {
                lock.lock()
                lines.append(line)
                lock.unlock()
            }
        }
        let lines = Lines()
        let size = try shippedDigits().count
        let progress = ProgressReporter(
            label: "verifying digits.csv.gz", total: Int64(size),
            output: ProgressOutput(isTerminal: false) { lines.add($0) }, plainInterval: 0)
        _ = try FileVerifier.verify(
            try TestData.shippedDigits, as: digits.files[0], of: digits, requirePublishedArchive: false,
            progress: progress)
        progress.finish()
        let total = ProgressReporter.formatBytes(Int64(size))
        #expect(lines.lines.count > 3)
        // Every line is a part of the file's size; the last is all of it.
        #expect(lines.lines.allSatisfy { $0.contains(" of \(total) (") })
        #expect(lines.lines.last?.hasPrefix("verifying digits.csv.gz: \(total) of \(total) (100%), ") == true)
        // The three passes each count a third: the amounts never go back, never pass the size.
        let amounts = lines.lines.compactMap { line -> Double? in
            guard let colon = line.range(of: ": "), let of = line.range(of: " kB of ") else { return nil }
            return Double(line[colon.upperBound..<of.lowerBound])
        }
        #expect(amounts.count == lines.lines.count)
        #expect(amounts == amounts.sorted())
        #expect(amounts.allSatisfy { $0 <= Double(size) / 1000 + 0.05 })
    }
}
