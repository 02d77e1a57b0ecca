import Foundation
import NNAugment
import NNData
import Testing

/// Runs the built `nnzoo` binary's `augment` subcommand as a user would.
@Suite struct AugmentCommandTests {
    private static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The `nnzoo` executable SwiftPM built next to the test bundle.
    private static var binary: String {
        let testBundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [testBundle.appendingPathComponent("nnzoo").path, packageRoot.path + "/.build/debug/nnzoo"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    private struct Run {
        let status: Int32
        let output: String
        let errors: String
    }

    private func nnzoo(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        // Never the user's cache (an image folder's decoded images are kept there).
        process.environment = ProcessInfo.processInfo.environment.merging(["NNZOO_CACHE_DIR": "off"]) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outText = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: outText, errors: errText)
    }

    /// A fresh temporary folder, removed when `body` returns.
    private func withTemporaryFolder(_ body: (String) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nnzoo-augment-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(folder.path)
    }

    private var shippedData: String { Self.packageRoot.path + "/Data" }

    @Test func digitsPreviewIsTheLibrarysRenderingAndRepeats() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/d.png"
            let run = try nnzoo(["augment", "digits", "--ops", "shift:1", "--png", path, "--data-dir", shippedData])
            #expect(run.status == 0, "\(run.errors)")
            // 8x8 digits at scale 14: cells 112 px, gaps 4, red bar 6; 8 rows, original + 6 variants,
            // each row under a 13-pixel title and over one caption line (13 pixels).
            #expect(
                run.output
                    == "Wrote \(path) (826x1140 pixels): 8 digits train samples, each original then 6 variants of "
                    + "shift:1, seed 0.\n")
            let written = try PNGImage.read(from: path)
            let dataset = try DatasetLoader.load("digits", split: .train, dataDirectory: shippedData)
            let expected = try AugmentationPreview.render(
                dataset: dataset, pipeline: try AugmentationPipeline(spec: "shift:1"), samples: 8, variants: 6, seed: 0)
            #expect(written == expected)

            let first = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(
                try nnzoo(["augment", "digits", "--ops", "shift:1", "--png", path, "--data-dir", shippedData]).status
                    == 0)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == first, "same seed, same bytes")
            let other = folder + "/other.png"
            let seeded = [
                "augment", "digits", "--ops", "shift:1", "--png", other, "--seed", "1", "--data-dir", shippedData,
            ]
            #expect(try nnzoo(seeded).status == 0)
            #expect(try Data(contentsOf: URL(fileURLWithPath: other)) != first)
        }
    }

    @Test func fashionMNISTTestSplitFromTheSystemFolder() throws {
        try withTemporaryFolder { folder in
            // An empty data directory: the loader falls back to Debian's /usr/share/datasets/fashion-mnist.
            let path = folder + "/aug.png"
            let run = try nnzoo([
                "augment", "fashion-mnist", "--ops", "crop:2,hflip,shift:2", "--samples", "2", "--variants", "3",
                "--split", "test", "--seed", "5", "--png", path, "--data-dir", folder,
            ])
            #expect(run.status == 0, "\(run.errors)")
            let written = try PNGImage.read(from: path)
            // 28x28 at scale 4: 4 + 4 * (112 + 4) + 6 + 4 wide, 4 + 2 * (13 + 112 + 33 + 4) tall
            // (a title strip, the cells, three caption lines).
            #expect(written.width == 478 && written.height == 328 && written.channels == 3)
            let dataset = try DatasetLoader.load("fashion-mnist", split: .test, dataDirectory: folder)
            let expected = try AugmentationPreview.render(
                dataset: dataset, pipeline: try AugmentationPipeline(spec: "crop:2,hflip,shift:2"), samples: 2,
                variants: 3, seed: 5)
            #expect(written == expected)
        }
    }

    @Test func badSpecNamesTheTokenAndWritesNothing() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/x.png"
            let run = try nnzoo([
                "augment", "digits", "--ops", "hflip,flip:2", "--png", path, "--data-dir", shippedData,
            ])
            #expect(run.status != 0)
            #expect(
                run.errors.contains(
                    "Error: Unknown augmentation 'flip' in 'flip:2'. Valid operations: hflip[:P], vflip[:P], "
                        + "crop:PAD[:zero|edge|reflect], shift:K[:FILL], rotate:DEG[:FILL], cutout:SIZE[:P], "
                        + "brightness:D, contrast:D."))
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func badOptionsAreRefused() throws {
        let common = ["augment", "digits", "--png", "/tmp/never-written.png", "--data-dir", shippedData]
        for (extra, message) in [
            (["--ops", ""], "Error: --ops is empty; give at least one operation, e.g. --ops hflip,crop:4."),
            (["--ops", "hflip", "--split", "val"], "Error: --split must be train or test, not 'val'."),
            (["--ops", "hflip", "--samples", "0"], "Error: --samples must be at least 1 (got 0)."),
            (["--ops", "hflip", "--variants=-2"], "Error: --variants must be at least 1 (got -2)."),
            (["--ops", "hflip", "--scale", "0"], "Error: --scale must be at least 1 (got 0)."),
            (["--ops", "crop:4:mirror"], "Error: In the augmentation 'crop:4:mirror', the padding mode is 'mirror'"),
        ] {
            let run = try nnzoo(common + extra)
            #expect(run.status != 0 && run.errors.contains(message), "\(extra): \(run.errors)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never-written.png"))
    }

    @Test func missingDataTooManySamplesAndUnwritablePathAreSentences() throws {
        try withTemporaryFolder { folder in
            let missing = try nnzoo([
                "augment", "mnist", "--ops", "hflip", "--png", folder + "/m.png", "--data-dir", folder,
            ])
            #expect(missing.status == 1)
            #expect(missing.errors.hasPrefix("Error: The mnist dataset is not available"), "\(missing.errors)")

            let tooMany = try nnzoo([
                "augment", "digits", "--ops", "hflip", "--samples", "5000", "--png", folder + "/t.png", "--data-dir",
                shippedData,
            ])
            #expect(tooMany.status == 1)
            #expect(tooMany.errors.contains("The preview asks for 5000 samples but the split has only"))

            let unwritable = try nnzoo([
                "augment", "digits", "--ops", "hflip", "--png", folder + "/no/such/folder/u.png", "--data-dir",
                shippedData,
            ])
            #expect(unwritable.status == 1)
            #expect(unwritable.errors.contains(folder + "/no/such/folder/u.png"), "\(unwritable.errors)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty, "no file left behind")
        }
    }
}
