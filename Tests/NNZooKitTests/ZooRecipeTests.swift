import Foundation
import NNCore
import NNData
import Testing

@testable import NNZooKit

/// The zoo's newer recipes as their files write them: vgg-bn's network on Fashion-MNIST's 1x28x28
/// and CIFAR-10's 3x32x32 images, and the notebooks' toy-set experiments (circles-hinge,
/// gaussians-perceptron) with the notebooks' settings.
@Suite struct ZooRecipeTests {
    private func recipe(_ name: String) throws -> Recipe {
        try Recipe.read(from: TestPaths.zoo + "/\(name).json")
    }

    @Test func vggBNIsThreeBlocksOfTwoConvBNReLUWithAGlobalPoolingHead() throws {
        let vgg = try recipe("vgg-bn")
        let block = { (channels: Int) -> [LayerSpec] in
            let conv = LayerSpec.conv2d(
                inChannels: nil, outChannels: channels, kernelSize: 3, stride: 1, padding: 1, bias: false)
            let norm = LayerSpec.batchNorm2d(numFeatures: nil, eps: 1e-5, momentum: 0.1)
            return [conv, norm, .relu, conv, norm, .relu, .maxPool2d(kernelSize: 2, stride: nil, padding: 0)]
        }
        #expect(
            vgg.layers
                == block(32) + block(64) + block(128) + [
                    .adaptiveAvgPool2d(outputHeight: 1, outputWidth: 1), .flatten, .dropout(p: 0.2),
                    .linear(inFeatures: nil, outFeatures: 10, bias: true),
                ])
        #expect(vgg.loss == .crossEntropy && vgg.epochs == 30 && vgg.batchSize == 128)
        #expect(vgg.optimizer == .sgd(lr: 0.1, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 0.0005))
        #expect(vgg.schedule == .oneCycle(ScheduleSpec.OneCycle()))
        #expect(vgg.augmentation.pipeline(for: "fashion-mnist").description == "hflip,crop:2")
        #expect(vgg.augmentation.pipeline(for: "mnist").description == "crop:2")
        #expect(vgg.augmentation.pipeline(for: "cifar10").description == "hflip,crop:4")
        #expect(vgg.expectedAccuracy.keys.sorted() == ["cifar10", "fashion-mnist"])
    }

    /// Conv weights 3x3xCin per output channel (no bias), BatchNorm's weight and bias per channel,
    /// Linear 128x10 + 10: 288,170 on one channel, 576 more (32 x 9 x 2) on three.
    @Test(arguments: [(DatasetRegistry.fashionMNIST, 288170), (DatasetRegistry.cifar10, 288746)])
    func vggBNBuildsOnGrayAndColourImages(dataset: DatasetSpec, parameters: Int) throws {
        let vgg = try recipe("vgg-bn")
        let input = ModelInput(dataset)
        let resolved = try ModelBuilder.resolve(vgg, for: input)
        #expect(ModelBuilder.parameterCount(resolved) == parameters)
        #expect(
            resolved.first
                == .conv2d(
                    inChannels: input.channels, outChannels: 32, kernelSize: 3, stride: 1, padding: 1, bias: false))
        #expect(resolved.last == .linear(inFeatures: 128, outFeatures: 10, bias: true))
        let model = try ModelBuilder.build(vgg, for: input, seed: 1)
        #expect(model.namedParameters.map(\.parameter.value.count).reduce(0, +) == parameters)
        let batch = Tensor(shape: Shape(2, input.channels, input.height, input.width), repeating: 0.5)
        #expect(model.forward(batch, training: false).shape == Shape(2, 10))
    }

    @Test func theToyRecipesKeepTheNotebooksSettings() throws {
        let circles = try recipe("circles-hinge")
        #expect(circles.dataset == "circles" && circles.normalization == .scale && circles.loss == .hinge)
        #expect(
            circles.layers == [
                .flatten, .linear(inFeatures: 2, outFeatures: 10, bias: true), .relu,
                .linear(inFeatures: nil, outFeatures: 1, bias: true),
            ])
        let notebookDense = LayerInitialization(weight: .normal(mean: 0, std: 1), bias: .constant(0))
        #expect(circles.initialization == [1: notebookDense, 3: notebookDense])
        // The notebook's weight decay 0.01 applied outside lr 0.1 is PyTorch's 0.01 / 0.1.
        #expect(circles.optimizer == .sgd(lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0.1))
        #expect(circles.epochs == 100 && circles.batchSize == 200 && circles.schedule == .constant)
        let gaussians = try recipe("gaussians-perceptron")
        #expect(gaussians.dataset == "gaussians" && gaussians.loss == .bceWithLogits)
        #expect(gaussians.layers == [.flatten, .linear(inFeatures: 2, outFeatures: 1, bias: true)])
        #expect(gaussians.initialization == [1: LayerInitialization(weight: .constant(0), bias: .constant(0))])
        // The lab's eta 0.1 on the summed loss over the 36 points trained on is lr 3.6 on the mean.
        #expect(gaussians.optimizer == .sgd(lr: 3.6, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0))
        #expect(gaussians.epochs == 20 && gaussians.batchSize == 40)
    }

    @Test func theToyRecipesFitTheToySetsInTheOverview() throws {
        let circles = RecipeOverview(
            name: "circles-hinge", path: TestPaths.zoo + "/circles-hinge.json", measured: MeasuredAccuracy())
        #expect(circles.problem == nil)
        #expect(
            circles.fits
                == [
                    RecipeOverview.Fit(dataset: "circles", parameters: 41),
                    RecipeOverview.Fit(dataset: "gaussians", parameters: 41),
                ])
        #expect(circles.network == "Flatten, Linear 2→10, ReLU, Linear 10→1")
        let vgg = RecipeOverview(name: "vgg-bn", path: TestPaths.zoo + "/vgg-bn.json", measured: MeasuredAccuracy())
        #expect(vgg.fits.map(\.dataset) == ["fashion-mnist", "mnist", "cifar10", "digits"])
    }
}
