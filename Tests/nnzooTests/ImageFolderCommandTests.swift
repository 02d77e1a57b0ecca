import Foundation
import NNImage
import NNZooKit
import Testing

/// Image folders through the commands: inspect, augment, train with a recipe file, eval of the run
/// (the folder found where it was, or moved with its runs), and the refusals.
@Suite(.serialized) struct ImageFolderCommandTests {
    /// A folder of 4x4 gray images in two classes, `dark` and `light`, 8 each.
    static func makeFolder(in folder: TempFolder, name: String = "photos") throws {
        for i in 0..<8 {
            let dark = try PNGImage(
                width: 4, height: 4, channels: 1, pixels: .init(repeating: UInt8(10 + i), count: 16))
            let light = try PNGImage(
                width: 4, height: 4, channels: 1, pixels: .init(repeating: UInt8(200 + i), count: 16))
            folder.write(try dark.encoded(), to: "\(name)/dark/\(i).png")
            folder.write(try light.encoded(), to: "\(name)/light/\(i).png")
        }
    }

    static let recipe = """
        {
          "name": "tiny", "description": "a test recipe", "dataset": "digits",
          "normalization": {"type": "standardize"},
          "layers": [{"type": "Flatten"}, {"type": "Linear", "out_features": 2}],
          "loss": "CrossEntropyLoss", "optimizer": {"type": "SGD", "lr": 0.1, "momentum": 0.9},
          "schedule": {"type": "constant"}, "epochs": 3, "batch_size": 4, "augmentation": "", "seed": 1,
          "expected_accuracy": {}
        }
        """

    func run(_ arguments: [String], in folder: TempFolder) throws -> CLI.Result {
        try CLI.run(arguments, in: folder.path, environment: ["NNZOO_CACHE_DIR": folder.path + "/cache"])
    }

    @Test func inspectAndAugmentAFolder() throws {
        let folder = TempFolder()
        try Self.makeFolder(in: folder)
        let result = try run(["inspect", "photos", "--png", "grid.png"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let root = URL(fileURLWithPath: folder.path).standardizedFileURL.path + "/photos"
        #expect(lines.first == "\(root): an image folder, train split")
        #expect(lines.contains("count      12 (train 12, test 4)"))
        #expect(lines.contains("shape      1 x 4 x 4 (channels x height x width), u8 pixels 0...255"))
        #expect(lines.contains { $0.hasPrefix("     0  dark ") } && lines.contains { $0.hasPrefix("     1  light ") })
        #expect(
            lines.contains {
                $0.contains("photos: 16 files, ") && $0.contains("SHA-256 of their names, sizes and contents")
            })
        #expect(FileManager.default.fileExists(atPath: folder.path + "/grid.png"))
        // The second run reads the decoded images from the cache.
        let again = try run(["inspect", "photos"], in: folder)
        #expect(again.stdout.contains("(decoded images from the cache)"))
        let augment = try run(
            ["augment", "photos", "--ops", "hflip", "--png", "aug.png", "--samples", "2"], in: folder)
        #expect(augment.status == 0, "\(augment.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.path + "/aug.png"))
    }

    @Test func aRunOnAFolderRecordsItAndEvaluatesItWhereverItMovedWithTheRun() throws {
        let folder = TempFolder()
        try Self.makeFolder(in: folder)
        folder.write(Array(Self.recipe.utf8), to: "tiny.json")
        let train = try run(
            ["train", "tiny.json", "--dataset", "photos", "--out", "runs/a", "--threads", "1"], in: folder)
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("(1x4x4 images, 2 classes): 11 training and 1 validation images"))
        let info = try RunInfo.read(from: folder.path + "/runs/a/run.json")
        let source = try #require(info.settings.source)
        #expect(source.kind == .imageFolder && source.relativePath == "../../photos")
        #expect(source.imageFolder?.channels == 1 && source.splitSeed == 1)
        #expect(info.datasetFiles.first?.files == 16 && info.datasetFiles.first?.registry == "folder")
        let evaluation = try run(["eval", "runs/a", "--threads", "1"], in: folder)
        #expect(evaluation.status == 0, "\(evaluation.stderr)")
        #expect(evaluation.stdout.contains(" test split: 4 images of 1x4x4, 2 classes."))
        // The folder moves away alone: the error says where it was looked for.
        try FileManager.default.moveItem(atPath: folder.path + "/photos", toPath: folder.path + "/elsewhere")
        let lost = try run(["eval", "runs/a", "--threads", "1"], in: folder)
        #expect(lost.status == 1)
        #expect(lost.stderr.contains("which is not there. If it moved, give its new place with --dataset PATH."))
        let found = try run(["eval", "runs/a", "--dataset", "elsewhere", "--threads", "1"], in: folder)
        #expect(found.status == 0, "\(found.stderr)")
        // Moved together with its runs: found relative to the run folder.
        try FileManager.default.createDirectory(atPath: folder.path + "/project", withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: folder.path + "/elsewhere", toPath: folder.path + "/project/photos")
        try FileManager.default.moveItem(atPath: folder.path + "/runs", toPath: folder.path + "/project/runs")
        let moved = try run(["eval", "project/runs/a", "--threads", "1"], in: folder)
        #expect(moved.status == 0, "\(moved.stderr)")
        #expect(moved.stdout.contains("/project/photos test split: 4 images"))
    }

    @Test func folderOptionsAreCheckedAndRefusedForOtherDatasets() throws {
        let folder = TempFolder()
        try Self.makeFolder(in: folder)
        let channels = try run(["inspect", "photos", "--channels", "2"], in: folder)
        #expect(channels.status == 64 && channels.stderr.contains("--channels must be 1 (gray) or 3 (RGB), not 2."))
        let size = try run(["inspect", "photos", "--image-size", "28"], in: folder)
        #expect(size.status == 64 && size.stderr.contains("--image-size must be HxW"))
        let registry = try run(["inspect", "digits", "--image-size", "4x4"], in: folder)
        #expect(registry.status != 0)
        #expect(
            registry.stderr.contains(
                "--image-size applies to image folders, but digits is a registry dataset of fixed images. Leave --image-size out."
            ))
        folder.write(Array("not an image".utf8), to: "photos/dark/readme.txt")
        let refused = try run(["inspect", "photos"], in: folder)
        #expect(refused.status == 1)
        #expect(
            refused.stderr.contains("1 of the 17 files in ")
                && refused.stderr.contains("dark/readme.txt (it is neither PNG nor JPEG"))
        let skipped = try run(["inspect", "photos", "--skip-bad"], in: folder)
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stderr.contains("Note: --skip-bad left out 1 file of "))
    }
}
