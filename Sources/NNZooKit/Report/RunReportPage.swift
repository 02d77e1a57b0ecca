import Foundation
import NNCore
import NNLayers

/// `report.html`: one self-contained page about a run, in the order a person asks about it: how did
/// it do (a summary), what was trained (recipe and settings, the network with its parameter counts),
/// how training went (the curves, an epoch table), how the model does (per-class scores, the
/// confusion matrix, the most confused pairs, the mistakes), on what data (the dataset's
/// fingerprint), and how to make it again (the command lines).
///
/// Self-contained: the style sheet and a small script are in the page, the curves are inline SVG and
/// the pictures `data:` URIs, and a Content-Security-Policy forbids the browser to load anything
/// else, so the page opens the same from a mail attachment or an archive and never makes a request.
/// It is well-formed XML (the tests parse it as such). After loading, the script checks that every
/// picture decoded and sets `data-rendered="ok"` on the root element (or `broken-images-N`).
struct RunReportPage {
    let report: RunReport

    init(_ report: RunReport) {
        self.report = report
    }

    /// Above this many classes the confusion matrix is not repeated as an HTML table.
    static let maxConfusionTableClasses = 50

    /// The sections, in order: (id, heading).
    static let sections = [
        ("summary", "Summary"), ("settings", "Recipe and settings"), ("network", "Network"),
        ("curves", "Training curves"), ("evaluation", "Evaluation"), ("dataset", "Dataset"),
        ("commands", "Command lines"),
    ]

    func html() -> String {
        var page = """
            <!DOCTYPE html>
            <html lang="en" data-rendered="pending">
            <head>
            <meta charset="utf-8"/>
            <meta http-equiv="Content-Security-Policy" content="\(Self.contentSecurityPolicy)"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <meta name="generator" content="nnzoo \(Markup.escape(NNZooVersion.string))"/>
            <title>\(e(report.title)) – nnzoo report</title>
            <style>
            \(Self.styleSheet)
            </style>
            </head>
            <body>
            <header>
            <h1>\(e(report.title))</h1>
            <p class="subtitle">\(e(subtitle))</p>
            <nav>\(Self.sections.map { "<a href=\"#\($0.0)\">\(e($0.1))</a>" }.joined(separator: " "))</nav>
            </header>
            <main>

            """
        for note in report.notes {
            page += "<p class=\"note\">\(e(note))</p>\n"
        }
        page += summary() + settings() + network() + curves() + evaluation() + dataset() + commands()
        page += """
            </main>
            <footer>Made by nnzoo \(e(NNZooVersion.string)) on \(e(report.generated)).</footer>
            <script>
            //<![CDATA[
            \(Self.script)
            //]]>
            </script>
            </body>
            </html>

            """
        return page
    }

    /// Nothing from anywhere but the page itself: pictures only as `data:` URIs, style and script
    /// only inline.
    static let contentSecurityPolicy =
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

    private func e(_ text: String) -> String { Markup.escape(text) }

    private var subtitle: String {
        var parts: [String] = []
        if let run = report.run {
            parts.append("run \(run.status)")
            parts.append("started \(run.started)")
            if let finished = run.finished { parts.append("finished \(finished)") }
        } else {
            parts.append("checkpoint \(report.checkpoint.kind), \(report.checkpoint.provenance)")
        }
        return parts.joined(separator: " · ")
    }

    // MARK: - Sections

    private func section(_ id: String, _ body: String) -> String {
        let heading = Self.sections.first { $0.0 == id }?.1 ?? id
        return "<section id=\"\(id)\">\n<h2>\(e(heading))</h2>\n\(body)</section>\n"
    }

    private func percent(_ fraction: Double, decimals: Int = 2) -> String {
        fraction.isFinite ? String(format: "%.\(decimals)f%%", fraction * 100) : "n/a"
    }

    private func number(_ value: Double, decimals: Int = 4) -> String {
        value.isFinite ? String(format: "%.\(decimals)f", value) : value.isNaN ? "NaN" : value > 0 ? "+inf" : "-inf"
    }

    private func summary() -> String {
        var cards: [(String, String, String)] = []
        if let best = report.run?.testBest {
            cards.append(
                (
                    "test accuracy", percent(best.accuracy),
                    "checkpoint-best (epoch \(best.epoch)): \(best.correct) of \(best.examples) test images"
                ))
        }
        if let last = report.run?.testLast, report.run?.testBest?.epoch != last.epoch {
            cards.append(("test accuracy, last epoch", percent(last.accuracy), "epoch \(last.epoch)"))
        }
        if let evaluation = report.evaluation {
            cards.append(
                (
                    "evaluated accuracy", percent(evaluation.metrics.accuracy),
                    "\(evaluation.dataset) \(evaluation.split) split, \(evaluation.metrics.correct) of \(evaluation.metrics.count)"
                ))
        }
        // The validation accuracy of the epoch checkpoint-best holds (ties on accuracy went to the
        // lower loss there), else the highest one.
        let validated = report.records.compactMap { record in record.validationAccuracy.map { (record.epoch, $0) } }
        let bestEpoch = report.curveMarks.bestEpoch
        if let best = validated.first(where: { $0.0 == bestEpoch }) ?? validated.max(by: { $0.1 < $1.1 }) {
            cards.append(("best validation accuracy", percent(best.1), "epoch \(best.0)"))
        }
        let epochs = report.run?.settings.epochs ?? report.checkpoint.settings?.epochs
        cards.append(
            (
                "epochs", epochs.map { "\(report.records.count) of \($0)" } ?? "\(report.records.count)",
                report.run?.status ?? report.checkpoint.kind
            ))
        let times = report.records.map { $0.trainSeconds ?? $0.seconds }.filter(\.isFinite).sorted()
        if !times.isEmpty {
            cards.append(("seconds per epoch", String(format: "%.2f", times[times.count / 2]), "median training pass"))
        }
        let parameters = report.run?.parameters ?? ModelBuilder.parameterCount(report.checkpoint.architecture) ?? 0
        cards.append(("parameters", grouped(parameters), "\(report.checkpoint.architecture.count) layers"))
        if let target = report.checkpoint.recipe.expectedAccuracy[report.checkpoint.dataset] {
            // The run's own test figure, else this evaluation when it is of the same test split.
            let evaluated = report.evaluation.flatMap {
                $0.split == "test" && $0.dataset == report.checkpoint.dataset ? $0.metrics.accuracy : nil
            }
            let reached = (report.run?.testBest?.accuracy ?? evaluated).map { $0 * 100 >= target }
            // The target is for the recipe's own settings: say which this run changed (none can be
            // named for a checkpoint without its settings).
            var changed: [String] = []
            if let s = report.run?.settings ?? report.checkpoint.settings {
                let defaults = TrainingSettings(
                    defaultsOf: report.checkpoint.recipe, dataset: report.checkpoint.dataset, threads: s.threads)
                changed = [
                    ("epochs", s.epochs != defaults.epochs), ("batch size", s.batchSize != defaults.batchSize),
                    ("optimizer", s.optimizer != defaults.optimizer), ("seed", s.seed != defaults.seed),
                    ("validation split", s.validationSplit != defaults.validationSplit),
                    ("augmentation", s.augmentation != defaults.augmentation),
                ].filter(\.1).map(\.0)
            }
            var detail = reached.map { $0 ? "reached" : "not reached" } ?? "not measured yet"
            if !changed.isEmpty { detail += "; this run changed " + changed.joined(separator: ", ") }
            cards.append(("recipe's target", String(format: "%.1f%%", target), detail))
        }
        var body = "<div class=\"cards\">\n"
        for (label, value, detail) in cards {
            body += """
                <div class="card"><div class="label">\(e(label))</div><div class="value">\(e(value))</div>\
                <div class="detail">\(e(detail))</div></div>

                """
        }
        body += "</div>\n"
        body += "<p>\(e(report.checkpoint.recipe.description))</p>\n"
        return section("summary", body)
    }

    private func settings() -> String {
        let s = report.run?.settings ?? report.checkpoint.settings
        let recipe = report.checkpoint.recipe
        let normalization = report.checkpoint.normalization
        let normalizationText =
            "\(Markup.settingText(recipe.normalization)); mean "
            + normalization.mean.map { String(format: "%.4f", $0) }.joined(separator: ", ") + ", std "
            + normalization.std.map { String(format: "%.4f", $0) }.joined(separator: ", ")
            + " (of pixel / \(normalization.maxValue))"
        // A checkpoint without training settings (one written by hand) says so rather than guess.
        let unknown = "not recorded"
        let rows: [(String, String)] = [
            ("recipe", recipe.name + (report.run?.recipeFile.map { " (\($0))" } ?? "")),
            ("dataset", s?.dataset ?? report.checkpoint.dataset),
            ("epochs", s.map { "\($0.epochs)" } ?? unknown),
            ("batch size", s.map { "\($0.batchSize)" } ?? unknown),
            ("optimizer", s.map { Markup.settingText($0.optimizer) } ?? unknown),
            ("learning-rate schedule", Markup.settingText(recipe.schedule)),
            ("loss", Markup.settingText(recipe.loss)),
            ("input normalization", normalizationText),
            ("augmentation", s.map { $0.augmentation.isEmpty ? "none" : $0.augmentation } ?? unknown),
            ("seed", s.map { "\($0.seed)" } ?? unknown),
            ("validation split", s.map { String(format: "%g", $0.validationSplit) } ?? unknown),
            ("threads", s.map { "\($0.threads)" } ?? unknown),
        ]
        var body = table(header: ["setting", "value"], rows: rows.map { [$0.0, $0.1] }, numeric: [])
        let recipeJSON = (try? JSONText.pretty(recipe)) ?? ""
        body += "<details><summary>The recipe as JSON</summary>\n<pre>\(e(recipeJSON))</pre>\n</details>\n"
        return section("settings", body)
    }

    private func network() -> String {
        let info = report.checkpoint
        let layers = info.architecture
        let input = info.input
        // Output shapes from the layers themselves (a network built from the specs; no weights read).
        let shapes =
            (try? ModelBuilder.build(resolved: layers, seed: 0))
            .flatMap { try? $0.layerOutputShapes(for: Shape(1, input.channels, input.height, input.width)) }
        var rows: [[String]] = [["", "input", shapeText([1, input.channels, input.height, input.width]), ""]]
        for (n, layer) in layers.enumerated() {
            let shape = shapes.map { n < $0.count ? shapeText(Array($0[n])) : "?" } ?? "?"
            let parameters = ModelBuilder.parameterCount([layer]).map(grouped) ?? "?"
            rows.append(["\(n)", layerText(layer), shape, parameters])
        }
        let total = ModelBuilder.parameterCount(layers).map(grouped) ?? "?"
        rows.append(["", "total", "", total])
        var body = table(
            header: ["#", "layer", "output", "parameters"], rows: rows, numeric: [0, 3], lastIsTotal: true)
        body +=
            "<p>Input: \(e(input.description)) images, \(input.classes) classes. Output shapes are per image (batch 1).</p>\n"
        return section("network", body)
    }

    /// "Linear(in_features=784, out_features=100, bias=true)": the layer's recipe fields, as PyTorch prints it.
    private func layerText(_ layer: LayerSpec) -> String {
        guard let data = try? JSONEncoder().encode(layer),
            let json = try? JSONDecoder().decode(JSONValue.self, from: data),
            case .object(let object) = json
        else { return layer.summary }
        let type = object["type"]?.text ?? layer.typeName
        let arguments = object.keys.filter { $0 != "type" }.sorted().map { "\($0)=\(object[$0]?.text ?? "")" }
        return "\(type)(\(arguments.joined(separator: ", ")))"
    }

    private func shapeText(_ dimensions: [Int]) -> String {
        dimensions.dropFirst().map(String.init).joined(separator: " × ")
    }

    private func curves() -> String {
        var body = ""
        if report.records.isEmpty {
            body += "<p class=\"note\">No epoch was recorded yet.</p>\n"
        }
        var svg = TrainingCurves.svg(records: report.records, title: report.title, marks: report.curveMarks)
        // Inline: without the XML declaration, scaling with the page.
        if let declarationEnd = svg.range(of: "?>\n"), svg.hasPrefix("<?xml") {
            svg.removeSubrange(svg.startIndex..<declarationEnd.upperBound)
        }
        svg = svg.replacingOccurrences(
            of: "<svg xmlns=", with: "<svg class=\"curves\" role=\"img\" aria-label=\"training curves\" xmlns=",
            options: [], range: svg.range(of: "<svg xmlns="))
        body += "<figure>\n\(svg)<figcaption>Loss and accuracy per epoch (training solid, validation dashed), "
        body += "the learning rate under them; the dashed green line is the best epoch, the red diamond "
        body += "checkpoint-best's test accuracy, dotted gray lines are resumes. "
        body += "\(Int(TrainingCurves.width))×\(Int(TrainingCurves.height)) SVG.</figcaption>\n</figure>\n"
        let rows = report.records.map { r -> [String] in
            [
                "\(r.epoch)", number(r.trainLoss), percent(r.trainAccuracy), r.validationLoss.map { number($0) } ?? "",
                r.validationAccuracy.map { percent($0) } ?? "", String(format: "%.4g", r.learningRate),
                String(format: "%.2f", r.trainSeconds ?? r.seconds),
                (r.resumedAt ?? []).map { String(format: "resumed at %.0f%%", $0 * 100) }.joined(separator: ", "),
            ]
        }
        if !rows.isEmpty {
            body += "<details><summary>Every epoch (\(rows.count))</summary>\n"
            body += table(
                header: ["epoch", "train loss", "train acc", "val loss", "val acc", "lr", "seconds", ""], rows: rows,
                numeric: [0, 1, 2, 3, 4, 5, 6])
            body += "</details>\n"
        }
        return section("curves", body)
    }

    private func evaluation() -> String {
        guard let evaluation = report.evaluation else {
            return section(
                "evaluation",
                "<p class=\"note\">Not evaluated yet: <code>\(e(Invocation.current.command("eval <run folder>")))</code> "
                    + "scores the model per class and draws its confusion matrix and mistakes.</p>\n")
        }
        let m = evaluation.metrics
        var body = "<p>\(e(evaluationLine(evaluation)))</p>\n"
        body += "<h3>Per class</h3>\n"
        var rows = m.perClass.map { c -> [String] in
            [
                c.name == String(c.label) ? c.name : "\(c.label) \(c.name)",
                c.precision.map { number($0, decimals: 3) } ?? "n/a",
                c.recall.map { number($0, decimals: 3) } ?? "n/a", c.f1.map { number($0, decimals: 3) } ?? "n/a",
                "\(c.support)", "\(c.predicted)",
            ]
        }
        rows.append([
            "macro average (\(m.macro.classes))", number(m.macro.precision, decimals: 3),
            number(m.macro.recall, decimals: 3),
            number(m.macro.f1, decimals: 3), "\(m.count)", "",
        ])
        body += table(
            header: ["class", "precision", "recall", "F1", "images", "predicted"], rows: rows,
            numeric: [1, 2, 3, 4, 5],
            lastIsTotal: true, bars: (column: 3, values: m.perClass.map { $0.f1 ?? 0 }))
        body += "<p class=\"small\">n/a: a class never predicted has no precision, one without images no recall. "
        body += "Macro averages are over the classes that occur, n/a counted as 0.</p>\n"

        body += "<h3>Confusion matrix</h3>\n"
        if let png = report.confusionPNG {
            body += picture(
                png, alt: "confusion matrix of \(m.classCount) classes",
                caption: "Rows are true classes, columns predicted ones; colour is the share of the true class "
                    + "(square-root scale), numbers are counts.")
        } else {
            body += "<p class=\"note\">confusion.png is missing from the evaluation folder.</p>\n"
        }
        // As a table too, while it stays readable (confusion.csv has every size).
        if m.classCount <= Self.maxConfusionTableClasses {
            body += "<details><summary>The confusion matrix as a table</summary>\n"
            body += table(
                header: ["true \\ predicted"] + m.classNames,
                rows: m.classNames.indices.map { t in
                    [m.classNames[t]] + m.confusion[t].map { $0 == 0 ? "·" : String($0) }
                }, numeric: Array(1...m.classCount))
            body += "</details>\n"
        } else {
            body += "<p class=\"small\">\(m.classCount) classes make a table too large for a page: "
            body += "confusion.csv in the evaluation folder holds every count.</p>\n"
        }

        body += "<h3>Most confused pairs</h3>\n"
        if evaluation.mostConfused.isEmpty {
            body += "<p>No image was misclassified.</p>\n"
        } else {
            body += table(
                header: ["true class", "predicted as", "images", "share of the true class"],
                rows: evaluation.mostConfused.map {
                    [$0.trueName, $0.predictedName, "\($0.count)", percent($0.shareOfTrue, decimals: 1)]
                }, numeric: [2, 3])
        }

        body += "<h3>Mistakes</h3>\n"
        if let png = report.misclassifiedPNG {
            let shown = evaluation.misclassified.reduce(0) { $0 + $1.shownIndices.count }
            body += picture(
                png, alt: "misclassified images",
                caption: "\(shown) misclassified images, a row per true class: its most frequent confusions first, "
                    + "the most confident mistakes first within each; p is the probability the model gave the wrong class."
            )
        } else if !evaluation.mostConfused.isEmpty {
            body += "<p class=\"note\">misclassified.png is missing from the evaluation folder.</p>\n"
        } else {
            body += "<p>None.</p>\n"
        }
        return section("evaluation", body)
    }

    private func evaluationLine(_ evaluation: EvaluationReport) -> String {
        let m = evaluation.metrics
        var line = "\(evaluation.recipe ?? report.checkpoint.recipe.name)"
        if let epoch = evaluation.epoch { line += " after epoch \(epoch)" }
        line += " (\((evaluation.checkpoint as NSString).lastPathComponent)) on the \(evaluation.dataset) "
        line += "\(evaluation.split) split: accuracy \(percent(m.accuracy)), \(m.correct) of \(m.count) images"
        if let loss = m.averageLoss { line += ", average loss \(number(loss))" }
        if let time = evaluation.time { line += "; evaluated \(time)" }
        return line + "."
    }

    private func dataset() -> String {
        var body = ""
        let classes = report.checkpoint.classNames
        body += "<p>\(e(report.checkpoint.dataset)): \(e(report.checkpoint.input.description)) images, "
        body += "\(classes.count) classes (\(e(classes.joined(separator: ", "))))"
        if let run = report.run {
            body +=
                "; \(run.trainingExamples) training and \(run.validationExamples) validation images from the training split"
        }
        body += ".</p>\n"
        if let files = report.run?.datasetFiles, !files.isEmpty {
            body += "<p>The files the run read, identified by the SHA-256 of their decompressed content:</p>\n"
            body += table(
                header: ["file", "bytes", "content SHA-256", "registry"],
                rows: files.map { [$0.path, grouped($0.bytes), $0.sha256, $0.registry] }, numeric: [1], code: [0, 2])
        } else {
            body += "<p class=\"note\">No run.json: the dataset's fingerprint is not known.</p>\n"
        }
        return section("dataset", body)
    }

    private func commands() -> String {
        guard !report.commands.isEmpty else {
            return section("commands", "<p class=\"note\">No command line was recorded.</p>\n")
        }
        var body =
            "<p>Run in the folder where they were run, these make the run and this page again.</p>\n<dl class=\"commands\">\n"
        for command in report.commands {
            body += "<dt>\(e(command.what))\(command.when.map { " <span class=\"small\">\(e($0))</span>" } ?? "")</dt>"
            body += "<dd><pre>\(e(command.line))</pre></dd>\n"
        }
        return section("commands", body + "</dl>\n")
    }

    // MARK: - Pieces

    private func picture(_ png: [UInt8], alt: String, caption: String) -> String {
        let size = Self.pngSize(png)
        let sizeText = size.map { " \($0.width)×\($0.height) pixels." } ?? ""
        let dimensions = size.map { " width=\"\($0.width)\" height=\"\($0.height)\"" } ?? ""
        return """
            <figure><div class="scroll"><img src="\(Markup.dataURI(png))" alt="\(e(alt))"\(dimensions)/></div>\
            <figcaption>\(e(caption + sizeText))</figcaption></figure>

            """
    }

    /// Width and height from a PNG's IHDR chunk (bytes 16 to 23), without decoding it.
    static func pngSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        guard bytes.count >= 24, bytes[12..<16].elementsEqual("IHDR".utf8) else { return nil }
        func word(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (word(16), word(20))
    }

    private func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (n, digit) in digits.enumerated() {
            if n > 0 && (digits.count - n) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// A table; `numeric` columns are right-aligned, `code` ones in a fixed-width font; with
    /// `lastIsTotal` the last row is set apart; `bars` draws a bar under the values of a column.
    private func table(
        header: [String], rows: [[String]], numeric: [Int], code: [Int] = [], lastIsTotal: Bool = false,
        bars: (column: Int, values: [Double])? = nil
    ) -> String {
        func cell(_ tag: String, _ text: String, _ column: Int, bar: Double? = nil, header: Bool = false) -> String {
            var classes: [String] = []
            if numeric.contains(column) { classes.append("num") }
            if code.contains(column) && !header { classes.append("code") }
            let attribute = classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\""
            let barHTML =
                bar.map {
                    "<span class=\"bar\" style=\"width:\(String(format: "%.1f", max(0, min(1, $0)) * 100))%\"></span>"
                }
                ?? ""
            return "<\(tag)\(attribute)>\(e(text))\(barHTML)</\(tag)>"
        }
        var out = "<div class=\"scroll\"><table>\n<thead><tr>"
        out += header.enumerated().map { cell("th", $0.element, $0.offset, header: true) }.joined()
        out += "</tr></thead>\n<tbody>\n"
        for (r, row) in rows.enumerated() {
            let total = lastIsTotal && r == rows.count - 1
            out += total ? "<tr class=\"total\">" : "<tr>"
            out += row.enumerated().map { c, text in
                let bar = bars.flatMap { $0.column == c && r < $0.values.count && !total ? $0.values[r] : nil }
                return cell(c == 0 && !total ? "th" : "td", text, c, bar: bar)
            }.joined()
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table></div>\n"
    }
}
