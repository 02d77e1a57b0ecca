import Foundation

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

/// `layers[3].kernel_size`: a coding path as a person reads it.
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
            text += (text.isEmpty ? "" : ".") + key.stringValue
        }
    }
    return text.isEmpty ? "the top level" : text
}

extension KeyedDecodingContainer where K == RecipeKey {
    /// Throws for the first key (in sorted order) not in `names`.
    func allowOnly(_ names: [String]) throws {
        let extra = allKeys.map(\.stringValue).filter { !names.contains($0) }.sorted()
        if let first = extra.first {
            throw RecipeProblem(codingPath: codingPath + [RecipeKey(first)], kind: .unknownField(valid: names))
        }
    }

    /// The value of field `name`; a missing field is a `DecodingError.keyNotFound`.
    func required<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try decode(T.self, forKey: RecipeKey(name))
    }

    /// The value of field `name`, or nil if it is absent.
    func optional<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T? {
        try decodeIfPresent(T.self, forKey: RecipeKey(name))
    }

    /// An invalid-value problem at field `name`.
    func invalid(_ name: String, found: String, expected: String) -> RecipeProblem {
        RecipeProblem(codingPath: codingPath + [RecipeKey(name)], kind: .invalidValue(found: found, expected: expected))
    }

    /// A whole number field that must be at least `minimum`.
    func integer(_ name: String, atLeast minimum: Int, default value: Int? = nil) throws -> Int {
        let found: Int
        if let value {
            found = try optional(name) ?? value
        } else {
            found = try required(name)
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
        guard range.contains(found), found.isFinite else { throw invalid(name, found: "\(found)", expected: what) }
        return found
    }
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
            return .invalidJSON(path: path, detail: describe(decoding))
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
