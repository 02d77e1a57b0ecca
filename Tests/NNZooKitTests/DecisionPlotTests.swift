import NNAugment
import NNCore
import NNData
import NNLayers
import Testing

@testable import NNZooKit

/// decision.png: the class a model predicts at each pixel of the plane, under the points.
@Suite struct DecisionPlotTests {
    /// A model answering class 1 where x > y: outputs (y, x), or the single output x - y.
    private func model(outputs: Int) throws -> Sequential {
        var rng = RNG(seed: 0)
        let dense = try Dense(inFeatures: 2, outFeatures: outputs, rng: &rng)
        dense.weight.value = Tensor(shape: Shape(outputs, 2), scalars: outputs == 2 ? [0, 1, 1, 0] : [1, -1])
        dense.bias?.value = Tensor(shape: Shape(outputs), repeating: 0)
        return Sequential([Flatten(), dense])
    }

    private let identity = InputNormalization(mean: [0, 0], std: [1, 1], maxValue: 1, perFeature: true)

    @Test func thePredictedClassIsTheLargestOutputOrThePositiveSingleOne() throws {
        let points: [Float] = [3, 1, 1, 3, 2, 2, -1, -5]
        #expect(
            DecisionPlot.predictedClasses(
                model: try model(outputs: 2), normalization: identity, points: points, classNames: ["a", "b"])
                == [1, 0, 0, 1])
        #expect(
            DecisionPlot.predictedClasses(
                model: try model(outputs: 1), normalization: identity, points: points, classNames: ["a", "b"])
                == [1, 0, 0, 1])
        // The normalization the model was trained with applies: (x - 10) / 1 against y / 1.
        let shifted = InputNormalization(mean: [10, 0], std: [1, 1], maxValue: 1, perFeature: true)
        #expect(
            DecisionPlot.predictedClasses(
                model: try model(outputs: 2), normalization: shifted, points: points, classNames: ["a", "b"])
                == [0, 0, 0, 0])
    }

    @Test func thePlaneIsTintedByThePredictedClassUnderThePoints() throws {
        let train = ImageDataset(features: [0, 0, 4, 4], labels: [0, 1], featureCount: 2, classNames: ["a", "b"])
        let test = ImageDataset(features: [1, 3], labels: [0], featureCount: 2, classNames: ["a", "b"])
        #expect(DecisionPlot.applies(to: train))
        #expect(!DecisionPlot.applies(to: ImageDataset(features: [1], labels: [0], featureCount: 1, classNames: ["a"])))
        let side = 100
        let image = DecisionPlot.render(
            model: try model(outputs: 2), normalization: identity, train: train, test: test, side: side)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] {
            let o = (y * image.width + x) * 3
            return Array(image.pixels[o..<o + 3])
        }
        func rgb(_ c: ScatterPlot.Color) -> [UInt8] { [c.0, c.1, c.2] }
        let (left, top) = (ScatterPlot.marginLeft, ScatterPlot.marginTop)
        // Top left of the plot is x < y (class 0), bottom right x > y (class 1).
        #expect(pixel(left + 1, top + 1) == rgb(ScatterPlot.tint(of: 0)))
        #expect(pixel(left + side - 2, top + side - 2) == rgb(ScatterPlot.tint(of: 1)))
        // The training point (4, 4) of class 1 is drawn on top, its centre in the class colour.
        let frame = ScatterPlot.frame(
            for: [.init(coordinates: train.features, labels: [0, 1]), .init(coordinates: test.features, labels: [0])],
            side: side)
        let centre = frame.pixel(x: 4, y: 4)
        #expect(pixel(centre.x, centre.y) == rgb(ScatterPlot.color(of: 1)))
    }
}
