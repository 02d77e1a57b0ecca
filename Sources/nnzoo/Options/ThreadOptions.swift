import ArgumentParser
import NNCore
import NNZooKit

/// `--threads`: one setting for OpenBLAS and the project's own parallel loops.
struct ThreadOptions: ParsableArguments {
    // `.unconditional`: `--threads -1` is a value to refuse, not a missing value and an unknown option.
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Threads for maths and data work (default: the number of cores).", valueName: "n"))
    var threads: Int?

    func validate() throws {
        try TrainingOptions.check("--threads", threads, Limits.threads)
    }

    /// Applies the setting; call at the start of `run()`.
    func apply() {
        Parallel.setThreadCount(threads ?? Parallel.defaultThreadCount)
    }
}
