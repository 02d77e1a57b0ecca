import ArgumentParser

/// Benchmarks for nnzoo, one subcommand each. Build in release:
/// `swift run -c release nnbench <subcommand>`. Figures are printed, never asserted.
@main
struct NNBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nnbench",
        abstract: "nnzoo's benchmarks: each prints its figures next to a reference measured in the same run.",
        subcommands: [
            LoadBenchmark.self, AugmentBench.self, EngineBench.self, AccuracyBench.self, SgemmBench.self,
            InferenceBench.self, FolderLoadBenchmark.self, ReadmeTables.self, AdoptRun.self,
        ]
    )
}
