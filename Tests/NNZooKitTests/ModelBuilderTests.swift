import Foundation
import NNCore
import NNData
import Testing

@testable import NNZooKit

/// The builder infers every size from the dataset, names tensors as PyTorch does, and refuses a
/// recipe that cannot take a dataset's images with a sentence saying why and what fits.
@Suite struct ModelBuilderTests {
    private func recipe(_ name: String) throws -> Recipe {
        try Recipe.read(from: TestPaths.zoo + "/\(name).json")
    }

    private func shapes(_ recipe: Recipe, _ dataset: DatasetSpec) throws -> [String: [Int]] {
        let model = try ModelBuilder.build(recipe, for: ModelInput(dataset), seed: 1)
        var shapes: [String: [Int]] = [:]
        for (name, parameter) in model.namedParameters { shapes[name] = Array(parameter.value.shape) }
        for (name, buffer) in model.namedBuffers { shapes[name] = Array(buffer.value.shape) }
        return shapes
    }

    @Test func theMLPsAreNamedAndShapedAsTorchSequential() throws {
        #expect(
            try shapes(recipe("mlp-784-100-10"), DatasetRegistry.fashionMNIST)
                == ["1.weight": [100, 784], "1.bias": [100], "3.weight": [10, 100], "3.bias": [10]])
        #expect(
            try shapes(recipe("digits-mlp"), DatasetRegistry.digits)
                == ["1.weight": [100, 64], "1.bias": [100], "3.weight": [10, 100], "3.bias": [10]])
    }

    @Test func theSigmoidMLPsInputFollowsTheDataset() throws {
        let sigmoid = try recipe("sigmoid-mlp")
        for (dataset, inputs) in [
            (DatasetRegistry.digits, 64), (DatasetRegistry.mnist, 784), (DatasetRegistry.cifar10, 3072),
        ] {
            #expect(try shapes(sigmoid, dataset)["1.weight"] == [100, inputs])
        }
    }

    @Test func theConvNetInfersChannelsAndTheFlattenSize() throws {
        let convnet = try recipe("convnet-dropout")
        #expect(
            try shapes(convnet, DatasetRegistry.fashionMNIST)
                == [
                    "0.weight": [10, 1, 5, 5], "0.bias": [10], "3.weight": [20, 10, 5, 5], "3.bias": [20],
                    "8.weight": [60, 320], "8.bias": [60], "11.weight": [10, 60], "11.bias": [10],
                ])
        let cifar = try shapes(convnet, DatasetRegistry.cifar10)
        #expect(cifar["0.weight"] == [10, 3, 5, 5])
        #expect(cifar["8.weight"] == [60, 500])
        let resolved = try ModelBuilder.resolve(convnet, for: ModelInput(DatasetRegistry.cifar10))
        #expect(resolved[8] == .linear(inFeatures: 500, outFeatures: 60, bias: true))
        #expect(
            resolved[0] == .conv2d(inChannels: 3, outChannels: 10, kernelSize: 5, stride: 1, padding: 0, bias: true))
    }

    @Test func poolingAndTheNewActivationsInferTheirShapes() throws {
        var recipe = try Recipe.decode(Data(sampleRecipeJSON.utf8), source: "sample.json")
        recipe.layers = [
            .conv2d(inChannels: nil, outChannels: 4, kernelSize: 3, stride: 1, padding: 1, bias: true),
            .leakyReLU(negativeSlope: 0.1),
            .avgPool2d(kernelSize: 2, stride: nil, padding: 0, countIncludePad: true),
            .conv2d(inChannels: nil, outChannels: 6, kernelSize: 3, stride: 1, padding: 1, bias: true),
            .gelu(tanh: false),
            .avgPool2d(kernelSize: 3, stride: 2, padding: 1, countIncludePad: false),
            .adaptiveAvgPool2d(outputHeight: 1, outputWidth: 1), .flatten,
            .linear(inFeatures: nil, outFeatures: 10, bias: true),
        ]
        let input = ModelInput(channels: 3, height: 32, width: 32, classes: 10)
        let resolved = try ModelBuilder.resolve(recipe, for: input)
        #expect(resolved[8] == .linear(inFeatures: 6, outFeatures: 10, bias: true))
        let model = try ModelBuilder.build(recipe, for: input, seed: 1)
        let shapes = try model.layerOutputShapes(for: Shape(2, 3, 32, 32))
        #expect(shapes.map { Array($0) }[2] == [2, 4, 16, 16])
        #expect(shapes.map { Array($0) }[5] == [2, 6, 8, 8])
        #expect(shapes.map { Array($0) }[6] == [2, 6, 1, 1])
        // 32x32 images: 3*32*32... per layer's output, summed, as the memory estimate counts them.
        let counts = try #require(ModelBuilder.activationCounts(resolved, input: input))
        #expect(counts.outputs == 4 * 1024 * 2 + 4 * 256 + 6 * 256 * 2 + 6 * 64 + 6 + 6 + 10)
        #expect(ModelBuilder.parameterCount(resolved) == (4 * 27 + 4) + (6 * 36 + 6) + (10 * 6 + 10))
        // An 8x8 digit pooled to 3x3 by a 3x3 window of stride 3 cannot be pooled again by 4x4.
        recipe.layers = [
            .avgPool2d(kernelSize: 3, stride: nil, padding: 0, countIncludePad: true),
            .avgPool2d(kernelSize: 4, stride: nil, padding: 0, countIncludePad: true), .flatten,
            .linear(inFeatures: nil, outFeatures: 10, bias: true),
        ]
        #expect(throws: ModelIncompatibility.self) {
            try ModelBuilder.resolve(recipe, for: ModelInput(DatasetRegistry.digits))
        }
    }

    @Test func theNewLayersReadAndWriteTheirTorchArguments() throws {
        let layers = #"""
            [{"type": "AvgPool2d", "kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": false},
             {"type": "AdaptiveAvgPool2d", "output_size": [2, 3]}, {"type": "AdaptiveAvgPool2d", "output_size": 1},
             {"type": "LeakyReLU"}, {"type": "LeakyReLU", "negative_slope": 0.2}, {"type": "GELU"},
             {"type": "GELU", "approximate": "tanh"}, {"type": "Flatten"}, {"type": "Linear", "out_features": 10}]
            """#
        let recipe = try Recipe.decode(Data(sampleRecipeJSON(layers: layers).utf8), source: "sample.json")
        #expect(
            recipe.layers.prefix(7) == [
                .avgPool2d(kernelSize: 3, stride: 2, padding: 1, countIncludePad: false),
                .adaptiveAvgPool2d(outputHeight: 2, outputWidth: 3),
                .adaptiveAvgPool2d(outputHeight: 1, outputWidth: 1),
                .leakyReLU(negativeSlope: 0.01), .leakyReLU(negativeSlope: 0.2), .gelu(tanh: false), .gelu(tanh: true),
            ])
        #expect(try Recipe.decode(Data(recipe.jsonString().utf8), source: "again.json") == recipe)
        let architecture = String(decoding: try JSONEncoder().encode(Array(recipe.layers.prefix(7))), as: UTF8.self)
        #expect(
            architecture.contains(#"{"count_include_pad":false"#)
                || architecture.contains(#""count_include_pad":false"#))
        #expect(architecture.contains(#""output_size":[2,3]"#))
        #expect(architecture.contains(#""approximate":"tanh""#))
        for bad in [
            (#"{"type": "AdaptiveAvgPool2d"}"#, "layers[0].output_size"),
            (#"{"type": "AdaptiveAvgPool2d", "output_size": [2, 0]}"#, "layers[0].output_size"),
            (#"{"type": "GELU", "approximate": "erf"}"#, "layers[0].approximate"),
            (#"{"type": "AvgPool2d", "kernel_size": 2, "padding": 2}"#, "layers[0].padding"),
        ] {
            let text = sampleRecipeJSON.replacingOccurrences(of: #"{"type": "Flatten"},"#, with: bad.0 + ",")
            do {
                _ = try Recipe.decode(Data(text.utf8), source: "bad.json")
                Issue.record("\(bad.0) should be refused")
            } catch let error as RecipeError {
                #expect(error.description.contains(bad.1), "\(error)")
            }
        }
    }

    @Test func batchNormBuffersHaveTorchNamesAndTheModelCountsParameters() throws {
        let sample = try Recipe.decode(Data(sampleRecipeJSON.utf8), source: "sample.json")
        let names = try shapes(sample, DatasetRegistry.digits)
        #expect(names["2.running_mean"] == [16])
        #expect(names["2.running_var"] == [16])
        #expect(names["2.num_batches_tracked"] == [])
        let model = try ModelBuilder.build(sample, for: ModelInput(DatasetRegistry.digits), seed: 1)
        let expectedCount: Int = 64 * 16 + 16 + 2 * 16 + 16 * 10 + 10
        #expect(model.parameterCount == expectedCount)
        let randomStateNames: [String] = model.namedRandomStates.map { $0.name }
        #expect(randomStateNames == ["4.rng"])
    }

    @Test func theSameSeedGivesTheSameWeightsAndAnotherSeedOthers() throws {
        let mlp = try recipe("digits-mlp")
        let input = ModelInput(DatasetRegistry.digits)
        let a = try ModelBuilder.build(mlp, for: input, seed: 5).parameters.map(\.value)
        let b = try ModelBuilder.build(mlp, for: input, seed: 5).parameters.map(\.value)
        let c = try ModelBuilder.build(mlp, for: input, seed: 6).parameters.map(\.value)
        #expect(a == b)
        #expect(a != c)
    }

    @Test func theConvNetIsRefusedOnDigitsWithWhyAndWhatFits() throws {
        #expect(
            throws: RecipeError.incompatible(
                recipe: "convnet-dropout", dataset: "digits", input: "1x8x8 images",
                reason: "layer 3 (Conv2d(20 channels, kernel_size 5)) needs an input of at least 5x5 pixels, but "
                    + "receives 2x2 (what 1x8x8 images become after the layers before it)",
                fitting: ["digits-hinge", "digits-mlp", "sigmoid-mlp", "vgg-bn"])
        ) {
            try RecipeCatalog.check(
                try recipe("convnet-dropout"), fits: DatasetRegistry.digits, folders: [TestPaths.zoo])
        }
    }

    @Test func the784InputMLPIsRefusedOnCIFAR10() throws {
        let error = RecipeError.incompatible(
            recipe: "mlp-784-100-10", dataset: "cifar10", input: "3x32x32 images",
            reason: "layer 1 (Linear(784 -> 100)) takes 784 inputs, but 3x32x32 images flatten to 3072 values",
            fitting: ["convnet-dropout", "convnet-dropout-augmented", "sigmoid-mlp", "vgg-bn"])
        #expect(throws: error) {
            try RecipeCatalog.check(
                try recipe("mlp-784-100-10"), fits: DatasetRegistry.cifar10, folders: [TestPaths.zoo])
        }
        #expect(
            error.description
                == "The recipe mlp-784-100-10 cannot train on cifar10 (3x32x32 images): layer 1 (Linear(784 -> 100)) "
                + "takes 784 inputs, but 3x32x32 images flatten to 3072 values. Recipes that fit cifar10: "
                + "convnet-dropout, convnet-dropout-augmented, sigmoid-mlp, vgg-bn.")
        #expect(
            RecipeCatalog.recipes(fitting: DatasetRegistry.fashionMNIST, folders: [TestPaths.zoo])
                == [
                    "convnet-dropout", "convnet-dropout-augmented", "d2l-mlp", "lab-convnet", "mlp-784-100-10",
                    "sigmoid-mlp", "sigmoid-mlp-mse", "vgg-bn",
                ])
    }

    @Test func aWrongClassCountOrLossPairingIsRefused() throws {
        var recipe = try Recipe.decode(Data(sampleRecipeJSON.utf8), source: "sample.json")
        recipe.layers[5] = .linear(inFeatures: nil, outFeatures: 7, bias: true)
        #expect(
            throws: ModelIncompatibility(
                reason: "the network ends with 7 values, but the dataset has 10 classes (the last layer needs "
                    + "out_features 10)")
        ) { try ModelBuilder.resolve(recipe, for: ModelInput(DatasetRegistry.digits)) }
        recipe.layers[5] = .linear(inFeatures: nil, outFeatures: 10, bias: true)
        recipe.loss = .nll
        #expect(
            throws: ModelIncompatibility(
                reason: "NLLLoss expects log-probabilities, so the network must end with LogSoftmax (add it, or use "
                    + "CrossEntropyLoss)")
        ) { try ModelBuilder.resolve(recipe, for: ModelInput(DatasetRegistry.digits)) }
        recipe.layers.remove(at: 0)
        recipe.loss = .crossEntropy
        #expect(
            throws: ModelIncompatibility(
                reason: "layer 0 (Linear(16)) needs a flat input but receives 1 channels of 8x8; put a Flatten layer "
                    + "before it")
        ) { try ModelBuilder.resolve(recipe, for: ModelInput(DatasetRegistry.digits)) }
    }
}
