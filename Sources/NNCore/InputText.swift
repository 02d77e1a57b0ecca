/// Text taken from the user's input (a cell of a CSV file, an environment variable) as it stands in a
/// message: a file's bytes must not be able to move the cursor, clear the screen, retitle the
/// terminal or hide the rest of the sentence, nor fill the screen. Control and format characters
/// (terminal escape sequences, carriage returns, bidirectional overrides), separators, private-use
/// and unassigned code points are written as `\u{1B}`, a backslash as `\\`; past `limit` characters
/// the text is cut with `…`.
public enum InputText {
    /// The text as messages show it between quotes: `'5x'`, `'\u{1B}[2J'`, `'aaaa…' (5000 characters)`.
    public static func quoted(_ text: String, limit: Int = 40) -> String {
        let count = text.unicodeScalars.count
        let shown = "'" + excerpt(text, limit: limit) + "'"
        return count > limit ? shown + " (\(count) characters)" : shown
    }

    /// The first `limit` characters (Unicode scalars) of `text` with the ones a terminal would act on
    /// escaped, and `…` when the text is longer.
    public static func excerpt(_ text: String, limit: Int = 40) -> String {
        var result = ""
        var taken = 0
        for scalar in text.unicodeScalars {
            guard taken < limit else { return result + "…" }
            taken += 1
            if scalar == "\\" {
                result += "\\\\"
            } else if isShown(scalar) {
                result.unicodeScalars.append(scalar)
            } else {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result += "\\u{" + (hex.count == 1 ? "0" : "") + hex + "}"
            }
        }
        return result
    }

    private static func isShown(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned:
            return false
        default:
            return true
        }
    }
}
