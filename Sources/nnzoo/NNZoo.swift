import ArgumentParser
import NNZooKit

@main
struct NNZoo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nnzoo",
        abstract: "Datasets, augmentation and small image classifiers, from download to evaluation.",
        version: NNZooVersion.string,
        subcommands: [
            FetchCommand.self, InspectCommand.self, AugmentCommand.self, TrainCommand.self, EvalCommand.self,
            DumpLogitsCommand.self,
        ]
    )
}
