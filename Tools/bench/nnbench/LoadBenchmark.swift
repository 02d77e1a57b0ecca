import ArgumentParser
import Foundation
import NNData

/// `nnbench load`: how fast the IDX reader decodes the 60000 Fashion-MNIST training images,
/// next to `zcat > /dev/null` of the same file, and how much memory the read takes at its peak.
struct LoadBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Time loading the Fashion-MNIST training images against zcat, and measure peak memory.",
        discussion: """
            Runs our reader and `zcat FILE > /dev/null` alternately (after one warm-up run of each, so
            both read from the page cache) and prints the medians. Peak memory is the process's
            high-water mark (VmHWM in /proc/self/status, reset before each run through
            /proc/self/clear_refs) minus its resident size before the run, next to the decoded size.
            Goal: within 1.3x of zcat, and about one copy of the decoded data at peak.
            """)

    @Option(help: ArgumentHelp("The gzip IDX file to read.", valueName: "path"))
    var file: String?

    @Option(help: "Timed runs of each (medians are reported).")
    var runs = 7

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Data directory to look in first.", valueName: "dir"))
    var dataDir: String?

    func run() throws {
        let path = try file ?? locateFashionTrainImages()
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print("file: \(path) (\(size) bytes on disk)")
        // Warm-up: page cache, allocator, dynamic linking.
        _ = try IDXReader.read(path)
        _ = try zcat(path)

        var ours = [Double]()
        var reference = [Double]()
        var loaderTimes = [Double]()
        var peaks = [Int]()
        var decoded = 0
        for run in 0..<runs {
            // Alternate which goes first, so neither always runs on a warmer machine.
            if run % 2 == 1 { reference.append(try zcat(path)) }
            let before = Memory.resetPeak()
            let start = DispatchTime.now()
            let idx = try IDXReader.read(path)
            ours.append(Self.seconds(since: start))
            peaks.append(Memory.peak() - before)
            decoded = idx.decodedSize
            if run % 2 == 0 { reference.append(try zcat(path)) }
        }
        // The whole loader (images, labels, checks) for the same split, for context.
        let folder = (path as NSString).deletingLastPathComponent
        let labels = folder + "/train-labels-idx1-ubyte.gz"
        if FileManager.default.fileExists(atPath: labels) {
            for _ in 0..<runs {
                let start = DispatchTime.now()
                _ = try DatasetLoader.loadIDX(
                    images: path, labels: labels, classNames: DatasetRegistry.fashionMNIST.classNames)
                loaderTimes.append(Self.seconds(since: start))
            }
        }

        let megabytes = Double(decoded) / 1e6
        let ourMedian = Self.median(ours)
        let zcatMedian = Self.median(reference)
        print("decoded: \(decoded) bytes (\(String(format: "%.1f", megabytes)) MB), \(runs) runs each, medians")
        print("")
        print("                                   time       MB/s (decoded)")
        print(Self.row("nnzoo IDXReader.read (images)", ourMedian, megabytes))
        print(Self.row("zcat > /dev/null (reference)", zcatMedian, megabytes))
        if !loaderTimes.isEmpty {
            print(Self.row("nnzoo DatasetLoader (+ labels)", Self.median(loaderTimes), megabytes))
        }
        let ratio = ourMedian / zcatMedian
        print("")
        print(
            String(format: "ratio to zcat: %.2fx (goal: at most 1.30x) -> %@", ratio, ratio <= 1.3 ? "met" : "NOT met"))
        let peak = Self.median(peaks.map(Double.init))
        print(
            String(
                format:
                    "peak memory of a read: %.1f MB above the resident size before it (median; max %.1f MB), %.2fx the decoded size",
                peak / 1e6, Double(peaks.max() ?? 0) / 1e6, peak / Double(max(1, decoded))))
        print("all runs (s): nnzoo \(ours.map { String(format: "%.3f", $0) }.joined(separator: " "))")
        print("              zcat  \(reference.map { String(format: "%.3f", $0) }.joined(separator: " "))")
    }

    private func locateFashionTrainImages() throws -> String {
        let spec = DatasetRegistry.fashionMNIST
        guard let file = spec.file(named: "train-images-idx3-ubyte.gz"),
            let path = DatasetLocator.locate(file, of: spec, dataDirectory: DataDirectory.resolve(explicit: dataDir))
        else {
            throw ValidationError(
                "The Fashion-MNIST training images were not found; run `nnzoo fetch fashion-mnist`, install Debian's dataset-fashion-mnist, or pass --file."
            )
        }
        return path
    }

    /// Wall time of `zcat path > /dev/null`.
    private func zcat(_ path: String) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/zcat")
        process.arguments = [path]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let start = DispatchTime.now()
        try process.run()
        process.waitUntilExit()
        let elapsed = Self.seconds(since: start)
        guard process.terminationStatus == 0 else {
            throw ValidationError("zcat \(path) failed with status \(process.terminationStatus).")
        }
        return elapsed
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func row(_ name: String, _ seconds: Double, _ megabytes: Double) -> String {
        name.padding(toLength: 32, withPad: " ", startingAt: 0)
            + String(format: "%7.1f ms  %8.1f", seconds * 1000, megabytes / seconds)
    }
}

/// The process's memory figures from /proc/self/status (Linux).
enum Memory {
    /// Resets the high-water mark to the current resident size and returns that size in bytes.
    static func resetPeak() -> Int {
        if let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
            handle.write(Data("5".utf8))
            try? handle.close()
        }
        return field("VmRSS")
    }

    /// The resident-size high-water mark in bytes.
    static func peak() -> Int { field("VmHWM") }

    private static func field(_ name: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
            return kilobytes * 1024
        }
        return 0
    }
}
