import Foundation
import NNCore
import NNData

/// What `nnzoo inspect` found, printed as text for people or as JSON (`--json`) for programs.
struct InspectReport: Encodable {
    struct ClassCount: Encodable {
        let label: Int
        let name: String
        let count: Int
    }

    struct Channel: Encodable {
        let name: String
        let min: Int
        let max: Int
        /// On the raw scale (0...maxValue).
        let mean: Double
        let std: Double
        /// After dividing by maxValue: the normalisation constants.
        let normalisedMean: Double
        let normalisedStd: Double
    }

    /// One feature of a feature set (a table's column, a point's coordinate).
    struct Feature: Encodable {
        let name: String
        let min: Double
        let max: Double
        let mean: Double
        /// Population standard deviation, as standardisation uses.
        let std: Double
    }

    /// A scatter plot of a feature set's points.
    struct Plot: Encodable {
        let path: String
        let width: Int
        let height: Int
        let points: Int
        /// What the discs and the rings are.
        let legend: String
    }

    /// Summary of a non-image IDX array: the figures are of its finite elements (null when there
    /// are none); NaN and infinities are counted apart, since JSON has no number for them (a float
    /// IDX holding one made `inspect --json` fail with an EncodingError).
    struct Values: Encodable, Equatable {
        var min: Double?
        var max: Double?
        var mean: Double?
        var std: Double?
        var nan = 0
        var positiveInfinity = 0
        var negativeInfinity = 0

        func encode(to encoder: Encoder) throws {
            enum Key: String, CodingKey { case min, max, mean, std, nan, positiveInfinity, negativeInfinity }
            var c = encoder.container(keyedBy: Key.self)
            // Written as null, not left out, so every report has the same fields.
            try c.encode(min, forKey: .min)
            try c.encode(max, forKey: .max)
            try c.encode(mean, forKey: .mean)
            try c.encode(std, forKey: .std)
            try c.encode(nan, forKey: .nan)
            try c.encode(positiveInfinity, forKey: .positiveInfinity)
            try c.encode(negativeInfinity, forKey: .negativeInfinity)
        }

        /// "min 1, max 2, mean 1.5, std 0.5; 1 NaN, 1 +inf (not in the figures)".
        var text: String {
            var parts: [String] = []
            if let min, let max { parts.append(String(format: "min %g, max %g", min, max)) }
            if let mean { parts.append(String(format: "mean %.6g", mean)) }
            if let std { parts.append(String(format: "std %.6g", std)) }
            var figures = parts.isEmpty ? "no finite values" : parts.joined(separator: ", ")
            let odd = [(nan, "NaN"), (positiveInfinity, "+inf"), (negativeInfinity, "-inf")].filter { $0.0 > 0 }
            if !odd.isEmpty {
                figures += "; " + odd.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
                figures += parts.isEmpty ? "" : " (not in the figures)"
            }
            return figures
        }
    }

    struct FileCheck: Encodable {
        let path: String
        let role: String
        /// Installed by the operating system (read-only), not in the data directory.
        let systemCopy: Bool
        let decodedSize: Int?
        let sha256: String?
        /// matches, mismatch, archive-matches, size-matches, unverifiable
        let status: String
        let expectedSHA256: String?
        let note: String
    }

    struct Samples: Encodable {
        struct Row: Encodable {
            let label: Int
            let className: String
            let indices: [Int]
        }
        let path: String
        let count: Int
        let scale: Int
        let gap: Int
        let width: Int
        let height: Int
        let rows: [Row]
    }

    var dataset: String?
    var title: String?
    var split: String?
    var file: String?
    var kind: String
    var count: Int
    /// Shape of one example (channels, height, width) for images; the whole shape for IDX arrays.
    var shape: [Int]
    var elementType: String
    var maxValue: Int?
    var classes: [ClassCount]?
    var channels: [Channel]?
    var features: [Feature]?
    var values: Values?
    var splitCounts: [String: Int]?
    /// The registry's count for the split, when known.
    var expectedCount: Int?
    var files: [FileCheck] = []
    var samples: Samples?
    var plot: Plot?

    init(kind: String, count: Int, shape: [Int], elementType: String) {
        self.kind = kind
        self.count = count
        self.shape = shape
        self.elementType = elementType
    }

    /// Fills the class histogram and pixel statistics of an image set.
    mutating func describe(_ dataset: ImageDataset, channelNames: [String]) {
        let stats = DatasetStatistics(dataset)
        maxValue = Int(dataset.maxValue)
        classes = stats.classCounts.enumerated().map { label, count in
            ClassCount(
                label: label, name: label < dataset.classNames.count ? dataset.classNames[label] : "\(label)",
                count: count)
        }
        channels = stats.channels.enumerated().map { c, channel in
            Channel(
                name: c < channelNames.count ? channelNames[c] : "channel \(c)", min: Int(channel.min),
                max: Int(channel.max), mean: channel.mean, std: channel.std, normalisedMean: stats.normalisedMean(c),
                normalisedStd: stats.normalisedStd(c))
        }
    }

    /// Fills the class histogram and per-feature statistics of a feature set.
    mutating func describeFeatures(_ dataset: ImageDataset, names: [String]) {
        var counts = [Int](repeating: 0, count: max(dataset.classNames.count, Int(dataset.labels.max() ?? 0) + 1))
        for label in dataset.labels { counts[Int(label)] += 1 }
        classes = counts.enumerated().map { label, count in
            ClassCount(
                label: label, name: label < dataset.classNames.count ? dataset.classNames[label] : "\(label)",
                count: count)
        }
        let width = dataset.imageSize
        let n = Double(max(1, dataset.count))
        features = (0..<width).map { j in
            var low = Double.infinity
            var high = -Double.infinity
            var sum = 0.0
            for i in 0..<dataset.count {
                let v = Double(dataset.features[i * width + j])
                low = min(low, v)
                high = max(high, v)
                sum += v
            }
            let mean = sum / n
            var squares = 0.0
            for i in 0..<dataset.count {
                let d = Double(dataset.features[i * width + j]) - mean
                squares += d * d
            }
            return Feature(
                name: j < names.count ? names[j] : "x\(j)", min: dataset.count > 0 ? low : 0,
                max: dataset.count > 0 ? high : 0, mean: mean, std: (squares / n).squareRoot())
        }
    }

    func json() throws -> String {
        try JSONText.pretty(self)
    }

    /// The report for a person: aligned fields, a bar per class. Class and feature names are the
    /// dataset's (folder names, a table's labels and header): shown as `InputText.shown` shows them.
    func text() -> String {
        var lines = [String]()
        func field(_ name: String, _ value: String) {
            lines.append(name.padding(toLength: 11, withPad: " ", startingAt: 0) + value)
        }
        if let dataset {
            lines.append("\(dataset): \(title ?? dataset), \(split ?? "train") split")
        } else if let file {
            lines.append("\(file): \(kind)")
        }
        if let expectedCount, expectedCount != count {
            field("count", "\(count) (the published \(split ?? "") split has \(expectedCount): this copy differs)")
        } else {
            let splits = (splitCounts ?? [:]).sorted { $0.key > $1.key }.map { "\($0.key) \($0.value)" }
            field("count", "\(count)" + (splits.isEmpty ? "" : " (" + splits.joined(separator: ", ") + ")"))
        }
        let shapeText = shape.map(String.init).joined(separator: " x ")
        if let features {
            field(
                "shape",
                "\(shapeText) (\(features.count) feature\(features.count == 1 ? "" : "s") per example), \(elementType) values"
            )
        } else if channels != nil {
            let range = maxValue.map { " 0...\($0)" } ?? ""
            field("shape", "\(shapeText) (channels x height x width), \(elementType) pixels\(range)")
        } else {
            field("shape", "\(shapeText), \(elementType) elements")
        }
        if let classes {
            field("classes", "\(classes.count)")
            // Names that only repeat the label (MNIST's "0"..."9") are not printed twice.
            let named = classes.contains { $0.name != String($0.label) }
            let names = classes.map { InputText.shown($0.name) }
            let widest = named ? names.map(\.count).max() ?? 0 : 0
            let most = max(1, classes.map(\.count).max() ?? 1)
            let total = max(1, classes.reduce(0) { $0 + $1.count })
            for (item, shown) in zip(classes, names) {
                let name = named ? "  " + shown.padding(toLength: widest, withPad: " ", startingAt: 0) : ""
                let label = String(item.label).leftPadded(to: 4) + name
                let bar = Self.bar(Double(item.count) / Double(most), width: 32)
                let percent = String(format: "%5.1f%%", 100 * Double(item.count) / Double(total))
                lines.append("  \(label)  \(String(item.count).leftPadded(to: 6))  \(bar)  \(percent)")
            }
        }
        if let channels, let maxValue {
            let low = channels.map(\.min).min() ?? 0
            let high = channels.map(\.max).max() ?? 0
            field("pixels", "min \(low), max \(high)")
            lines.append("  channel    mean      std       mean/\(maxValue)   std/\(maxValue)")
            for c in channels {
                lines.append(
                    "  " + c.name.padding(toLength: 9, withPad: " ", startingAt: 0)
                        + String(format: "%8.3f  %8.3f  %9.5f  %9.5f", c.mean, c.std, c.normalisedMean, c.normalisedStd)
                )
            }
            let means = channels.map { String(format: "%.5f", $0.normalisedMean) }.joined(separator: ", ")
            let stds = channels.map { String(format: "%.5f", $0.normalisedStd) }.joined(separator: ", ")
            field("normalise", "mean [\(means)], std [\(stds)] (after dividing by \(maxValue))")
        }
        if let features {
            let names = features.map { InputText.shown($0.name) }
            let widest = max(7, names.map(\.count).max() ?? 0)
            field("features", "min, max, mean and std of each (training standardises each with the training split's)")
            for (f, name) in zip(features, names) {
                lines.append(
                    "  " + name.padding(toLength: widest, withPad: " ", startingAt: 0)
                        + String(format: "  %10.4g  %10.4g  %10.4g  %10.4g", f.min, f.max, f.mean, f.std))
            }
        }
        if let values { field("values", values.text) }
        for (i, check) in files.enumerated() {
            let name = (check.path as NSString).lastPathComponent
            let copy =
                check.systemCopy
                ? (check.path.hasPrefix(DigitsCSV.shippedFolder + "/")
                    ? " (the copy shipped with nnzoo)" : " (system copy, read-only)") : ""
            field(i == 0 ? "files" : "", "\(check.path)\(copy)")
            lines.append(String(repeating: " ", count: 13) + "\(name): \(check.note)")
        }
        if let plot {
            field(
                "plot", "wrote \(plot.path): \(plot.points) points, \(plot.legend), \(plot.width)x\(plot.height) pixels"
            )
        }
        if let samples {
            let rowNames = samples.rows.map { InputText.shown($0.className) }.joined(separator: ", ")
            field(
                "samples",
                "wrote \(samples.path): \(samples.count) images, \(samples.rows.count) rows (one per class: \(rowNames)), \(samples.width)x\(samples.height) pixels, scale \(samples.scale)"
            )
        }
        return lines.joined(separator: "\n")
    }

    /// A horizontal bar `fraction` of `width` characters long, in eighths of a character.
    static func bar(_ fraction: Double, width: Int) -> String {
        let eighths = Int((max(0, min(1, fraction)) * Double(width * 8)).rounded())
        let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        let text = String(repeating: "█", count: eighths / 8) + partial[eighths % 8]
        return text + String(repeating: " ", count: width - eighths / 8 - (eighths % 8 > 0 ? 1 : 0))
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
