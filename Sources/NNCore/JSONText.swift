import Foundation

/// JSON written for people and tools to read (reports, `--json` output, run.json): pretty-printed,
/// keys sorted so the same content gives the same text, slashes left unescaped.
public enum JSONText {
    public static func pretty<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// One line, keys sorted, slashes unescaped: JSON stored inside other files (checkpoint and ONNX
    /// metadata).
    public static func compact<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
