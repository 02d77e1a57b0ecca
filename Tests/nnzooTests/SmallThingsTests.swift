import Foundation
import NNCore
import NNData
import Testing

@testable import nnzoo

/// `fetch --all --verify` with datasets that were never fetched, and `inspect --png` without
/// `--samples`.
@Suite struct SmallThingsTests {
    final class Lines: @unchecked Sendable {
        var out: [String] = []
        var err: [String] = []
    }

    /// A fetcher over `data` that sees no system copies (the machine's own Fashion-MNIST would take
    /// half a minute to hash in a debug build), with `digits` given as the shipped copy when asked.
    private func fetcher(_ data: String, shippedDigits: Bool = false) -> DatasetFetcher {
        var configuration = FetchConfiguration(dataDirectory: data, environment: [:])
        configuration.systemFolders = [
            "mnist": [], "fashion-mnist": [], "cifar10": [], "digits": shippedDigits ? [DigitsCSV.shippedFolder] : [],
        ]
        return DatasetFetcher(configuration: configuration)
    }

    private func verifyAll(_ fetcher: DatasetFetcher) -> (failures: Int, lines: Lines) {
        let lines = Lines()
        let failures = FetchCommand.fetchOrVerify(
            DatasetRegistry.all, with: fetcher, verify: true, skippingAbsent: true, report: { lines.out.append($0) },
            fail: { lines.err.append($0) })
        return (failures, lines)
    }

    @Test func verifyAllSucceedsWithWhatIsPresentAndNamesWhatIsNot() throws {
        let data = TempFolder()
        let (failures, lines) = verifyAll(fetcher(data.path, shippedDigits: true))
        #expect(failures == 0)
        #expect(lines.err.isEmpty)
        #expect(
            lines.out == [
                "mnist: not downloaded, nothing to verify (nnzoo fetch mnist downloads it)",
                "fashion-mnist: not downloaded, nothing to verify (nnzoo fetch fashion-mnist downloads it)",
                "cifar10: not downloaded, nothing to verify (nnzoo fetch cifar10 downloads it)",
                "digits: 1 of 1 files verified",
            ])
        // Nothing was created for the datasets that are not there.
        #expect(try FileManager.default.contentsOfDirectory(atPath: data.path).isEmpty)
    }

    @Test func verifyAllWithNothingAnywhereSaysSoAndSucceeds() throws {
        let data = TempFolder()
        let (failures, lines) = verifyAll(fetcher(data.path))
        #expect(failures == 0)
        #expect(lines.out.last == "No dataset is in \(data.path): nothing was verified.")
        #expect(lines.out.count == 5)
    }

    @Test func verifyAllFailsWhenSomethingPresentFails() throws {
        let data = TempFolder()
        data.write(Array("<!doctype html><title>Not Found</title>".utf8), to: "digits/digits.csv.gz")
        let (failures, lines) = verifyAll(fetcher(data.path))
        #expect(failures == 1)
        #expect(lines.out.count == 3)
        #expect(lines.err.count == 1)
        #expect(lines.err.first?.hasPrefix("Error: digits failed verification:\n  - digits.csv.gz: ") == true)
    }

    @Test func verifyingANamedDatasetThatIsNotThereStillFails() throws {
        let data = TempFolder()
        let result = try CLI.run(["fetch", "mnist", "--verify", "--data-dir", data.path + "/none"])
        #expect(result.status == 1)
        #expect(
            result.stderr.hasPrefix(
                "Error: mnist is not fully in \(data.path)/none/mnist: train-images-idx3-ubyte.gz, "))
        #expect(!FileManager.default.fileExists(atPath: data.path + "/none"))
    }

    @Test func listCallsTheShippedDigitsVerified() throws {
        let result = try CLI.run(["fetch", "--list", "digits"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("\ndigits   57.5 kB    verified\n"), "\(result.stdout)")
        let elsewhere = TempFolder()
        let outside = try CLI.run(["fetch", "--list", "digits", "--data-dir", elsewhere.path])
        #expect(
            outside.stdout.contains(
                "\ndigits   57.5 kB    verified, read-only in \(CLI.packageRoot)/Data/digits, shipped with nnzoo\n"),
            "\(outside.stdout)")
    }

    @Test func inspectPNGWithoutSamplesShowsTenOfEachClass() throws {
        let folder = TempFolder()
        let png = folder.path + "/digits.png"
        let result = try CLI.run(["inspect", "digits", "--png", png])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.contains(
                "samples    wrote \(png): 100 images, 10 rows (one per class: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9)"))
        let alone = try CLI.run(["inspect", "digits", "--samples", "5"])
        #expect(alone.status == 64)
        #expect(
            alone.stderr.hasPrefix(
                "Error: --samples needs --png FILE: --samples N --png FILE writes N sample images to FILE (without "
                    + "--samples, 10 of each class).\n"))
    }
}
