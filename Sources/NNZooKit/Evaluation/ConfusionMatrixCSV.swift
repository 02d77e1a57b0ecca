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
    // The UTF-8 bytes, not the characters: a scan of bytes costs a fraction of grapheme breaking
    // (predict writes a field per file), and it also sees a comma or quote that a combining mark
    // joins into one character and the "\r\n" character, which need quoting as much.
    guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
