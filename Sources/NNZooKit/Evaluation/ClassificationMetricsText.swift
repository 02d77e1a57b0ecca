import Foundation
import NNCore

/// Terminal rendering of `ClassificationMetrics`: a summary line, the per-class table and the
/// confusion matrix, aligned in plain text for 80 to 120 columns.
extension ClassificationMetrics {
    /// "accuracy 97.44% (877 of 900 correct), average loss 0.0812".
    public func summaryLine() -> String {
        var line = String(format: "accuracy %.2f%% (%d of %d correct)", accuracy * 100, correct, count)
        if let averageLoss {
            line += ", average loss " + Self.number(averageLoss, decimals: 4)
        }
        return line
    }

    /// One row per class (precision, recall, F1, support, predicted count) and the macro averages.
    /// Undefined values show as "n/a" (see `ClassificationMetrics`).
    public func perClassTable(nameWidth: Int = 18) -> String {
        let macroLabel = "macro avg (\(macro.classes))"
        let labels = (0..<classCount).map { label(of: $0, width: nameWidth) }
        let labelWidth = max(5, macroLabel.count, labels.map(\.count).max() ?? 0)
        let supportWidth = max(7, String(count).count)
        let predictedWidth = max(9, String(count).count)
        func score(_ value: Double?) -> String {
            pad(value.map { Self.number($0, decimals: 3) } ?? "n/a", 9)
        }
        var lines = [
            padRight("class", labelWidth) + pad("precision", 11) + pad("recall", 9) + pad("F1", 9)
                + pad("support", supportWidth + 2) + pad("predicted", predictedWidth + 2)
        ]
        for (scores, label) in zip(perClass, labels) {
            lines.append(
                padRight(label, labelWidth) + "  " + score(scores.precision) + score(scores.recall) + score(scores.f1)
                    + pad(String(scores.support), supportWidth + 2) + pad(String(scores.predicted), predictedWidth + 2))
        }
        lines.append(
            padRight(macroLabel, labelWidth) + "  " + score(macro.precision) + score(macro.recall) + score(macro.f1)
                + pad(String(count), supportWidth + 2))
        return lines.joined(separator: "\n")
    }

    /// The confusion matrix with class labels on the rows (true class) and class indices on the
    /// columns (predicted class); zeros print as "." so the mistakes stand out. If the table would
    /// be wider than `maxWidth` even with index-only row labels, says so instead (the CSV has it
    /// all).
    public func confusionMatrixTable(maxWidth: Int = 120, nameWidth: Int = 18) -> String {
        let maxCount = confusion.flatMap { $0 }.max() ?? 0
        let cellWidth = max(3, String(maxCount).count, String(classCount - 1).count)
        let corner = "true\\pred"
        func table(labelWidth: Int, labels: [String]) -> String {
            var lines = [
                "confusion matrix: rows are true classes, columns predicted classes (. = 0)",
                padRight(corner, labelWidth) + (0..<classCount).map { "  " + pad(String($0), cellWidth) }.joined(),
            ]
            for t in 0..<classCount {
                let cells = confusion[t].map { "  " + pad($0 == 0 ? "." : String($0), cellWidth) }
                lines.append(padRight(labels[t], labelWidth) + cells.joined())
            }
            return lines.joined(separator: "\n")
        }
        let cellsWidth = classCount * (cellWidth + 2)
        let named = (0..<classCount).map { label(of: $0, width: nameWidth) }
        let namedWidth = max(corner.count, named.map(\.count).max() ?? 0)
        if namedWidth + cellsWidth <= maxWidth {
            return table(labelWidth: namedWidth, labels: named)
        }
        let indices = (0..<classCount).map(String.init)
        let indexWidth = max(corner.count, String(classCount - 1).count)
        if indexWidth + cellsWidth <= maxWidth {
            return table(labelWidth: indexWidth, labels: indices)
        }
        return
            "confusion matrix: \(classCount) classes make a table \(indexWidth + cellsWidth) columns wide, too wide to print here; see the CSV file."
    }

    /// "3 cat" for class 3 named "cat", just "3" when the name is the index itself (digits),
    /// shortened with "…" to `width` characters. The name is a file's (a checkpoint's, a table's),
    /// shown as `InputText.shown` shows it.
    public func label(of classIndex: Int, width: Int) -> String {
        let name = InputText.shown(classNames[classIndex])
        let full = name == String(classIndex) ? name : "\(classIndex) \(name)"
        guard full.count > width, width > 1 else { return full }
        return String(full.prefix(width - 1)) + "…"
    }

    static func number(_ value: Double, decimals: Int) -> String {
        value.isFinite ? String(format: "%.\(decimals)f", value) : value.isNaN ? "nan" : value > 0 ? "inf" : "-inf"
    }
}

private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}

private func padRight(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}
