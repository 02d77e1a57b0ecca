import Foundation
import NNCore

/// Everything `report.html` shows about a run: what `nnzoo report` and `nnzoo eval` gather from the
/// run folder and the evaluation, before `RunReportPage` turns it into one self-contained page.
public struct RunReport {
    /// The run's `run.json`, when the checkpoint is in a run folder that has one.
    public var run: RunInfo?
    /// The checkpoint evaluated (or the run's best): its recipe, network, settings, classes.
    public var checkpoint: CheckpointInfo
    /// The epochs trained (`metrics.jsonl`, else the checkpoint's own copy).
    public var records: [EpochRecord]
    /// The evaluation (eval's `report.json`), if there is one.
    public var evaluation: EvaluationReport?
    /// The pictures eval drew, as PNG bytes.
    public var confusionPNG: [UInt8]?
    public var misclassifiedPNG: [UInt8]?
    /// The command lines that made the run and its evaluation, in order, each with when it ran
    /// (if known) and what it did.
    public var commands: [Command]
    /// When the page was made (ISO 8601, UTC).
    public var generated: String
    /// Things the page should say are missing or stale.
    public var notes: [String] = []

    public struct Command: Equatable, Sendable {
        public var what: String
        public var when: String?
        /// The command line as a person types it (program and shell-quoted arguments).
        public var line: String

        public init(what: String, when: String?, line: String) {
            self.what = what
            self.when = when
            self.line = line
        }
    }

    public init(
        run: RunInfo?, checkpoint: CheckpointInfo, records: [EpochRecord], evaluation: EvaluationReport?,
        confusionPNG: [UInt8]?, misclassifiedPNG: [UInt8]?, commands: [Command], generated: String = RunInfo.timestamp()
    ) {
        self.run = run
        self.checkpoint = checkpoint
        self.records = records
        self.evaluation = evaluation
        self.confusionPNG = confusionPNG
        self.misclassifiedPNG = misclassifiedPNG
        self.commands = commands
        self.generated = generated
    }

    /// "mlp-784-100-10 on fashion-mnist".
    public var title: String { "\(checkpoint.recipe.name) on \(checkpoint.dataset)" }

    /// The curves' marks: the best epoch (run.json's, else the checkpoint's when it is the best) and
    /// `checkpoint-best`'s test accuracy when the run recorded it.
    public var curveMarks: CurveMarks {
        CurveMarks(
            bestEpoch: run?.bestEpoch ?? (checkpoint.kind == "best" ? checkpoint.epoch : checkpoint.resume?.bestEpoch),
            testAccuracy: run?.testBest?.accuracy)
    }

    /// The command line `program arguments...`, each argument shell-quoted.
    public static func commandLine(_ arguments: [String], program: String = Invocation.current.program) -> String {
        ([program] + arguments.map(shellQuoted)).joined(separator: " ")
    }

    /// The commands recorded in `run` (train, each resume) and `evaluation` (eval), then `extra`.
    public static func commands(run: RunInfo?, evaluation: EvaluationReport?, extra: [Command] = []) -> [Command] {
        var list: [Command] = []
        if let run {
            list.append(Command(what: "trained", when: run.started, line: commandLine(run.arguments)))
            for (n, time) in run.resumed.enumerated() {
                let recorded = run.resumedArguments ?? []
                let arguments = n < recorded.count && !recorded[n].isEmpty ? recorded[n] : nil
                list.append(
                    Command(
                        what: "resumed", when: time,
                        line: arguments.map { commandLine($0) } ?? "(command line not recorded)"))
            }
        }
        if let evaluation, let arguments = evaluation.arguments {
            list.append(Command(what: "evaluated", when: evaluation.time, line: commandLine(arguments)))
        }
        return list + extra
    }

    /// What there is to say about the checkpoint at `path` (whose metadata is `info`) before it is
    /// evaluated: the run in its folder (run.json, metrics.jsonl) when there is one, else the
    /// checkpoint's own record. A run file that cannot be read becomes a note on the page, not an
    /// error: the evaluation is worth showing without it.
    public static func forCheckpoint(at path: String, info: CheckpointInfo) -> RunReport {
        let parent = (path as NSString).deletingLastPathComponent
        let folder = RunFolder(path: parent.isEmpty ? "." : parent)
        var notes: [String] = []
        var run: RunInfo?
        if FileManager.default.fileExists(atPath: folder.runInfo) {
            do {
                run = try RunInfo.read(from: folder.runInfo)
            } catch {
                notes.append(
                    "\(folder.runInfo) could not be read (\(JSONProblem.describe(error))); settings come from the "
                        + "checkpoint.")
            }
        }
        var records = info.metrics
        if FileManager.default.fileExists(atPath: folder.metricsJSONL) {
            do {
                records = try folder.readRecords(epochs: run?.settings.epochs ?? info.settings?.epochs)
            } catch {
                notes.append("\(error) The epochs shown are those the checkpoint holds.")
            }
        }
        var report = RunReport(
            run: run, checkpoint: info, records: records, evaluation: nil, confusionPNG: nil, misclassifiedPNG: nil,
            commands: commands(run: run, evaluation: nil))
        report.notes = notes
        return report
    }

    /// The page (see `RunReportPage`).
    public func html() -> String { RunReportPage(self).html() }
}

extension RunFolder {
    /// The largest `metrics.jsonl` read: a line is about 250 bytes, so a million epochs.
    public static let maxMetricsSize = 256 << 20

    /// The epochs recorded in `metrics.jsonl`, in file order; a line that is not an epoch record is
    /// an error naming the file and the line. With `epochs` (the run's, from run.json or its
    /// checkpoint), a file holding more records than that is refused as soon as the first extra one
    /// is reached, before anything past it is decoded: training writes one line per epoch (a resume
    /// writes the file anew), and 300,000 appended lines took the report past two minutes.
    public func readRecords(epochs: Int? = nil) throws -> [EpochRecord] {
        let what = "the run's metrics"
        let fix = "Delete it to report the epochs the checkpoint holds, or train the run again."
        let bytes: [UInt8]
        do {
            bytes = try ReadableFile.readAll(metricsJSONL, limit: Self.maxMetricsSize)
        } catch let error as FileReadError {
            throw ReportError.badFile(path: metricsJSONL, what: what, reason: error.reason, fix: fix)
        }
        var records: [EpochRecord] = []
        // One line at a time, decoded from its own slice: no array of every line.
        var start = 0
        var line = 0
        while start < bytes.count {
            line += 1
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            defer { start = end + 1 }
            guard end > start else { continue }
            if let epochs, records.count >= epochs {
                throw ReportError.badFile(
                    path: metricsJSONL, what: what,
                    reason: "line \(line) is record \(records.count + 1), but the run has \(epochs) "
                        + "\(epochs == 1 ? "epoch" : "epochs"): nnzoo writes one record per epoch", fix: fix)
            }
            guard let record = try? JSONSyntax.decode(EpochRecord.self, from: Array(bytes[start..<end])) else {
                throw ReportError.badFile(
                    path: metricsJSONL, what: what, reason: "line \(line) is not an epoch record nnzoo wrote", fix: fix)
            }
            records.append(record)
        }
        return records
    }
}
