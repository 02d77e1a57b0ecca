import Foundation

/// The training-curves plot of a run: a self-contained SVG (no fonts, scripts or links to other
/// files) with two panels side by side, loss and accuracy per epoch, each with the training
/// series (solid blue) and the validation series (dashed orange) when the run has one.
///
/// Non-finite values (a diverged loss) are not drawn: the line breaks there and a note under the
/// panel says which epochs were left out. Accuracies are fractions in `EpochRecord` and are shown
/// in percent.
public enum TrainingCurves {
    public static let width = 960.0
    public static let height = 440.0

    /// Where a panel's plot area sits, in SVG user units (pixels).
    struct Frame {
        let left: Double
        let right: Double
        let top: Double
        let bottom: Double
    }

    /// The plot area of panel `index` (0: loss, 1: accuracy).
    static func frame(panel index: Int) -> Frame {
        let x0 = Double(index) * width / 2
        return Frame(left: x0 + 76, right: x0 + width / 2 - 24, top: 92, bottom: 352)
    }

    struct Series {
        let name: String
        let cssClass: String
        let color: String
        let dash: String?
        /// (epoch, value) in epoch order; nil where the record has no value.
        let points: [(epoch: Int, value: Double?)]
    }

    static let trainColor = "#1f77b4"
    static let validationColor = "#e6711b"

    public static func svg(records: [EpochRecord], title: String) -> String {
        let records = records.sorted { $0.epoch < $1.epoch }
        let hasValidation = records.contains { $0.validationLoss != nil || $0.validationAccuracy != nil }
        func series(_ kind: String, _ train: (EpochRecord) -> Double, _ validation: (EpochRecord) -> Double?)
            -> [Series]
        {
            var list = [
                Series(
                    name: "train", cssClass: "train-\(kind)", color: trainColor, dash: nil,
                    points: records.map { ($0.epoch, train($0)) })
            ]
            if hasValidation {
                list.append(
                    Series(
                        name: "validation", cssClass: "validation-\(kind)", color: validationColor, dash: "6 4",
                        points: records.map { ($0.epoch, validation($0)) }))
            }
            return list
        }
        let loss = series("loss", \.trainLoss, \.validationLoss)
        let accuracy = series("accuracy", { $0.trainAccuracy * 100 }, { $0.validationAccuracy.map { $0 * 100 } })

        var svg = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(format(width))" height="\(format(height))" \
            viewBox="0 0 \(format(width)) \(format(height))" font-family="sans-serif" font-size="12">
            <rect x="0" y="0" width="\(format(width))" height="\(format(height))" fill="#ffffff"/>
            <text x="\(format(width / 2))" y="28" text-anchor="middle" font-size="16" font-weight="bold">\
            \(escape(title))</text>

            """
        svg += legend(hasValidation: hasValidation)
        let epochs = records.isEmpty ? nil : (records[0].epoch, records[records.count - 1].epoch)
        svg += panel(0, heading: "Loss", axisLabel: "loss", series: loss, epochs: epochs, limits: nil)
        svg += panel(
            1, heading: "Accuracy (%)", axisLabel: "accuracy (%)", series: accuracy, epochs: epochs, limits: 0...100)
        svg += "</svg>\n"
        return svg
    }

    private static func legend(hasValidation: Bool) -> String {
        let entries: [(String, String, String?)] =
            [("train", trainColor, nil)] + (hasValidation ? [("validation", validationColor, "6 4")] : [])
        // About 7 pixels per character at 12 px sans-serif; a 28 pixel line sample and gaps.
        let widths = entries.map { 28 + 6 + Double($0.0.count) * 7 }
        var x = width / 2 - (widths.reduce(0, +) + 24 * Double(entries.count - 1)) / 2
        var out = "<g class=\"legend\">\n"
        for (entry, entryWidth) in zip(entries, widths) {
            let dash = entry.2.map { " stroke-dasharray=\"\($0)\"" } ?? ""
            out += """
                <line x1="\(format(x))" y1="50" x2="\(format(x + 28))" y2="50" stroke="\(entry.1)" \
                stroke-width="2.5"\(dash)/>
                <text x="\(format(x + 34))" y="54">\(entry.0)</text>

                """
            x += entryWidth + 24
        }
        return out + "</g>\n"
    }

    private static func panel(
        _ index: Int, heading: String, axisLabel: String, series: [Series], epochs: (Int, Int)?,
        limits: ClosedRange<Double>?
    ) -> String {
        let frame = frame(panel: index)
        let finite = series.flatMap { $0.points.compactMap(\.value) }.filter(\.isFinite)
        let yTicks = AxisTicks.covering(finite.min() ?? 0, finite.max() ?? 1, limits: limits)
        let xTicks = AxisTicks.epochs(epochs?.0 ?? 1, epochs?.1 ?? 1)
        func x(_ epoch: Double) -> Double {
            frame.left + (epoch - xTicks.lower) / (xTicks.upper - xTicks.lower) * (frame.right - frame.left)
        }
        func y(_ value: Double) -> Double {
            frame.bottom - (value - yTicks.lower) / (yTicks.upper - yTicks.lower) * (frame.bottom - frame.top)
        }
        let middle = (frame.left + frame.right) / 2
        var out = """
            <g class="panel" id="\(axisLabel == "loss" ? "loss" : "accuracy")-panel">
            <text x="\(format(middle))" y="80" text-anchor="middle" font-size="14" font-weight="bold">\(heading)</text>

            """
        // Grid lines and tick labels.
        for value in yTicks.values {
            let py = format(y(value))
            out += """
                <line x1="\(format(frame.left))" y1="\(py)" x2="\(format(frame.right))" y2="\(py)" stroke="#e4e4e4"/>
                <text x="\(format(frame.left - 6))" y="\(format(y(value) + 4))" text-anchor="end">\
                \(yTicks.label(value))</text>

                """
        }
        if epochs != nil {
            for value in xTicks.values {
                let px = format(x(value))
                out += """
                    <line x1="\(px)" y1="\(format(frame.bottom))" x2="\(px)" y2="\(format(frame.bottom + 5))" \
                    stroke="#333333"/>
                    <text x="\(px)" y="\(format(frame.bottom + 19))" text-anchor="middle">\(Int(value))</text>

                    """
            }
        }
        // Axes.
        out += """
            <polyline class="axes" points="\(format(frame.left)),\(format(frame.top)) \(format(frame.left)),\
            \(format(frame.bottom)) \(format(frame.right)),\(format(frame.bottom))" fill="none" stroke="#333333"/>
            <text x="\(format(middle))" y="\(format(frame.bottom + 40))" text-anchor="middle">epoch</text>
            <text x="\(format(frame.left - 58))" y="\(format((frame.top + frame.bottom) / 2))" text-anchor="middle" \
            transform="rotate(-90 \(format(frame.left - 58)) \(format((frame.top + frame.bottom) / 2)))">\
            \(axisLabel)</text>

            """
        if epochs == nil {
            out += """
                <text x="\(format(middle))" y="\(format((frame.top + frame.bottom) / 2))" text-anchor="middle" \
                fill="#777777">no epochs recorded</text>

                """
        }
        // The series: one polyline per run of finite values, a marker per point (with a tooltip)
        // when there are few enough points to tell apart.
        var notes = [String]()
        for line in series {
            let dash = line.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
            var segment = [String]()
            func flush() {
                if segment.count > 1 {
                    out += """
                        <polyline class="\(line.cssClass)" points="\(segment.joined(separator: " "))" fill="none" \
                        stroke="\(line.color)" stroke-width="2"\(dash)/>

                        """
                }
                segment = []
            }
            var skipped = [String]()
            for point in line.points {
                guard let value = point.value else {
                    flush()
                    continue
                }
                guard value.isFinite else {
                    flush()
                    skipped.append("\(point.epoch) (\(value.isNaN ? "NaN" : value > 0 ? "+inf" : "-inf"))")
                    continue
                }
                segment.append("\(format(x(Double(point.epoch)))),\(format(y(value)))")
            }
            flush()
            if line.points.count <= 60 {
                for point in line.points {
                    guard let value = point.value, value.isFinite else { continue }
                    out += """
                        <circle class="\(line.cssClass)" cx="\(format(x(Double(point.epoch))))" \
                        cy="\(format(y(value)))" r="3" fill="\(line.color)"><title>epoch \(point.epoch): \
                        \(line.name) \(axisLabel) \(String(format: "%.4g", value))</title></circle>

                        """
                }
            }
            if !skipped.isEmpty {
                let shown = skipped.prefix(4).joined(separator: ", ") + (skipped.count > 4 ? ", …" : "")
                notes.append("\(line.name) \(axisLabel) not drawn at epoch \(shown)")
            }
        }
        for (n, note) in notes.enumerated() {
            out += """
                <text class="note" x="\(format(frame.left))" y="\(format(frame.bottom + 60 + Double(n) * 15))" \
                fill="#b22222">\(escape(note))</text>

                """
        }
        return out + "</g>\n"
    }

    /// One decimal place is a tenth of a pixel: plenty, and it keeps the file small.
    static func format(_ value: Double) -> String {
        let text = String(format: "%.1f", value)
        return text == "-0.0" ? "0.0" : text
    }

    /// Text made safe inside an XML element or attribute.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            // XML 1.0 allows no other control characters, not even escaped.
            case _ where character.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }: out += " "
            default: out.append(character)
            }
        }
        return out
    }
}
