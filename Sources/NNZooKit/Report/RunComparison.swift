import Foundation
import NNCore

/// Several runs side by side (`nnzoo compare`): what each reached (best and last validation accuracy,
/// test accuracy of its best and last checkpoints, seconds per epoch) and which settings differ.
public struct RunComparison {
    /// One run, read from its folder.
    public struct Run {
        /// The folder as given, and the name it goes by in the table.
        public var folder: String
        public var name: String
        /// run.json, when the folder has one (else the settings come from the checkpoint).
        public var info: RunInfo?
        public var recipe: Recipe
        public var settings: TrainingSettings
        public var architecture: [LayerSpec]
        public var records: [EpochRecord]
        /// `finished`, `interrupted`, `running`, `failed`, or the checkpoint's kind without run.json.
        public var status: String
        public var bestEpoch: Int?

        /// Reads the run in `path`: run.json and metrics.jsonl, and where either is missing the
        /// checkpoint's own record (checkpoint-last, else checkpoint-best).
        public static func load(_ path: String) throws -> Run {
            let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: trimmed, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                throw ReportError.notARun(path: trimmed)
            }
            let folder = RunFolder(path: trimmed)
            var info: RunInfo?
            if FileManager.default.fileExists(atPath: folder.runInfo) {
                do {
                    info = try RunInfo.read(from: folder.runInfo)
                } catch let error as FileReadError {
                    throw ReportError.badFile(
                        path: folder.runInfo, what: "the run's record", reason: error.reason,
                        fix: "Move it aside to compare what the checkpoints hold.")
                } catch {
                    throw ReportError.badFile(
                        path: folder.runInfo, what: "the run's record",
                        reason: "it is not a run.json nnzoo wrote (\(JSONProblem.describe(error)))",
                        fix: "Move it aside to compare what the checkpoints hold.")
                }
            }
            let hasMetrics = FileManager.default.fileExists(atPath: folder.metricsJSONL)
            var checkpoint: CheckpointInfo?
            if info == nil || !hasMetrics {
                let path = [folder.lastCheckpoint, folder.bestCheckpoint].first {
                    FileManager.default.fileExists(atPath: $0)
                }
                checkpoint = try path.map { try Checkpoint.read(from: $0).info }
            }
            // The run's epochs bound the records read (see readRecords).
            let records =
                hasMetrics
                ? try folder.readRecords(epochs: info?.settings.epochs ?? checkpoint?.settings?.epochs)
                : checkpoint?.metrics
            guard let recipe = info?.recipe ?? checkpoint?.recipe,
                let settings = info?.settings ?? checkpoint?.settings,
                let architecture = info?.architecture ?? checkpoint?.architecture
            else { throw ReportError.notARun(path: trimmed) }
            return Run(
                folder: trimmed, name: (trimmed as NSString).lastPathComponent, info: info, recipe: recipe,
                settings: settings, architecture: architecture, records: records ?? [],
                status: info?.status ?? "checkpoint only",
                bestEpoch: info?.bestEpoch ?? checkpoint?.resume?.bestEpoch)
        }

        /// The validation accuracy of the best epoch (the one checkpoint-best holds, else the highest).
        public var bestValidation: (epoch: Int, accuracy: Double)? {
            let validated = records.compactMap { r in r.validationAccuracy.map { (epoch: r.epoch, accuracy: $0) } }
            return validated.first { $0.epoch == bestEpoch } ?? validated.max { $0.accuracy < $1.accuracy }
        }

        /// The last epoch's validation accuracy.
        public var lastValidation: Double? { records.last?.validationAccuracy }

        /// The median seconds of an epoch's training pass (the whole epoch for old records).
        public var secondsPerEpoch: Double? {
            let times = records.map { $0.trainSeconds ?? $0.seconds }.filter(\.isFinite).sorted()
            return times.isEmpty ? nil : times[times.count / 2]
        }
    }

    public var runs: [Run]

    /// Reads every run in `paths`; names repeated among their folders' last components go by the
    /// paths as given.
    public init(paths: [String]) throws {
        var runs = try paths.map(Run.load)
        let names = runs.map(\.name)
        for i in runs.indices where names.filter({ $0 == runs[i].name }).count > 1 {
            runs[i].name = runs[i].folder
        }
        self.runs = runs
    }

    /// Every compared setting, with each run's value.
    public var settings: [(name: String, values: [String])] {
        let rows: [(String, (Run) -> String)] = [
            ("recipe", { $0.recipe.name }),
            ("dataset", { $0.settings.dataset }),
            ("network", { $0.architecture.map(\.summary).joined(separator: ", ") }),
            ("epochs", { "\($0.settings.epochs)" }),
            ("batch size", { "\($0.settings.batchSize)" }),
            ("optimizer", { Markup.settingText($0.settings.optimizer) }),
            ("schedule", { Markup.settingText($0.recipe.schedule) }),
            ("loss", { Markup.settingText($0.recipe.loss) }),
            ("normalization", { Markup.settingText($0.recipe.normalization) }),
            ("augmentation", { $0.settings.augmentation.isEmpty ? "none" : $0.settings.augmentation }),
            ("seed", { "\($0.settings.seed)" }),
            ("validation split", { String(format: "%g", $0.settings.validationSplit) }),
            ("threads", { "\($0.settings.threads)" }),
            ("status", { $0.status }),
        ]
        return rows.map { name, value in (name, runs.map(value)) }
    }

    /// The settings whose values are not all the same.
    public var differing: [(name: String, values: [String])] { settings.filter { Set($0.values).count > 1 } }

    /// The settings every run shares.
    public var shared: [(name: String, value: String)] {
        settings.filter { Set($0.values).count == 1 }.map { ($0.name, $0.values[0]) }
    }

    /// The results table: a row per run.
    public var results: (header: [String], rows: [[String]]) {
        func percent(_ value: Double?) -> String { value.map { String(format: "%.2f%%", $0 * 100) } ?? "-" }
        let header = [
            "run", "recipe", "dataset", "epochs", "best val (epoch)", "last val", "test (best)", "test (last)",
            "s/epoch",
        ]
        let rows = runs.map { run -> [String] in
            [
                run.name, run.recipe.name, run.settings.dataset, "\(run.records.count)/\(run.settings.epochs)",
                run.bestValidation.map { percent($0.accuracy) + " (\($0.epoch))" } ?? "-", percent(run.lastValidation),
                percent(run.info?.testBest?.accuracy), percent(run.info?.testLast?.accuracy),
                run.secondsPerEpoch.map { String(format: "%.2f", $0) } ?? "-",
            ]
        }
        return (header, rows)
    }

    /// Columns padded to their widest cell, two spaces apart; numbers (and "-") right-aligned. The
    /// cells hold what run.json and the checkpoints recorded (recipe, dataset, status): shown as
    /// `InputText.shown` shows them.
    public static func textTable(header: [String], rows: [[String]], rightAligned: Set<Int> = []) -> String {
        let rows = rows.map { $0.map { InputText.shown($0) } }
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return rightAligned.contains(c) ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    /// The comparison for a terminal: the results, the settings that differ, and those shared.
    public func text() -> String {
        let (header, rows) = results
        var lines = [Self.textTable(header: header, rows: rows, rightAligned: [3, 4, 5, 6, 7, 8])]
        let differing = differing.filter { $0.name != "recipe" && $0.name != "dataset" }
        if runs.count > 1 {
            lines.append("")
            if differing.isEmpty {
                lines.append("Every setting is the same in all \(runs.count) runs.")
            } else {
                lines.append("Settings that differ:")
                lines.append(
                    Self.textTable(
                        header: ["run"] + differing.map(\.name),
                        rows: runs.indices.map { i in [runs[i].name] + differing.map { $0.values[i] } }))
            }
            let shared = shared.filter { $0.name != "status" || $0.value != "finished" }
            if !shared.isEmpty {
                lines.append("")
                lines.append(
                    "The same in every run: "
                        + shared.map { "\($0.name) \(InputText.shown($0.value))" }.joined(separator: "; ") + ".")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The comparison as JSON: per run its folder, name, results and every setting.
    public func jsonText() throws -> String {
        struct Entry: Encodable {
            let folder: String
            let name: String
            let status: String
            let epochsTrained: Int
            let bestValidationAccuracy: Double?
            let bestEpoch: Int?
            let lastValidationAccuracy: Double?
            let testBestAccuracy: Double?
            let testLastAccuracy: Double?
            let secondsPerEpoch: Double?
            let settings: [String: String]

            enum CodingKeys: String, CodingKey {
                case folder, name, status, settings
                case epochsTrained = "epochs_trained"
                case bestValidationAccuracy = "best_val_accuracy"
                case bestEpoch = "best_epoch"
                case lastValidationAccuracy = "last_val_accuracy"
                case testBestAccuracy = "test_best_accuracy"
                case testLastAccuracy = "test_last_accuracy"
                case secondsPerEpoch = "seconds_per_epoch"
            }
        }
        struct Document: Encodable {
            let runs: [Entry]
            let differing: [String]
        }
        let settings = settings
        let entries = runs.enumerated().map { i, run in
            Entry(
                folder: run.folder, name: run.name, status: run.status, epochsTrained: run.records.count,
                bestValidationAccuracy: run.bestValidation?.accuracy, bestEpoch: run.bestValidation?.epoch,
                lastValidationAccuracy: run.lastValidation, testBestAccuracy: run.info?.testBest?.accuracy,
                testLastAccuracy: run.info?.testLast?.accuracy, secondsPerEpoch: run.secondsPerEpoch,
                settings: Dictionary(uniqueKeysWithValues: settings.map { ($0.name, $0.values[i]) }))
        }
        return try JSONText.pretty(Document(runs: entries, differing: differing.map(\.name)))
    }

    /// The validation curves of every run overlaid (`ComparisonCurves`).
    public func svg() -> String {
        ComparisonCurves.svg(
            runs: runs.map { ($0.name, $0.records) },
            title: "Validation curves of \(runs.count) run\(runs.count == 1 ? "" : "s")")
    }
}
