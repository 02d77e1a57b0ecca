import Foundation

/// Why a JSON file nnzoo wrote could not be read back, as a clause for a message ("line 3, column
/// 7: ...", "the field metrics[2].epoch is missing"), never Foundation's debug dump of a
/// `DecodingError` ("keyNotFound(CodingKeys(stringValue: ...), Swift.DecodingError.Context(...))")
/// or its "NSCocoaErrorDomain error" numbers. For the files nnzoo writes itself (run.json,
/// report.json, the install manifest); recipes, which people write, have their own messages.
public enum JSONProblem {
    public static func describe(_ error: Error) -> String {
        switch error {
        case let syntax as JSONSyntaxError:
            return syntax.description
        case let read as FileReadError:
            return read.reason
        case DecodingError.keyNotFound(let key, let context):
            return "\(field(context.codingPath + [key])) is missing"
        case DecodingError.typeMismatch(let type, let context):
            return "\(field(context.codingPath)) does not hold \(kind(type))"
        case DecodingError.valueNotFound(let type, let context):
            return "\(field(context.codingPath)) is null where \(kind(type)) belongs"
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "it is not JSON" : "\(field(context.codingPath)) holds a value out of its range"
        case let described as CustomStringConvertible where !(type(of: error) is NSError.Type):
            // The project's own problems (a recipe's field and rule inside run.json) describe themselves.
            return described.description
        default:
            return "it could not be read (\(String(describing: type(of: error))))"
        }
    }

    /// "the field metrics[2].epoch"; "the top level" for the document itself.
    static func field(_ path: [CodingKey]) -> String {
        guard !path.isEmpty else { return "the top level" }
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return "the field " + text
    }

    static func kind(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "text"
        case is Bool.Type: return "true or false"
        case is Int.Type, is Int64.Type, is UInt64.Type, is Int32.Type, is UInt8.Type: return "a whole number"
        case is Double.Type, is Float.Type: return "a number"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array<") || name.hasPrefix("[") { return "a list" }
            if name.hasPrefix("Dictionary<") { return "an object" }
            return "the expected value"
        }
    }
}
