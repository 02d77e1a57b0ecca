/// The confusion matrix as CSV (RFC 4180): a header row `true\predicted` followed by the predicted
/// class names, then one row per true class: its name and its counts.
extension ClassificationMetrics {
    public func confusionMatrixCSV() -> String {
        var lines = [(["true\\predicted"] + classNames).map(csvField).joined(separator: ",")]
        for (name, row) in zip(classNames, confusion) {
            lines.append(([csvField(name)] + row.map(String.init)).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A field quoted when it holds a comma, a quote or a line break, with quotes doubled.
func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
