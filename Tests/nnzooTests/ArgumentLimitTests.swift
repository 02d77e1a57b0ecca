import Foundation
import Testing

/// Zero, negative, non-finite and absurd values of every numeric option of every subcommand are
/// argument errors (exit 64, a sentence naming the option and the value), never a hang, a trap or a
/// wait of days.
@Suite struct ArgumentLimitTests {
    static let cases: [(arguments: [String], message: String)] = [
        (
            ["fetch", "digits", "--timeout", "0"],
            "--timeout must be a number of seconds more than 0 and at most 86400 (got 0.0)."
        ),
        (
            ["fetch", "digits", "--timeout", "-1"],
            "--timeout must be a number of seconds more than 0 and at most 86400 (got -1.0)."
        ),
        (
            ["fetch", "digits", "--timeout", "nan"],
            "--timeout must be a number of seconds more than 0 and at most 86400 (got nan)."
        ),
        (
            ["fetch", "digits", "--timeout", "inf"],
            "--timeout must be a number of seconds more than 0 and at most 86400 (got inf)."
        ),
        (["fetch", "digits", "--attempts", "0"], "--attempts must be between 1 and 100 (got 0)."),
        (["fetch", "digits", "--min-rate", "0"], minRateMessage("'0'")),
        (["fetch", "digits", "--min-rate", "-16k"], minRateMessage("'-16k'")),
        (["fetch", "digits", "--min-rate", "2G"], minRateMessage("'2G'")),
        (["fetch", "digits", "--min-rate", "fast\u{1B}[2J"], minRateMessage(#"'fast\u{1B}[2J'"#)),
        (["fetch", "digits", "--attempts", "-3"], "--attempts must be between 1 and 100 (got -3)."),
        (["fetch", "digits", "--attempts", "1000000000"], "--attempts must be between 1 and 100 (got 1000000000)."),
        (["inspect", "digits", "--samples", "0", "--png", "x.png"], "--samples must be between 1 and 2000 (got 0)."),
        (["inspect", "digits", "--samples", "-5", "--png", "x.png"], "--samples must be between 1 and 2000 (got -5)."),
        (
            ["augment", "digits", "--ops", "hflip", "--png", "x.png", "--samples", "-1"],
            "--samples must be at least 1 (got -1)."
        ),
        (
            ["augment", "digits", "--ops", "hflip", "--png", "x.png", "--variants", "0"],
            "--variants must be at least 1 (got 0)."
        ),
        (
            ["augment", "digits", "--ops", "hflip", "--png", "x.png", "--scale", "-2"],
            "--scale must be at least 1 (got -2)."
        ),
        (
            ["augment", "digits", "--ops", "hflip", "--png", "x.png", "--seed", "-1"],
            "The value '-1' is invalid for '--seed <s>'"
        ),
        (["train", "digits-mlp", "--epochs", "0"], "--epochs must be a whole number from 1 to 1000000 (got 0)."),
        (["train", "digits-mlp", "--epochs", "-1"], "--epochs must be a whole number from 1 to 1000000 (got -1)."),
        (
            ["train", "digits-mlp", "--batch-size", "0"],
            "--batch-size must be a whole number from 1 to 1000000 (got 0)."
        ),
        (
            ["train", "digits-mlp", "--batch-size", "-5"],
            "--batch-size must be a whole number from 1 to 1000000 (got -5)."
        ),
        (["train", "digits-mlp", "--lr", "0"], "--lr must be a number from 1e-10 to 1e6 (got 0.0)."),
        (["train", "digits-mlp", "--lr", "-0.1"], "--lr must be a number from 1e-10 to 1e6 (got -0.1)."),
        (["train", "digits-mlp", "--lr", "nan"], "--lr must be a number from 1e-10 to 1e6 (got nan)."),
        (["train", "digits-mlp", "--lr", "inf"], "--lr must be a number from 1e-10 to 1e6 (got inf)."),
        // The recipe reader's limits: a run with --lr 2e6 once wrote checkpoints it could not read back.
        (["train", "digits-mlp", "--lr", "2e6"], "--lr must be a number from 1e-10 to 1e6 (got 2000000.0)."),
        (["train", "digits-mlp", "--lr", "1e-11"], "--lr must be a number from 1e-10 to 1e6 (got 1e-11)."),
        (
            ["train", "digits-mlp", "--epochs", "1000001"],
            "--epochs must be a whole number from 1 to 1000000 (got 1000001)."
        ),
        (
            ["train", "digits-mlp", "--batch-size", "9223372036854775807"],
            "--batch-size must be a whole number from 1 to 1000000 (got 9223372036854775807)."
        ),
        (["train", "digits-mlp", "--momentum", "-1"], "--momentum must be a number from 0 to 1 (got -1.0)."),
        (["train", "digits-mlp", "--val-split", "0.9"], "--val-split must be a fraction from 0 to 0.5 (got 0.9)."),
        (["train", "digits-mlp", "--seed", "-1"], "The value '-1' is invalid for '--seed <s>'"),
        (["train", "digits-mlp", "--threads", "0"], "--threads must be a whole number from 1 to 1024 (got 0)."),
        (["train", "digits-mlp", "--threads", "-1"], "--threads must be a whole number from 1 to 1024 (got -1)."),
        (
            ["train", "digits-mlp", "--threads", "3000000000"],
            "--threads must be a whole number from 1 to 1024 (got 3000000000)."
        ),
        (["eval", "runs/x", "--mistakes-per-class", "-1"], "--mistakes-per-class must be between 1 and 100 (got -1)."),
        (["eval", "runs/x", "--threads", "0"], "--threads must be a whole number from 1 to 1024 (got 0)."),
    ]

    static func minRateMessage(_ quoted: String) -> String {
        "--min-rate must be a number of bytes per second from 1 to 1G, such as 500, 16k or 1.5M (k = 1000, "
            + "M = 1000000; got \(quoted))."
    }

    @Test(arguments: cases)
    func badNumbersAreArgumentErrors(_ arguments: [String], _ message: String) throws {
        let folder = TempFolder()
        let result = try CLI.run(arguments + ["--data-dir", folder.path], in: folder.path)
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("Error: " + message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/x.png"))
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/digits"), "nothing was fetched")
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/runs"), "no run was started")
    }
}
