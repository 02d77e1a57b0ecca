import Foundation
import NNAugment
import NNCore
import NNData

/// A picture of a model's mistakes: one row per true class (in class order) under a title naming
/// the class and its most frequent confusions, each image captioned with the true and predicted
/// class names (true in green, predicted in red) and the probability the model gave the wrong
/// class (none for a model whose outputs are not probabilities: hinge margins, squared-error
/// outputs; see `ClassPrediction`).
///
/// A row shows the class's confusions most frequent first, and within one confusion the most
/// confident mistakes first (fastai's `most_confused` and `plot_top_losses`). When a class has more
/// mistakes than the row has room for, the room is shared among its confusions in proportion to
/// their counts (largest remainders), so the confusion that matters fills most of the row while the
/// others still show an example or two: a Shirt row whose 346 mistakes are 133 T-shirt/top, 102
/// Pullover, 55 Coat, 39 Dress, 16 Bag and 1 Trouser shows 5, 3, 2, 1, 1 and 0 of those.
public enum MisclassifiedGrid {
    public struct Sample: Equatable, Sendable {
        /// Index of the image in the dataset.
        public let index: Int
        public let predicted: Int
        /// The probability the model gave `predicted` (nil when its outputs are not probabilities).
        public let probability: Double?

        public init(index: Int, predicted: Int, probability: Double? = nil) {
            self.index = index
            self.predicted = predicted
            self.probability = probability
        }
    }

    public struct Row: Equatable, Sendable {
        public let truth: Int
        /// How many images of this class were misclassified (the row may show fewer).
        public let mistakes: Int
        /// Mistakes per predicted class, over all of the class's mistakes (not only those shown),
        /// most frequent first (ties: lower class first).
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
    public static let probabilityColor: BitmapFont.Color = (230, 230, 230)

    /// Chooses up to `perRow` mistakes of each true class: its confusions (predicted classes) most
    /// frequent first, within each the highest `probability` first (ties: dataset order). A class
    /// with more mistakes than `perRow` shares the row among its confusions in proportion to their
    /// counts: each gets the whole part of `perRow * count / mistakes`, and the slots left go to the
    /// largest fractions (ties: the more frequent confusion, then the lower class). Classes without
    /// mistakes get no row. Without probabilities (`probability` empty) every mistake counts as
    /// equally sure, and dataset order decides.
    public static func select(truth: [Int], predicted: [Int], probability: [Double] = [], perRow: Int = 12) throws
        -> [Row]
    {
        guard truth.count == predicted.count else {
            throw EvaluationError.labelCountMismatch(predicted: predicted.count, truth: truth.count)
        }
        guard probability.isEmpty || probability.count == truth.count else {
            throw EvaluationError.labelCountMismatch(predicted: probability.count, truth: truth.count)
        }
        // Mistakes grouped by true class, then predicted class, in dataset order.
        var groups = [Int: [Int: [Int]]]()
        for (index, (t, p)) in zip(truth, predicted).enumerated() where t != p {
            groups[t, default: [:]][p, default: []].append(index)
        }
        func sure(_ index: Int) -> Double { probability.isEmpty ? 0 : probability[index] }
        func known(_ index: Int) -> Double? { probability.isEmpty ? nil : probability[index] }
        return groups.keys.sorted().map { t in
            let byPredicted = groups[t] ?? [:]
            let pairs = byPredicted.map { (predicted: $0.key, count: $0.value.count) }
                .sorted { ($1.count, $0.predicted) < ($0.count, $1.predicted) }
            let mistakes = pairs.reduce(0) { $0 + $1.count }
            let quota = share(max(0, perRow), among: pairs.map(\.count))
            var chosen = [Sample]()
            for (pair, slots) in zip(pairs, quota) where slots > 0 {
                let indices = (byPredicted[pair.predicted] ?? []).sorted { a, b in
                    sure(a) != sure(b) ? sure(a) > sure(b) : a < b
                }
                chosen += indices.prefix(slots).map {
                    Sample(index: $0, predicted: pair.predicted, probability: known($0))
                }
            }
            return Row(truth: t, mistakes: mistakes, byPredicted: pairs, shown: chosen)
        }
    }

    /// `slots` shared among groups of `counts` (most frequent first) in proportion to the counts,
    /// by largest remainders; every group gets all its members when they fit.
    static func share(_ slots: Int, among counts: [Int]) -> [Int] {
        let total = counts.reduce(0, +)
        guard total > slots else { return counts }
        var quota = counts.map { slots * $0 / total }
        let left = slots - quota.reduce(0, +)
        // Remainders, in units of 1 / total, largest first; ties keep frequency order.
        let remainder = counts.map { slots * $0 % total }
        let order = counts.indices.sorted { (remainder[$1], $0) < (remainder[$0], $1) }
        for i in order.prefix(left) { quota[i] += 1 }
        return quota
    }

    /// The probability as a caption shows it: "p=0.87", with a third decimal above 0.99 ("p=0.998")
    /// so that near-certain mistakes do not all read as 1.00.
    public static func probabilityText(_ probability: Double) -> String {
        let decimals = probability > 0.99 && probability < 1 ? 3 : 2
        return "p=" + String(format: "%.\(decimals)f", probability)
    }

    /// The caption under a mistake: "Shirt→T-shirt/top" and "p=0.87" when the names fit on one
    /// line of `width` pixels at `scale`, else the true name, "→predicted" and "p=0.87" on three
    /// (no "p=" line when the probability is unknown).
    public static func caption(
        truth: Int, sample: Sample, classNames: [String], width: Int = .max, scale: Int = 1
    ) -> GridCaption {
        func name(_ c: Int) -> String { c < classNames.count ? classNames[c] : String(c) }
        let trueName = name(truth)
        let predictedName = name(sample.predicted)
        let probability = sample.probability.map { [GridText(probabilityText($0), color: probabilityColor)] } ?? []
        let oneLine = GridText([(trueName, trueColor), ("→", arrowColor), (predictedName, predictedColor)])
        if BitmapFont.width(of: oneLine.text, scale: scale) <= width {
            return GridCaption(lines: [oneLine] + probability)
        }
        return GridCaption(
            lines: [
                GridText(trueName, color: trueColor), GridText([("→", arrowColor), (predictedName, predictedColor)]),
            ] + probability)
    }

    /// The title above a row: "Shirt: 346 mistakes, 133 as T-shirt/top, 102 as Pullover, …".
    public static func title(_ row: Row, classNames: [String]) -> GridText {
        func name(_ c: Int) -> String { c < classNames.count ? classNames[c] : String(c) }
        let counts = row.byPredicted.map { "\($0.count) as \(name($0.predicted))" }.joined(separator: ", ")
        return GridText([
            (name(row.truth), trueColor),
            (": \(row.mistakes) mistake\(row.mistakes == 1 ? "" : "s"), " + counts, probabilityColor),
        ])
    }

    /// A scale that makes a cell about 96 pixels on its longer side, room for a 16-character
    /// caption line (28x28 -> 4, 32x32 -> 3, 8x8 -> 12).
    public static func defaultScale(for dataset: ImageDataset) -> Int {
        let side = max(1, dataset.height, dataset.width)
        return max(1, (96 + side - 1) / side)
    }

    /// Draws `rows` of `dataset`'s images (stretched to full brightness as `SampleGrid` does) with
    /// their titles and captions. An empty selection draws a single empty cell.
    public static func render(
        _ dataset: ImageDataset, rows: [Row], classNames: [String]? = nil, scale: Int? = nil, gap: Int = 4
    ) -> PNGImage {
        let scale = scale ?? defaultScale(for: dataset)
        let names = classNames ?? dataset.classNames
        let cellWidth = dataset.width * scale
        return SampleGrid.render(
            dataset, rows: rows.map { $0.shown.map(\.index) }, scale: scale, gap: gap,
            captions: rows.map { row in
                row.shown.map { caption(truth: row.truth, sample: $0, classNames: names, width: cellWidth) }
            },
            titles: rows.map { title($0, classNames: names) })
    }

    /// One line per row for a terminal: "row 1: true 0 T-shirt/top (143 mistakes, 12 shown): 6 Shirt
    /// ×80, 2 Pullover ×31, …", the predicted classes most frequent first, cut to about `width`
    /// characters. The class names are shown as `InputText.shown` shows them.
    public static func legend(_ rows: [Row], classNames: [String], width: Int = 118) -> [String] {
        func name(_ c: Int) -> String {
            let n = c < classNames.count ? InputText.shown(classNames[c]) : String(c)
            return n == String(c) ? n : "\(c) \(n)"
        }
        return rows.enumerated().map { number, row in
            var line =
                "row \(number + 1): true \(name(row.truth)) (\(row.mistakes) mistake\(row.mistakes == 1 ? "" : "s"), \(row.shown.count) shown): "
            let parts = row.byPredicted.map { "\(name($0.predicted)) ×\($0.count)" }
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

    /// The shown images as CSV: grid position, dataset index, true and predicted class, and the
    /// probability of the predicted class (6 decimals; empty when unknown).
    public static func csv(_ rows: [Row], classNames: [String]) -> String {
        func name(_ c: Int) -> String { c < classNames.count ? classNames[c] : String(c) }
        var lines = ["row,column,index,true,true_name,predicted,predicted_name,probability"]
        for (r, row) in rows.enumerated() {
            for (c, sample) in row.shown.enumerated() {
                lines.append(
                    "\(r + 1),\(c + 1),\(sample.index),\(row.truth),\(csvField(name(row.truth))),\(sample.predicted),"
                        + csvField(name(sample.predicted)) + ","
                        + (sample.probability.map { String(format: "%.6f", $0) } ?? ""))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
