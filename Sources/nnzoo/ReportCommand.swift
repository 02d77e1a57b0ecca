import ArgumentParser
import Foundation
import NNAugment
import NNCore
import NNData
import NNZooKit

/// `nnzoo report <run folder>`: the run and its evaluation as one self-contained page.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write report.html: a run's settings, network, curves and evaluation on one page.",
        discussion: examplesAsInvoked(
            """
            Writes one self-contained HTML page about a run: a summary (test and validation accuracy, \
            time per epoch, parameters), the recipe and settings, the network layer by layer with its \
            output shapes and parameter counts, the training curves (loss, accuracy, learning rate, the \
            best epoch, resumes), the evaluation (per-class scores, the confusion matrix, the most \
            confused pairs, the mistakes), the dataset's fingerprint, and the command lines that made it. \
            The pictures are embedded and the page loads nothing from anywhere, so it opens the same when \
            mailed or archived.

            The evaluation is the one in <run folder>/eval (what nnzoo eval wrote). When there is none, or \
            it is older than the checkpoint, the checkpoint is evaluated on its dataset's test split first, \
            as nnzoo eval would (--evaluate forces it). The page goes into the evaluation folder as \
            report.html unless --out names another file; nnzoo eval writes it too.

            Examples:
              nnzoo report runs/digits-mlp-20261123-120000
              nnzoo report runs/digits-mlp-20261123-120000 --out digits.html
              nnzoo report runs/convnet-dropout-20261123-101500 --last --evaluate
            """)
    )

    @Argument(
        help: ArgumentHelp(
            "A run folder (runs/<recipe>-<time>) or a checkpoint file (.safetensors).",
            valueName: "run-folder|checkpoint"))
    var target: String

    @Option(help: ArgumentHelp("Write the page here (default: <run folder>/eval/report.html).", valueName: "file"))
    var out: String?

    @Flag(help: "Report the run folder's checkpoint-last.safetensors instead of checkpoint-best.")
    var last = false

    @Flag(help: "Evaluate the checkpoint again even when the run folder holds an evaluation of it.")
    var evaluate = false

    @Option(
        name: .customLong("mistakes-per-class"), parsing: .unconditional,
        help: ArgumentHelp("Misclassified images shown per true class, when evaluating.", valueName: "n"))
    var mistakesPerClass = 12

    @OptionGroup var data: DataOptions
    @OptionGroup var threads: ThreadOptions

    func validate() throws {
        try EmptyNames.refuse([("The run folder or checkpoint", target, "a run folder or a checkpoint file")])
        if !(1...100).contains(mistakesPerClass) {
            throw ValidationError("--mistakes-per-class must be between 1 and 100 (got \(mistakesPerClass)).")
        }
        try LastCheckpoint.validate(target, last: last)
        if let out, out.isEmpty || out.hasSuffix("/") {
            throw ValidationError("--out names the page's file, e.g. --out report.html.")
        }
    }

    func run() throws {
        try threads.apply()
        let (checkpointPath, evaluationFolder) = try CheckpointEvaluation.locate(target, last: last)
        let reportJSON = (evaluationFolder as NSString).appendingPathComponent(EvaluationFiles.report)
        let arguments = Array(CommandLine.arguments.dropFirst())
        let onWait = { (sentence: String) in FileHandle.standardError.write(Data((sentence + "\n").utf8)) }
        var lines: [String] = []

        /// The page from the evaluation folder, read with the folder locked (nil when there is
        /// nothing usable there and the checkpoint is to be evaluated).
        func pageFromFolder(evaluated: EvaluationReport?) throws -> RunReport? {
            guard
                let evaluation = try evaluated
                    ?? (evaluate ? nil : usableEvaluation(reportJSON, of: checkpointPath, lines: &lines))
            else { return nil }
            let info = try Checkpoint.read(from: checkpointPath).info
            var report = RunReport.forCheckpoint(at: checkpointPath, info: info)
            report.evaluation = evaluation
            report.confusionPNG = picture(EvaluationFiles.confusionPNG, in: evaluationFolder, notes: &report.notes)
            if !evaluation.misclassified.isEmpty {
                report.misclassifiedPNG = picture(
                    EvaluationFiles.misclassifiedPNG, in: evaluationFolder, notes: &report.notes)
            }
            report.commands = RunReport.commands(run: report.run, evaluation: evaluation)
            report.commands.append(
                RunReport.Command(what: "this page", when: report.generated, line: RunReport.commandLine(arguments)))
            return report
        }
        /// Writes the page where it goes; into the evaluation folder under its lock.
        func write(_ page: RunReport) throws -> (path: String, bytes: Int) {
            let html = page.html()
            if let out {
                try AtomicFile.write(text: html, to: out)
                return (out, html.utf8.count)
            }
            let path = (evaluationFolder as NSString).appendingPathComponent(EvaluationFiles.reportHTML)
            try AtomicFile.write(text: html, to: path)
            return (path, html.utf8.count)
        }

        var written: (path: String, bytes: Int)?
        var page = try EvaluationFiles.locked(evaluationFolder, onWait: onWait) { () throws -> RunReport? in
            guard let page = try pageFromFolder(evaluated: nil) else { return nil }
            written = try write(page)
            return page
        }
        if page == nil {
            // Evaluate (eval's own writing locks the folder), then make the page from what it wrote.
            let evaluation = try EvaluationRun.run(
                checkpointPath: checkpointPath, dataset: nil, split: .test, mistakesPerClass: mistakesPerClass,
                folder: evaluationFolder, dataDirectory: data.path, arguments: arguments)
            lines.append(
                "Evaluated \(checkpointPath) on the \(InputText.shown(evaluation.report.dataset)) test split: "
                    + evaluation.report.metrics.summaryLine() + "; wrote \(evaluationFolder)/.")
            page = try EvaluationFiles.locked(evaluationFolder, onWait: onWait) {
                guard let page = try pageFromFolder(evaluated: evaluation.report) else { return nil }
                written = try write(page)
                return page
            }
        }
        guard let page, let written else { return }
        // The title names the checkpoint's recipe and dataset, the notes quote files: shown, not obeyed.
        for note in page.notes { lines.append("Note: \(InputText.message(note))") }
        lines.append(
            "Wrote \(written.path) (\(ProgressReporter.formatBytes(Int64(written.bytes)))): \(InputText.shown(page.title)), "
                + (page.evaluation.map { "accuracy " + String(format: "%.2f%%", $0.metrics.accuracy * 100) } ?? "")
                + ". Open it in a browser.")
        print(lines.joined(separator: "\n"))
    }

    /// The evaluation in `path` if it is one of `checkpoint` and not older than it; nil (with a
    /// line saying why) when the checkpoint should be evaluated again. A report.json that exists
    /// but cannot be read is an error: it says which file and how to fix it.
    private func usableEvaluation(_ path: String, of checkpoint: String, lines: inout [String]) throws
        -> EvaluationReport?
    {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let report = try EvaluationReport.read(from: path)
        func absolute(_ file: String) -> String { URL(fileURLWithPath: file).standardizedFileURL.path }
        let evaluatedPath = report.checkpoint.hasPrefix("/") ? report.checkpoint : absolute(report.checkpoint)
        guard absolute(evaluatedPath) == absolute(checkpoint) || report.checkpoint == checkpoint else {
            lines.append(
                "The evaluation in \(path) is of \(InputText.shown(report.checkpoint)), not \(checkpoint): evaluating \(checkpoint)."
            )
            return nil
        }
        let attributes = { (file: String) in
            (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date
        }
        if let evaluated = attributes(path), let saved = attributes(checkpoint), saved > evaluated {
            lines.append("The evaluation in \(path) is older than \(checkpoint): evaluating it again.")
            return nil
        }
        return report
    }

    /// A picture of the evaluation folder as PNG bytes, or nil with a note when it is missing or
    /// not a PNG.
    private func picture(_ name: String, in folder: String, notes: inout [String]) -> [UInt8]? {
        let path = (folder as NSString).appendingPathComponent(name)
        do {
            let bytes = try ReadableFile.readAll(path, limit: 512 << 20)
            guard bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else {
                notes.append(
                    "\(path) is not a PNG file; evaluate again (\(Invocation.current.command("eval <run folder>"))) to redraw it."
                )
                return nil
            }
            return bytes
        } catch {
            notes.append(
                "\(path) could not be read (\(JSONProblem.describe(error))); evaluate again (\(Invocation.current.command("eval <run folder>"))) to redraw it."
            )
            return nil
        }
    }
}
