import Foundation
import Testing

@testable import NNCore

@Suite struct TerminalWidthTests {
    @Test func aPipeHasNoWidthSoColumnsOrEightyIsUsed() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer {
            close(fds[0])
            close(fds[1])
        }
        #expect(TerminalWidth.columns(of: fds[1], environment: ["COLUMNS": "132"]) == 132)
        #expect(TerminalWidth.columns(of: fds[1], environment: ["COLUMNS": " 60 "]) == 60)
        #expect(TerminalWidth.columns(of: fds[1], environment: [:]) == 80)
        for unusable in ["", "abc", "0", "-5", "1e3", "100000"] {
            #expect(TerminalWidth.columns(of: fds[1], environment: ["COLUMNS": unusable]) == 80)
        }
    }
}
