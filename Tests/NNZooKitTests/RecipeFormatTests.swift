import Foundation
import NNAugment
import NNCore
import Testing

@testable import NNZooKit

/// The forgiving format: only `layers` is required, every other field has its documented default,
/// a recipe written back has every field filled in, and what recipes and checkpoints wrote before
/// still reads.
@Suite struct RecipeFormatTests {
    private let layersOnly = #"{"layers": [{"type": "Flatten"}, {"type": "Linear", "out_features": 10}]}"#

    @Test func aRecipeOfOnlyLayersTakesEveryDefault() throws {
        let recipe = try Recipe.decode(Data(layersOnly.utf8), source: "/tmp/my-first.json")
        #expect(recipe.name == "my-first")
        #expect(recipe.description == "")
        #expect(recipe.dataset == nil)
        #expect(recipe.normalization == .standardize)
        #expect(recipe.loss == .crossEntropy)
        #expect(recipe.optimizer == .adam(lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0))
        #expect(recipe.schedule == .constant)
        #expect(recipe.epochs == 10)
        #expect(recipe.batchSize == 64)
        #expect(recipe.augmentation == .all(AugmentationPipeline([])))
        #expect(recipe.seed == 1)
        #expect(recipe.expectedAccuracy.isEmpty)
        #expect(recipe.earlyStopping == nil)
        #expect(recipe.trainSubset == nil)
        #expect(
            recipe
                == Recipe(name: "my-first", layers: [.flatten, .linear(inFeatures: nil, outFeatures: 10, bias: true)]))
    }

    @Test func writtenBackEveryFieldIsFilledIn() throws {
        let recipe = try Recipe.decode(Data(layersOnly.utf8), source: "first.json")
        let json = recipe.jsonString()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "name", "description", "normalization", "layers", "loss", "optimizer", "schedule", "epochs",
                "batch_size", "augmentation", "seed", "expected_accuracy",
            ])
        let optimizer = try #require(object["optimizer"] as? [String: Any])
        #expect(Set(optimizer.keys) == ["type", "lr", "betas", "eps"])
        #expect(optimizer["type"] as? String == "Adam" && optimizer["lr"] as? Double == 0.001)
        // Read back under another file name, it keeps its name: a checkpoint's recipe is self-contained.
        #expect(try Recipe.decode(Data(json.utf8), source: "elsewhere.json") == recipe)
    }

    @Test func earlyStoppingAndTheTrainingSubsetReadAndWriteBack() throws {
        let json = #"""
            {"layers": [{"type": "Flatten"}, {"type": "Linear", "out_features": 10}], "dataset": "digits",
             "early_stopping": {"patience": 4}, "train_subset": 500, "optimizer": "SGD", "schedule": "cosine",
             "normalization": "scale"}
            """#
        let recipe = try Recipe.decode(Data(json.utf8), source: "x.json")
        #expect(recipe.earlyStopping == 4)
        #expect(recipe.trainSubset == 500)
        #expect(recipe.dataset == "digits")
        #expect(recipe.normalization == .scale)
        #expect(recipe.optimizer == .sgd(lr: 0.001, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0))
        #expect(try Recipe.decode(Data(recipe.jsonString().utf8), source: "y.json") == recipe)
        #expect(recipe.jsonString().contains(#""early_stopping":{"patience":4}"#))
        #expect(recipe.jsonString().contains(#""train_subset":500"#))
    }

    @Test func whatIsLeftOutMustStillBeRight() {
        func error(_ json: String, source: String = "x.json") -> String? {
            do {
                _ = try Recipe.decode(Data(json.utf8), source: source)
                return nil
            } catch {
                return "\(error)"
            }
        }
        let layers = #""layers": [{"type": "Flatten"}, {"type": "Linear", "out_features": 10}]"#
        #expect(
            error("{\(layers), \"epoch\": 3}")?.contains("has a field epoch that recipes do not have") == true)
        #expect(error(#"{"epochs": 3}"#)?.contains("has no layers") == true)
        #expect(
            error("{\(layers), \"early_stopping\": {\"patience\": 0}}")?.contains("early_stopping.patience") == true)
        #expect(error("{\(layers), \"early_stopping\": {\"epochs\": 3}}")?.contains("early_stopping.epochs") == true)
        #expect(error("{\(layers), \"early_stopping\": 3}")?.contains("early_stopping") == true)
        #expect(error("{\(layers), \"train_subset\": 0}")?.contains("train_subset is 0") == true)
        #expect(
            error("{\(layers)}", source: "/tmp/my recipe.json")?.contains(
                "name is missing, and the file name gives \"my recipe\"") == true)
    }

    /// A recipe as checkpoints and run.json stored it before the format was forgiving (every field,
    /// sorted keys), and the settings of that time.
    @Test func recipesAndSettingsWrittenBeforeStillRead() throws {
        let old = #"""
            {"augmentation":"shift:1","batch_size":32,"dataset":"digits","description":"A two-layer perceptron.","epochs":60,"expected_accuracy":{"digits":97},"layers":[{"type":"Flatten"},{"in_features":64,"out_features":100,"type":"Linear"},{"type":"ReLU"},{"out_features":10,"type":"Linear"}],"loss":"CrossEntropyLoss","name":"digits-mlp","normalization":{"type":"standardize"},"optimizer":{"lr":0.050000000000000003,"momentum":0.90000000000000002,"type":"SGD"},"schedule":{"min_lr":0,"type":"cosine"},"seed":1}
            """#
        let recipe = try Recipe.decode(Data(old.utf8), source: "checkpoint (its recipe)")
        #expect(recipe.name == "digits-mlp")
        #expect(recipe.optimizer == .sgd(lr: 0.05, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0))
        #expect(recipe.schedule == .cosine(minLR: 0))
        let oldSettings = #"""
            {"augmentation":"shift:1","batch_size":32,"dataset":"digits","epochs":60,"optimizer":{"lr":0.05,"momentum":0.9,"type":"SGD"},"seed":1,"threads":2,"validation_split":0.1}
            """#
        let settings = try JSONDecoder().decode(TrainingSettings.self, from: Data(oldSettings.utf8))
        #expect(settings.schedule == nil && settings.loss == nil && settings.earlyStopping == nil)
        let info = CheckpointInfo(
            kind: "best", recipe: recipe,
            architecture: try ModelBuilder.resolve(
                recipe, for: ModelInput(channels: 1, height: 8, width: 8, classes: 10)),
            input: ModelInput(channels: 1, height: 8, width: 8, classes: 10), dataset: "digits",
            classNames: (0..<10).map(String.init), normalization: InputNormalization(mean: [0], std: [1], maxValue: 16),
            epoch: 1, metrics: [], settings: settings, resume: nil)
        // An old checkpoint's loss is its recipe's.
        #expect(info.loss == .crossEntropy)
    }

    /// A recipe inside a file nnzoo wrote (run.json's `recipe`) that breaks a rule is described by
    /// its field and the rule, not "it could not be read (RecipeProblem)".
    @Test func aRecipeInsideRunJSONNamesTheFieldAndTheRule() throws {
        struct Holder: Decodable { var recipe: Recipe }
        let json = #"{"recipe": "# + sampleRecipeJSON.replacingOccurrences(of: #""sample""#, with: #""a/b""#) + "}"
        do {
            _ = try JSONSyntax.decode(Holder.self, from: Array(json.utf8))
            Issue.record("a recipe named a/b was accepted")
        } catch {
            #expect(
                JSONProblem.describe(error)
                    == #"recipe.name is "a/b", but it must be a file-name-safe name (letters, digits, '-', '_', '.')"#)
        }
    }
}
