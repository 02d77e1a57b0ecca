import Foundation
import Testing

/// What the commands that write a file do with hostile targets, signals and a second writer:
/// refused targets before any work, temporaries removed on SIGINT/SIGTERM, last writer wins.
@Suite struct OutputFileTests {
    private var data: String { CLI.packageRoot + "/Data" }

    /// `nnzoo` started in the background (stdout discarded, stderr collected as it comes), with
    /// `environment` added.
    final class Background: @unchecked Sendable {
        let process = Process()
        private let errors = Pipe()
        private let lock = NSLock()
        private var collected = Data()

        init(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws {
            process.executableURL = URL(fileURLWithPath: CLI.binary)
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: directory ?? CLI.packageRoot)
            var merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            merged["NNZOO_DATA"] = environment["NNZOO_DATA"]
            // Never the user's cache (decoded datasets are kept there).
            merged["NNZOO_CACHE_DIR"] = environment["NNZOO_CACHE_DIR"] ?? "off"
            process.environment = merged
            process.standardOutput = FileHandle.nullDevice
            process.standardError = errors
            errors.fileHandleForReading.readabilityHandler = { [self] handle in
                let data = handle.availableData
                lock.lock()
                collected.append(data)
                lock.unlock()
            }
            try process.run()
        }

        /// What it wrote on stderr so far.
        var stderr: String {
            lock.lock()
            defer { lock.unlock() }
            return String(decoding: collected, as: UTF8.self)
        }

        /// Waits (up to a minute) until stderr contains `text`.
        func waitForStderr(_ text: String) -> Bool {
            let deadline = Date().addingTimeInterval(60)
            while !stderr.contains(text) && process.isRunning && Date() < deadline { usleep(2000) }
            return stderr.contains(text)
        }

        /// Waits for the end; returns the exit status and what it wrote on stderr.
        func finish() -> (status: Int32, stderr: String) {
            process.waitUntilExit()
            errors.fileHandleForReading.readabilityHandler = nil
            let rest = errors.fileHandleForReading.readDataToEndOfFile()
            lock.lock()
            collected.append(rest)
            lock.unlock()
            return (process.terminationStatus, stderr)
        }
    }

    /// Waits (up to a minute) until a name in `folder` satisfies `found`.
    static func waitFor(in folder: String, _ found: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).contains(where: found) {
                return true
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }

    @Test func inspectRefusesANonRegularTargetBeforeReadingAnything() throws {
        let folder = TempFolder()
        let fifo = folder.path + "/out.png"
        #expect(mkfifo(fifo, 0o644) == 0)
        let result = try CLI.run(["inspect", "digits", "--data-dir", data, "--samples", "10", "--png", fifo])
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "Error: Could not write \(fifo): it is a FIFO (named pipe), not a regular file. Nothing was changed "
                + "at that path; nnzoo writes only regular files (a new one, or one it replaces): give the path of a "
                + "file.\n")
        #expect(result.stdout.isEmpty, "nothing was inspected")
        let dangling = folder.path + "/link.png"
        #expect(symlink("/nonexistent-nnzoo/x.png", dangling) == 0)
        let augment = try CLI.run(["augment", "digits", "--ops", "hflip", "--data-dir", data, "--png", dangling])
        #expect(augment.status == 1)
        #expect(
            augment.stderr.hasPrefix(
                "Error: Could not write \(dangling): it is a symbolic link to /nonexistent-nnzoo/x.png, which does not "
                    + "exist (nnzoo writes through a link only to an existing regular file)."))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["link.png", "out.png"])
    }

    /// A signal while `inspect --png` has its temporary file written but not yet renamed (held there
    /// by a test hook): the temporary is removed, the old file is kept, the exit status is 128 + the
    /// signal's number.
    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalWhileWritingRemovesTheTemporary(signal: Int32) throws {
        let folder = TempFolder()
        let out = folder.write(Array("old".utf8), to: "out.png")
        let writer = try Background(
            ["inspect", "digits", "--data-dir", data, "--samples", "10", "--png", "out.png"], in: folder.path,
            environment: ["NNZOO_TEST_PAUSE_BEFORE_RENAME": "60"])
        #expect(Self.waitFor(in: folder.path) { $0.hasPrefix(".out.png.tmp-\(writer.process.processIdentifier)-") })
        kill(writer.process.processIdentifier, signal)
        let (status, stderr) = writer.finish()
        #expect(status == 128 + signal)
        #expect(stderr.hasPrefix("\nInterrupted. Removed the unfinished file .out.png.tmp-"), "\(stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.png"])
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "old")
    }

    /// Two processes writing the same `--png` at once: each writes its own temporary and renames it
    /// over the target, so the file is always one complete picture, the last one renamed.
    @Test func twoWritersOfOnePNGLeaveOneCompletePicture() throws {
        let folder = TempFolder()
        for n in [10, 20] {
            let alone = try CLI.run(
                ["inspect", "digits", "--data-dir", data, "--samples", "\(n)", "--png", "alone-\(n).png"],
                in: folder.path)
            #expect(alone.status == 0)
        }
        // Both hold their finished temporaries for a second, so that both are in flight together.
        let writers = try [10, 20].map {
            try Background(
                ["inspect", "digits", "--data-dir", data, "--samples", "\($0)", "--png", "both.png"], in: folder.path,
                environment: ["NNZOO_TEST_PAUSE_BEFORE_RENAME": "1"])
        }
        for writer in writers { #expect(writer.finish().status == 0) }
        let both = FileManager.default.contents(atPath: folder.path + "/both.png")
        let candidates = [10, 20].map { FileManager.default.contents(atPath: folder.path + "/alone-\($0).png") }
        #expect(both != nil && candidates.contains(both))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
                == ["alone-10.png", "alone-20.png", "both.png"])
    }
}
