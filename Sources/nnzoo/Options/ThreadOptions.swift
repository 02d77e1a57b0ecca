import ArgumentParser
import NNCore

/// `--threads`: one setting for OpenBLAS and the project's own parallel loops.
struct ThreadOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Threads for maths and data work (default: the number of cores).", valueName: "n"))
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1 (got \(threads)).")
        }
    }

    /// Applies the setting; call at the start of `run()`.
    func apply() {
        Parallel.setThreadCount(threads ?? Parallel.defaultThreadCount)
    }
}
