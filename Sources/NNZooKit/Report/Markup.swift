import Foundation

/// Text made safe for HTML and SVG (both are read as XML by the tests): the five special characters
/// as entities, and the control characters XML 1.0 does not allow (not even escaped) as spaces.
public enum Markup {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case _ where character.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }:
                out += " "
            case _ where character.unicodeScalars.contains { $0.value == 0x7F || (0xFFFE...0xFFFF).contains($0.value) }:
                out += " "
            default: out.append(character)
            }
        }
        return out
    }

    /// `bytes` as a `data:` URI of `type` (base64), for a picture embedded in a page.
    public static func dataURI(_ bytes: [UInt8], type: String = "image/png") -> String {
        "data:\(type);base64," + Data(bytes).base64EncodedString()
    }

    /// An `Encodable` value (a recipe's optimizer, schedule, loss) as "SGD: lr 0.02, momentum 0.9": its
    /// JSON object's `type` first, then the other keys in alphabetical order with their values
    /// (underscores as spaces); a plain string as itself.
    public static func settingText<T: Encodable>(_ value: T) -> String {
        guard let data = try? JSONEncoder().encode(value),
            let json = try? JSONDecoder().decode(JSONValue.self, from: data)
        else { return "?" }
        guard case .object(let object) = json else { return json.text }
        let type = object["type"].map(\.text)
        let others = object.keys.filter { $0 != "type" }.sorted().map { key in
            key.replacingOccurrences(of: "_", with: " ") + " " + (object[key]?.text ?? "")
        }
        switch (type, others.isEmpty) {
        case (let type?, true): return type
        case (let type?, false): return type + ": " + others.joined(separator: ", ")
        default: return others.joined(separator: ", ")
        }
    }
}

/// Any JSON value, read without Foundation's bridging (which cannot tell `true` from `1` on Linux).
enum JSONValue: Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// For people: whole numbers without ".0", lists in brackets, objects as "key value" pairs.
    var text: String {
        switch self {
        case .null: return "none"
        case .bool(let value): return value ? "true" : "false"
        case .number(let value):
            return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
        case .string(let value): return value
        case .array(let values): return "[" + values.map(\.text).joined(separator: ", ") + "]"
        case .object(let object):
            return "{" + object.keys.sorted().map { "\($0) \(object[$0]?.text ?? "")" }.joined(separator: ", ") + "}"
        }
    }
}
