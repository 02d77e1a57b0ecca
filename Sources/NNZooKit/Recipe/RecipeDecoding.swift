import Foundation
import NNCore

/// A JSON object key known only at run time (recipe fields are checked by name, so that an unknown
/// field is an error rather than silently ignored).
struct RecipeKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// A problem found while decoding a recipe, at a coding path; `RecipeFile` turns it into a
/// `RecipeError` that names the file.
struct RecipeProblem: Error {
    enum Kind {
        case unknownField(valid: [String])
        case invalidValue(found: String, expected: String)
        case unknownLayerType(found: String, valid: [String])
        case badAugmentation(message: String)
    }
    let codingPath: [any CodingKey]
    let kind: Kind
}

/// The field and the rule, for files nnzoo wrote that embed a recipe (run.json's `recipe`), which
/// `JSONProblem` describes: `recipe.name is "..", but it must be ...`.
extension RecipeProblem: CustomStringConvertible {
    var description: String { describeDecodingFailure(self) }
}

/// `layers[3].kernel_size`: a coding path as a person reads it. The keys are the file's, shown as
/// `InputText.shown` shows them.
func fieldPath(_ codingPath: [any CodingKey]) -> String {
    var text = ""
    for key in codingPath {
        if let index = key.intValue {
            text += "[\(index)]"
        } else if let index = Int(key.stringValue.replacingOccurrences(of: "Index ", with: "")),
            key.stringValue.hasPrefix("Index ")
        {
            text += "[\(index)]"
        } else {
            text += (text.isEmpty ? "" : ".") + InputText.shown(key.stringValue, limit: 100)
        }
    }
    return text.isEmpty ? "the top level" : text
}

extension Decoder {
    /// The object a field written as a name or an object holds; anything else is a type mismatch
    /// saying what the field takes (`expected`: "a loss name or an object").
    func recipeObject(_ expected: String) throws -> KeyedDecodingContainer<RecipeKey> {
        do {
            return try container(keyedBy: RecipeKey.self)
        } catch {
            throw DecodingError.typeMismatch(
                String.self, DecodingError.Context(codingPath: codingPath, debugDescription: expected))
        }
    }
}

extension KeyedDecodingContainer where K == RecipeKey {
    /// Throws for the first key (in sorted order) not in `names`.
    func allowOnly(_ names: [String]) throws {
        let extra = allKeys.map(\.stringValue).filter { !names.contains($0) }.sorted()
        if let first = extra.first {
            throw RecipeProblem(codingPath: codingPath + [RecipeKey(first)], kind: .unknownField(valid: names))
        }
    }

    /// The value of field `name`; a missing field is a `DecodingError.keyNotFound`. A number that
    /// does not fit the field's type (1.5 or -1 for a whole number, 1e400 anywhere) is an
    /// invalid-value problem at the field (Foundation reports it as "not valid JSON", with no field).
    func required<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        do {
            return try decode(T.self, forKey: RecipeKey(name))
        } catch let problem as RecipeProblem {
            throw problem
        } catch {
            throw numberProblem(error, name, T.self)
        }
    }

    /// The value of field `name`, or nil if it is absent.
    func optional<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T? {
        do {
            return try decodeIfPresent(T.self, forKey: RecipeKey(name))
        } catch let problem as RecipeProblem {
            throw problem
        } catch {
            throw numberProblem(error, name, T.self)
        }
    }

    /// For a number that `T` cannot hold, the problem at field `name` with the number found; any
    /// other error unchanged. (Foundation throws its own `numberIsNotRepresentableInSwift(parsed:)`
    /// here, which its decoder later turns into "The given data was not valid JSON.")
    private func numberProblem(_ error: any Error, _ name: String, _ type: Any.Type) -> any Error {
        if let decoding = error as? DecodingError {
            guard case .dataCorrupted(let context) = decoding, context.codingPath.count <= codingPath.count + 1 else {
                return error
            }
        }
        let expected: String
        switch type {
        case is Int.Type: expected = "a whole number"
        case is UInt64.Type: expected = "a whole number from 0 to \(UInt64.max)"
        case is Double.Type, is Float.Type: expected = "a number a 64-bit float can hold"
        default: return error
        }
        let found =
            unrepresentableNumber(error) ?? (try? decode(Double.self, forKey: RecipeKey(name))).map(formatNumber)
            ?? "a number out of range"
        return invalid(name, found: found, expected: expected)
    }

    /// The whole number field `name`, checked against `limit`.
    func integer(_ name: String, _ limit: Limit<Int>, default value: Int? = nil) throws -> Int {
        let found: Int
        do {
            if let value {
                found = try optional(name) ?? value
            } else {
                found = try required(name)
            }
        } catch let problem as RecipeProblem {
            // 1.5 or 1e30: say the whole range, not just "a whole number".
            guard case .invalidValue(let text, _) = problem.kind else { throw problem }
            throw invalid(name, found: text, expected: limit.expected)
        }
        guard limit.allows(found) else { throw invalid(name, found: "\(found)", expected: limit.expected) }
        return found
    }

    /// The number field `name`, checked against `limit`.
    func number(_ name: String, _ limit: Limit<Double>, default value: Double? = nil) throws -> Double {
        try number(name, in: limit.range, default: value, what: limit.expected)
    }

    /// An invalid-value problem at field `name`.
    func invalid(_ name: String, found: String, expected: String) -> RecipeProblem {
        RecipeProblem(codingPath: codingPath + [RecipeKey(name)], kind: .invalidValue(found: found, expected: expected))
    }

    /// A whole number field that must be at least `minimum`.
    func integer(_ name: String, atLeast minimum: Int, default value: Int? = nil) throws -> Int {
        let found: Int
        do {
            if let value {
                found = try optional(name) ?? value
            } else {
                found = try required(name)
            }
        } catch let problem as RecipeProblem {
            guard case .invalidValue(let text, _) = problem.kind else { throw problem }
            throw invalid(name, found: text, expected: "a whole number of at least \(minimum)")
        }
        guard found >= minimum else { throw invalid(name, found: "\(found)", expected: "at least \(minimum)") }
        return found
    }

    /// A number field that must lie in `range`.
    func number(_ name: String, in range: ClosedRange<Double>, default value: Double? = nil, what: String)
        throws -> Double
    {
        let found: Double
        if let value {
            found = try optional(name) ?? value
        } else {
            found = try required(name)
        }
        guard range.contains(found), found.isFinite else {
            throw invalid(name, found: formatNumber(found), expected: what)
        }
        return found
    }
}

/// The number in Foundation's `numberIsNotRepresentableInSwift(parsed: "1.5")`, which its JSON
/// decoder throws for a number its field's type cannot hold (and reports as "not valid JSON").
func unrepresentableNumber(_ error: any Error) -> String? {
    let text = "\(error)"
    guard text.contains("numberIsNotRepresentable"), let start = text.range(of: "parsed: \"") else { return nil }
    return text[start.upperBound...].firstIndex(of: "\"").map { String(text[start.upperBound..<$0]) }
}

/// A number as a person writes it: `2000000`, `0.05`, `1e+300`.
func formatNumber(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
}

extension KeyedEncodingContainer where K == RecipeKey {
    mutating func put<T: Encodable>(_ value: T, _ name: String) throws {
        try encode(value, forKey: RecipeKey(name))
    }
}

/// Maps a decoding failure of the recipe at `path` to a `RecipeError`.
func recipeError(from error: any Error, path: String) -> RecipeError {
    if let problem = error as? RecipeProblem {
        let field = fieldPath(problem.codingPath)
        switch problem.kind {
        case .unknownField(let valid):
            return .unknownField(path: path, field: field, valid: valid)
        case .invalidValue(let found, let expected):
            return .invalidValue(path: path, field: field, found: found, expected: expected)
        case .unknownLayerType(let found, let valid):
            return .unknownLayerType(path: path, field: field, found: found, valid: valid)
        case .badAugmentation(let message):
            return .badAugmentation(path: path, field: field, message: message)
        }
    }
    if let syntax = error as? JSONSyntaxError {
        if let field = syntax.duplicateField { return .duplicateField(path: path, field: field) }
        return .invalidJSON(path: path, detail: syntax.description)
    }
    guard let decoding = error as? DecodingError else {
        return .invalidJSON(path: path, detail: "\(error)")
    }
    switch decoding {
    case .keyNotFound(let key, let context):
        return .missingField(path: path, field: fieldPath(context.codingPath + [key]))
    case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
        return .wrongType(path: path, field: fieldPath(context.codingPath), expected: expectedKind(type))
    case .dataCorrupted(let context):
        if context.codingPath.isEmpty {
            // The text passed JSONSyntax, so it is JSON: a value in it does not fit its field.
            return .unreadableValue(path: path, field: "a value", detail: context.debugDescription)
        }
        return .unreadableValue(path: path, field: fieldPath(context.codingPath), detail: context.debugDescription)
    @unknown default:
        return .invalidJSON(path: path, detail: "\(error)")
    }
}

private func expectedKind(_ type: Any.Type) -> String {
    switch type {
    case is String.Type: return "a string"
    case is Int.Type, is UInt64.Type: return "a whole number"
    case is Double.Type, is Float.Type: return "a number"
    case is Bool.Type: return "true or false"
    default:
        let name = "\(type)"
        if name.hasPrefix("Array") { return "a list" }
        if name.hasPrefix("Dictionary") { return "an object" }
        return "an object"
    }
}

/// A failure to decode JSON that is not a recipe file of the user's (checkpoint metadata, run.json)
/// as a clause naming the field: `batch_size is 0, but it must be a whole number from 1 to 1000000`.
func describeDecodingFailure(_ error: any Error) -> String {
    if let syntax = error as? JSONSyntaxError { return "it is not valid JSON: \(syntax)" }
    if let problem = error as? RecipeProblem {
        let field = fieldPath(problem.codingPath)
        switch problem.kind {
        case .unknownField(let valid):
            return "it has a field \(field), which is not one of \(valid.joined(separator: ", "))"
        case .invalidValue(let found, let expected):
            return "\(field) is \(InputText.shown(found, limit: 200)), but it must be \(expected)"
        case .unknownLayerType(let found, _):
            return "\(field) is \"\(InputText.shown(found, limit: 100))\", which is not a layer type nnzoo knows"
        case .badAugmentation(let message):
            return "\(field) is not a valid augmentation spec: \(InputText.shown(message))"
        }
    }
    if let decoding = error as? DecodingError {
        switch decoding {
        case .keyNotFound(let key, let context):
            return "\(fieldPath(context.codingPath + [key])) is missing"
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return "\(fieldPath(context.codingPath)) must be \(expectedKind(type))"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                // The text passed JSONSyntax, so this is Foundation's word for a number its field's
                // type cannot hold (it names neither the number nor the field).
                return "a number in it does not fit its field (too large for a 64-bit float, or not a whole "
                    + "number where one belongs)"
            }
            let field = context.codingPath.isEmpty ? "a value" : fieldPath(context.codingPath)
            return "\(field) cannot be read (\(context.debugDescription))"
        @unknown default:
            return "it cannot be decoded"
        }
    }
    if let number = unrepresentableNumber(error) { return "the number \(number) does not fit the field it is in" }
    // The project's own errors (an augmentation spec's, a layer's) are sentences already.
    return "\(error)"
}
