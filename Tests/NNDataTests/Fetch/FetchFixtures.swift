import FixtureSupport
import Foundation
import NNCore
import Testing

@testable import NNData

/// Specs and files for fetch tests: the registry's real MNIST entries (so the content checksums
/// are the published ones and the fixtures are the real files in Tests/Fixtures/data/mnist), with the
/// URLs pointed at a test's own server so no test ever reaches the internet.
enum FetchFixtures {
    static let labels = "t10k-labels-idx1-ubyte.gz"
    static let images = "t10k-images-idx3-ubyte.gz"
    static let trainLabels = "train-labels-idx1-ubyte.gz"
    static let trainImages = "train-images-idx3-ubyte.gz"

    /// The bytes of a file in Tests/Fixtures/data/mnist, at least `minimumCount` of them (a test
    /// that changes byte k asks for k + 1); a missing or short fixture throws, naming the file.
    static func bytes(_ name: String, minimumCount: Int = 1) throws -> [UInt8] {
        try Fixture.mnistBytes(name, minimumCount: minimumCount)
    }

    /// MNIST restricted to `names`, each file's canonical URLs replaced by `urls(name)`. With
    /// `publishFixtureArchive`, the "published" archive checksum and size are those of the local
    /// fixture, so a canonical download of it passes the archive check (the real published ones
    /// belong to the upstream gzip files, which these recompressed copies are not).
    static func mnist(
        _ names: [String], urls: (String) -> [String] = { _ in [] }, publishFixtureArchive: Bool = false
    ) throws -> DatasetSpec {
        let base = DatasetRegistry.mnist
        let files = try base.files.filter { names.contains($0.name) }.map { file in
            let fixture = publishFixtureArchive ? try bytes(file.name) : []
            return DatasetFile(
                name: file.name, contentName: file.contentName, urls: urls(file.name),
                archiveSize: publishFixtureArchive ? fixture.count : file.archiveSize,
                archiveMD5: publishFixtureArchive ? nil : file.archiveMD5,
                archiveSHA256: publishFixtureArchive ? SHA256.hex(fixture) : file.archiveSHA256,
                contentSize: file.contentSize, contentSHA256: file.contentSHA256, maxContentSize: file.maxContentSize,
                members: file.members)
        }
        return DatasetSpec(
            name: base.name, title: base.title, summary: base.summary, licence: base.licence,
            channels: base.channels, height: base.height, width: base.width, maxValue: base.maxValue,
            classNames: base.classNames, splits: base.splits, files: files, systemFolders: [])
    }

    /// A configuration for a fresh data directory: no environment mirrors, no system folders, one
    /// attempt per source and no backoff (tests that retry say so).
    static func configuration(_ dataDirectory: String, attempts: Int = 1) -> FetchConfiguration {
        var configuration = FetchConfiguration(dataDirectory: dataDirectory, environment: [:])
        configuration.download = DownloadSettings(attempts: attempts, backoff: 0, idleTimeout: 20)
        configuration.systemFolders = ["mnist": [], "fashion-mnist": [], "cifar10": [], "digits": []]
        return configuration
    }

    /// A fetcher whose messages are collected.
    static func fetcher(_ configuration: FetchConfiguration, messages: LineCollector) -> DatasetFetcher {
        DatasetFetcher(
            configuration: configuration, output: FetchOutput(message: { messages.append($0) }, progress: nil))
    }

    /// A port with nothing listening on it (a server bound it and stopped).
    static func deadPort() throws -> Int {
        let server = try LocalHTTPServer { _ in .status(200) }
        let port = server.port
        server.stop()
        return port
    }

    /// `path`'s bytes, or [] if it does not exist.
    static func contents(_ path: String) -> [UInt8] {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
    }
}
