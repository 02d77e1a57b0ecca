import NNCore
import Testing

@testable import NNLayers

/// A batch norm in evaluation mode (running statistics) given an empty batch: it divided the
/// parallel loop's chunk size by the batch's values per channel, zero, and trapped.
@Suite struct BatchNormEmptyBatchTests {
    @Test(arguments: [(2, [0, 3, 4, 4]), (1, [0, 3]), (1, [0, 3, 5])])
    func emptyBatchInEvaluationGivesAnEmptyOutput(dimensions: Int, shape: [Int]) throws {
        let norm = try BatchNorm(features: 3, dimensions: dimensions)
        let output = norm.forward(Tensor(shape: Shape(shape)), training: false)
        #expect(output.shape == Shape(shape))
        #expect(output.scalars.isEmpty)
    }
}
