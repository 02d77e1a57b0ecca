import FixtureSupport
import Foundation
import NNCore
import NNData
import Testing

@testable import NNZooKit

/// The zoo's shipped weights against their table, and the README's generated tables against the
/// files they are generated from.
@Suite struct ZooWeightsTests {
    static let zoo = Fixture.packageRoot + "/zoo"

    static func table() throws -> ZooWeights {
        try ZooWeights.read(from: zoo + "/weights/index.json")
    }

    @Test func theReadmeTablesAreGeneratedFromTheZoo() throws {
        for (path, text) in try ZooTables.generate(readme: Fixture.packageRoot + "/README.md", zoo: Self.zoo) {
            let current = String(decoding: try ReadableFile.readAll(path, limit: 1 << 24), as: UTF8.self)
            #expect(current == text, "\(path) is out of date: run swift run nnbench readme")
        }
    }

    @Test func everyShippedFileIsTheShareableCheckpointItsTableLists() throws {
        let table = try Self.table()
        #expect(!table.weights.isEmpty)
        var total = 0
        for entry in table.weights {
            let path = Self.zoo + "/weights/" + entry.file
            try ZooWeights.verify(entry, at: path, index: Self.zoo + "/weights/index.json")
            #expect(entry.file == ZooWeights.fileName(recipe: entry.recipe, dataset: entry.dataset))
            #expect(
                entry.command
                    == ZooWeights.command(recipe: entry.recipe, dataset: entry.dataset, threads: entry.threads))
            let checkpoint = try Checkpoint.read(from: path)
            let info = checkpoint.info
            #expect(info.recipe.name == entry.recipe && info.dataset == entry.dataset)
            #expect(info.settings?.threads == entry.threads && info.epoch == entry.epoch)
            #expect(info.settings?.epochs == entry.epochs || (info.settings?.earlyStopping ?? 0) > 0)
            // Shareable: no optimizer state, no resume state, no per-epoch record.
            #expect(checkpoint.optimizerState == nil && info.resume == nil && info.metrics.isEmpty)
            // The recipe it was trained with is the zoo's recipe as it is now.
            let recipe = try Recipe.read(from: Self.zoo + "/" + entry.recipe + ".json")
            #expect(info.recipe == recipe, "\(entry.name) was made with another version of \(entry.recipe).json")
            total += entry.bytes
        }
        // A few MB in all.
        #expect(total < 8_000_000)
    }

    /// The recorded test accuracy is what the file gives on the test split (digits ship with nnzoo;
    /// the toy sets are generated).
    @Test func theRecordedAccuracyIsTheFilesOnItsTestSplit() throws {
        for entry in try Self.table().weights {
            guard let reference = try DatasetReference.named(entry.dataset),
                reference.kind == .toy || entry.dataset == "digits"
            else { continue }
            let checkpoint = try Checkpoint.read(from: Self.zoo + "/weights/" + entry.file)
            let test = try DatasetLoader.load(
                reference, split: .test, dataDirectory: try Fixture.shippedDataDirectory())
            let result = TestResult(evaluating: checkpoint.model, info: checkpoint.info, on: test)
            #expect(result.correct == entry.testCorrect && result.examples == entry.testTotal, "\(entry.name)")
            #expect((result.accuracy * 10000).rounded() / 100 == entry.testAccuracy)
        }
    }

    @Test func namesOfTheFormRecipeAtDataset() {
        #expect(ZooWeights.isName("digits-mlp@digits"))
        #expect(ZooWeights.isName("circles-hinge@circles"))
        for text in ["digits-mlp", "@digits", "digits-mlp@", "a@b@c", "runs/a@b", "./a@b", ""] {
            #expect(!ZooWeights.isName(text), "\(text)")
        }
        #expect(ZooWeights.fileName(recipe: "a", dataset: "b") == "a@b.safetensors")
        #expect(
            ZooWeights.command(recipe: "digits-mlp", dataset: "digits", threads: 1)
                == "nnzoo train digits-mlp --dataset digits --threads 1 --out runs/digits-mlp@digits && "
                + "nnzoo export runs/digits-mlp@digits --format safetensors --out zoo/weights/digits-mlp@digits.safetensors"
        )
    }

    @Test func aDamagedTableIsNamed() throws {
        let folder = NSTemporaryDirectory() + "nnzoo-weights-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/zoo/weights", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        FileManager.default.createFile(
            atPath: folder + "/zoo/weights/index.json", contents: Data("{\"weights\": 3}".utf8))
        #expect(throws: ZooWeightsError.self) {
            try ZooWeights.locate("digits-mlp@digits", zooFolders: [folder + "/zoo"])
        }
        do {
            _ = try ZooWeights.locate("digits-mlp@digits", zooFolders: [folder + "/zoo"])
        } catch let error as ZooWeightsError {
            guard case .unreadableIndex(let path, _) = error else {
                Issue.record("expected unreadableIndex, got \(error)")
                return
            }
            #expect(path == folder + "/zoo/weights/index.json")
            #expect(
                error.description.hasPrefix("The zoo's weights table \(folder)/zoo/weights/index.json cannot be read: ")
            )
        }
    }
}
