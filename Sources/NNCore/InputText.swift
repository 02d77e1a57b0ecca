/// Text taken from the user's input (a cell of a CSV file, an environment variable, a name a
/// checkpoint records) as it stands in a message: a file's bytes must not be able to move the
/// cursor, clear the screen, retitle the terminal or hide the rest of the sentence, nor fill the
/// screen. Control and format characters (terminal escape sequences, carriage returns,
/// bidirectional overrides), separators, private-use and unassigned code points are written as
/// `\u{1B}`; a backslash that could be read as the start of such an escape (before `u`, another
/// backslash or an escaped character) as `\\`, any other as itself; past `limit` characters the
/// text is cut with `…`. Text with nothing to escape is shown as it is.
public enum InputText {
    /// The text as messages show it between quotes: `'5x'`, `'\u{1B}[2J'`, `'aaaa…' (5000 characters)`.
    public static func quoted(_ text: String, limit: Int = 40) -> String {
        let count = text.unicodeScalars.count
        let shown = "'" + excerpt(text, limit: limit) + "'"
        return count > limit ? shown + " (\(count) characters)" : shown
    }

    /// A name a file gave (a checkpoint's dataset, class names, recipe, the file its weights were
    /// imported from) as messages print it, without quotes: a legitimate name, spaces and any
    /// printable Unicode included, exactly as it is; escaped as `excerpt` does when a terminal would
    /// act on part of it, and cut past `limit` characters (4096 by default: the longest path).
    public static func shown(_ text: String, limit: Int = 4096) -> String {
        var count = 0
        for scalar in text.unicodeScalars {
            count += 1
            guard count <= limit, scalar != "\\", isShown(scalar) else { return excerpt(text, limit: limit) }
        }
        return text
    }

    /// The first `limit` characters (Unicode scalars) of `text` with the ones a terminal would act on
    /// escaped, and `…` when the text is longer.
    public static func excerpt(_ text: String, limit: Int = 40) -> String {
        var result = ""
        var taken = 0
        // A backslash waits for the next character to decide whether it is doubled.
        var backslash = false
        for scalar in text.unicodeScalars {
            guard taken < limit else { break }
            taken += 1
            let shown = isShown(scalar)
            if backslash {
                result += scalar == "\\" || scalar == "u" || !shown ? "\\\\" : "\\"
            }
            backslash = scalar == "\\"
            if backslash {
                continue
            } else if shown {
                result.unicodeScalars.append(scalar)
            } else {
                result += escaped(scalar)
            }
        }
        if backslash { result += "\\" }
        return taken < text.unicodeScalars.count ? result + "…" : result
    }

    /// A whole message about to be printed (its lines kept, nothing cut), the last guard for what
    /// its sentences quote from files without `shown` or `quoted`: a character a terminal would act
    /// on is escaped; backslashes stay as they are, so the escapes the message holds already read
    /// the same.
    public static func message(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 != "\n" && !isShown($0) }) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if scalar == "\n" || isShown(scalar) {
                result.unicodeScalars.append(scalar)
            } else {
                result += escaped(scalar)
            }
        }
        return result
    }

    /// `\u{1B}`: the code point in hexadecimal, at least two digits.
    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "\\u{" + (hex.count == 1 ? "0" : "") + hex + "}"
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
