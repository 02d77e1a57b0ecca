import NNAugment
import NNData

/// A picture of a model's mistakes: one row per true class (in class order), each image captioned
/// "true→predicted" in small digits (true in green, predicted in red), the images of a row ordered
/// by predicted class, then by their place in the dataset.
public enum MisclassifiedGrid {
    public struct Sample: Equatable, Sendable {
        /// Index of the image in the dataset.
        public let index: Int
        public let predicted: Int
    }

    public struct Row: Equatable, Sendable {
        public let truth: Int
        /// How many images of this class were misclassified (the row may show fewer).
        public let mistakes: Int
        /// Mistakes per predicted class, over all of the class's mistakes (not only those shown).
        public let byPredicted: [(predicted: Int, count: Int)]
        public let shown: [Sample]

        public static func == (a: Row, b: Row) -> Bool {
            a.truth == b.truth && a.mistakes == b.mistakes && a.shown == b.shown
                && a.byPredicted.map(\.predicted) == b.byPredicted.map(\.predicted)
                && a.byPredicted.map(\.count) == b.byPredicted.map(\.count)
        }
    }

    public static let trueColor: BitmapFont.Color = (110, 220, 120)
    public static let arrowColor: BitmapFont.Color = (200, 200, 200)
    public static let predictedColor: BitmapFont.Color = (255, 110, 90)

    /// Chooses up to `perRow` mistakes of each true class. When a class has more, the choice
    /// takes turns among the classes it was mistaken for (the first mistake of each, then the
    /// second, …), so that every kind of confusion appears before any repeats; the chosen images
    /// are then ordered by predicted class and dataset index. Classes without mistakes get no row.
    public static func select(truth: [Int], predicted: [Int], perRow: Int = 12) throws -> [Row] {
        guard truth.count == predicted.count else {
            throw EvaluationError.labelCountMismatch(predicted: predicted.count, truth: truth.count)
        }
        // Mistakes grouped by true class, then predicted class, in dataset order.
        var groups = [Int: [Int: [Int]]]()
        for (index, (t, p)) in zip(truth, predicted).enumerated() where t != p {
            groups[t, default: [:]][p, default: []].append(index)
        }
        return groups.keys.sorted().map { t in
            let byPredicted = groups[t] ?? [:]
            let predictedClasses = byPredicted.keys.sorted()
            var chosen = [Sample]()
            var round = 0
            while chosen.count < perRow {
                var tookAny = false
                for p in predictedClasses where chosen.count < perRow {
                    if let indices = byPredicted[p], round < indices.count {
                        chosen.append(Sample(index: indices[round], predicted: p))
                        tookAny = true
                    }
                }
                if !tookAny { break }
                round += 1
            }
            chosen.sort { ($0.predicted, $0.index) < ($1.predicted, $1.index) }
            return Row(
                truth: t, mistakes: byPredicted.values.reduce(0) { $0 + $1.count },
                byPredicted: predictedClasses.map { ($0, byPredicted[$0]?.count ?? 0) }, shown: chosen)
        }
    }

    /// The caption under an image: "3→5".
    public static func caption(truth: Int, predicted: Int) -> GridCaption {
        GridCaption([(String(truth), trueColor), ("→", arrowColor), (String(predicted), predictedColor)])
    }

    /// The scale of the caption digits: 2 when the longest caption fits the cell at that size.
    public static func captionScale(rows: [Row], cellWidth: Int) -> Int {
        let longest = rows.flatMap { row in row.shown.map { caption(truth: row.truth, predicted: $0.predicted).text } }
            .max { $0.count < $1.count }
        return BitmapFont.width(of: longest ?? "", scale: 2) <= cellWidth ? 2 : 1
    }

    /// Draws `rows` of `dataset`'s images (scaled as `SampleGrid` does) with their captions.
    /// An empty selection draws a single empty cell.
    public static func render(_ dataset: ImageDataset, rows: [Row], scale: Int? = nil, gap: Int = 4) -> PNGImage {
        let scale = scale ?? SampleGrid.defaultScale(for: dataset)
        return SampleGrid.render(
            dataset, rows: rows.map { $0.shown.map(\.index) }, scale: scale, gap: gap,
            captions: rows.map { row in row.shown.map { caption(truth: row.truth, predicted: $0.predicted) } },
            captionScale: captionScale(rows: rows, cellWidth: dataset.width * scale))
    }

    /// One line per row for a terminal: "row 1: true 0 T-shirt/top (143 mistakes, 12 shown): 6 Shirt
    /// ×80, 2 Pullover ×31, …", the predicted classes most frequent first, cut to about `width`
    /// characters.
    public static func legend(_ rows: [Row], classNames: [String], width: Int = 118) -> [String] {
        func name(_ c: Int) -> String {
            let n = c < classNames.count ? classNames[c] : String(c)
            return n == String(c) ? n : "\(c) \(n)"
        }
        return rows.enumerated().map { number, row in
            var line =
                "row \(number + 1): true \(name(row.truth)) (\(row.mistakes) mistake\(row.mistakes == 1 ? "" : "s"), \(row.shown.count) shown): "
            let parts = row.byPredicted.sorted { ($1.count, $0.predicted) < ($0.count, $1.predicted) }
                .map { "\(name($0.predicted)) ×\($0.count)" }
            for (i, part) in parts.enumerated() {
                // Room for ", … (N more)" after it unless it is the last.
                let reserve = i == parts.count - 1 ? 0 : 14
                if i > 0 && line.count + 2 + part.count + reserve > width {
                    line += ", … (\(parts.count - i) more)"
                    break
                }
                line += (i > 0 ? ", " : "") + part
            }
            return line
        }
    }

    /// The shown images as CSV: grid position, dataset index, true and predicted class.
    public static func csv(_ rows: [Row], classNames: [String]) -> String {
        func name(_ c: Int) -> String { c < classNames.count ? classNames[c] : String(c) }
        var lines = ["row,column,index,true,true_name,predicted,predicted_name"]
        for (r, row) in rows.enumerated() {
            for (c, sample) in row.shown.enumerated() {
                lines.append(
                    "\(r + 1),\(c + 1),\(sample.index),\(row.truth),\(csvField(name(row.truth))),\(sample.predicted),"
                        + csvField(name(sample.predicted)))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
