import FixtureSupport
import Foundation
import NNData
import Testing

@testable import NNZooKit

/// Inputs committed under `Tests/Fixtures/fuzz/{safetensors,recipe-json}/`, fed through the same
/// entry points and checks as the fuzz harnesses: a clean result or a clean error, never a trap.
@Suite struct ZooFuzzRegressionTests {
    /// (name, bytes) of every committed input of `target` (`Fixture.fuzzInputs`).
    static func inputs(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        try Fixture.fuzzInputs(target)
    }

    @Test func committedRecipeInputsRunCleanly() throws {
        let inputs = try Self.inputs("recipe-json")
        #expect(inputs.count >= 4)
        for input in inputs {
            let recipe: Recipe
            do {
                recipe = try Recipe.decode(Data(input.bytes), source: input.name)
            } catch {
                #expect(!"\(error)".isEmpty)
                continue
            }
            #expect(try Recipe.decode(Data(recipe.jsonString().utf8), source: "again") == recipe)
            for spec in DatasetRegistry.all {
                do {
                    let layers = try ModelBuilder.resolve(recipe, for: ModelInput(spec))
                    _ = MemoryEstimate(spec: spec, architecture: layers, batchSize: recipe.batchSize)
                } catch {
                    #expect(!"\(error)".isEmpty)
                }
            }
        }
    }

    /// Sizes near Int.max in a recipe overflowed the size inference (found by review; the recipes
    /// are committed as fuzz inputs): each is now a sentence naming the layer.
    @Test(arguments: [
        (
            "conv-padding-near-int-max.json",
            "layer 0 (Conv2d(1 channels, kernel_size 1)) pads by 4611686018427387904 pixels, more than an image size can count"
        ),
        (
            "flatten-of-huge-channel-count.json",
            "layer 1 (Flatten) would flatten 4611686018427387904 channels of 8x8 into more values than an Int can count"
        ),
        (
            "pool-padding-near-int-max.json",
            "layer 0 (MaxPool2d(kernel_size 9223372036854775807)) pads by 4611686018427387903 pixels, more than an image size can count"
        ),
    ])
    func hugeSizesAreRefusedByName(_ name: String, _ reason: String) throws {
        let input = try #require(Self.inputs("recipe-json").first { $0.name == name })
        let recipe = try Recipe.decode(Data(input.bytes), source: name)
        #expect(throws: ModelIncompatibility(reason: reason)) {
            try ModelBuilder.resolve(recipe, for: ModelInput(DatasetRegistry.digits))
        }
    }

    /// Found by `Tools/fuzz recipe-json` (from the committed pool recipe): a MaxPool2d padding above
    /// Int.max / 2 overflowed `padding * 2` while the recipe was decoded.
    @Test func aMaxPoolPaddingAboveHalfOfIntMaxIsAValueError() throws {
        let input = try #require(Self.inputs("recipe-json").first { $0.name == "maxpool-padding-twice-overflows.json" })
        #expect {
            try Recipe.decode(Data(input.bytes), source: "pool.json")
        } throws: { error in
            "\(error)"
                == "In the recipe pool.json, layers[0].padding is 4611686124087387910, but it must be at most half of "
                + "kernel_size (27). Fix that value."
        }
    }

    @Test func committedCheckpointInputsRunCleanly() throws {
        for input in try Self.inputs("safetensors") {
            do {
                let checkpoint = try Checkpoint.decode(input.bytes, path: input.name)
                #expect(try Checkpoint.decode(checkpoint.file().encoded(), path: "again").info == checkpoint.info)
            } catch {
                #expect(!"\(error)".isEmpty)
            }
        }
    }
}
