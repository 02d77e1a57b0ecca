import ArgumentParser
import Foundation
import NNCore
import NNZooKit

/// `nnzoo compare RUN...`: runs side by side, and their validation curves overlaid.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare runs: results side by side, the settings that differ, validation curves overlaid.",
        discussion: examplesAsInvoked(
            """
            Prints a row per run: its recipe and dataset, epochs trained of planned, the best validation \
            accuracy (the epoch checkpoint-best holds) and the last, the test accuracy of checkpoint-best and \
            of the last epoch (recorded when the run finished), and the median seconds of an epoch's \
            training pass. Then the settings that differ between the runs (network, epochs, batch size, \
            optimizer, schedule, loss, normalization, augmentation, seed, validation split, threads) and \
            those they share. With --svg, writes their validation loss and accuracy per epoch overlaid, one \
            colour per run.

            A run is read from its run.json and metrics.jsonl, or from its checkpoint when they are missing.

            Examples:
              nnzoo compare runs/mlp-784-100-10-20261204-101500 runs/sigmoid-mlp-20261204-103000
              nnzoo compare runs/* --svg compare.svg
              nnzoo compare runs/a runs/b --json
            """)
    )

    @Argument(help: ArgumentHelp("Run folders (runs/<recipe>-<time>).", valueName: "run-folder"))
    var runs: [String] = []

    @Option(help: ArgumentHelp("Also write the validation curves, overlaid, to this SVG file.", valueName: "file"))
    var svg: String?

    @Flag(help: "Print the comparison as JSON.")
    var json = false

    func validate() throws {
        try EmptyNames.refuse("A run folder", runs, want: "the run folders to compare")
        if runs.isEmpty {
            throw ValidationError(
                "Give the run folders to compare, e.g. \(Invocation.current.command("compare runs/a runs/b")).")
        }
        if let svg, svg.isEmpty || svg.hasSuffix("/") {
            throw ValidationError("--svg names the file to write, e.g. --svg compare.svg.")
        }
    }

    func run() throws {
        let comparison = try RunComparison(paths: runs)
        if let svg {
            try AtomicFile.write(text: comparison.svg(), to: svg)
        }
        if json {
            print(try comparison.jsonText())
            return
        }
        var lines = [comparison.text()]
        if let svg {
            lines.append("")
            lines.append(
                "Wrote \(svg): the validation loss and accuracy of the \(comparison.runs.count) run"
                    + "\(comparison.runs.count == 1 ? "" : "s") per epoch, overlaid.")
        }
        print(lines.joined(separator: "\n"))
    }
}
