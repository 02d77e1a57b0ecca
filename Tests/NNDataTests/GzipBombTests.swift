import Foundation
import NNCore
import Testing

@testable import NNData

/// Gzip bombs: small files that inflate far past what the registry expects. Each path that
/// decompresses a dataset file (the loader, the verifier, `nnzoo fetch`) must stop at the registry's
/// size with an error, never allocate or inflate what the bomb would produce.
@Suite struct GzipBombTests {
    /// `prefix` then `mebibytes` MiB of zeros, as a multi-member gzip file: one compressed MiB of
    /// zeros (about 1 KiB) repeated, so a 1 GiB bomb costs about 1 MiB to build and to store.
    static func bomb(prefix: [UInt8] = [], mebibytes: Int) -> [UInt8] {
        let member = Gzip.compress([UInt8](repeating: 0, count: 1 << 20), level: 9)
        var out = prefix.isEmpty ? [] : Gzip.compress(prefix)
        out.reserveCapacity(out.count + member.count * mebibytes)
        for _ in 0..<mebibytes { out += member }
        return out
    }

    static let labelsHeader: [UInt8] = [0, 0, 8, 1] + bigEndian(10000)

    /// A data directory whose MNIST test labels are `labels` (the images are never reached).
    static func mnistWithLabels(_ labels: [UInt8], in folder: TempFolder) -> String {
        folder.write(labels, to: "mnist/t10k-labels-idx1-ubyte.gz")
        folder.write(
            Gzip.compress([0, 0, 8, 3] + bigEndian(0) + bigEndian(28) + bigEndian(28)),
            to: "mnist/t10k-images-idx3-ubyte.gz")
        return folder.path
    }

    @Test func anIDXBombWithAnHonestHeaderStopsAtTheHeadersSize() throws {
        let folder = TempFolder()
        let bytes = Self.bomb(prefix: Self.labelsHeader + [UInt8](repeating: 3, count: 10000), mebibytes: 64)
        let dir = Self.mnistWithLabels(bytes, in: folder)
        let path = dir + "/mnist/t10k-labels-idx1-ubyte.gz"
        #expect(throws: DataError.trailingData(path: path, expectedBytes: 10008)) {
            try DatasetLoader.load("mnist", split: .test, dataDirectory: dir)
        }
    }

    /// The header claims 10^9 labels and the bomb can really deliver that many bytes: only the
    /// registry's size (10008 bytes) stops the loader, before it allocates or inflates a byte of data.
    @Test func anIDXBombWhoseHeaderClaimsAGigabyteIsRefusedBeforeAllocating() throws {
        let folder = TempFolder()
        let header: [UInt8] = [0, 0, 8, 1] + bigEndian(1_000_000_000)
        let bytes = Self.bomb(prefix: header, mebibytes: 1000)
        #expect(bytes.count < 1_100_000)
        let dir = Self.mnistWithLabels(bytes, in: folder)
        let path = dir + "/mnist/t10k-labels-idx1-ubyte.gz"
        let expected = DataError.exceedsLimit(
            path: path, what: "the header (u8, shape 1000000000)", declaredBytes: 1_000_000_000, limit: 10008)
        #expect(throws: expected) { try DatasetLoader.load("mnist", split: .test, dataDirectory: dir) }
    }

    @Test func aDigitsBombStopsAtTheRegistrySize() throws {
        let folder = TempFolder()
        let path = folder.write(Self.bomb(mebibytes: 16), to: "digits/digits.csv.gz")
        #expect(throws: DataError.decompressedTooLarge(path: path, limit: 264_712)) {
            try DatasetLoader.load("digits", split: .train, dataDirectory: folder.path)
        }
    }

    /// A CIFAR-10 archive of zeros: the first block ends the tar data at once, and the rest is read
    /// only to check the gzip trailer, so the registry's 200 MB cap is what stops it: in the
    /// loader, in the verifier and in `nnzoo fetch` (which verifies with the same code).
    @Test func aCIFARArchiveBombStopsAtTheRegistrySizeOnEveryPath() throws {
        let folder = TempFolder()
        let bytes = Self.bomb(mebibytes: 256)  // 268 MB of zeros in about 260 KB
        let path = folder.write(bytes, to: "cifar10/cifar-10-binary.tar.gz")
        let limit = DatasetRegistry.cifar10.files[0].maxContentSize
        #expect(limit == 200_000_000)
        #expect(throws: DataError.decompressedTooLarge(path: path, limit: limit)) {
            try DatasetLoader.load("cifar10", split: .test, dataDirectory: folder.path)
        }
        #expect(
            DataError.decompressedTooLarge(path: path, limit: limit).description
                == "\(path) decompresses to more than the 200000000 bytes expected; reading stopped there. The file is not the dataset file it claims to be. Delete it and run `nnzoo fetch cifar10` to download it again."
        )
        let spec = DatasetRegistry.cifar10
        #expect(throws: VerificationFailure(problem: "it decompresses to more than the 200000000 bytes expected")) {
            try FileVerifier.verify(path, as: spec.files[0], of: spec, requirePublishedArchive: false)
        }
    }

    /// `nnzoo fetch` with the bomb offered as the digits file by a mirror: downloaded, refused by
    /// the verifier at the registry's size, moved aside, never put in place.
    @Test func fetchRefusesADownloadedBomb() throws {
        let data = TempFolder()
        let bytes = Self.bomb(mebibytes: 16)
        let server = try LocalHTTPServer { _ in .file(bytes) }
        defer { server.stop() }
        var configuration = FetchFixtures.configuration(data.path)
        configuration.mirrors = [server.baseURL + "{dataset}/"]
        let spec = DatasetRegistry.digits
        let onlyMirror = DatasetSpec(
            name: spec.name, title: spec.title, summary: spec.summary, licence: spec.licence, channels: spec.channels,
            height: spec.height, width: spec.width, maxValue: spec.maxValue, classNames: spec.classNames,
            splits: spec.splits,
            files: spec.files.map {
                DatasetFile(
                    name: $0.name, contentName: $0.contentName, urls: [], contentSize: $0.contentSize,
                    contentSHA256: $0.contentSHA256, maxContentSize: $0.maxContentSize)
            }, systemFolders: [])
        let messages = LineCollector()
        #expect(throws: FetchError.self) {
            try FetchFixtures.fetcher(configuration, messages: messages).fetch(onlyMirror)
        }
        let line = messages.all.first { $0.contains("sent a bad file") } ?? ""
        #expect(
            line.contains("sent a bad file: it decompresses to more than the 264712 bytes expected; moved it aside"))
        #expect(!FileManager.default.fileExists(atPath: data.path + "/digits/digits.csv.gz"))
        #expect(RejectedFile.list("digits.csv.gz", in: data.path + "/digits").count == 1)
    }
}
