import Foundation

/// Files the tests read from the repository: `Tests/Fixtures/...` and the package's own files
/// (`Data/`, `zoo/`). Paths are resolved from this source file (`#filePath`), never from the working
/// directory, so the tests read the same files from any folder a clone is in.
///
/// Every accessor checks what it returns: a missing, non-regular, empty or short file throws a
/// `FixtureError` that names the path, what was expected and how to restore it, so a damaged
/// checkout is a failing test with a sentence, never a trap or a silently weaker test.
public enum Fixture {
    /// The package root (the folder holding Package.swift).
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    /// The MNIST files in `Tests/Fixtures/data/mnist`: the real test images and labels and the
    /// training labels (recompressed copies; their decompressed content is the published one).
    /// MNIST's training images are not there (45 MB).
    public static let mnistFiles = [
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte.gz",
    ]

    /// The sizes in bytes of the committed files whose length is known, by path from the package
    /// root: a file that is shorter (cut off, emptied, or a Git LFS pointer) is refused.
    public static let knownSizes: [String: Int] = [
        "Tests/Fixtures/data/mnist/t10k-images-idx3-ubyte.gz": 1_648_877,
        "Tests/Fixtures/data/mnist/t10k-labels-idx1-ubyte.gz": 4542,
        "Tests/Fixtures/data/mnist/train-labels-idx1-ubyte.gz": 28881,
        "Data/digits/digits.csv.gz": 57512,
    ]

    /// The checked path of `relative` inside the package (`"Tests/Fixtures/torch/dense.json"`,
    /// `"zoo/digits-mlp.json"`): it must be a regular file (symbolic links are followed), not
    /// empty unless `allowEmpty`, and of its known size where `knownSizes` has one.
    public static func path(_ relative: String, allowEmpty: Bool = false) throws -> String {
        let path = packageRoot + "/" + relative
        try check(path, size: knownSizes[relative], allowEmpty: allowEmpty)
        return path
    }

    /// Checks that `path` is a regular file (symbolic links are followed; a FIFO is refused
    /// without being opened), of `size` bytes when given, and not empty unless `allowEmpty`.
    public static func check(_ path: String, size expected: Int? = nil, allowEmpty: Bool = false) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw FixtureError(path: path, problem: "is missing (\(String(cString: strerror(errno))))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw FixtureError(path: path, problem: "is not a regular file")
        }
        let size = Int(info.st_size)
        if let expected, size != expected {
            throw FixtureError(path: path, problem: "has \(size) bytes, expected \(expected)")
        }
        if size == 0 && !allowEmpty {
            throw FixtureError(path: path, problem: "is empty")
        }
    }

    /// The bytes of `relative` (see `path(_:allowEmpty:)`), at least `minimumCount` of them, so that
    /// a test may index them below that count.
    public static func bytes(_ relative: String, minimumCount: Int = 1) throws -> [UInt8] {
        let path = try path(relative, allowEmpty: minimumCount == 0)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FixtureError(path: path, problem: "cannot be read")
        }
        guard data.count >= minimumCount else {
            throw FixtureError(path: path, problem: "has \(data.count) bytes, the test needs at least \(minimumCount)")
        }
        return [UInt8](data)
    }

    /// The checked path of an MNIST file in `Tests/Fixtures/data/mnist` (`"t10k-labels-idx1-ubyte.gz"`).
    public static func mnist(_ name: String) throws -> String {
        try path("Tests/Fixtures/data/mnist/" + name)
    }

    /// The bytes of an MNIST file in `Tests/Fixtures/data/mnist`, checked.
    public static func mnistBytes(_ name: String, minimumCount: Int = 1) throws -> [UInt8] {
        try bytes("Tests/Fixtures/data/mnist/" + name, minimumCount: minimumCount)
    }

    /// `Tests/Fixtures/data/mnist`, after checking each of `mnistFiles`.
    public static func mnistFolder() throws -> String {
        for name in mnistFiles { _ = try mnist(name) }
        return packageRoot + "/Tests/Fixtures/data/mnist"
    }

    /// `Tests/Fixtures/data`, laid out as a data directory (`--data-dir`) whose `mnist/` holds
    /// `mnistFiles`, after checking them.
    public static func dataDirectory() throws -> String {
        _ = try mnistFolder()
        return packageRoot + "/Tests/Fixtures/data"
    }

    /// `Data/`, the data directory that ships with nnzoo, after checking its digits file.
    public static func shippedDataDirectory() throws -> String {
        _ = try path("Data/digits/digits.csv.gz")
        return packageRoot + "/Data"
    }

    /// The checked path of a folder inside the package (`"Tests/Fixtures/fuzz/tar"`).
    public static func folder(_ relative: String) throws -> String {
        let path = packageRoot + "/" + relative
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw FixtureError(path: path, problem: "is missing")
        }
        guard isFolder.boolValue else { throw FixtureError(path: path, problem: "is not a folder") }
        return path
    }

    /// Every file in the folder `relative` (names sorted, hidden files left out) with its bytes;
    /// the folder must hold at least `minimumCount` files. Empty files are allowed (a fuzz input may be empty).
    public static func files(in relative: String, minimumCount: Int = 1) throws -> [(name: String, bytes: [UInt8])] {
        let path = try folder(relative)
        let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix(".") }.sorted()
        guard names.count >= minimumCount else {
            throw FixtureError(path: path, problem: "holds \(names.count) files, expected at least \(minimumCount)")
        }
        return try names.map { ($0, try bytes(relative + "/" + $0, minimumCount: 0)) }
    }

    /// The committed inputs of fuzz target `target` (`Tests/Fixtures/fuzz/<target>/`: crashes found
    /// and minimised, each fed through the harness's entry points by a `FuzzRegressionTests` suite).
    /// A target without a folder has no findings yet; a folder that is there must be readable.
    public static func fuzzInputs(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        let relative = "Tests/Fixtures/fuzz/" + target
        guard FileManager.default.fileExists(atPath: packageRoot + "/" + relative) else { return [] }
        return try files(in: relative, minimumCount: 0)
    }
}

/// A fixture the tests need is missing or damaged.
public struct FixtureError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String {
        "The test fixture \(path) \(problem). It is committed to the repository: restore it with "
            + "`git checkout -- \(path)` (a clone made without its binary files, such as a Git LFS or "
            + "partial clone, lacks it)."
    }
}
