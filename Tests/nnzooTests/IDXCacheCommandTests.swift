import Foundation
import NNData
import NNZooKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `nnzoo train` with its decoded-IDX cache, through the built binary: a second run reads the
/// training images from the cache and trains the same weights with the same run.json
/// fingerprint; a cache folder taken over by FIFOs, or one that cannot be made, costs nothing but
/// the speed.
@Suite struct IDXCacheCommandTests {
    /// An MNIST data folder: 1400 training images (1.1 MB decoded, over the 1 MiB the cache
    /// keeps), 100 test images (left out of the cache), labels 0-9 in turn; written more than
    /// 2 s before the first run (a file changed more recently is not kept).
    static func dataFolder(_ folder: TempFolder) -> String {
        func images(_ count: Int) -> [UInt8] {
            Gzip.compress(
                [0, 0, 8, 3] + bigEndian(count) + bigEndian(28) + bigEndian(28)
                    + (0..<count * 784).map { UInt8(truncatingIfNeeded: ($0 % 784) * ($0 / 784 % 10 + 1) / 7) })
        }
        func labels(_ count: Int) -> [UInt8] {
            Gzip.compress([0, 0, 8, 1] + bigEndian(count) + (0..<count).map { UInt8($0 % 10) })
        }
        folder.write(images(1400), to: "data/mnist/train-images-idx3-ubyte.gz")
        folder.write(labels(1400), to: "data/mnist/train-labels-idx1-ubyte.gz")
        folder.write(images(100), to: "data/mnist/t10k-images-idx3-ubyte.gz")
        folder.write(labels(100), to: "data/mnist/t10k-labels-idx1-ubyte.gz")
        Thread.sleep(forTimeInterval: 2.1)
        return folder.path + "/data"
    }

    static func bigEndian(_ value: Int) -> [UInt8] {
        [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// Every tensor of a checkpoint, by name.
    func tensors(_ path: String) throws -> [String: SafeTensorsValue] {
        Dictionary(uniqueKeysWithValues: try SafeTensorsFile.read(from: path).tensors.map { ($0.name, $0.value) })
    }

    @Test func aSecondRunTrainsTheSameFromTheCacheAndABrokenCacheOnlyCostsTheSpeed() throws {
        let folder = TempFolder()
        let data = Self.dataFolder(folder)
        let cache = folder.path + "/cache"
        func train(_ name: String, cache: String) throws -> (CLI.Result, String) {
            let out = folder.path + "/run-" + name
            let result = try CLI.run(
                [
                    "train", "mlp-784-100-10", "--dataset", "mnist", "--epochs", "1", "--threads", "1", "--out", out,
                    "--data-dir", data,
                ], environment: ["NNZOO_CACHE_DIR": cache], timeout: 300)
            return (result, out)
        }
        // Two cold runs at once, both writing the same entry into the empty cache: it ends whole.
        let runs = ColdRuns()
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            runs.set(i, Result { try train(i == 0 ? "cold" : "cold-beside", cache: cache) })
        }
        let (first, cold) = try runs.get(0)
        let (beside, coldBeside) = try runs.get(1)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(beside.status == 0, "\(beside.stderr)")
        let entries = try FileManager.default.contentsOfDirectory(atPath: cache)
        #expect(entries.count == 1 && entries[0].hasPrefix("idx-"), "\(entries)")
        let entry = cache + "/" + entries[0]
        #expect(try FileManager.default.attributesOfItem(atPath: entry)[.size] as? Int == 1400 * 784 + 16 + 65 + 107)
        let expected = try tensors(cold + "/checkpoint-last.safetensors")
        #expect(try tensors(coldBeside + "/checkpoint-last.safetensors") == expected)
        let recorded = try RunInfo.read(from: cold + "/run.json")
        #expect(recorded.datasetFiles.count == 4 && recorded.datasetFiles[0].bytes == 1400 * 784 + 16)
        let changed = try FileManager.default.attributesOfItem(atPath: entry)[.modificationDate] as? Date

        var caches = ["warm": cache]
        // A FIFO in the entry's place: no hang, nothing read from it or written in its place.
        let fifos = folder.path + "/fifos"
        #expect(mkdir(fifos, 0o700) == 0)
        #expect(mkfifo(fifos + "/" + entries[0], 0o600) == 0)
        caches["fifos"] = fifos
        // A cache folder that cannot be made (its parent is a file).
        caches["unwritable"] = folder.write([1], to: "file") + "/cache"
        caches["off"] = "off"
        for (name, cache) in caches.sorted(by: { $0.key > $1.key }) {
            let (result, out) = try train(name, cache: cache)
            #expect(result.status == 0, "\(name): \(result.stderr)")
            #expect(try tensors(out + "/checkpoint-last.safetensors") == expected, "\(name)")
            let info = try RunInfo.read(from: out + "/run.json")
            #expect(info.datasetFiles == recorded.datasetFiles, "\(name)")
            #expect(info.testLast?.correct == recorded.testLast?.correct, "\(name)")
        }
        // The warm run read the entry (and marked it used), rewrote nothing.
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache) == entries)
        #expect(try FileManager.default.attributesOfItem(atPath: entry)[.modificationDate] as? Date != changed)
        var info = stat()
        #expect(lstat(fifos + "/" + entries[0], &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO)
    }
}

/// The two cold runs' results, set from two threads.
private final class ColdRuns: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Int: Result<(CLI.Result, String), Error>] = [:]
    struct NotRun: Error {}

    func set(_ index: Int, _ result: Result<(CLI.Result, String), Error>) {
        lock.lock()
        results[index] = result
        lock.unlock()
    }

    func get(_ index: Int) throws -> (CLI.Result, String) {
        lock.lock()
        defer { lock.unlock() }
        guard let result = results[index] else { throw NotRun() }
        return try result.get()
    }
}
