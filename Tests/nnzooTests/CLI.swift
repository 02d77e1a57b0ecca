import FixtureSupport
import Foundation
import NNCore

/// Runs the built `nnzoo` executable, as a person would.
enum CLI {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The `nnzoo` binary built next to this test bundle (`swift test` builds it, since this test
    /// target depends on it), else the debug build in the package's `.build`.
    static let binary: String = {
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [
            bundle.appendingPathComponent("nnzoo").path,
            bundle.deletingLastPathComponent().appendingPathComponent("nnzoo").path,
            packageRoot + "/.build/debug/nnzoo",
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[2]
    }()

    /// How the binary's messages write the commands they suggest: it is run by its absolute path,
    /// from a folder that is not on PATH (see `Invocation`).
    static var program: String { shellQuoted(binary) }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `nnzoo arguments...` in `directory` (default: the package root) with `NNZOO_DATA` unset
    /// and `environment` added. Unless `environment` names one, `NNZOO_CACHE_DIR` is an empty folder
    /// of the run's own, removed afterwards: a test never writes the user's `~/.cache/nnzoo` (the
    /// decoded datasets nnzoo keeps there), nor reads what another run left. With `timeout`, a process still running after that many seconds is
    /// killed (status 137), so a test of something that must not hang fails instead of hanging.
    static func run(
        _ arguments: [String], in directory: String? = nil, environment extra: [String: String] = [:],
        timeout: Double? = nil
    ) throws -> Result {
        try run(executable: binary, arguments, in: directory, environment: extra, timeout: timeout)
    }

    /// Runs `command` with `/bin/sh -c` in `directory`, to run programs the way a person types them
    /// (`./nnzoo ...`, or a bare name found on PATH).
    static func shell(_ command: String, in directory: String, environment extra: [String: String] = [:]) throws
        -> Result
    {
        try run(executable: "/bin/sh", ["-c", command], in: directory, environment: extra, timeout: nil)
    }

    /// Runs another program (`executable`, an absolute path) the same way.
    static func run(
        executable: String, _ arguments: [String], in directory: String?, environment extra: [String: String] = [:],
        timeout: Double?
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? packageRoot)
        var environment = ProcessInfo.processInfo.environment
        environment["NNZOO_DATA"] = nil
        let cache =
            extra["NNZOO_CACHE_DIR"] == nil ? NSTemporaryDirectory() + "nnzoo-cli-cache-" + UUID().uuidString : nil
        defer { if let cache { try? FileManager.default.removeItem(atPath: cache) } }
        environment["NNZOO_CACHE_DIR"] = cache
        environment.merge(extra) { $1 }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        if let timeout {
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [process] in
                if process.isRunning { kill(pid, SIGKILL) }
            }
        }
        // Read both pipes while the process runs, so a full pipe never blocks it.
        let errData = Collected()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.data, as: UTF8.self))
    }

    /// Bytes read on another thread; the DispatchGroup orders the write before the read.
    private final class Collected: @unchecked Sendable {
        var data = Data()
    }

    /// Runs with `--json` and decodes stdout.
    static func json(_ arguments: [String], in directory: String? = nil) throws -> (Result, [String: Any]) {
        let result = try run(arguments + ["--json"], in: directory)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return (result, object ?? [:])
    }
}

/// A fresh temporary folder, removed when the object goes away.
final class TempFolder {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "nnzoo-cli-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ bytes: [UInt8], to name: String) -> String {
        let file = path + "/" + name
        try? FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: file, contents: Data(bytes))
        return file
    }
}
