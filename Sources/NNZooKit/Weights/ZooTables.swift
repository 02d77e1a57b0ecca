import Foundation
import NNCore

/// The README's tables of the zoo, generated (never edited by hand): the recipes from `zoo/*.json`,
/// what the project measured from `zoo/measured/accuracy.json`, and the shipped weights from
/// `zoo/weights/index.json`. `swift run nnbench readme` writes them between the README's markers
///
///     <!-- generated: NAME (swift run nnbench readme) -->
///     ...
///     <!-- end: NAME -->
///
/// and `zoo/weights/README.md` as a whole; the test suite checks that both match the files.
public enum ZooTables {
    /// The sections the README has: name -> its text.
    public static func sections(
        overviews: [RecipeOverview], recipes: [String: Recipe], measured: MeasuredAccuracy, weights: ZooWeights
    ) -> [(name: String, text: String)] {
        [
            ("recipes", recipeTable(overviews: overviews, recipes: recipes)),
            ("measured", measuredTable(measured, recipes: recipes, weights: weights)),
            ("weights", weightsTable(weights, short: true)),
        ]
    }

    /// One row per recipe: its network, loss and normalisation, its training defaults, its targets.
    public static func recipeTable(overviews: [RecipeOverview], recipes: [String: Recipe]) -> String {
        var lines = [
            "| recipe | network (for its default dataset) | loss, input | training defaults | target |",
            "|---|---|---|---|---|",
        ]
        for overview in overviews {
            guard let recipe = recipes[overview.name] else { continue }
            let targets = recipe.expectedAccuracy.sorted { $0.key < $1.key }.map { "\($0.key) ≥ \(number($0.value))%" }
            lines.append(
                row([
                    "`\(overview.name)`", overview.network, recipe.loss.summary + ", " + normalization(recipe),
                    training(recipe), targets.isEmpty ? "-" : targets.joined(separator: ", "),
                ]))
        }
        return lines.joined(separator: "\n")
    }

    /// One row per recipe and dataset measured: test accuracy of checkpoint-best and of the last
    /// epoch, the target, the time per epoch and threads, the day, and the weights when shipped.
    public static func measuredTable(_ measured: MeasuredAccuracy, recipes: [String: Recipe], weights: ZooWeights)
        -> String
    {
        var lines = [
            "| recipe | dataset | epochs | test (best epoch) | test (last) | target | s/epoch | threads | measured | weights |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for (name, datasets) in measured.recipes.sorted(by: { $0.key < $1.key }) {
            for (dataset, entry) in datasets.sorted(by: { $0.key < $1.key }) {
                let target = recipes[name]?.expectedAccuracy[dataset]
                let best = String(format: "%.2f%%", entry.accuracy) + (entry.bestEpoch.map { " (\($0))" } ?? "")
                var time = "-"
                if let seconds = entry.secondsPerEpoch {
                    time = String(format: "%.3f", seconds)
                    if let timed = entry.timed, timed != entry.measured { time += " (\(timed))" }
                }
                let shipped = weights.entry(recipe: name, dataset: dataset)
                lines.append(
                    row([
                        "`\(name)`", dataset, "\(entry.epochs)", best,
                        entry.lastAccuracy.map { String(format: "%.2f%%", $0) } ?? "-",
                        target.map { "≥ \(number($0))%" + (entry.accuracy >= $0 ? " met" : " MISSED") } ?? "-",
                        time, "\(entry.threads)", entry.measured, shipped.map { "`\($0.name)`" } ?? "-",
                    ]))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The shipped weights: name, test accuracy, epoch, size, threads and SHA-256 (`short`: its
    /// first 16 digits, for the README; the whole digest and the command otherwise).
    public static func weightsTable(_ weights: ZooWeights, short: Bool) -> String {
        var lines =
            short
            ? [
                "| weights | test accuracy | epoch | size | threads | SHA-256 (first 16 digits) |",
                "|---|---|---|---|---|---|",
            ]
            : [
                "| weights | test accuracy | epoch | bytes | threads | SHA-256 | nnzoo | made |",
                "|---|---|---|---|---|---|---|---|",
            ]
        for entry in weights.weights {
            let accuracy = String(format: "%.2f%% (%d/%d)", entry.testAccuracy, entry.testCorrect, entry.testTotal)
            let epoch = entry.epoch.map { "\($0) of \(entry.epochs)" } ?? "\(entry.epochs)"
            if short {
                let size =
                    entry.bytes < 10_000 ? "\(entry.bytes) B" : String(format: "%.1f KB", Double(entry.bytes) / 1000)
                lines.append(
                    row([
                        "`\(entry.name)`", accuracy, epoch, size, "\(entry.threads)",
                        "`\(entry.sha256.prefix(16))`",
                    ]))
            } else {
                let source =
                    entry.version
                    + (entry.commit.map { " (\($0.prefix(12))\($0.hasSuffix("-modified") ? "-modified" : ""))" } ?? "")
                lines.append(
                    row([
                        "`\(entry.name)`", accuracy, epoch, "\(entry.bytes)", "\(entry.threads)", "`\(entry.sha256)`",
                        source, entry.made,
                    ]))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `zoo/weights/README.md`: what the files are, the full table, and each file's command.
    public static func weightsReadme(_ weights: ZooWeights) -> String {
        var text = """
            # The zoo's trained weights

            Generated by `swift run nnbench readme` from `index.json` (which `swift run -c release nnbench \
            accuracy --weights zoo/weights` writes); do not edit by hand.

            Each `<recipe>@<dataset>.safetensors` is checkpoint-best of a run of the recipe with its defaults, \
            written by `nnzoo export --format safetensors`: the model tensors and the metadata `eval`, `predict` \
            and `export` read (recipe, input, dataset, class names, normalisation, epoch, training settings), \
            without the optimizer state and the per-epoch record. Use one as `RECIPE@DATASET` wherever a run \
            folder is taken: `nnzoo predict digits-mlp@digits seven.png`. Running its command again with the \
            same thread count makes the same file byte for byte: `Tools/zoo-weights check` does that for every \
            file.


            """
        text += weightsTable(weights, short: false) + "\n\nThe commands:\n\n```\n"
        text += weights.weights.map { "# \($0.name)\n\($0.command)" }.joined(separator: "\n") + "\n```\n"
        return text
    }

    /// The README at `readme` and `zoo/weights/README.md` as they should be, from the recipes, the
    /// measurements and the weights table of the zoo folder `zoo`.
    public static func generate(readme: String, zoo: String) throws -> [(path: String, text: String)] {
        let folders = [URL(fileURLWithPath: zoo).standardizedFileURL.path]
        let files = RecipeCatalog.recipeFiles(in: folders)
        var recipes: [String: Recipe] = [:]
        for file in files { recipes[file.name] = try Recipe.read(from: file.path) }
        let measured = try MeasuredAccuracy.read(from: zoo + "/" + MeasuredAccuracy.relativePath)
        let weights = try ZooWeights.read(from: zoo + "/" + ZooWeights.folderName + "/" + ZooWeights.indexName)
        let overviews = files.map { RecipeOverview(name: $0.name, path: $0.path, measured: measured) }
        var text = String(decoding: try ReadableFile.readAll(readme, limit: 1 << 24), as: UTF8.self)
        for (name, body) in sections(overviews: overviews, recipes: recipes, measured: measured, weights: weights) {
            guard let replaced = replacing(section: name, in: text, with: body) else {
                throw ZooTablesError.missingSection(readme: readme, name: name)
            }
            text = replaced
        }
        return [(readme, text), (zoo + "/" + ZooWeights.folderName + "/README.md", weightsReadme(weights))]
    }

    /// `text` with the section `name` between its markers replaced by `body`; nil when the markers
    /// are missing.
    public static func replacing(section name: String, in text: String, with body: String) -> String? {
        let begin = beginMarker(name)
        let end = "<!-- end: \(name) -->"
        guard let start = text.range(of: begin), let stop = text.range(of: end, range: start.upperBound..<text.endIndex)
        else { return nil }
        return String(text[..<start.upperBound]) + "\n" + body + "\n" + String(text[stop.lowerBound...])
    }

    /// The line a generated section starts with.
    public static func beginMarker(_ name: String) -> String {
        "<!-- generated: \(name) (swift run nnbench readme) -->"
    }

    private static func training(_ recipe: Recipe) -> String {
        var text = recipe.optimizer.summary + ", " + recipe.schedule.summary
        text += "; \(recipe.epochs) epochs of batch \(recipe.batchSize)"
        if let subset = recipe.trainSubset { text += " on a subset of \(subset)" }
        switch recipe.augmentation {
        case .all(let pipeline):
            if !pipeline.description.isEmpty { text += "; `\(pipeline.description)`" }
        case .perDataset(let table):
            let parts = table.sorted { $0.key < $1.key }.filter { !$0.value.description.isEmpty }
                .map { "\($0.key) `\($0.value.description)`" }
            if !parts.isEmpty { text += "; " + parts.joined(separator: ", ") }
        }
        return text
    }

    private static func normalization(_ recipe: Recipe) -> String {
        switch recipe.normalization {
        case .standardize: return "standardised"
        case .scale: return "scaled to [0, 1]"
        case .fixed(let mean, let std):
            return "(x/max − \(mean.map(number).joined(separator: "/"))) / \(std.map(number).joined(separator: "/"))"
        }
    }

    private static func number(_ x: Double) -> String { String(format: "%.4g", x) }

    private static func row(_ cells: [String]) -> String {
        "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
    }
}

/// A README without the markers of a generated section.
public enum ZooTablesError: Error, CustomStringConvertible, Equatable, Sendable {
    case missingSection(readme: String, name: String)

    public var description: String {
        switch self {
        case .missingSection(let readme, let name):
            return "\(readme) has no section \"\(name)\": add the lines \(ZooTables.beginMarker(name)) and "
                + "<!-- end: \(name) --> where its table goes."
        }
    }
}
