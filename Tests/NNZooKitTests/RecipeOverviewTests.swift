import Foundation
import Testing

@testable import NNZooKit

/// What `nnzoo recipes` says about a recipe, and the measured figures it shows.
@Suite struct RecipeOverviewTests {
    @Test func aRecipeIsDescribedByWhatItFitsItsTargetsAndWhatWasMeasured() throws {
        let entry = MeasuredAccuracy.Entry(
            accuracy: 97.49, lastAccuracy: 97.2, bestEpoch: 50, epochs: 60, secondsPerEpoch: nil, threads: 1,
            measured: "2026-12-04", version: "0.1.0", machine: "test machine")
        let measured = MeasuredAccuracy(recipes: ["sigmoid-mlp": ["fashion-mnist": entry]])
        let overview = RecipeOverview(
            name: "sigmoid-mlp", path: TestPaths.zoo + "/sigmoid-mlp.json", measured: measured)
        #expect(overview.network == "Flatten, Linear 784→100, Sigmoid, Linear 100→10")
        #expect(
            overview.fits.map { "\($0.dataset) \($0.parameters)" } == [
                "fashion-mnist 79510", "mnist 79510", "cifar10 308310", "digits 7510",
            ])
        #expect(overview.expectedAccuracy == ["fashion-mnist": 86, "mnist": 97])
        #expect(overview.measured == ["fashion-mnist": entry])
        #expect(overview.problem == nil)
        let convnet = RecipeOverview(
            name: "convnet-dropout", path: TestPaths.zoo + "/convnet-dropout.json", measured: MeasuredAccuracy())
        #expect(
            convnet.network
                == "Conv 10 k5, MaxPool 2, ReLU, Conv 20 k5, Dropout2d 0.1, MaxPool 2, ReLU, Flatten, Linear 320→60, "
                + "ReLU, Dropout 0.5, Linear 60→10, LogSoftmax")
        #expect(!convnet.fits.contains { $0.dataset == "digits" })
    }

    @Test func theMeasurementsLiveBesideTheRecipesAndAreNoRecipe() throws {
        let folder = TemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder.path + "/measured", withIntermediateDirectories: true)
        folder.write(
            #"{"layers": [{"type": "Flatten"}, {"type": "Linear", "out_features": 10}], "dataset": "digits"}"#,
            to: "tiny.json")
        let entry = MeasuredAccuracy.Entry(
            accuracy: 90.5, lastAccuracy: nil, bestEpoch: nil, epochs: 10, secondsPerEpoch: 0.25, threads: 2,
            measured: "2026-12-04", version: "0.1.0", machine: nil)
        try MeasuredAccuracy(recipes: ["tiny": ["digits": entry]]).write(
            to: folder.path + "/" + MeasuredAccuracy.relativePath)
        #expect(RecipeCatalog.recipeFiles(in: [folder.path]).map(\.name) == ["tiny"])
        let all = RecipeOverview.all(folders: [folder.path])
        #expect(all.map(\.name) == ["tiny"])
        #expect(all.first?.measured["digits"] == entry)
        #expect(all.first?.fits.map(\.dataset) == ["digits", "mnist", "fashion-mnist", "cifar10"])
        #expect(all.first?.network == "Flatten, Linear 64→10")
        // A damaged file of figures is no reason to fail: there are none.
        folder.write("{", to: MeasuredAccuracy.relativePath)
        #expect(MeasuredAccuracy.read(folders: [folder.path]) == MeasuredAccuracy())
        folder.write(#"{"layers": []}"#, to: "broken.json")
        let broken = RecipeOverview.all(folders: [folder.path]).first { $0.name == "broken" }
        #expect(broken?.problem?.contains("layers is an empty list") == true)
    }

    @Test func theZoosMeasurementsRead() throws {
        let measured = try MeasuredAccuracy.read(from: TestPaths.zoo + "/" + MeasuredAccuracy.relativePath)
        let names = Set(RecipeCatalog.recipeFiles(in: [TestPaths.zoo]).map(\.name))
        #expect(!measured.recipes.isEmpty)
        for (recipe, datasets) in measured.recipes {
            #expect(names.contains(recipe), "\(recipe) is measured but not in the zoo")
            for (_, entry) in datasets { #expect(entry.accuracy > 0 && entry.accuracy <= 100) }
        }
    }
}
