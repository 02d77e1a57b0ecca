import FixtureSupport
import Foundation
import Testing

@testable import NNData

/// Inputs committed under `Tests/Fixtures/fuzz/<target>/` (crashes the fuzzers or a review found,
/// minimised), fed through the same entry points and checks as the fuzz harnesses in
/// `Tools/fuzzing/targets/`: each must give a clean result or a clean error, never a trap.
@Suite struct DataFuzzRegressionTests {
    /// (name, bytes) of every committed input of `target` (`Fixture.fuzzInputs`).
    static func inputs(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        try Fixture.fuzzInputs(target)
    }

    /// Runs `body`; a thrown error must describe itself in a sentence.
    static func cleanly(_ body: () throws -> Void) {
        do { try body() } catch { #expect(!"\(error)".isEmpty) }
    }

    /// Every committed input of every NNData target (at least the pax record that trapped before).
    @Test func everyCommittedInputRunsCleanly() throws {
        var total = 0
        for input in try Self.inputs("gzip") {
            total += 1
            Self.cleanly {
                _ = try Gzip.decodeAll(Gzip.openDecoded(bytes: input.bytes, path: input.name, limit: 1 << 22))
            }
        }
        for input in try Self.inputs("idx") {
            total += 1
            Self.cleanly {
                let file = try IDXReader.read(
                    from: Gzip.openDecoded(bytes: input.bytes, path: input.name), hashContent: true, maxBytes: 1 << 24)
                #expect(file.elements.count == file.header.elementCount)
            }
        }
        for input in try Self.inputs("cifar") {
            total += 1
            Self.cleanly {
                var images = [UInt8]()
                var labels = [UInt8]()
                let stream = try Gzip.openDecoded(
                    bytes: input.bytes, path: input.name, limit: CIFARReader.maxRecordsPerBatch * CIFARReader.recordSize
                )
                try CIFARReader.readBatch(from: stream, appendingTo: &images, labels: &labels)
            }
        }
        for input in try Self.inputs("tar") {
            total += 1
            Self.cleanly {
                let tar = TarReader(stream: try Gzip.openDecoded(bytes: input.bytes, path: input.name, limit: 1 << 24))
                while let member = try tar.next() { _ = try member.readBytes(upTo: min(member.size, 1 << 20)) }
                try tar.drain()
            }
            Self.cleanly {
                let tar = TarReader(stream: try Gzip.openDecoded(bytes: input.bytes, path: input.name, limit: 1 << 24))
                _ = try CIFARReader.load(tar: tar, batches: ["data_batch_1.bin"])
            }
        }
        for input in try Self.inputs("digits-csv") {
            total += 1
            Self.cleanly {
                let digits = try DigitsCSV.read(
                    from: Gzip.openDecoded(bytes: input.bytes, path: input.name, limit: DigitsCSV.maxFileSize))
                #expect(digits.images.count == digits.labels.count * 64)
            }
        }
        #expect(total >= 1)
    }

    @Test func thePaxRecordWithALengthNearIntMaxIsAMalformedHeader() throws {
        let input = try #require(Self.inputs("tar").first { $0.name == "pax-length-near-int-max" })
        let tar = TarReader(stream: try Gzip.openDecoded(bytes: input.bytes, path: "pax.tar"))
        #expect(
            throws: DataError.tarBadHeader(path: "pax.tar", offset: 0, detail: "has a malformed pax record at byte 11")
        ) { _ = try tar.next() }
    }
}
