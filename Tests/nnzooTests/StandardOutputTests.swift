import Foundation
import Testing

/// A command whose output cannot be written (`> /dev/full`) fails with a message instead of ending
/// with status 0 and the output lost; `NNZoo.main` checks standard output once for every command.
@Suite struct StandardOutputTests {
    private var data: String { CLI.packageRoot + "/Data" }

    private func toFull(_ arguments: String) throws -> CLI.Result {
        try CLI.shell("\(CLI.program) \(arguments) > /dev/full", in: CLI.packageRoot)
    }

    @Test func aFullStandardOutputIsAnError() throws {
        let message = "nnzoo: could not write the output to standard output: No space left on device\n"
        for arguments in [
            "inspect digits --json --data-dir \(data)", "fetch --print-urls --all", "--help", "recipes --json",
        ] {
            let result = try toFull(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.hasSuffix(message), "\(arguments): \(result.stderr)")
        }
        // A command that fails anyway keeps its own status and message, and says the output was lost too.
        let failed = try toFull("inspect nothing-such")
        #expect(failed.status == 64 || failed.status == 1)
        // Output that fits the buffer reaches a writable stdout as before.
        let fine = try CLI.run(["fetch", "--print-urls", "--all"])
        #expect(fine.status == 0 && fine.stderr.isEmpty && !fine.stdout.isEmpty)
    }
}
