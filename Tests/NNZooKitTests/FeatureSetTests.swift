import Foundation
import NNAugment
import NNCore
import NNData
import Testing

@testable import NNZooKit

/// Feature sets (tables, toy points) through the training path: per-feature standardisation, batches
/// of Float32 rows, what is recorded, and what is refused.
@Suite struct FeatureSetTests {
    /// Three rows of two features, classes 0, 1, 0.
    private let table = ImageDataset(
        features: [1, 10, 3, 30, 5, -20], labels: [0, 1, 0], featureCount: 2, classNames: ["a", "b"])

    @Test func standardizeUsesEachFeaturesMeanAndStdOverTheTrainingRows() throws {
        let n = try InputNormalization.make(.standardize, dataset: table, trainingIndices: [0, 1])
        #expect(n == InputNormalization(mean: [2, 20], std: [1, 10], maxValue: 1, perFeature: true))
        let assembler = BatchAssembler(
            dataset: table, normalization: n, augmentation: AugmentationPipeline([]), seed: 0)
        let slot = BatchSlot()
        assembler.fill(slot, indices: [2, 0][...], augmentEpoch: 3, threads: 2)
        #expect(slot.input.shape == [2, 1, 1, 2])
        #expect(slot.input.scalars == [3, -4, -1, -1])
        #expect(slot.labels == [0, 0] && slot.sampleIndices == [2, 0])
        // A feature with no spread gets std 1.
        let flat = ImageDataset(features: [4, 1, 4, 2], labels: [0, 1], featureCount: 2, classNames: ["a", "b"])
        #expect(
            try InputNormalization.make(.standardize, dataset: flat, trainingIndices: [0, 1])
                == InputNormalization(mean: [4, 1.5], std: [1, 0.5], maxValue: 1, perFeature: true))
    }

    @Test func scaleKeepsTheValuesAndFixedAppliesOnePairToEveryFeature() throws {
        let slot = BatchSlot()
        let scale = try InputNormalization.make(.scale, dataset: table, trainingIndices: [0, 1, 2])
        BatchAssembler(dataset: table, normalization: scale, augmentation: .init([]), seed: 0)
            .fill(slot, indices: [1][...], augmentEpoch: nil)
        #expect(slot.input.scalars == [3, 30])
        let fixed = try InputNormalization.make(.fixed(mean: [1], std: [2]), dataset: table, trainingIndices: [0])
        BatchAssembler(dataset: table, normalization: fixed, augmentation: .init([]), seed: 0)
            .fill(slot, indices: [1][...], augmentEpoch: nil)
        #expect(slot.input.scalars == [1, 14.5])
    }

    @Test func perFeatureNormalizationIsRecordedAndChannelRecordsStayAsTheyWere() throws {
        let perFeature = InputNormalization(mean: [2, 20], std: [1, 10], maxValue: 1, perFeature: true)
        let text = String(decoding: try JSONEncoder().encode(perFeature), as: UTF8.self)
        #expect(text.contains("\"per\":\"feature\""))
        #expect(try JSONDecoder().decode(InputNormalization.self, from: Data(text.utf8)) == perFeature)
        let channel = InputNormalization(mean: [0.5], std: [0.25], maxValue: 255)
        #expect(!String(decoding: try JSONEncoder().encode(channel), as: UTF8.self).contains("per"))
        let old = #"{"mean":[0.5],"std":[0.25],"max_value":255}"#
        #expect(try JSONDecoder().decode(InputNormalization.self, from: Data(old.utf8)) == channel)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(
                InputNormalization.self, from: Data(#"{"mean":[0],"std":[1],"max_value":1,"per":"pixel"}"#.utf8))
        }
    }

    @Test func augmentationIsRefusedOnAFeatureSet() throws {
        let json = sampleRecipeJSON.replacingOccurrences(
            of: #"{"type": "Linear", "out_features": 10}"#, with: #"{"type": "Linear", "out_features": 2}"#)
        let recipe = try Recipe.decode(Data(json.utf8), source: "sample.json")
        let points = ToyDatasets.make(try ToyDatasets.parse("circles"), split: .train)
        var settings = TrainingSettings(
            defaultsOf: recipe, reference: try DatasetReference.resolve("circles"), threads: 1)
        #expect(settings.augmentation == "shift:1")
        let folder = TemporaryFolder()
        #expect(
            throws: TrainingError.augmentationNeedsImages(dataset: "circles", augmentation: "shift:1", features: 2)
        ) {
            try TrainingSession(
                recipe: recipe, settings: settings, trainingSplit: points, folder: RunFolder(path: folder.path))
        }
        settings.augmentation = ""
        let session = try TrainingSession(
            recipe: recipe, settings: settings, trainingSplit: points, folder: RunFolder(path: folder.path))
        #expect(session.input == ModelInput(channels: 1, height: 1, width: 2, classes: 2))
        #expect(session.trainingIndices.count == 180 && session.validationIndices.count == 20)
        let info = session.checkpoint(kind: "last").info
        #expect(info.settings?.source == DatasetReference(kind: .toy, name: "circles"))
        #expect(info.settings?.datasetReference == DatasetReference(kind: .toy, name: "circles"))
        // The checkpoint keeps how to load the data again.
        let path = folder.path + "/c.safetensors"
        try session.checkpoint(kind: "last").write(to: path)
        let read = try Checkpoint.read(from: path)
        #expect(read.info.settings?.datasetReference == DatasetReference(kind: .toy, name: "circles"))
        #expect(read.info.normalization.perFeature)
    }

    @Test func aSplitsOwnValidationExamplesAreHeldOut() throws {
        var points = ToyDatasets.make(try ToyDatasets.parse("circles"), split: .train)
        points.validationCount = 30
        let (training, validation) = try TrainingSession.split(points, fraction: 0.1, seed: 1)
        #expect(training == Array(0..<170) && validation == Array(170..<200))
        points.validationCount = 0
        #expect(try TrainingSession.split(points, fraction: 0.1, seed: 1).validation.count == 20)
    }

    @Test func registrySettingsRecordNoSource() throws {
        let recipe = try Recipe.decode(Data(sampleRecipeJSON.utf8), source: "sample.json")
        let settings = TrainingSettings(
            defaultsOf: recipe, reference: try DatasetReference.resolve("digits"), threads: 1)
        #expect(settings.source == nil && settings.dataset == "digits")
        #expect(!String(decoding: try JSONEncoder().encode(settings), as: UTF8.self).contains("dataset_source"))
    }

    @Test func recipesMayNameAToySet() throws {
        let json = sampleRecipeJSON.replacingOccurrences(of: #""dataset": "digits""#, with: #""dataset": "Circles""#)
            .replacingOccurrences(
                of: #""expected_accuracy": {"digits": 90}"#, with: #""expected_accuracy": {"circles": 99}"#)
        let recipe = try Recipe.decode(Data(json.utf8), source: "toy.json")
        #expect(recipe.dataset == "circles" && recipe.expectedAccuracy == ["circles": 99])
    }
}
