import Foundation
import Testing

@testable import NNData

/// `.verified` is read only up to `VerificationRecord.maxFileSize` (1 MiB; a record is a few kB):
/// a larger one, even valid JSON, counts as no record (its files are verified again and the record
/// rewritten), and a 1 GB one (sparse here) is not read at all.
@Suite struct VerificationRecordTests {
    let entry = VerifiedFile(
        name: "digits.csv.gz", size: 10, modified: 1, archiveSHA256: "a", matchesPublishedArchive: false,
        contentSize: 20, contentSHA256: "c", contentHashChecked: true, structure: "s", source: "here")

    @Test func aRecordLargerThanTheBoundIsNotRead() throws {
        let folder = TempFolder()
        let record = VerificationRecord(files: ["digits.csv.gz": entry])
        try record.write(folder: folder.path)
        #expect(VerificationRecord.read(folder: folder.path) == record)

        let path = folder.path + "/" + VerificationRecord.fileName
        let text = try #require(FileManager.default.contents(atPath: path))
        let padded = text + Data(repeating: 0x20, count: VerificationRecord.maxFileSize)
        try padded.write(to: URL(fileURLWithPath: path))
        #expect(VerificationRecord.read(folder: folder.path) == VerificationRecord())

        #expect(truncate(path, 1 << 30) == 0)
        #expect(VerificationRecord.read(folder: folder.path) == VerificationRecord())
    }
}
