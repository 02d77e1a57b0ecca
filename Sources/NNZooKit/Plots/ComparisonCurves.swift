/// The validation curves of several runs overlaid (`nnzoo compare --svg`): a validation-loss and a
/// validation-accuracy panel side by side, one colour per run (matplotlib's ten "tab10" colours,
/// dashed from the eleventh run on), a legend naming the runs. A run without a validation split is
/// drawn with its training figures and says so in the legend. Self-contained like `TrainingCurves`.
public enum ComparisonCurves {
    static let palette = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    ]

    public static func svg(runs: [(name: String, records: [EpochRecord])], title: String) -> String {
        let width = TrainingCurves.width
        var entries: [TrainingCurves.LegendEntry] = []
        var loss: [TrainingCurves.Series] = []
        var accuracy: [TrainingCurves.Series] = []
        for (n, run) in runs.enumerated() {
            let records = run.records.sorted { $0.epoch < $1.epoch }
            let validated = records.contains { $0.validationAccuracy != nil || $0.validationLoss != nil }
            let color = palette[n % palette.count]
            let dash = n >= palette.count ? "6 4" : nil
            let name = validated ? run.name : run.name + " (training figures: no validation split)"
            entries.append(TrainingCurves.LegendEntry(text: name, color: color, dash: dash))
            let css = "run-\(n + 1)"
            loss.append(
                TrainingCurves.Series(
                    name: run.name, cssClass: css + "-loss", color: color, dash: dash,
                    points: records.map { ($0.epoch, validated ? $0.validationLoss : $0.trainLoss) }))
            accuracy.append(
                TrainingCurves.Series(
                    name: run.name, cssClass: css + "-accuracy", color: color, dash: dash,
                    points: records.map {
                        ($0.epoch, (validated ? $0.validationAccuracy : $0.trainAccuracy).map { $0 * 100 })
                    }))
        }
        let legend = TrainingCurves.legend(entries)
        // The panels start under the legend's last row.
        let shift = Double(max(0, legend.rows - 1)) * 18
        let height = 440 + shift
        let epochs = runs.flatMap { $0.records.map(\.epoch) }
        let span = epochs.min().map { ($0, epochs.max() ?? $0) }
        func frame(_ index: Int) -> TrainingCurves.Frame {
            let base = TrainingCurves.frame(panel: index)
            return TrainingCurves.Frame(
                left: base.left, right: base.right, top: base.top + shift, bottom: base.bottom + shift)
        }
        let format = TrainingCurves.format
        var svg = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(format(width))" height="\(format(height))" \
            viewBox="0 0 \(format(width)) \(format(height))" font-family="sans-serif" font-size="12">
            <rect x="0" y="0" width="\(format(width))" height="\(format(height))" fill="#ffffff"/>
            <text x="\(format(width / 2))" y="28" text-anchor="middle" font-size="16" font-weight="bold">\
            \(TrainingCurves.escape(title))</text>

            """
        svg += legend.svg
        let none = TrainingCurves.LineMarks(best: nil, resumes: [])
        svg += TrainingCurves.panel(
            0, heading: "Validation loss", axisLabel: "loss", series: loss, epochs: span, limits: nil, marks: none,
            frame: frame(0), id: "loss")
        svg += TrainingCurves.panel(
            1, heading: "Validation accuracy (%)", axisLabel: "accuracy (%)", series: accuracy, epochs: span,
            limits: 0...100, marks: none, frame: frame(1), id: "accuracy")
        return svg + "</svg>\n"
    }
}
