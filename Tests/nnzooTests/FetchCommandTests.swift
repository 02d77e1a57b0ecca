import FixtureSupport
import Foundation
import NNData
import Testing

/// `nnzoo fetch` as a person runs it: the built binary in a child process. Only offline sources
/// are used here (the digits copy the project ships, the MNIST files in Tests/Fixtures/data), so these
/// tests never reach the network whatever the machine; the network paths are tested in
/// NNDataTests against a local server.
@Suite struct FetchCommandTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The `nnzoo` binary built next to the test bundle.
    static var binary: String {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [folder, folder.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("nnzoo").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return packageRoot + "/.build/debug/nnzoo"
    }

    /// A running `nnzoo` whose output is collected as it comes.
    final class Run: @unchecked Sendable {
        let process = Process()
        private let lock = NSLock()
        private var out = Data()
        private var err = Data()

        private let stdoutPipe = Pipe()
        private let stderrPipe = Pipe()

        init(_ arguments: [String]) throws {
            process.executableURL = URL(fileURLWithPath: FetchCommandTests.binary)
            process.arguments = arguments
            var environment = ProcessInfo.processInfo.environment
            environment["NNZOO_MIRROR"] = nil
            environment["NNZOO_DATA"] = nil
            process.environment = environment
            process.standardOutput = stdoutPipe
            process.standardError = stderrPipe
            stdoutPipe.fileHandleForReading.readabilityHandler = { [self] in append($0.availableData, err: false) }
            stderrPipe.fileHandleForReading.readabilityHandler = { [self] in append($0.availableData, err: true) }
            try process.run()
        }

        private func append(_ data: Data, err isErr: Bool) {
            lock.lock()
            if isErr { err.append(data) } else { out.append(data) }
            lock.unlock()
        }

        var stdout: String {
            lock.lock()
            defer { lock.unlock() }
            return String(decoding: out, as: UTF8.self)
        }
        var stderr: String {
            lock.lock()
            defer { lock.unlock() }
            return String(decoding: err, as: UTF8.self)
        }

        /// Waits for the exit, collects the rest of the output and returns the exit status.
        func finish() -> Int32 {
            process.waitUntilExit()
            for (pipe, isErr) in [(stdoutPipe, false), (stderrPipe, true)] {
                pipe.fileHandleForReading.readabilityHandler = nil
                append(pipe.fileHandleForReading.readDataToEndOfFile(), err: isErr)
            }
            return process.terminationStatus
        }
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let run = try Run(arguments)
        let status = run.finish()
        return (status, run.stdout, run.stderr)
    }

    @Test func theBinaryExists() {
        #expect(
            FileManager.default.isExecutableFile(atPath: Self.binary), "build it first: swift build --product nnzoo")
    }

    @Test func listShowsEachDatasetWithItsSizeAndState() throws {
        let data = NSTemporaryDirectory() + "nnzoo-cli-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let result = try Self.run(["fetch", "--list", "--data-dir", data])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "Data directory: \(data)")
        #expect(lines.contains("dataset        download   status"))
        #expect(lines.contains("mnist          11.6 MB    not downloaded"))
        #expect(lines.contains("cifar10        170.1 MB   not downloaded"))
    }

    @Test func printURLsListsEveryFileWithItsChecksum() throws {
        let result = try Self.run(["fetch", "mnist", "--print-urls", "--mirror", "http://m.example/{dataset}"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.contains(
                "train-images-idx3-ubyte.gz  9912422 bytes  sha256 "
                    + "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"))
        #expect(lines.contains("  https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz"))
        #expect(lines.contains("  https://storage.googleapis.com/cvdf-datasets/mnist/train-images-idx3-ubyte.gz"))
        #expect(lines.contains("  http://m.example/mnist/train-images-idx3-ubyte.gz"))
        #expect(lines.filter { $0.hasPrefix("  http") }.count == 12)
    }

    @Test func argumentMistakesAreSentences() throws {
        let none = try Self.run(["fetch"])
        #expect(none.status == 64)
        #expect(
            none.stderr.contains("Name the datasets to fetch (mnist, fashion-mnist, cifar10, digits), or use --all"))
        let unknown = try Self.run(["fetch", "imagenet"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("There is no dataset called 'imagenet'. Known datasets: mnist, fashion-mnist"))
        let badMirror = try Self.run(["fetch", "mnist", "--mirror", "ftp://x.example/"])
        #expect(badMirror.status == 64)
        #expect(badMirror.stderr.contains("only http:// and https:// mirrors are supported"))
    }

    @Test func offlineFromAFolderFetchesWhatItHasAndNamesTheRest() throws {
        let data = NSTemporaryDirectory() + "nnzoo-cli-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let mnist = try Fixture.mnistFolder()
        let result = try Self.run(["fetch", "mnist", "--offline", "--from", mnist, "--data-dir", data])
        #expect(result.status == 1)
        #expect(result.stderr.contains("Error: Could not fetch mnist: train-images-idx3-ubyte.gz is unavailable"))
        #expect(result.stderr.contains("  - \(mnist)/train-images-idx3-ubyte.gz: no file at "))
        #expect(result.stderr.contains("  - the network: not tried (--offline)"))
        #expect(
            result.stderr.contains(
                "Fetched and verified: train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz."
            ))
        let list = try Self.run(["fetch", "--list", "mnist", "--data-dir", data])
        #expect(list.stdout.contains("mnist    11.6 MB    3 of 4 files, verified; missing: train-images-idx3-ubyte.gz"))
    }

    /// Two `nnzoo fetch` processes and the test itself contend for one dataset: while the test holds
    /// the lock both say they are waiting; once it lets go, both finish with verified files.
    @Test func twoProcessesFetchingTheSameDatasetWaitForEachOther() throws {
        let data = NSTemporaryDirectory() + "nnzoo-cli-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let holder = try DatasetLock(folder: data + "/digits", dataset: "digits")
        let arguments = ["fetch", "digits", "--offline", "--data-dir", data]
        let first = try Run(arguments)
        let second = try Run(arguments)
        for run in [first, second] {
            var waited = 0
            while !run.stderr.contains("waiting for it to finish") && run.process.isRunning && waited < 60_000 {
                usleep(1000)
                waited += 1
            }
            #expect(run.stderr.contains("Another nnzoo process (pid \(getpid()): "))
            #expect(run.stderr.contains(") is using digits in \(data)/digits; waiting for it to finish"))
        }
        #expect(!FileManager.default.fileExists(atPath: data + "/digits/digits.csv.gz"), "nothing written while locked")
        holder.release()
        #expect(first.finish() == 0)
        #expect(second.finish() == 0)
        #expect(first.stdout == "digits: 1 file verified in \(data)/digits\n")
        #expect(second.stdout == "digits: 1 file verified in \(data)/digits\n")
        // One of them copied and verified the file; the other found it verified.
        let copied = [first, second].filter { $0.stderr.contains("verified and copied into place") }
        let found = [first, second].filter { $0.stderr.contains("digits.csv.gz: already verified") }
        #expect(copied.count == 1 && found.count == 1)
    }
}
