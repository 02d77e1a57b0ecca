import Foundation
import Testing

@testable import NNCore

/// The one syntax check every JSON text nnzoo reads goes through: RFC 8259's grammar with the
/// line and column of a problem, and no key twice in one object.
@Suite struct JSONSyntaxTests {
    private func problem(_ text: String) -> JSONSyntaxError? {
        do {
            try JSONSyntax.check(Array(text.utf8))
            return nil
        } catch {
            return error as? JSONSyntaxError
        }
    }

    @Test(arguments: [
        "{}", "[]", "0", "-0.5e+10", "\"x\"", "true", "null", " \n{\"a\": [1, 2.5, -3e-2, {}, [], \"\\u00e9\\n\"]}\t",
        #"{"a": {"a": {"a": 1}}, "b": [{"a": 1}, {"a": 2}]}"#, #"{"\ud83d\ude00": "\u0000", "": ""}"#,
        "[1E5, 0e0, 1.0E-0]", #"{"a/b": "\/"}"#,
    ])
    func validJSONIsAccepted(_ text: String) throws {
        #expect(problem(text) == nil)
        // Foundation agrees that it is JSON.
        _ = try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)
    }

    @Test func invalidJSONIsRefusedWithItsLineAndColumn() {
        let cases: [(String, JSONSyntaxError)] = [
            ("", .invalid(line: 1, column: 1, problem: "the text ends where a value should start")),
            ("{\"a\": 1,}", .invalid(line: 1, column: 9, problem: "expected a key in double quotes, found '}'")),
            ("{\n  \"a\": 1\n  \"b\": 2\n}", .invalid(line: 3, column: 3, problem: "expected ',' or '}', found '\"'")),
            ("[1 2]", .invalid(line: 1, column: 4, problem: "expected ',' or ']', found '2'")),
            ("{\"a\" 1}", .invalid(line: 1, column: 6, problem: "expected ':' after the key \"a\", found '1'")),
            ("[01]", .invalid(line: 1, column: 3, problem: "a number cannot have a leading zero")),
            ("[1.]", .invalid(line: 1, column: 4, problem: "a decimal point must be followed by a digit")),
            ("[1e]", .invalid(line: 1, column: 4, problem: "an exponent needs digits")),
            ("[-]", .invalid(line: 1, column: 2, problem: "'-' must be followed by a digit")),
            ("[NaN]", .invalid(line: 1, column: 2, problem: "expected a value, found 'N'")),
            ("[tru]", .invalid(line: 1, column: 2, problem: "expected a value, found 't'")),
            (
                "\"a\tb\"",
                .invalid(line: 1, column: 3, problem: "a string holds a control character (byte 9); escape it")
            ),
            ("\"\\x\"", .invalid(line: 1, column: 3, problem: "\\'x' is not a JSON escape")),
            ("\"\\u12\"", .invalid(line: 1, column: 6, problem: "\\u needs four hexadecimal digits")),
            ("{\"a\": [1, 2", .invalid(line: 1, column: 12, problem: "the text ends inside an array")),
            ("\"abc", .invalid(line: 1, column: 5, problem: "the text ends inside a string")),
            ("{} {}", .invalid(line: 1, column: 4, problem: "unexpected '{' after the end of the JSON value")),
        ]
        for (text, expected) in cases {
            #expect(problem(text) == expected, "\(text)")
        }
        #expect(
            JSONSyntaxError.invalid(line: 3, column: 3, problem: "expected ',' or '}', found '\"'").description
                == "line 3, column 3: expected ',' or '}', found '\"'")
    }

    @Test func invalidUTF8IsRefusedWhereItStarts() {
        var bytes = Array("{\"name\": \"ab".utf8)
        bytes += [0xC3, 0x28]
        bytes += Array("\"}".utf8)
        #expect(
            throws: JSONSyntaxError.invalid(line: 1, column: 13, problem: "the text is not valid UTF-8 (byte 0xc3)")
        ) {
            try JSONSyntax.check(bytes)
        }
    }

    @Test func aKeyTwiceInOneObjectIsRefusedNamingItsPath() {
        #expect(
            problem(#"{"epochs": 2, "seed": 1, "epochs": 3}"#) == .duplicateKey(path: "the top level", key: "epochs"))
        #expect(
            problem(#"{"layers": [{"type": "Flatten"}, {"type": "Linear", "type": "ReLU"}]}"#)
                == .duplicateKey(path: "layers[1]", key: "type"))
        #expect(
            problem(#"{"optimizer": {"lr": 0.1, "lr": 0.2}}"#) == .duplicateKey(path: "optimizer", key: "lr"))
        // Keys are compared after unescaping.
        #expect(problem(#"{"lr": 1, "\u006cr": 2}"#) == .duplicateKey(path: "the top level", key: "lr"))
        // The same key in different objects is fine.
        #expect(problem(#"{"a": {"x": 1}, "b": {"x": 1}, "x": [{"x": 1}, {"x": 2}]}"#) == nil)
        #expect(
            JSONSyntaxError.duplicateKey(path: "layers[1]", key: "type").description
                == "the key \"type\" appears twice in the object layers[1] (JSON readers disagree on which one counts)")
        #expect(JSONSyntaxError.duplicateKey(path: "layers[1]", key: "type").duplicateField == "layers[1].type")
        #expect(JSONSyntaxError.duplicateKey(path: "the top level", key: "seed").duplicateField == "seed")
    }

    @Test func nestingIsLimitedWithoutRecursion() {
        let deep =
            String(repeating: "[", count: JSONSyntax.maxDepth) + String(repeating: "]", count: JSONSyntax.maxDepth)
        #expect(problem(deep) == nil)
        let deeper = String(repeating: "[", count: 100_000)
        #expect(
            problem(deeper)
                == .invalid(
                    line: 1, column: JSONSyntax.maxDepth + 1,
                    problem: "objects and arrays are nested more than 512 deep"))
    }

    @Test func decodeChecksFirst() throws {
        #expect(try JSONSyntax.decode([String: Int].self, from: Array(#"{"a": 1}"#.utf8)) == ["a": 1])
        #expect(throws: JSONSyntaxError.duplicateKey(path: "the top level", key: "a")) {
            try JSONSyntax.decode([String: Int].self, from: Array(#"{"a": 1, "a": 2}"#.utf8))
        }
    }
}
