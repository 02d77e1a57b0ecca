import FixtureSupport
import Foundation
import Testing

@testable import NNData

@Suite struct ContentDigestsTests {
    /// The loader's single pass gives the same digests as hashing the files on their own.
    @Test func theLoadersDigestsAreTheFilesContentHashes() throws {
        let digests = ContentDigests()
        let test = try DatasetLoader.load(
            "mnist", split: .test, dataDirectory: Fixture.dataDirectory(), digests: digests)
        #expect(test.count == 10000)
        for name in ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            let path = try Fixture.mnist(name)
            let file = try #require(DatasetRegistry.mnist.file(named: name))
            let known = try #require(digests.digest(of: path))
            #expect(known.sha256 == file.contentSHA256)
            #expect(known.size == file.contentSize)
            let streamed = try ContentVerifier.digest(of: path)
            #expect(known.size == streamed.size && known.sha256 == streamed.sha256)
        }
        // A file no loader read is not known.
        #expect(try digests.digest(of: Fixture.mnist("train-labels-idx1-ubyte.gz")) == nil)
    }

    /// A file changed after it was read is not answered from the record: its reader hashes it again.
    @Test func aFileChangedSinceItWasReadIsNotAnswered() throws {
        let folder = TempFolder()
        let images = folder.write(
            DatasetLoaderTests.imagesFile(count: 2), to: "mnist/t10k-images-idx3-ubyte.gz")
        let labels = folder.write([0, 0, 8, 1] + bigEndian(2) + [1, 2], to: "mnist/t10k-labels-idx1-ubyte.gz")
        let digests = ContentDigests()
        _ = try DatasetLoader.load("mnist", split: .test, dataDirectory: folder.path, digests: digests)
        let before = try #require(digests.digest(of: labels))
        #expect(before.sha256 == (try ContentVerifier.digest(of: labels)).sha256)
        #expect(digests.digest(of: images) != nil)
        folder.write([0, 0, 8, 1] + bigEndian(3) + [1, 2, 3], to: "mnist/t10k-labels-idx1-ubyte.gz")
        #expect(digests.digest(of: labels) == nil)
        try FileManager.default.removeItem(atPath: images)
        #expect(digests.digest(of: images) == nil)
    }

    /// A file the loader refuses leaves no digest behind.
    @Test func aRefusedFileIsNotRecorded() throws {
        let folder = TempFolder()
        folder.write(DatasetLoaderTests.imagesFile(count: 2), to: "mnist/t10k-images-idx3-ubyte.gz")
        var damaged = Gzip.compress([0, 0, 8, 1] + bigEndian(2) + [1, 2])
        damaged[damaged.count - 8] ^= 0xFF  // the CRC-32 in the gzip trailer
        let labels = folder.write(damaged, to: "mnist/t10k-labels-idx1-ubyte.gz")
        let digests = ContentDigests()
        #expect(throws: DataError.self) {
            try DatasetLoader.load("mnist", split: .test, dataDirectory: folder.path, digests: digests)
        }
        #expect(digests.digest(of: labels) == nil)
    }
}
