import Foundation

/// What is wrong with a JSON text before any value is read from it: its syntax (with the line and
/// column, which Foundation's "The given data was not valid JSON." leaves out), or a key that
/// appears twice in one object. JSON readers disagree on duplicate keys (Foundation keeps the first,
/// Python the last), so a file that has one means different things to different tools: nnzoo
/// refuses it, naming the key.
public enum JSONSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not JSON at `line`, `column` (1-based; the column counts bytes): `problem` says what was found.
    case invalid(line: Int, column: Int, problem: String)
    /// `key` appears twice in the object at `path` ("the top level", "layers[2]").
    case duplicateKey(path: String, key: String)

    public var description: String {
        switch self {
        case .invalid(let line, let column, let problem):
            return "line \(line), column \(column): \(problem)"
        case .duplicateKey(let path, let key):
            let place = path == JSONSyntax.topLevel ? "the top-level object" : "the object \(InputText.shown(path))"
            return
                "the key \"\(InputText.shown(key, limit: 100))\" appears twice in \(place) (JSON readers disagree on "
                + "which one counts)"
        }
    }

    /// The field path of a duplicate key ("layers[2].type"), for messages that name fields (the
    /// keys shown as `InputText.shown` shows them).
    public var duplicateField: String? {
        guard case .duplicateKey(let path, let key) = self else { return nil }
        return InputText.shown(path == JSONSyntax.topLevel ? key : path + "." + key)
    }
}

/// The one check every JSON text nnzoo reads goes through before it is decoded (recipes, checkpoint
/// metadata and headers, run.json, fetch's records): the whole grammar of RFC 8259, UTF-8, a
/// nesting limit, and no key twice in one object (compared after unescaping, so `"a"` and
/// `"\u0061"` are the same key). It allocates nothing from the text's numbers and runs in one pass.
public enum JSONSyntax {
    /// Objects and arrays nested deeper than this are refused (a reader's recursion must stay bounded).
    public static let maxDepth = 512
    static let topLevel = "the top level"

    /// Throws `JSONSyntaxError` for the first problem in `bytes`.
    public static func check(_ bytes: [UInt8]) throws {
        var scanner = Scanner(bytes: bytes)
        try scanner.document()
    }

    /// `check`, then Foundation's decoder. Decoding errors pass through for the caller to describe.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try check(bytes)
        return try JSONDecoder().decode(T.self, from: Data(bytes))
    }

    private struct Scanner {
        /// One open object or array: the keys seen (objects) or the element count (arrays).
        struct Container {
            var isObject: Bool
            var keys: Set<String> = []
            var key = ""
            var index = 0
        }

        let bytes: [UInt8]
        var offset = 0
        var stack: [Container] = []

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func document() throws {
            let valid = firstInvalidUTF8()
            if valid < bytes.count {
                offset = valid
                throw fail("the text is not valid UTF-8 (\(found()))")
            }
            skipSpace()
            try value()
            skipSpace()
            if offset < bytes.count { throw fail("unexpected \(found()) after the end of the JSON value") }
        }

        /// One value; containers are walked without recursion.
        mutating func value() throws {
            while true {
                guard offset < bytes.count else { throw fail("the text ends where a value should start") }
                let byte = bytes[offset]
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    guard stack.count < JSONSyntax.maxDepth else {
                        throw fail("objects and arrays are nested more than \(JSONSyntax.maxDepth) deep")
                    }
                    offset += 1
                    stack.append(Container(isObject: byte == UInt8(ascii: "{")))
                    skipSpace()
                    let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                    if offset < bytes.count, bytes[offset] == close {
                        offset += 1
                        stack.removeLast()
                    } else {
                        if byte == UInt8(ascii: "{") { try key() }
                        continue  // the first element's value
                    }
                case UInt8(ascii: "\""):
                    _ = try string()
                case UInt8(ascii: "t"): try literal("true")
                case UInt8(ascii: "f"): try literal("false")
                case UInt8(ascii: "n"): try literal("null")
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
                default: throw fail("expected a value, found \(found())")
                }
                // After a value: the next element, or the end of as many containers as close here.
                while true {
                    guard !stack.isEmpty else { return }
                    skipSpace()
                    guard offset < bytes.count else {
                        throw fail("the text ends inside \(stack.last!.isObject ? "an object" : "an array")")
                    }
                    let isObject = stack[stack.count - 1].isObject
                    let next = bytes[offset]
                    if next == UInt8(ascii: ",") {
                        offset += 1
                        skipSpace()
                        if isObject { try key() } else { stack[stack.count - 1].index += 1 }
                        break
                    }
                    if next == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        offset += 1
                        stack.removeLast()
                        continue
                    }
                    throw fail("expected ',' or '\(isObject ? "}" : "]")', found \(found())")
                }
            }
        }

        /// A key, its colon, and the space before its value; refuses a key seen before in this object.
        mutating func key() throws {
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
                throw fail("expected a key in double quotes, found \(found())")
            }
            let start = offset
            let name = try string()
            if !stack[stack.count - 1].keys.insert(name).inserted {
                offset = start
                throw JSONSyntaxError.duplicateKey(path: path(), key: name)
            }
            stack[stack.count - 1].key = name
            skipSpace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else {
                throw fail("expected ':' after the key \"\(InputText.shown(name, limit: 100))\", found \(found())")
            }
            offset += 1
            skipSpace()
        }

        /// A string at `offset` (which is its opening quote), unescaped.
        mutating func string() throws -> String {
            offset += 1
            var scalars = String.UnicodeScalarView()
            var run = offset  // start of bytes copied as they are
            func flush(_ end: Int) {
                scalars.append(contentsOf: String(decoding: bytes[run..<end], as: UTF8.self).unicodeScalars)
            }
            while true {
                guard offset < bytes.count else { throw fail("the text ends inside a string") }
                let byte = bytes[offset]
                if byte == UInt8(ascii: "\"") {
                    flush(offset)
                    offset += 1
                    return String(scalars)
                }
                if byte < 0x20 { throw fail("a string holds a control character (byte \(byte)); escape it") }
                if byte != UInt8(ascii: "\\") {
                    offset += 1
                    continue
                }
                flush(offset)
                guard offset + 1 < bytes.count else { throw fail("the text ends inside a string") }
                let escaped = bytes[offset + 1]
                offset += 2
                switch escaped {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{8}")
                case UInt8(ascii: "f"): scalars.append("\u{C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code), offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"),
                        bytes[offset + 1] == UInt8(ascii: "u")
                    {
                        let save = offset
                        offset += 2
                        let low = try hex4()
                        if (0xDC00..<0xE000).contains(low) {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            offset = save
                        }
                    }
                    // A lone surrogate cannot be a scalar: it stands for U+FFFD, as Foundation reads it.
                    scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                default:
                    offset -= 1
                    throw fail("\\\(found()) is not a JSON escape")
                }
                run = offset
            }
        }

        mutating func hex4() throws -> UInt32 {
            var code: UInt32 = 0
            for _ in 0..<4 {
                guard offset < bytes.count, let digit = hexValue(bytes[offset]) else {
                    throw fail("\\u needs four hexadecimal digits")
                }
                code = code << 4 | digit
                offset += 1
            }
            return code
        }

        func hexValue(_ byte: UInt8) -> UInt32? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
        mutating func number() throws {
            let start = offset
            if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            guard offset < bytes.count, isDigit(bytes[offset]) else {
                offset = start
                throw fail("'-' must be followed by a digit")
            }
            if bytes[offset] == UInt8(ascii: "0") {
                offset += 1
                if offset < bytes.count, isDigit(bytes[offset]) {
                    throw fail("a number cannot have a leading zero")
                }
            } else {
                while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
            }
            if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
                offset += 1
                guard offset < bytes.count, isDigit(bytes[offset]) else {
                    throw fail("a decimal point must be followed by a digit")
                }
                while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
            }
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
                offset += 1
                if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                    offset += 1
                }
                guard offset < bytes.count, isDigit(bytes[offset]) else {
                    throw fail("an exponent needs digits")
                }
                while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
            }
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        mutating func literal(_ word: String) throws {
            let expected = Array(word.utf8)
            guard bytes.count - offset >= expected.count, Array(bytes[offset..<(offset + expected.count)]) == expected
            else { throw fail("expected a value, found \(found())") }
            offset += expected.count
        }

        mutating func skipSpace() {
            while offset < bytes.count {
                switch bytes[offset] {
                case 0x20, 0x09, 0x0A, 0x0D: offset += 1
                default: return
                }
            }
        }

        /// The object path of the innermost container: "layers[2]", or "the top level".
        func path() -> String {
            var text = ""
            for (depth, container) in stack.dropLast().enumerated() {
                if container.isObject {
                    text += (depth == 0 ? "" : ".") + container.key
                } else {
                    text += "[\(container.index)]"
                }
            }
            return text.isEmpty ? JSONSyntax.topLevel : text
        }

        /// What is at `offset`, for messages: `'x'`, or "the end of the text".
        func found() -> String {
            guard offset < bytes.count else { return "the end of the text" }
            let byte = bytes[offset]
            if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
            return String(format: "byte 0x%02x", byte)
        }

        func fail(_ problem: String) -> JSONSyntaxError {
            var line = 1
            var lineStart = 0
            for i in 0..<min(offset, bytes.count) where bytes[i] == 0x0A {
                line += 1
                lineStart = i + 1
            }
            return .invalid(line: line, column: offset - lineStart + 1, problem: problem)
        }

        /// The offset of the first byte that breaks UTF-8.
        func firstInvalidUTF8() -> Int {
            var iterator = bytes.makeIterator()
            var parser = Unicode.UTF8.ForwardParser()
            var position = 0
            while true {
                switch parser.parseScalar(from: &iterator) {
                case .valid(let encoded): position += encoded.count
                case .error: return position
                case .emptyInput: return position
                }
            }
        }
    }
}
