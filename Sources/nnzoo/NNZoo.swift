import ArgumentParser
import Foundation
import NNCore
import NNData
import NNZooKit

@main
struct NNZoo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nnzoo",
        abstract: "Datasets, augmentation and small image classifiers, from download to evaluation.",
        version: NNZooVersion.string,
        subcommands: [
            FetchCommand.self, InspectCommand.self, AugmentCommand.self, RecipesCommand.self, TrainCommand.self,
            EvalCommand.self, PredictCommand.self, ConvertCommand.self, ReportCommand.self, CompareCommand.self,
            ExportCommand.self, ImportCommand.self, DumpLogitsCommand.self, InstallCommand.self,
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
        do {
            var command = try parseAsRoot(nil)
            try command.run()
        } catch {
            // The decoded data a failed run read is still worth keeping.
            DatasetCache.finishBackgroundWrites()
            exitPrinting(error)
        }
        // Cache entries a command left to be written beside it (`IDXCache`): a cold run's
        // training overlaps the write; the process ends once it is done.
        DatasetCache.finishBackgroundWrites()
        if let problem = standardOutputProblem() {
            FileHandle.standardError.write(Data((problem + "\n").utf8))
            Foundation.exit(1)
        }
    }

    /// Everything the commands print goes through stdio's buffered `stdout`, whose write errors
    /// (`> /dev/full`, a closed pipe with SIGPIPE ignored, a full disk) are silent until it is
    /// flushed: flushes it and describes the failure, so that a command whose output was lost does
    /// not end with status 0. Every way out of `main` asks this once, here.
    static func standardOutputProblem() -> String? {
        errno = 0
        let flushFailed = fflush(stdout) != 0
        let code = errno
        guard flushFailed || ferror(stdout) != 0 else { return nil }
        let reason = flushFailed && code != 0 ? String(cString: strerror(code)) : "a write to it failed"
        return "nnzoo: could not write the output to standard output: \(reason)"
    }

    /// ArgumentParser's `exit(withError:)`, with its usage lines ("Usage: nnzoo train ...",
    /// "See 'nnzoo train --help' ...") written the way the user runs the tool.
    static func exitPrinting(_ error: Error) -> Never {
        var text = usageAsInvoked(fullMessage(for: error), program: Invocation.current.program)
        let code = exitCode(for: error)
        // A misspelt command: "There is no command 'trian'. Did you mean train?"
        let names =
            configuration.subcommands.filter { $0.configuration.shouldDisplay }.map { $0._commandName }
            + ["help"]
        // Hidden commands (dump-logits) are commands too: their own argument errors are not misspellings.
        let hidden = configuration.subcommands.filter { !$0.configuration.shouldDisplay }.map { $0._commandName }
        if code == .validationFailure, let first = CommandLine.arguments.dropFirst().first, !first.hasPrefix("-"),
            !names.contains(first), !hidden.contains(first), text.hasPrefix("Error: "),
            let end = text.firstIndex(of: "\n")
        {
            let hint = NameSuggestions.didYouMean(first, among: names)
            text =
                "Error: There is no command '\(first)'.\(hint) Commands: \(names.dropLast().joined(separator: ", "))."
                + text[end...]
        }
        // Messages quote names from files (checkpoints, recipes, tables, folders): whatever one of
        // them still holds that a terminal would act on is shown, not obeyed.
        text = InputText.message(text)
        if !text.isEmpty {
            if code == .success {
                print(text)
            } else {
                FileHandle.standardError.write(Data((text + "\n").utf8))
            }
        }
        if let problem = standardOutputProblem() {
            FileHandle.standardError.write(Data((problem + "\n").utf8))
            Foundation.exit(code == .success ? 1 : code.rawValue)
        }
        Foundation.exit(code.rawValue)
    }

    /// `text` with the usage lines' `nnzoo` replaced by `program`.
    static func usageAsInvoked(_ text: String, program: String) -> String {
        guard program != "nnzoo" else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var line = String(line)
            for prefix in ["Usage: nnzoo", "USAGE: nnzoo"]
            where line.hasPrefix(prefix)
                && (line.count == prefix.count
                    || line.dropFirst(prefix.count).hasPrefix(" "))
            {
                line = prefix.dropLast("nnzoo".count) + program + line.dropFirst(prefix.count)
            }
            return line.replacingOccurrences(of: "See 'nnzoo ", with: "See '\(program) ")
        }.joined(separator: "\n")
    }
}
