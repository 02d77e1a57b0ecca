import Foundation
import NNAugment
import NNCore
import NNData
import Testing

@testable import NNZooKit

/// report.html's structure, without a browser: it is well-formed, loads nothing from anywhere, holds
/// every section and the evaluation's pictures as they are on disk. (A real browser renders it in
/// nnzooTests' ReportCommandTests.)
@Suite struct RunReportTests {
    /// A finished one-epoch run of the sample recipe on the digits, with run.json, evaluated on the
    /// test split into `eval/` with the page: (the folder, the page's text, the evaluation).
    static func evaluatedRun() throws -> (folder: TemporaryFolder, html: String, report: EvaluationReport) {
        Parallel.setThreadCount(1)
        let train = try Digits.train
        let test = try Digits.test
        let recipe = try Recipe.decode(Data(sampleRecipeJSON.utf8), source: "sample.json")
        var settings = TrainingSettings(defaultsOf: recipe, dataset: "digits", threads: 1)
        settings.epochs = 1
        let folder = TemporaryFolder()
        let run = RunFolder(path: folder.path)
        let session = try TrainingSession(recipe: recipe, settings: settings, trainingSplit: train, folder: run)
        var info = RunInfo(
            session: session, recipeFile: "zoo/sample.json", arguments: ["train", "sample.json", "--out", "run 1"],
            datasetFiles: [
                DatasetFileRecord(
                    path: "Data/digits/digits.csv.gz", bytes: 264_712, sha256: "6ebb3d2f", registry: "matches")
            ])
        _ = try session.run()
        let best = try Checkpoint.read(from: run.bestCheckpoint)
        info.testBest = TestResult(evaluating: best.model, info: best.info, on: test)
        info.bestEpoch = best.info.epoch
        info.status = "finished"
        info.finished = "2026-12-04T12:00:00Z"
        try info.write(to: run.runInfo)

        let predictions = CheckpointEvaluation.predict(best.model, info: best.info, on: test)
        let truth = test.labels.map(Int.init)
        let metrics = try ClassificationMetrics(
            predicted: predictions.predicted, truth: truth, classCount: 10, classNames: test.classNames,
            averageLoss: predictions.loss)
        let rows = try MisclassifiedGrid.select(
            truth: truth, predicted: predictions.predicted, probability: predictions.probability, perRow: 4)
        var report = EvaluationReport(
            checkpoint: run.bestCheckpoint, recipe: recipe.name, trainedOn: "digits", epoch: best.info.epoch,
            dataset: "digits", split: "test", metrics: metrics, misclassified: rows)
        report.arguments = ["eval", folder.path]
        report.time = "2026-12-04T12:01:00Z"
        let written = try EvaluationFiles.write(
            &report, dataset: test, rows: rows, to: folder.path + "/eval",
            page: RunReport.forCheckpoint(at: run.bestCheckpoint, info: best.info))
        #expect(written.map { ($0 as NSString).lastPathComponent }.last == "report.html")
        let html = try String(contentsOfFile: folder.path + "/eval/report.html", encoding: .utf8)
        return (folder, html, report)
    }

    @Test func thePageIsSelfContainedAndComplete() throws {
        let (folder, html, report) = try Self.evaluatedRun()
        // Well-formed XML (a browser is more forgiving; the tests are not).
        let page = try SVGElements(html)
        #expect(page.all.first?.name == "html")

        // Nothing is loaded from anywhere: every src is a data: URI, every href a link in the page,
        // the policy forbids anything else, and neither the style sheet nor anything else names a
        // URL to fetch. The only "http" is the SVG namespace.
        let sources = page.all.compactMap { $0.attributes["src"] }
        #expect(sources.count == 2 && sources.allSatisfy { $0.hasPrefix("data:image/png;base64,") })
        #expect(page.all.compactMap { $0.attributes["href"] }.allSatisfy { $0.hasPrefix("#") })
        #expect(
            page.all.allSatisfy { element in
                element.attributes.keys.allSatisfy {
                    !["srcset", "poster", "action", "formaction", "background"].contains($0)
                }
            })
        let policy = page.named("meta").first { $0.attributes["http-equiv"] == "Content-Security-Policy" }
        #expect(policy?.attributes["content"]?.hasPrefix("default-src 'none'; img-src data:;") == true)
        #expect(!html.contains("url(") && !html.contains("@import") && !html.contains("<link"))
        #expect(html.components(separatedBy: "http://").count - 1 == 1 && !html.contains("https://"))
        #expect(
            html.contains(
                "<svg class=\"curves\" role=\"img\" aria-label=\"training curves\" xmlns=\"http://www.w3.org/2000/svg\""
            ))
        #expect(!html.contains("<iframe") && !html.contains("<object") && !html.contains("<embed"))

        // Every section, in order, with its heading, and the table of contents pointing at them.
        let sections = page.named("section").map { $0.attributes["id"] ?? "" }
        #expect(sections == ["summary", "settings", "network", "curves", "evaluation", "dataset", "commands"])
        let headings = page.named("h2").map(\.text)
        #expect(
            headings == [
                "Summary", "Recipe and settings", "Network", "Training curves", "Evaluation", "Dataset",
                "Command lines",
            ])
        #expect(page.named("a").map { $0.attributes["href"] ?? "" } == sections.map { "#" + $0 })
        #expect(page.named("h3").map(\.text) == ["Per class", "Confusion matrix", "Most confused pairs", "Mistakes"])

        // The pictures are the files eval wrote, byte for byte, and decode.
        let pictures = try sources.map { source in
            try #require(Data(base64Encoded: String(source.dropFirst("data:image/png;base64,".count))))
        }
        #expect(pictures[0] == (try Data(contentsOf: URL(fileURLWithPath: folder.path + "/eval/confusion.png"))))
        #expect(pictures[1] == (try Data(contentsOf: URL(fileURLWithPath: folder.path + "/eval/misclassified.png"))))
        for bytes in pictures { _ = try PNGImage.decode([UInt8](bytes)) }
        let heatmap = try PNGImage.decode([UInt8](pictures[0]))
        let image = try #require(page.named("img").first)
        #expect(image.attributes["width"] == "\(heatmap.width)" && image.attributes["height"] == "\(heatmap.height)")

        // The curves are inline SVG with their marks; the network table counts the parameters:
        // Linear 64 -> 16 (1040), BatchNorm1d 16 (32), Linear 16 -> 10 (170): 1242.
        #expect(page.named("svg").count == 1 && page.named("svg").first?.attributes["class"] == "curves")
        #expect(page.named("line", class: "best-epoch").count == 2)
        #expect(page.named("path", class: "test-accuracy").count == 1)
        let cells = page.all.filter { $0.name == "td" || $0.name == "th" }.map(\.text)
        #expect(cells.contains("Linear(in_features=64, out_features=16)") && cells.contains("1,040"))
        #expect(cells.contains("BatchNorm1d(num_features=16)") && cells.contains("1,242"))
        #expect(cells.contains("SGD: lr 0.05, momentum 0.9") && cells.contains("step: gamma 0.5, step size 1"))
        // The evaluation: every class's row, the most confused pairs, the dataset's fingerprint.
        for name in try Digits.test.classNames { #expect(cells.contains(name), "class \(name)") }
        for pair in report.mostConfused.prefix(3) {
            #expect(cells.contains(String(format: "%.1f%%", pair.shareOfTrue * 100)))
        }
        #expect(cells.contains("Data/digits/digits.csv.gz") && cells.contains("6ebb3d2f") && cells.contains("264,712"))
        // The command lines: the training run's and the evaluation's, shell-quoted.
        let commands = page.named("pre").map(\.text)
        #expect(commands.contains("nnzoo train sample.json --out 'run 1'"))
        #expect(commands.contains("nnzoo eval \(shellQuoted(folder.path))"))
        #expect(page.all.first?.attributes["data-rendered"] == "pending")
        // The recipe's target (90% on digits, for 2 epochs) is judged with the note that this run
        // trained 1.
        #expect(
            page.all.contains { $0.attributes["class"] == "detail" && $0.text.hasSuffix("; this run changed epochs") })

        // The evaluation reads back as it was written.
        let read = try EvaluationReport.read(from: folder.path + "/eval/report.json")
        #expect(read.metrics == report.metrics && read.mostConfused == report.mostConfused)
        #expect(read.misclassified == report.misclassified && read.files == report.files)
        #expect(read.arguments == report.arguments && read.time == report.time && read.epoch == report.epoch)
        #expect(read.files.last == folder.path + "/eval/report.html")

        // A checkpoint without its run's files still makes a page: from the checkpoint's record, and
        // saying what is not known.
        let run = RunFolder(path: folder.path)
        try FileManager.default.removeItem(atPath: run.runInfo)
        try FileManager.default.removeItem(atPath: run.metricsJSONL)
        var bare = RunReport.forCheckpoint(
            at: run.bestCheckpoint, info: try Checkpoint.read(from: run.bestCheckpoint).info)
        bare.evaluation = read
        bare.commands = RunReport.commands(run: nil, evaluation: read)
        let barePage = try SVGElements(bare.html())
        // (Without the pictures given, the page says they are missing.)
        #expect(
            barePage.named("p", class: "note").map(\.text) == [
                "confusion.png is missing from the evaluation folder.",
                "misclassified.png is missing from the evaluation folder.",
                "No run.json: the dataset's fingerprint is not known.",
            ])
        #expect(barePage.named("pre").map(\.text).contains("nnzoo eval \(shellQuoted(folder.path))"))
        #expect(bare.records.count == 1 && bare.html().contains("checkpoint best, epoch 1"))
    }

    @Test func aDamagedEvaluationIsNamed() throws {
        let folder = TemporaryFolder()
        func error(_ text: String) -> String {
            let path = folder.write(text, to: "report.json")
            do {
                _ = try EvaluationReport.read(from: path)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        let fix = "Evaluate again with nnzoo eval <run folder>, which rewrites it."
        #expect(
            error("{\"checkpoint\": 3}")
                == "Cannot use the evaluation \(folder.path)/report.json: it is not a report nnzoo eval wrote (the "
                + "field checkpoint does not hold text). \(fix)")
        // A key given twice: JSON readers disagree on which one counts, so the file is refused.
        #expect(
            error("{\"checkpoint\": \"a\", \"checkpoint\": \"b\"}")
                == "Cannot use the evaluation \(folder.path)/report.json: it is not a report nnzoo eval wrote (the "
                + "key \"checkpoint\" appears twice in the top-level object (JSON readers disagree on which one "
                + "counts)). \(fix)")
        let stored = """
            {"checkpoint": "c", "dataset": "d", "split": "test", "metrics": {"class_names": ["a", "b"], \
            "confusion_matrix": [[1, 2]], "average_loss": 0.5}}
            """
        #expect(
            error(stored)
                == "Cannot use the evaluation \(folder.path)/report.json: it is not a report nnzoo eval wrote "
                + "(the confusion matrix is not 2 by 2 counts, one row and column per class name). \(fix)")
        #expect(
            error(stored.replacingOccurrences(of: "[[1, 2]]", with: "[[0, 0], [0, 0]]")).contains("counts no image"))
        #expect(error(stored.replacingOccurrences(of: "[[1, 2]]", with: "[[1, -2], [0, 3]]")).contains("not 2 by 2"))
        #expect(
            error(stored.replacingOccurrences(of: "[[1, 2]]", with: "[[\(Int.max), 1], [0, 3]]")).contains("overflow"))
        let good = try EvaluationReport.read(
            from: folder.write(stored.replacingOccurrences(of: "[[1, 2]]", with: "[[3, 1], [0, 4]]"), to: "good.json"))
        #expect(good.metrics.correct == 7 && good.metrics.count == 8 && good.mostConfused.first?.count == 1)
        #expect(good.misclassified.isEmpty && good.arguments == nil)
        // A folder in its place.
        try FileManager.default.createDirectory(atPath: folder.path + "/dir.json", withIntermediateDirectories: true)
        do {
            _ = try EvaluationReport.read(from: folder.path + "/dir.json")
            Issue.record("a folder read as a report")
        } catch {
            #expect("\(error)".hasPrefix("Cannot use the evaluation \(folder.path)/dir.json: it is a folder"))
        }
    }

    @Test func metricsLinesAreReadOrNamed() throws {
        let folder = TemporaryFolder()
        let run = RunFolder(path: folder.path)
        let records = [
            EpochRecord(
                epoch: 1, trainLoss: 1, trainAccuracy: 0.5, validationLoss: nil, validationAccuracy: nil,
                learningRate: 0.1,
                seconds: 1, resumedAt: [0.5])
        ]
        try AtomicFile.write(text: RunFolder.jsonLines(records), to: run.metricsJSONL)
        #expect(try run.readRecords() == records)
        try AtomicFile.write(text: RunFolder.jsonLines(records) + "{\"epoch\": 2}\n", to: run.metricsJSONL)
        #expect(throws: ReportError.self) { try run.readRecords() }
        do {
            _ = try run.readRecords()
        } catch {
            #expect(
                "\(error)"
                    == "Cannot use the run's metrics \(run.metricsJSONL): line 2 is not an epoch record nnzoo wrote. "
                    + "Delete it to report the epochs the checkpoint holds, or train the run again.")
        }
    }

    @Test func markupAndSettings() {
        #expect(Markup.escape("a<b & \"c\" 'd'\u{1}\n") == "a&lt;b &amp; &quot;c&quot; &apos;d&apos; \n")
        #expect(Markup.dataURI([1, 2, 3]) == "data:image/png;base64,AQID")
        #expect(
            Markup.settingText(
                OptimizerSpec.sgd(lr: 0.02, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 5e-4))
                == "SGD: lr 0.02, momentum 0.9, nesterov true, weight decay 0.0005")
        #expect(
            Markup.settingText(OptimizerSpec.adam(lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0))
                == "Adam: betas [0.9, 0.999], eps 1e-08, lr 0.001")
        #expect(Markup.settingText(ScheduleSpec.constant) == "constant")
        #expect(Markup.settingText(LossSpec.crossEntropy) == "CrossEntropyLoss")
        #expect(RunReportPage.pngSize([UInt8](repeating: 0, count: 10)) == nil)
    }
}
