import NNAugment
import NNData
import NNLayers

/// `decision.png`, written into the run folder after training on a set of 2-D points (a toy set,
/// a CSV table of two features): the plane coloured by the class the trained model predicts at
/// every pixel, with the training points as discs and the test points as rings on top: the picture
/// the course notebooks draw with matplotlib's `contourf` and `scatter` (`ScatterPlot`).
///
/// The predicted class at a pixel is the model's largest output (the first, on ties); a model with a
/// single output predicts class 1 where that output is positive (the notebooks' `y_pred > 0`).
public enum DecisionPlot {
    public static let fileName = "decision.png"

    /// Whether examples like `dataset`'s get a decision plot: rows of exactly two features.
    public static func applies(to dataset: ImageDataset) -> Bool { dataset.isFeatureSet && dataset.width == 2 }

    /// The plot of `model` (with the input normalization it was trained with) over `train` and `test`.
    public static func render(
        model: Sequential, normalization: InputNormalization, train: ImageDataset, test: ImageDataset, side: Int = 480
    ) -> PNGImage {
        let sets = [
            ScatterPlot.Points(coordinates: train.features, labels: train.labels.map(Int.init)),
            ScatterPlot.Points(coordinates: test.features, labels: test.labels.map(Int.init), rings: true),
        ]
        return ScatterPlot.render(sets, classCount: train.classNames.count, side: side) { centres in
            predictedClasses(model: model, normalization: normalization, points: centres, classNames: train.classNames)
        }
    }

    /// The class `model` predicts for each `x, y` pair of `points`.
    public static func predictedClasses(
        model: Sequential, normalization: InputNormalization, points: [Float], classNames: [String]
    ) -> [Int] {
        let count = points.count / 2
        guard count > 0 else { return [] }
        let grid = ImageDataset(
            features: points, labels: [UInt8](repeating: 0, count: count), featureCount: 2, classNames: classNames)
        let outputs = ModelEvaluation.outputs(model, dataset: grid, normalization: normalization, batchSize: 2048)
        let width = outputs.count / count
        return outputs.withUnsafeBufferPointer { values in
            (0..<count).map { row in
                let base = row * width
                if width == 1 { return values[base] > 0 ? 1 : 0 }
                var best = 0
                for j in 1..<max(1, width) where values[base + j] > values[base + best] { best = j }
                return best
            }
        }
    }
}
