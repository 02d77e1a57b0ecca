import Foundation
import NNCore
import Testing

@testable import NNZooKit

/// Per-layer initialisers in recipes (`weight_init`, `bias_init`): PyTorch's fans, gains, bounds and
/// standard deviations (`Tests/Fixtures/torch/init.json`, checked against torch.nn.init itself), the
/// exact values the run's generator gives, and the errors for what PyTorch would refuse.
@Suite struct InitializerSpecTests {
    private struct Fixture: Decodable {
        struct Case: Decodable {
            struct Stored: Decodable { let data: [Double] }
            let name: String
            let tensors: [String: Stored]
            let numbers: [String: Double]
        }
        let cases: [Case]
    }

    private func decodeSpec(_ json: String) throws -> InitializerSpec {
        try JSONDecoder().decode(InitializerSpec.self, from: Data(json.utf8))
    }

    private func recipe(layers: String) throws -> Recipe {
        try Recipe.decode(Data(sampleRecipeJSON(layers: layers).utf8), source: "test.json")
    }

    private let sampleRecipeLayers = """
        [{"type": "Flatten"}, {"type": "Linear", "out_features": 16}, {"type": "BatchNorm1d"}, {"type": "ReLU"},
         {"type": "Dropout", "p": 0.25}, {"type": "Linear", "out_features": 10}]
        """

    @Test func boundsAndDeviationsArePyTorchs() throws {
        let url = URL(fileURLWithPath: TestPaths.packageRoot + "/Tests/Fixtures/torch/init.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        #expect(fixture.cases.count == 15)
        for c in fixture.cases {
            let spec = try decodeSpec(c.name)
            let shape = Shape(try #require(c.tensors["shape"]).data.map { Int($0) })
            let fans = try #require(Initializer.fans(of: shape))
            #expect(Double(fans.fanIn) == c.numbers["fan_in"], "\(c.name)")
            #expect(Double(fans.fanOut) == c.numbers["fan_out"], "\(c.name)")
            func close(_ value: Float, _ key: String) -> Bool {
                guard let expected = c.numbers[key] else { return false }
                return abs(Double(value) - expected) <= 1e-6 * max(abs(expected), 1e-3)
            }
            switch spec.initializer.distribution(for: shape) {
            case .uniform(let low, let high):
                #expect(close(low, "low") && close(high, "high"), "\(c.name): U(\(low), \(high))")
            case .normal(let mean, let std):
                #expect(close(mean, "mean") && close(std, "std"), "\(c.name): N(\(mean), \(std))")
            case .constant:
                Issue.record("\(c.name) should be random")
            }
        }
    }

    @Test func aRecipesInitialisersGiveTheGeneratorsDrawsExactly() throws {
        let recipe = try self.recipe(
            layers: """
                [{"type": "Flatten"},
                 {"type": "Linear", "out_features": 16, "weight_init": "xavier_uniform", "bias_init": "zeros"},
                 {"type": "ReLU"},
                 {"type": "Linear", "out_features": 10,
                  "weight_init": {"type": "normal", "std": 0.01}, "bias_init": {"type": "constant", "val": 0.5}}]
                """)
        #expect(
            recipe.initialization == [
                1: LayerInitialization(weight: .xavierUniform(gain: 1), bias: .constant(0)),
                3: LayerInitialization(weight: .normal(mean: 0, std: 0.01), bias: .constant(0.5)),
            ])
        let model = try ModelBuilder.build(
            recipe, for: ModelInput(channels: 1, height: 8, width: 8, classes: 10), seed: 3)
        // Weight by weight in the order torch.nn layers initialise: first layer's weight, its bias
        // (zeros draw nothing), then the second layer's weight.
        var rng = TrainingRandomness.weightInitialization(seed: 3)
        let bound = Float((6.0 / (64 + 16)).squareRoot())
        let first = (0..<(16 * 64)).map { _ in rng.uniform(-bound, bound) }
        let second = (0..<(10 * 16)).map { _ in 0.01 * rng.normal() }
        let parameters = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.parameter) })
        #expect(try #require(parameters["1.weight"]).value.scalars == first)
        #expect(try #require(parameters["1.bias"]).value.scalars == [Float](repeating: 0, count: 16))
        #expect(try #require(parameters["3.weight"]).value.scalars == second)
        #expect(try #require(parameters["3.bias"]).value.scalars == [Float](repeating: 0.5, count: 10))
        #expect(first.map(abs).max()! <= bound && first.map(abs).max()! > 0.95 * bound)
    }

    @Test func layersWithoutInitialisersKeepPyTorchsDefault() throws {
        let recipe = try self.recipe(layers: sampleRecipeLayers)
        #expect(recipe.initialization.isEmpty)
        let input = ModelInput(channels: 1, height: 8, width: 8, classes: 10)
        let named = try ModelBuilder.build(recipe, for: input, seed: 3).namedParameters
        var rng = TrainingRandomness.weightInitialization(seed: 3)
        let bound = Float(1 / 8.0)
        #expect(named[0].parameter.value.scalars == (0..<(16 * 64)).map { _ in rng.uniform(-bound, bound) })
    }

    @Test func namesArgumentsAndDefaultsFollowTorchNNInit() throws {
        #expect(
            try decodeSpec(#""kaiming_normal_""#) == .kaimingNormal(a: 0, fanOut: false, nonlinearity: "leaky_relu"))
        #expect(try decodeSpec(#""zeros""#) == .constant(0))
        #expect(try decodeSpec(#""ones""#) == .constant(1))
        #expect(try decodeSpec(#"{"type": "normal"}"#) == .normal(mean: 0, std: 1))
        #expect(try decodeSpec(#"{"type": "uniform"}"#) == .uniform(a: 0, b: 1))
        #expect(try decodeSpec(#"{"type": "xavier_normal", "gain": "tanh"}"#) == .xavierNormal(gain: 5.0 / 3.0))
        // kaiming's default is leaky_relu with a = 0: a gain of sqrt(2).
        let kaiming = try decodeSpec(#""kaiming_uniform""#).initializer.distribution(for: Shape(10, 6))
        #expect(kaiming == .uniform(low: -1, high: 1))
        for spec in [
            InitializerSpec.xavierUniform(gain: 2), .kaimingUniform(a: 0.1, fanOut: true, nonlinearity: "relu"),
            .constant(0.25), .normal(mean: 1, std: 2), .uniform(a: -3, b: 3), .constant(0), .constant(1),
        ] {
            #expect(try decodeSpec(String(decoding: JSONEncoder().encode(spec), as: UTF8.self)) == spec)
        }
    }

    @Test func whatPyTorchWouldRefuseIsAnErrorNamingTheField() throws {
        func problem(_ layers: String) -> RecipeError? {
            do {
                _ = try recipe(layers: layers)
                return nil
            } catch let error as RecipeError {
                return error
            } catch {
                return nil
            }
        }
        let fanless = problem(
            #"[{"type": "Flatten"}, {"type": "Linear", "out_features": 10, "bias_init": "xavier_uniform"}]"#)
        guard case .invalidValue(_, let field, _, let expected)? = fanless else {
            Issue.record("expected an invalid value, got \(String(describing: fanless))")
            return
        }
        #expect(field == "layers[1].bias_init")
        #expect(expected.contains("no fans"))
        #expect(
            problem(
                #"[{"type": "Flatten"}, {"type": "Linear", "out_features": 10, "bias": false, "bias_init": "zeros"}]"#)
                == .invalidValue(
                    path: "test.json", field: "layers[1].bias_init", found: "\"zeros\"",
                    expected: "left out: the layer has no bias"))
        #expect(
            problem(
                #"[{"type": "Flatten"}, {"type": "ReLU", "weight_init": "zeros"}, {"type": "Linear", "out_features": 10}]"#
            )
                == .unknownField(path: "test.json", field: "layers[1].weight_init", valid: ["type"]))
        guard
            case .invalidValue(_, let field2, let found, _)? = problem(
                #"[{"type": "Flatten"}, {"type": "Linear", "out_features": 10, "weight_init": "glorot"}]"#)
        else {
            Issue.record("expected an invalid initialiser name")
            return
        }
        #expect(field2 == "layers[1].weight_init")
        #expect(found == "\"glorot\"")
        guard
            case .invalidValue(_, let field3, _, _)? = problem(
                #"[{"type": "Flatten"}, {"type": "Linear", "out_features": 10, "weight_init": {"type": "kaiming_normal", "mode": "fan_avg"}}]"#
            )
        else {
            Issue.record("expected an invalid mode")
            return
        }
        #expect(field3 == "layers[1].weight_init.mode")
    }
}
