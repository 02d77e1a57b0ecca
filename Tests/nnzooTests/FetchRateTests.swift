import NNData
import Testing

@testable import nnzoo

/// `nnzoo fetch --min-rate`: the slowest acceptable download, written as the progress line writes
/// rates (k = 1000), reaches the downloader's settings; the default stays 16 kB/s.
@Suite struct FetchRateTests {
    @Test(arguments: [
        ("500", 500.0), ("16k", 16_000), ("16K", 16_000), ("1.5M", 1_500_000), ("64kB/s", 64_000), ("2k/s", 2000),
        ("1G", 1e9), ("1kB", 1000), (" 8k ", 8000),
    ])
    func ratesTakeDecimalUnits(text: String, rate: Double) throws {
        let command = try FetchCommand.parse(["digits", "--min-rate", text])
        #expect(command.downloadSettings.minimumRate == rate)
    }

    @Test(arguments: ["", "k", "0", "0.5", "-1", "1e5", "1.", ".5k", "16kb", "16 k", "1.1G", "nan", "inf", "16kk"])
    func otherTextIsNotARate(text: String) {
        #expect(FetchCommand.bytesPerSecond(text) == nil)
    }

    @Test func theDefaultIs16kBPerSecond() throws {
        let command = try FetchCommand.parse(["digits", "--timeout", "5", "--attempts", "2"])
        let settings = command.downloadSettings
        #expect(settings.minimumRate == 16_000 && settings.idleTimeout == 5 && settings.attempts == 2)
    }
}
