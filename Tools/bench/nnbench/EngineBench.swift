import ArgumentParser
import Foundation
import MallocCounter
import NNCore
import NNLayers

/// `nnbench engine`: OpenBLAS sgemm GFLOP/s for the products the recipes run, and the training-step
/// GFLOP/s the engine reaches on the MLP 784-100-10 and the ConvNet at batch 64, with one thread
/// and with all of them; allocations per step after warm-up; PyTorch's step time alongside.
struct EngineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Engine speed: sgemm GFLOP/s, MLP and ConvNet training-step GFLOP/s, allocations per step.",
        discussion: """
            Uses the first 4096 Fashion-MNIST training images (/usr/share/datasets/fashion-mnist, or \
            <data-dir>/fashion-mnist) scaled to [0, 1]; uniform noise if they are missing. A training \
            step is zeroGrad, forward, loss, backward (no input gradient for the first layer) and an SGD \
            momentum step. FLOPs count the sgemm work a step needs: forward, weight gradients, and input \
            gradients of every layer but the first. The engine pins OpenBLAS to one thread and splits \
            products over its own threads; sgemm is shown both ways, and the step goals compare against \
            the better of the two. \
            Allocations count every malloc-family call of the process (a counting malloc linked into \
            nnbench). Build in release: swift run -c release nnbench engine
            """)

    @Option(help: "Comma-separated thread counts to measure (default: 1 and all cores).")
    var threads: String?

    @Option(help: "Seconds per run of a measurement (each figure is the best of five runs).")
    var seconds: Double = 0.2

    @Option(help: "Training steps to count allocations over, after warm-up.")
    var allocationSteps: Int = 200

    @Flag(help: "Skip the PyTorch reference (Tools/bench/reference/torch_step.py).")
    var noTorch = false

    @Option(
        help: ArgumentHelp(
            "The Python with PyTorch for the reference (default: the repository's .venv-torch, made by "
                + "Tools/torch-venv on first use).", valueName: "python"))
    var torchPython: String?

    @Option(help: "The data directory holding fashion-mnist/ (default: the Debian dataset package).")
    var dataDir: String?

    @Flag(help: "Also print the time per step of each layer's forward and backward.")
    var profile = false

    func validate() throws {
        guard seconds > 0, seconds.isFinite else { throw ValidationError("--seconds must be a positive number") }
        guard allocationSteps >= 1 else { throw ValidationError("--allocation-steps must be 1 or more") }
    }

    func run() throws {
        let threadCounts = try parseThreadCounts()
        let images = BenchImages.load(dataDirectory: dataDir)
        print("nnbench engine: batch 64, \(images.source)")
        print(
            "threads: \(threadCounts.map(String.init).joined(separator: ", ")) (cores: \(Parallel.defaultThreadCount))")
        print("load average at start: \(loadAverage()) (other processes on the machine slow every figure)")
        var summary: [String] = []
        for count in threadCounts {
            Parallel.setThreadCount(count)
            print("\n== \(count) thread\(count == 1 ? "" : "s")")
            print("sgemm GFLOP/s (row-major, C = op(A) op(B); m x n x k)   OpenBLAS threads  split over ours")
            var headline = 0.0
            for shape in GemmShape.recipeShapes {
                let rate = shape.gflops(seconds: seconds, openBLASThreads: true)
                let split = shape.gflops(seconds: seconds, openBLASThreads: false)
                // the step goals compare against the better of the two: the stricter reference
                if shape.isHeadline { headline = max(rate, split) }
                print(
                    "  \(shape.label.padding(toLength: 34, withPad: " ", startingAt: 0))"
                        + "              \(format(rate, 7))         \(format(split, 7))")
            }
            for model in [BenchModel.mlp(images: images), BenchModel.convNet(images: images)] {
                let gemmRate = model.gemmOnlyGflops(seconds: seconds)
                let stepSeconds = model.stepSeconds(seconds: seconds)
                let rate = model.flopsPerStep / stepSeconds / 1e9
                let allocations = model.allocationsPerStep(steps: allocationSteps)
                print("\(model.name): \(format(model.flopsPerStep / 1e6, 6)) MFLOP per step")
                print("  training step          \(format(stepSeconds * 1e3, 8)) ms  \(format(rate, 6)) GFLOP/s")
                print(
                    "  vs sgemm 64x100x784     \(format(100 * rate / headline, 5))%   "
                        + "(of \(format(headline, 6)) GFLOP/s, the better column above; goal: \(model.goalPercent)% or more)"
                )
                print(
                    "  vs its products as whole-batch sgemms \(format(100 * rate / gemmRate, 5))%   "
                        + "(\(format(gemmRate, 6)) GFLOP/s)")
                print(
                    "  allocations per step   \(format(allocations.perStep, 8)) (\(allocations.total) in "
                        + "\(allocationSteps) steps after warm-up, \(allocations.large) of them 1 KiB or more)")
                print(
                    "  heap in use            \(allocations.heapBefore / 1024) KiB -> \(allocations.heapAfter / 1024) KiB;"
                        + " peak RSS \(allocations.peakRSSBefore / 1024) MiB -> \(allocations.peakRSSAfter / 1024) MiB")
                if profile {
                    print("  per layer (ms per step)        forward  backward")
                    for (name, forward, backward) in model.layerProfile(steps: 200) {
                        print(
                            "    \(name.padding(toLength: 32, withPad: " ", startingAt: 0))"
                                + "\(format(forward, 6))  \(format(backward, 8))")
                    }
                }
                summary.append(
                    "\(model.name), \(count) thread(s): \(format(stepSeconds * 1e3, 6)) ms/step, "
                        + "\(format(100 * rate / headline, 4))% of sgemm 64x100x784")
            }
        }
        if !noTorch { runTorchReference(threadCounts: threadCounts, engineSummary: summary) }
    }

    private func parseThreadCounts() throws -> [Int] {
        guard let threads else { return Array(Set([1, Parallel.defaultThreadCount])).sorted() }
        let counts = threads.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--threads expects positive integers separated by commas, e.g. 1,2; got \(threads)")
        }
        return counts.map { $0! }
    }

    /// The Python to run the PyTorch reference with: `--torch-python`, else the one `Tools/torch-venv`
    /// prints (it makes the repository's environment on first use, reporting on stderr); or why there is none.
    private func referencePython(tools: URL) -> (python: String?, problem: String?) {
        if let torchPython { return (torchPython, nil) }
        let script = tools.appendingPathComponent("torch-venv").path
        print("\nPyTorch reference: \(script) (makes .venv-torch/ on first use: about 260 MB to download)")
        fflush(stdout)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        let pipe = Pipe()
        process.standardOutput = pipe
        do {
            try process.run()
        } catch {
            return (nil, "\(script) did not start (\(error))")
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let path = output.split(separator: "\n").last.map(String.init) ?? ""
        guard process.terminationStatus == 0, !path.isEmpty else {
            return (nil, "\(script) failed with status \(process.terminationStatus) (its messages are above)")
        }
        return (path, nil)
    }

    /// Runs PyTorch's step timing for each thread count (one process at a time) and prints it.
    private func runTorchReference(threadCounts: [Int], engineSummary: [String]) {
        let tools = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let script = tools.appendingPathComponent("bench/reference/torch_step.py").path
        let (found, problem) = referencePython(tools: tools)
        guard let python = found else {
            print("\n*** PyTorch reference SKIPPED: \(problem ?? "no Python"). Pass --torch-python, or --no-torch. ***")
            return
        }
        print("\n== PyTorch reference (same models, batch 64, SGD momentum, best of five; \(script))")
        for count in threadCounts {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            var arguments = [python, script, "--threads", "\(count)"]
            if let dataDir { arguments += ["--data-dir", dataDir] }
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            do {
                try process.run()
                let output = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                if process.terminationStatus != 0 {
                    print(
                        "  *** PyTorch reference FAILED with \(count) thread(s): \(python) \(script) exited with "
                            + "status \(process.terminationStatus) (its messages are above) ***")
                }
                for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
                    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                        let model = object["model"] as? String, let seconds = object["step_seconds"] as? Double
                    else { continue }
                    print(
                        "  torch \(object["torch"] ?? "?") \(model), \(count) thread(s): "
                            + "\(format(seconds * 1e3, 6)) ms/step")
                }
            } catch {
                print("  PyTorch reference failed to start: \(error)")
            }
        }
        print("\n== nnzoo engine (from above; load average now \(loadAverage()))")
        for line in engineSummary { print("  \(line)") }
    }
}

/// `value` right-aligned in `width` characters with two decimals (one below 0.1% precision).
func format(_ value: Double, _ width: Int) -> String {
    let text = String(format: "%.2f", value)
    return String(repeating: " ", count: max(0, width - text.count)) + text
}

/// The 1-minute load average from /proc/loadavg, or "unknown".
func loadAverage() -> String {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
    return String(text.split(separator: " ").first ?? "unknown")
}

/// Monotonic time in seconds.
func monotonicSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// The best (smallest) time per call of `body` over five runs, each repeating it for about
/// `seconds`. On a shared machine the least disturbed run is the closest to what the code costs;
/// a median would mostly measure the neighbours.
func bestSecondsPerCall(seconds: Double, _ body: (Int) -> Void) -> Double {
    var call = 0
    var best = Double.infinity
    for _ in 0..<5 {
        let start = monotonicSeconds()
        var calls = 0
        repeat {
            body(call)
            call += 1
            calls += 1
        } while monotonicSeconds() - start < seconds
        best = min(best, (monotonicSeconds() - start) / Double(calls))
    }
    return best
}
