import Foundation

/// What the training-curves plot marks besides the series: the epoch `checkpoint-best` holds and,
/// once the run has finished, that checkpoint's accuracy on the test split (a fraction).
public struct CurveMarks: Equatable, Sendable {
    public var bestEpoch: Int?
    public var testAccuracy: Double?

    public init(bestEpoch: Int? = nil, testAccuracy: Double? = nil) {
        self.bestEpoch = bestEpoch
        self.testAccuracy = testAccuracy
    }
}

/// The training-curves plot of a run: a self-contained SVG (no fonts, scripts or links to other
/// files) with two panels side by side, loss and accuracy per epoch, each with the training
/// series (solid blue) and the validation series (dashed orange) when the run has one, and under
/// them a panel of the learning rate per epoch (TensorBoard's and Keras' usual curves).
///
/// Marks: a dashed green line at the best epoch (the one `checkpoint-best` holds) across the loss and
/// accuracy panels; a red diamond at that epoch on the accuracy panel with `checkpoint-best`'s test
/// accuracy, once known; a dotted gray line on every panel where the run was resumed after a stop (at
/// the fraction of the epoch it had trained, from `EpochRecord.resumedAt`).
///
/// Non-finite values (a diverged loss) are not drawn: the line breaks there and a note under the
/// panel says which epochs were left out. Accuracies are fractions in `EpochRecord` and are shown
/// in percent.
public enum TrainingCurves {
    public static let width = 960.0
    public static let height = 640.0

    /// Where a panel's plot area sits, in SVG user units (pixels).
    struct Frame {
        let left: Double
        let right: Double
        let top: Double
        let bottom: Double
    }

    /// The plot area of panel `index` (0: loss, 1: accuracy, 2: learning rate, the full width
    /// under the other two).
    static func frame(panel index: Int) -> Frame {
        if index == 2 { return Frame(left: 76, right: width - 24, top: 466, bottom: 566) }
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
    static let learningRateColor = "#7b4fa0"
    static let bestColor = "#2ca02c"
    static let testColor = "#d62728"
    static let resumeColor = "#888888"

    /// Where the run was resumed, in epoch units on the x axis (epoch n's point is at n, so a resume
    /// after 412 of 844 batches of epoch 3 is at 2.49).
    static func resumePositions(_ records: [EpochRecord]) -> [Double] {
        records.flatMap { record in (record.resumedAt ?? []).map { Double(record.epoch - 1) + $0 } }
    }

    public static func svg(records: [EpochRecord], title: String, marks: CurveMarks = CurveMarks()) -> String {
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
        let epochs = records.isEmpty ? nil : (records[0].epoch, records[records.count - 1].epoch)
        // A mark only where it falls on the plotted epochs.
        let inRange = { (epoch: Int) in epochs.map { epoch >= $0.0 && epoch <= $0.1 } ?? false }
        let best = marks.bestEpoch.flatMap { inRange($0) ? $0 : nil }
        let test = best.flatMap { epoch in marks.testAccuracy.flatMap { $0.isFinite ? (epoch, $0 * 100) : nil } }
        let resumes = resumePositions(records).filter { position in
            epochs.map { position >= Double($0.0) - 1 && position <= Double($0.1) } ?? false
        }
        svg += legend(hasValidation: hasValidation, best: best != nil, test: test != nil, resumed: !resumes.isEmpty)
        let lineMarks = LineMarks(best: best, resumes: resumes)
        svg += panel(0, heading: "Loss", axisLabel: "loss", series: loss, epochs: epochs, limits: nil, marks: lineMarks)
        svg += panel(
            1, heading: "Accuracy (%)", axisLabel: "accuracy (%)", series: accuracy, epochs: epochs, limits: 0...100,
            marks: lineMarks, test: test)
        let learningRate = [
            Series(
                name: "learning rate", cssClass: "learning-rate", color: learningRateColor, dash: nil,
                points: records.map { ($0.epoch, $0.learningRate) })
        ]
        svg += panel(
            2, heading: "Learning rate", axisLabel: "learning rate", series: learningRate, epochs: epochs,
            limits: nil, marks: LineMarks(best: nil, resumes: resumes), fromZero: true)
        svg += "</svg>\n"
        return svg
    }

    /// Vertical marks drawn across a panel.
    struct LineMarks {
        let best: Int?
        let resumes: [Double]
    }

    /// One entry of a legend: a line sample (dashed if `dash`) or a diamond, and its text.
    struct LegendEntry {
        let text: String
        let color: String
        var dash: String? = nil
        var diamond = false
    }

    private static func legend(hasValidation: Bool, best: Bool, test: Bool, resumed: Bool) -> String {
        var entries = [LegendEntry(text: "train", color: trainColor)]
        if hasValidation { entries.append(LegendEntry(text: "validation", color: validationColor, dash: "6 4")) }
        if best { entries.append(LegendEntry(text: "best epoch", color: bestColor, dash: "4 3")) }
        if test {
            entries.append(LegendEntry(text: "test accuracy of checkpoint-best", color: testColor, diamond: true))
        }
        if resumed { entries.append(LegendEntry(text: "resumed", color: resumeColor, dash: "2 3")) }
        return legend(entries).svg
    }

    /// The legend: entries side by side in rows centred across the picture, the first row's line
    /// samples at `top`, rows 18 pixels apart, as many rows as the entries need; returns the SVG
    /// and the number of rows.
    static func legend(_ entries: [LegendEntry], top: Double = 50) -> (svg: String, rows: Int) {
        // About 6.5 pixels per character at 12 px sans-serif; a 28 pixel line sample and gaps.
        let widths = entries.map { 28 + 6 + Double($0.text.count) * 6.5 }
        var rows: [[Int]] = []
        var used = 0.0
        for (n, entryWidth) in widths.enumerated() {
            if rows.isEmpty || used + 24 + entryWidth > width - 40 {
                rows.append([n])
                used = entryWidth
            } else {
                rows[rows.count - 1].append(n)
                used += 24 + entryWidth
            }
        }
        var out = "<g class=\"legend\">\n"
        for (r, row) in rows.enumerated() {
            let y = top + Double(r) * 18
            var x = width / 2 - (row.map { widths[$0] }.reduce(0, +) + 24 * Double(row.count - 1)) / 2
            for n in row {
                let entry = entries[n]
                let dash = entry.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
                if entry.diamond {
                    out += "<path d=\"\(diamond(x + 14, y))\" fill=\"\(entry.color)\"/>\n"
                } else {
                    out += """
                        <line x1="\(format(x))" y1="\(format(y))" x2="\(format(x + 28))" y2="\(format(y))" \
                        stroke="\(entry.color)" stroke-width="2.5"\(dash)/>

                        """
                }
                out += "<text x=\"\(format(x + 34))\" y=\"\(format(y + 4))\">\(escape(entry.text))</text>\n"
                x += widths[n] + 24
            }
        }
        return (out + "</g>\n", rows.count)
    }

    /// A white outline under a label's letters, so that it stays readable where it crosses a curve.
    static let halo = " stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\""

    /// A diamond 12 pixels across centred on (x, y), as path data.
    static func diamond(_ x: Double, _ y: Double) -> String {
        "M\(format(x)),\(format(y - 6)) L\(format(x + 6)),\(format(y)) L\(format(x)),\(format(y + 6)) "
            + "L\(format(x - 6)),\(format(y)) Z"
    }

    static func panel(
        _ index: Int, heading: String, axisLabel: String, series: [Series], epochs: (Int, Int)?,
        limits: ClosedRange<Double>?, marks: LineMarks, test: (epoch: Int, percent: Double)? = nil,
        fromZero: Bool = false, frame placed: Frame? = nil, id: String? = nil
    ) -> String {
        let frame = placed ?? frame(panel: index)
        var finite = series.flatMap { $0.points.compactMap(\.value) }.filter(\.isFinite)
        if let test { finite.append(test.percent) }
        if fromZero, !finite.isEmpty { finite.append(0) }
        let yTicks = AxisTicks.covering(finite.min() ?? 0, finite.max() ?? 1, limits: limits)
        let xTicks = AxisTicks.epochs(epochs?.0 ?? 1, epochs?.1 ?? 1)
        func x(_ epoch: Double) -> Double {
            frame.left + (epoch - xTicks.lower) / (xTicks.upper - xTicks.lower) * (frame.right - frame.left)
        }
        func y(_ value: Double) -> Double {
            frame.bottom - (value - yTicks.lower) / (yTicks.upper - yTicks.lower) * (frame.bottom - frame.top)
        }
        let middle = (frame.left + frame.right) / 2
        let id = id ?? ["loss", "accuracy", "learning-rate"][index]
        var out = """
            <g class="panel" id="\(id)-panel">
            <text x="\(format(middle))" y="\(format(frame.top - 12))" text-anchor="middle" font-size="14" \
            font-weight="bold">\(heading)</text>

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
        // Vertical marks: where the run was resumed, the best epoch.
        if epochs != nil {
            for (n, position) in marks.resumes.enumerated() {
                let px = format(x(position))
                out += """
                    <line class="resumed" x1="\(px)" y1="\(format(frame.top))" x2="\(px)" y2="\(format(frame.bottom))" \
                    stroke="\(resumeColor)" stroke-width="1.5" stroke-dasharray="2 3"><title>resumed at epoch \
                    \(String(format: "%.2f", position))</title></line>

                    """
                if index == 0 && n == 0 {
                    out += """
                        <text class="resumed" x="\(format(x(position) + 3))" y="\(format(frame.top + 12))" \
                        fill="\(resumeColor)" font-size="11"\(halo)>resumed</text>

                        """
                }
            }
            if let best = marks.best {
                let px = format(x(Double(best)))
                out += """
                    <line class="best-epoch" x1="\(px)" y1="\(format(frame.top))" x2="\(px)" y2="\(format(frame.bottom))" \
                    stroke="\(bestColor)" stroke-width="1.5" stroke-dasharray="4 3"><title>best epoch \(best)</title></line>

                    """
                if index == 1 {
                    let right = x(Double(best)) > middle
                    out += """
                        <text class="best-epoch" x="\(format(x(Double(best)) + (right ? -4 : 4)))" \
                        y="\(format(frame.bottom - 6))" text-anchor="\(right ? "end" : "start")" fill="\(bestColor)" \
                        font-size="11"\(halo)>best epoch \(best)</text>

                        """
                }
            }
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
        // The test accuracy of checkpoint-best: a diamond at the best epoch, labelled.
        if let test {
            let px = x(Double(test.epoch))
            let py = y(test.percent)
            let right = px > middle
            let label = String(format: "test %.1f%%", test.percent)
            out += """
                <path class="test-accuracy" d="\(diamond(px, py))" fill="\(testColor)"><title>test accuracy of \
                checkpoint-best (epoch \(test.epoch)): \(String(format: "%.2f%%", test.percent))</title></path>
                <text class="test-accuracy" x="\(format(px + (right ? -9 : 9)))" y="\(format(py + 16))" \
                text-anchor="\(right ? "end" : "start")" fill="\(testColor)" font-size="11"\(halo)>\(label)</text>

                """
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
    static func escape(_ text: String) -> String { Markup.escape(text) }
}
