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

    /// Applies the setting and checks that the BLAS computes right products (`BLASCheck`, once per
    /// process, a few milliseconds); call at the start of `run()` of every command that computes.
    func apply() throws {
        Parallel.setThreadCount(threads ?? Parallel.defaultThreadCount)
        try BLASCheck.verify()
    }
}
