import ArgumentParser
import Foundation
import NNCore
import NNData

/// `nnbench folder-load`: how fast nnzoo loads an image folder (both splits, decoded into memory),
/// the first time (nothing cached: every file is read, hashed and decoded) and from its cache, next
/// to torchvision's `ImageFolder` with a `DataLoader` iterating once over the same folder.
struct FolderLoadBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "folder-load",
        abstract: "Time loading an image folder, cold and cached, against torchvision's ImageFolder.",
        discussion: """
            FOLDER is an image folder with train/ and test/ (Tools/bench/folder-load makes one of \
            Fashion-MNIST's 70000 images with `nnzoo convert`). Each run times, in alternating order:
              - nnzoo cold: ImageFolderLoader.load of the train and test splits with an empty cache \
            folder (listing, reading and hashing every file, decoding on --threads threads);
              - nnzoo cached: the same loads from a cache folder filled before the runs;
              - torchvision: Tools/bench/reference/torch_imagefolder.py (ImageFolder of train/ and \
            test/, each image opened with PIL and converted to gray as nnzoo decodes it, ToTensor, a \
            DataLoader of batch 256 iterated once, --threads worker processes and torch threads), \
            its own figure from inside the script (interpreter start and imports not counted).
            One untimed pass of each first, so the files are in the page cache for all three. \
            Goals (issue 15): cold at most 0.3x torchvision's time; cached under 1 s.
            """)

    @Argument(help: ArgumentHelp("The image folder (with train/ and test/).", valueName: "folder"))
    var folder: String

    @Option(help: "Threads for nnzoo's decoding and torchvision's DataLoader workers (default: the cores).")
    var threads: Int?

    @Option(help: "Timed runs of each (medians are reported).")
    var runs = 3

    @Option(
        help: ArgumentHelp(
            "A Python with torch, torchvision and Pillow (default: $NNZOO_PYTHON, else Tools/find-python's).",
            valueName: "python"))
    var python: String?

    @Flag(help: "Leave torchvision out (nnzoo's figures only).")
    var skipTorch = false

    func run() throws {
        let threadCount = threads ?? Parallel.defaultThreadCount
        Parallel.setThreadCount(threadCount)
        let root = URL(fileURLWithPath: folder).standardizedFileURL.path
        let work = NSTemporaryDirectory() + "nnbench-folder-load-\(getpid())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let warmCache = DatasetCache(directory: work + "/warm")
        let interpreter = skipTorch ? nil : try findPython()

        // Untimed: the page cache, the warm cache, the interpreter's files.
        let images = try load(root, cache: warmCache)
        if let interpreter { _ = try torch(interpreter, root: root, threads: threadCount) }
        print("folder: \(root): \(images) images; threads: \(threadCount); \(runs) runs each, medians")

        var cold: [Double] = []
        var cached: [Double] = []
        var reference: [Double] = []
        for run in 0..<runs {
            if let interpreter, run % 2 == 1 {
                reference.append(try torch(interpreter, root: root, threads: threadCount))
            }
            let fresh = work + "/cold-\(run)"
            var start = DispatchTime.now()
            _ = try load(root, cache: DatasetCache(directory: fresh))
            cold.append(LoadBenchmark.seconds(since: start))
            try? FileManager.default.removeItem(atPath: fresh)
            start = DispatchTime.now()
            _ = try load(root, cache: warmCache)
            cached.append(LoadBenchmark.seconds(since: start))
            if let interpreter, run % 2 == 0 {
                reference.append(try torch(interpreter, root: root, threads: threadCount))
            }
        }
        let coldMedian = LoadBenchmark.median(cold)
        let cachedMedian = LoadBenchmark.median(cached)
        print("")
        print("                                        time     images/s")
        print(row("nnzoo cold (read, hash, decode)", coldMedian, images))
        print(row("nnzoo cached", cachedMedian, images))
        if !reference.isEmpty {
            let torchMedian = LoadBenchmark.median(reference)
            print(row("torchvision ImageFolder + DataLoader", torchMedian, images))
            let ratio = coldMedian / torchMedian
            print("")
            print(
                String(
                    format: "cold / torchvision: %.2fx (goal: at most 0.30x) -> %@", ratio,
                    ratio <= 0.3 ? "met" : "NOT met"))
        } else {
            print("\ntorchvision: not measured (--skip-torch, or no Python with torch, torchvision and Pillow).")
        }
        print(
            String(format: "cached: %.3f s (goal: under 1 s) -> %@", cachedMedian, cachedMedian < 1 ? "met" : "NOT met")
        )
        print("all runs (s): cold   \(cold.map { String(format: "%.3f", $0) }.joined(separator: " "))")
        print("              cached \(cached.map { String(format: "%.3f", $0) }.joined(separator: " "))")
        if !reference.isEmpty {
            print("              torch  \(reference.map { String(format: "%.3f", $0) }.joined(separator: " "))")
        }
    }

    /// Loads both splits with `cache`; returns the number of images.
    private func load(_ root: String, cache: DatasetCache) throws -> Int {
        var count = 0
        for split in DatasetSplit.allCases {
            count += try ImageFolderLoader.load(
                root, split: split, options: ImageFolderOptions(), splitSeed: StratifiedSplit.defaultSeed,
                cache: cache
            ).count
        }
        return count
    }

    private func row(_ name: String, _ seconds: Double, _ images: Int) -> String {
        name.padding(toLength: 38, withPad: " ", startingAt: 0)
            + String(format: "%7.3f s  %9.0f", seconds, Double(images) / seconds)
    }

    /// The Python to run the reference with.
    private func findPython() throws -> String {
        if let python { return python }
        if let given = ProcessInfo.processInfo.environment["NNZOO_PYTHON"], !given.isEmpty { return given }
        let finder = ToolFiles.buildCheckout + "/Tools/find-python"
        let output = try runProcess(finder, ["torch", "torchvision", "PIL"])
        guard output.status == 0, let path = output.text.split(separator: "\n").last else {
            throw ValidationError(
                "No Python with torch, torchvision and Pillow was found (\(finder) says: \(output.error.trimmingCharacters(in: .whitespacesAndNewlines))). "
                    + "Tools/bench/folder-load installs them into the repository's venv; or pass --python, or --skip-torch."
            )
        }
        return String(path)
    }

    /// The reference's own time for one pass over both splits.
    private func torch(_ python: String, root: String, threads: Int) throws -> Double {
        let script = ToolFiles.buildCheckout + "/Tools/bench/reference/torch_imagefolder.py"
        let output = try runProcess(python, [script, root, "--threads", String(threads)])
        guard output.status == 0,
            let line = output.text.split(separator: "\n").last,
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let seconds = object["seconds"] as? Double
        else {
            throw ValidationError("\(script) failed (status \(output.status)): \(output.error)")
        }
        return seconds
    }

    private func runProcess(_ executable: String, _ arguments: [String]) throws -> (
        status: Int32, text: String, error: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.contains("/") ? executable : "/usr/bin/env")
        process.arguments = executable.contains("/") ? arguments : [executable] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let text = out.fileHandleForReading.readDataToEndOfFile()
        let error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: text, as: UTF8.self), String(decoding: error, as: UTF8.self)
        )
    }
}
