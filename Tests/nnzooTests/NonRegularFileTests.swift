import Foundation
import Testing

/// Every command that reads a file refuses at once, saying what is there, when the path holds a
/// FIFO (whose plain `open(2)` would block forever), a folder, an endless device (`/dev/zero`,
/// through a symbolic link) or a socket: eval's checkpoint, inspect --file, the dataset files train
/// reads, fetch --from, the extracted CIFAR-10 folder, and a recipe file.
@Suite(.serialized) struct NonRegularFileTests {
    enum Kind: String, CaseIterable {
        case fifo = "a FIFO (named pipe)"
        case folder = "a folder"
        case device = "a character device"
        case socket = "a socket"
    }

    /// Puts a thing of `kind` at `path`; returns a socket's descriptor to close afterwards.
    private func place(_ kind: Kind, at path: String) throws -> Int32? {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        switch kind {
        case .fifo: #expect(mkfifo(path, 0o644) == 0)
        case .folder: try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        case .device: try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/dev/zero")
        case .socket: return try unixSocket(at: path)
        }
        return nil
    }

    /// Runs `arguments` with `kind` at `path` and checks the refusal: status 1 within the time limit,
    /// and `expected` (with the kind's name) in what it printed.
    private func expectRefusal(
        _ kind: Kind, at path: String, _ arguments: [String], in folder: TempFolder, _ expected: String
    ) throws {
        let socket = try place(kind, at: path)
        defer { socket.map { _ = close($0) } }
        let result = try CLI.run(arguments, in: folder.path, timeout: 30)
        #expect(result.status == 1, "\(kind): \(arguments) ended with \(result.status): \(result.stderr)")
        #expect(result.stderr.contains(expected), "\(kind): \(result.stderr)")
    }

    @Test(arguments: Kind.allCases) func evalCheckpoint(_ kind: Kind) throws {
        let folder = TempFolder()
        let path = folder.path + "/run/checkpoint-best.safetensors"
        try expectRefusal(
            kind, at: path, ["eval", folder.path + "/run"], in: folder,
            "Error: The checkpoint \(path) is \(kind.rawValue), not a regular file. Give a checkpoint file written "
                + "by nnzoo train")
    }

    @Test(arguments: Kind.allCases) func inspectFile(_ kind: Kind) throws {
        let folder = TempFolder()
        let path = folder.path + "/t10k-images-idx3-ubyte"
        try expectRefusal(
            kind, at: path, ["inspect", "--file", path], in: folder,
            "Error: \(path) is \(kind.rawValue), not a regular file; nnzoo reads data only from regular files")
    }

    @Test(arguments: Kind.allCases) func trainDatasetFile(_ kind: Kind) throws {
        let folder = TempFolder()
        let path = folder.path + "/data/digits/digits.csv.gz"
        try expectRefusal(
            kind, at: path, ["train", "digits-mlp", "--data-dir", folder.path + "/data", "--threads", "1"],
            in: folder, "Error: \(path) is \(kind.rawValue), not a regular file; nnzoo reads data only")
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/runs"), "no run folder")
    }

    @Test(arguments: Kind.allCases) func fetchFrom(_ kind: Kind) throws {
        let folder = TempFolder()
        let path = folder.path + "/downloads/train-images-idx3-ubyte.gz"
        try expectRefusal(
            kind, at: path,
            ["fetch", "mnist", "--offline", "--from", folder.path + "/downloads", "--data-dir", folder.path + "/data"],
            in: folder,
            "train-images-idx3-ubyte.gz: \(path) failed verification: it is \(kind.rawValue), not a regular file; "
                + "left it where it is")
        // What was there is left alone.
        var info = stat()
        #expect(lstat(path, &info) == 0)
    }

    @Test(arguments: Kind.allCases) func fetchDestination(_ kind: Kind) throws {
        let folder = TempFolder()
        let path = folder.path + "/data/digits/digits.csv.gz"
        try expectRefusal(
            kind, at: path, ["fetch", "digits", "--offline", "--data-dir", folder.path + "/data"], in: folder,
            "Error: \(path) is \(kind.rawValue), not a regular file, where nnzoo keeps a dataset file. nnzoo leaves "
                + "it alone")
        var info = stat()
        #expect(lstat(path, &info) == 0)
    }

    /// A FIFO at the download's `.part` name would block the download's open.
    @Test(arguments: [Kind.fifo, .folder, .socket]) func fetchPartialDownload(_ kind: Kind) throws {
        let folder = TempFolder()
        let path = folder.path + "/data/mnist/train-images-idx3-ubyte.gz.part"
        try expectRefusal(
            kind, at: path, ["fetch", "mnist", "--mirror", "http://127.0.0.1:9/", "--data-dir", folder.path + "/data"],
            in: folder, "Error: \(path) is \(kind.rawValue), not a regular file, where nnzoo keeps a dataset file.")
        var info = stat()
        #expect(lstat(path, &info) == 0)
    }

    /// A symbolic link at the `.part` name, to a file of the user's (empty, so a download would
    /// start into it; one with bytes would be truncated on a restart): refused and left alone, the
    /// file it points to untouched.
    @Test func fetchPartialDownloadAsASymbolicLink() throws {
        let folder = TempFolder()
        let mine = folder.write([], to: "mine.txt")
        let path = folder.path + "/data/mnist/train-images-idx3-ubyte.gz.part"
        try FileManager.default.createDirectory(atPath: folder.path + "/data/mnist", withIntermediateDirectories: true)
        #expect(symlink(mine, path) == 0)
        let result = try CLI.run(
            ["fetch", "mnist", "--mirror", "http://127.0.0.1:9/", "--data-dir", folder.path + "/data"],
            in: folder.path, timeout: 60)
        #expect(result.status == 1)
        #expect(
            result.stderr.contains(
                "Error: \(path) is a symbolic link, not a regular file, where nnzoo keeps a dataset file. nnzoo leaves "
                    + "it alone"), "\(result.stderr)")
        var info = stat()
        #expect(lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK)
        #expect(FileManager.default.contents(atPath: mine)?.isEmpty == true)
    }

    @Test(arguments: Kind.allCases) func cifarFolder(_ kind: Kind) throws {
        let folder = TempFolder()
        let batches = folder.path + "/data/cifar10/cifar-10-batches-bin"
        folder.write(
            Array("airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n".utf8),
            to: "data/cifar10/cifar-10-batches-bin/batches.meta.txt")
        let path = batches + "/test_batch.bin"
        try expectRefusal(
            kind, at: path, ["inspect", "cifar10", "--split", "test", "--data-dir", folder.path + "/data"],
            in: folder, "Error: \(path) is \(kind.rawValue), not a regular file; nnzoo reads data only")
    }

    @Test(arguments: Kind.allCases) func recipeFile(_ kind: Kind) throws {
        let folder = TempFolder()
        let path = folder.path + "/recipe.json"
        try expectRefusal(
            kind, at: path, ["train", path, "--data-dir", CLI.packageRoot + "/Data"], in: folder,
            "Error: The recipe \(path) is \(kind.rawValue), not a regular file. Give a recipe name from the zoo")
    }

    /// A listening Unix socket at `path`.
    private func unixSocket(at path: String) throws -> Int32 {
        struct Failed: Error {}
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failed() }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw Failed() }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in bytes.enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else {
            close(fd)
            throw Failed()
        }
        return fd
    }
}
