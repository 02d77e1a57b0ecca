import ArgumentParser
import Foundation
import NNCore
import NNZooKit

@main
struct NNZoo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nnzoo",
        abstract: "Datasets, augmentation and small image classifiers, from download to evaluation.",
        version: NNZooVersion.string,
        subcommands: [
            FetchCommand.self, InspectCommand.self, AugmentCommand.self, TrainCommand.self, EvalCommand.self,
            ReportCommand.self, CompareCommand.self, DumpLogitsCommand.self, InstallCommand.self,
        ]
    )

    /// Learns how the user ran the tool before anything is parsed or printed, so that every command
    /// a message prints starts the way the user started this one (see `Invocation`). Every command
    /// removes the temporary files it has in flight when Ctrl-C or SIGTERM ends it.
    static func main() {
        Invocation.current = Invocation.forThisProcess()
        SignalCleanup.shared.install()
        // Test hook (see AtomicFile.pauseBeforeRename).
        AtomicFile.pauseBeforeRename = ProcessInfo.processInfo.environment["NNZOO_TEST_PAUSE_BEFORE_RENAME"]
            .flatMap(Double.init)
        main(nil)
    }
}
