import Foundation
import NNCore
import NNData
import NNLayers
import Testing

@testable import NNZooKit

/// A network written by hand: every nnzoo layer names itself back as the recipe layer it was built
/// from, a layer of the program's own is refused with the reason, and HandBuiltTraining trains the
/// network itself into a run folder whose checkpoints hold its weights.
@Suite struct HandBuiltTrainingTests {
    @Test(arguments: [ONNXExportTests.everyLayer, ONNXExportTests.newLayers])
    func everyBuiltLayerDescribesTheRecipeLayerItCameFrom(json: String) throws {
        let recipe = try Recipe.decode(Data(json.utf8), source: "recipe.json")
        let resolved = try ModelBuilder.resolve(recipe, for: ModelInput(DatasetRegistry.digits))
        let model = try ModelBuilder.build(resolved: resolved, seed: 1)
        #expect(model.layers.map { LayerSpec(describing: $0) } == resolved)
        let described = try Recipe(describing: model, name: "copy")
        #expect(described.layers == resolved && described.name == "copy")
        #expect(described.optimizer == Recipe.defaultOptimizer && described.epochs == 10)
    }

    @Test func floatArgumentsReadAsTheDecimalsWritten() throws {
        var rng = RNG(seed: 1)
        #expect(LayerSpec(describing: try LeakyReLU(negativeSlope: 0.2)) == .leakyReLU(negativeSlope: 0.2))
        #expect(LayerSpec(describing: try Dropout(p: 0.3, rng: rng)) == .dropout(p: 0.3))
        #expect(
            LayerSpec(describing: try BatchNorm(features: 4, dimensions: 2, epsilon: 1e-3, momentum: 0.05))
                == .batchNorm2d(numFeatures: 4, eps: 0.001, momentum: 0.05))
        let wide = try Conv2D(inChannels: 1, outChannels: 2, kernel: (3, 1), rng: &rng)
        #expect(LayerSpec(describing: wide) == nil)
    }

    final class Doubling: Layer {
        var description: String { "Doubling()" }
        func outputShape(for inputShape: Shape) throws -> Shape { inputShape }
        func forward(_ input: Tensor, training: Bool) -> Tensor { input * 2 }
        func backward(_ gradOutput: Tensor) -> Tensor { gradOutput * 2 }
    }

    @Test func aLayerOfTheProgramsOwnIsRefusedWithTheReason() throws {
        var rng = RNG(seed: 1)
        let model = Sequential(Flatten(), try Dense(inFeatures: 64, outFeatures: 10, rng: &rng), Doubling())
        #expect(throws: TrainingError.layerWithoutRecipeForm(index: 2, layer: "Doubling()")) {
            try Recipe(describing: model, name: "mine")
        }
        #expect(
            TrainingError.layerWithoutRecipeForm(index: 2, layer: "Doubling()").description
                == "Layer 3 of the network (Doubling()) has no recipe form, and nnzoo's trainer records a network as "
                + "recipe layers so that eval, export and --resume can rebuild it. It trains networks of nnzoo's "
                + "layers (Linear, Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, ReLU, LeakyReLU, GELU, Sigmoid, "
                + "Tanh, Flatten, Dropout, Dropout2d, BatchNorm1d, BatchNorm2d, Softmax, LogSoftmax; square kernels); "
                + "train one with a layer of its own in a loop of its own (Examples/CustomLayer does).")
    }

    @Test func theHandBuiltNetworkItselfTrainsIntoARunFolder() throws {
        Parallel.setThreadCount(1)
        var rng = RNG(seed: 5)
        let model = Sequential(
            Flatten(), try Dense(inFeatures: 64, outFeatures: 16, rng: &rng), ReLU(),
            try Dense(inFeatures: 16, outFeatures: 10, rng: &rng))
        let initial = model.namedParameters.map(\.parameter.value)
        var recipe = try Recipe(describing: model, name: "by-hand")
        recipe.epochs = 3
        recipe.optimizer = .sgd(lr: 0.05, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0)
        let folder = TemporaryFolder()
        let run = try HandBuiltTraining(
            model, recipe: recipe, dataset: "digits", dataDirectory: TestPaths.packageRoot + "/Data",
            out: folder.path + "/run", threads: 1)
        #expect(run.model === model && run.session.model === model)
        #expect(run.info.status == "finished" && run.session.records.count == 3)
        #expect(model.namedParameters.map(\.parameter.value) != initial)
        // checkpoint-last holds the trained network's own weights, rebuilt from the recorded layers.
        let last = try Checkpoint.read(from: folder.path + "/run/checkpoint-last.safetensors")
        #expect(last.info.recipe.name == "by-hand" && last.info.architecture == recipe.layers)
        for (name, parameter) in model.namedParameters {
            #expect(last.model.namedParameters.first { $0.name == name }?.parameter.value == parameter.value, "\(name)")
        }
        let saved = try RunInfo.read(from: folder.path + "/run/run.json")
        #expect(saved.testBest == run.testBest && saved.testLast == run.testLast && saved.recipeFile == nil)
        let best = try #require(run.testBest)
        #expect(best.examples == 359 && best.accuracy > 0.8)
    }

    @Test func aNetworkThatDoesNotFitTheImagesIsRefusedBeforeAnythingIsWritten() throws {
        var rng = RNG(seed: 1)
        let model = Sequential(Flatten(), try Dense(inFeatures: 784, outFeatures: 10, rng: &rng))
        let folder = TemporaryFolder()
        #expect(throws: RecipeError.self) {
            try HandBuiltTraining(
                model, recipe: try Recipe(describing: model, name: "too-wide"), dataset: "digits",
                dataDirectory: TestPaths.packageRoot + "/Data", out: folder.path + "/run")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/run"))
    }
}
