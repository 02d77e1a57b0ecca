import FixtureSupport
import Foundation
import NNCore
import Testing

/// A fixture file written by `Tools/reference/torch_fixtures.py`: cases of inputs, parameters,
/// outputs and gradients computed by PyTorch.
struct TorchFixture: Decodable {
    struct StoredTensor: Decodable {
        let shape: [Int]
        let data: [Double]
        var tensor: Tensor { Tensor(shape: Shape(shape), scalars: data.map { Float($0) }) }
    }

    struct Case: Decodable {
        let name: String
        let config: [String: Double]
        let tensors: [String: StoredTensor]
        let labels: [Int]
        let numbers: [String: Double]

        func tensor(_ key: String) throws -> Tensor {
            try #require(tensors[key], "fixture case \(name) has no tensor \(key)").tensor
        }

        func int(_ key: String) throws -> Int { Int(try #require(config[key], "case \(name) has no \(key)")) }
        func double(_ key: String) throws -> Double { try #require(config[key], "case \(name) has no \(key)") }
    }

    let generated_by: String
    let torch_version: String
    let cases: [Case]

    /// Loads `Tests/Fixtures/torch/<name>` (`Fixture.bytes`: a missing or empty file fails naming it).
    static func load(_ name: String) throws -> TorchFixture {
        let relative = "Tests/Fixtures/torch/\(name)"
        do {
            return try JSONDecoder().decode(TorchFixture.self, from: Data(Fixture.bytes(relative)))
        } catch let error as DecodingError {
            throw FixtureError(
                path: Fixture.packageRoot + "/" + relative,
                problem: "is not a fixture Tools/reference/torch_fixtures.py writes (\(error))")
        }
    }
}

/// Expects `actual` to match PyTorch's `expected` within 1e-4 relative: each element within
/// `1e-4 * max(|expected|, 1% of the tensor's largest magnitude)` (the floor keeps entries that
/// are nearly zero from demanding more than Float32 can give).
func expectMatchesTorch(
    _ actual: Tensor, _ expected: Tensor, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.shape == expected.shape, "\(what): shape", sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    let largest = expected.scalars.map { abs($0) }.max() ?? 0
    var worst: (index: Int, error: Float, bound: Float)?
    for i in 0..<actual.count {
        let bound = 1e-4 * max(abs(expected[flat: i]), 0.01 * largest)
        let error = abs(actual[flat: i] - expected[flat: i])
        if !(error <= bound), worst == nil || error / bound > worst!.error / worst!.bound {
            worst = (i, error, bound)
        }
    }
    #expect(
        worst == nil,
        "\(what): element \(worst?.index ?? 0) differs by \(worst?.error ?? 0), allowed \(worst?.bound ?? 0)",
        sourceLocation: sourceLocation)
}
