import Foundation
import NNAugment
import Testing

@testable import NNZooKit

/// Reading recipes: every zoo file, the format's round trip, and errors that name the file and the
/// field.
@Suite struct RecipeTests {
    private func decode(_ json: String, source: String = "test.json") throws -> Recipe {
        try Recipe.decode(Data(json.utf8), source: source)
    }

    /// `sampleRecipeJSON` with `old` replaced by `new` (which must occur once).
    private func variant(_ old: String, _ new: String) -> String {
        precondition(sampleRecipeJSON.components(separatedBy: old).count == 2, "\(old) must occur once")
        return sampleRecipeJSON.replacingOccurrences(of: old, with: new)
    }

    private func error(_ json: String) -> RecipeError? {
        do {
            _ = try decode(json)
            return nil
        } catch let error as RecipeError {
            return error
        } catch {
            return .invalidJSON(path: "unexpected", detail: "\(error)")
        }
    }

    @Test func everyZooRecipeReadsAndIsNamedAfterItsFile() throws {
        let files = RecipeCatalog.recipeFiles(in: [TestPaths.zoo])
        #expect(
            files.map(\.name) == [
                "circles-hinge", "convnet-dropout", "convnet-dropout-augmented", "d2l-mlp", "digits-hinge",
                "digits-mlp",
                "gaussians-perceptron", "lab-convnet", "mlp-784-100-10", "sigmoid-mlp", "sigmoid-mlp-mse", "vgg-bn",
            ])
        for file in files {
            let recipe = try Recipe.read(from: file.path)
            #expect(recipe.name == file.name)
            #expect(!recipe.expectedAccuracy.isEmpty)
        }
    }

    @Test func theIssuesRecipesHaveTheirArchitectures() throws {
        let mlp = try Recipe.read(from: TestPaths.zoo + "/mlp-784-100-10.json")
        #expect(
            mlp.layers == [
                .flatten, .linear(inFeatures: 784, outFeatures: 100, bias: true), .relu,
                .linear(inFeatures: nil, outFeatures: 10, bias: true),
            ])
        #expect(mlp.loss == .crossEntropy)
        let convnet = try Recipe.read(from: TestPaths.zoo + "/convnet-dropout.json")
        #expect(
            convnet.layers.map(\.typeName) == [
                "Conv2d", "MaxPool2d", "ReLU", "Conv2d", "Dropout2d", "MaxPool2d", "ReLU", "Flatten", "Linear", "ReLU",
                "Dropout", "Linear", "LogSoftmax",
            ])
        #expect(convnet.loss == .nll)
        let augmented = try Recipe.read(from: TestPaths.zoo + "/convnet-dropout-augmented.json")
        #expect(augmented.layers == convnet.layers)
        #expect(augmented.augmentation.pipeline(for: "fashion-mnist").description == "crop:2,shift:2")
        #expect(augmented.augmentation.pipeline(for: "mnist").description == "crop:2,shift:2")
        #expect(augmented.augmentation.pipeline(for: "cifar10").description == "hflip,crop:4")
    }

    @Test func encodingAndDecodingGiveTheSameRecipe() throws {
        let recipe = try decode(sampleRecipeJSON)
        let again = try decode(recipe.jsonString())
        #expect(again == recipe)
        #expect(recipe.schedule == .step(stepSize: 1, gamma: 0.5))
        #expect(recipe.augmentation == .all(try AugmentationPipeline(spec: "shift:1")))
        #expect(recipe.layers[4] == .dropout(p: 0.25))
        for file in RecipeCatalog.recipeFiles(in: [TestPaths.zoo]) {
            let zoo = try Recipe.read(from: file.path)
            #expect(try decode(zoo.jsonString()) == zoo)
        }
    }

    /// A recipe file is read only up to `Recipe.maxFileSize` (1 MiB): a 1 GB file (sparse here) is
    /// refused from its size without being read, and so is a valid recipe padded past the bound.
    @Test func aRecipeFileLargerThanAnyRecipeIsNotRead() throws {
        let folder = NSTemporaryDirectory() + "nnzoo-recipe-size-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let huge = folder + "/huge.json"
        #expect(FileManager.default.createFile(atPath: huge, contents: nil))
        #expect(truncate(huge, 1 << 30) == 0)
        #expect(throws: RecipeError.tooLarge(path: huge, size: 1 << 30, limit: Recipe.maxFileSize)) {
            try Recipe.read(from: huge)
        }
        #expect(
            RecipeError.tooLarge(path: huge, size: 1 << 30, limit: 1 << 20).description
                == "The recipe \(huge) holds 1073741824 bytes, more than the 1048576 a recipe may have (the zoo's are "
                + "about 1 kB), so nnzoo did not read it. Give the path of a recipe .json file.")
        let padded = folder + "/padded.json"
        let text = sampleRecipeJSON + String(repeating: " ", count: Recipe.maxFileSize)
        try Data(text.utf8).write(to: URL(fileURLWithPath: padded))
        #expect(throws: RecipeError.tooLarge(path: padded, size: text.utf8.count, limit: Recipe.maxFileSize)) {
            try Recipe.read(from: padded)
        }
        try Data(sampleRecipeJSON.utf8).write(to: URL(fileURLWithPath: padded))
        #expect(throws: Never.self) { try Recipe.read(from: padded) }
    }

    @Test func anUnknownLayerTypeNamesTheFileTheFieldAndTheValidTypes() {
        let found = error(variant(#"{"type": "ReLU"}"#, #"{"type": "Convolution"}"#))
        #expect(
            found
                == .unknownLayerType(
                    path: "test.json", field: "layers[3].type", found: "Convolution", valid: LayerSpec.typeNames))
        #expect(
            found?.description
                == "In the recipe test.json, layers[3].type is \"Convolution\", which is not a layer type nnzoo knows. "
                + "Use one of: Linear, Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, ReLU, LeakyReLU, GELU, Sigmoid, "
                + "Tanh, Flatten, Dropout, Dropout2d, BatchNorm1d, BatchNorm2d, Softmax, LogSoftmax (the torch.nn "
                + "class names).")
    }

    @Test func aMissingFieldNamesTheFileAndTheFieldPath() {
        #expect(error(#"{"name": "x", "epochs": 2}"#) == .missingField(path: "test.json", field: "layers"))
        #expect(
            error(variant(#"{"type": "Linear", "out_features": 16}"#, #"{"type": "Linear"}"#))
                == .missingField(path: "test.json", field: "layers[1].out_features"))
        #expect(
            error(variant(#""type": "SGD", "#, "")) == .missingField(path: "test.json", field: "optimizer.type"))
        let description = RecipeError.missingField(path: "zoo/x.json", field: "layers[1].out_features").description
        #expect(
            description
                == "The recipe zoo/x.json has no layers[1].out_features, which every recipe needs. Add it (see the "
                + "recipes in zoo/ and the README's recipe format).")
    }

    @Test func unknownFieldsAreRefusedNotIgnored() {
        #expect(
            error(variant(#""epochs": 2,"#, #""epoch": 2, "epochs": 2,"#))
                == .unknownField(path: "test.json", field: "epoch", valid: Recipe.fields))
        #expect(
            error(variant(#""momentum": 0.9"#, #""momentum": 0.9, "lr_decay": 1"#))
                == .unknownField(
                    path: "test.json", field: "optimizer.lr_decay",
                    valid: ["type", "lr", "momentum", "dampening", "nesterov", "weight_decay"]))
        #expect(
            error(variant(#"{"type": "Flatten"}"#, #"{"type": "Flatten", "start_dim": 1}"#))
                == .unknownField(path: "test.json", field: "layers[0].start_dim", valid: ["type"]))
    }

    /// Foundation keeps the first of two equal keys, Python the last: a recipe that has one means
    /// different things to different tools, so it is refused, naming the field.
    @Test func aFieldGivenTwiceIsRefused() {
        #expect(
            error(variant(#""epochs": 2,"#, #""epochs": 2, "epochs": 3,"#))
                == .duplicateField(path: "test.json", field: "epochs"))
        #expect(
            error(variant(#"{"type": "Flatten"}"#, #"{"type": "Flatten", "type": "ReLU"}"#))
                == .duplicateField(path: "test.json", field: "layers[0].type"))
        #expect(
            RecipeError.duplicateField(path: "r.json", field: "layers[0].type").description
                == "The recipe r.json gives layers[0].type twice; JSON readers disagree on which one counts, so nnzoo "
                + "reads neither. Keep one of them.")
        #expect(
            error(variant(#""epochs": 2,"#, #""epochs": 2,,"#))
                == .invalidJSON(
                    path: "test.json", detail: "line 17, column 15: expected a key in double quotes, found ','"))
    }

    @Test func wrongTypesAndValuesNameTheField() {
        #expect(
            error(variant(#""epochs": 2,"#, #""epochs": "two","#))
                == .wrongType(path: "test.json", field: "epochs", expected: "a whole number"))
        #expect(
            error(variant(#""batch_size": 50,"#, #""batch_size": 0,"#))
                == .invalidValue(
                    path: "test.json", field: "batch_size", found: "0", expected: "a whole number from 1 to 1000000"))
        // Numbers that do not fit the field's type name the field (Foundation said "not valid JSON").
        #expect(
            error(variant(#""epochs": 2,"#, #""epochs": 1.5,"#))
                == .invalidValue(
                    path: "test.json", field: "epochs", found: "1.5", expected: "a whole number from 1 to 1000000"))
        #expect(
            error(variant(#""seed": 7"#, #""seed": -1"#))
                == .invalidValue(
                    path: "test.json", field: "seed", found: "-1",
                    expected: "a whole number from 0 to 18446744073709551615"))
        #expect(
            error(variant(#""batch_size": 50,"#, #""batch_size": 1e30,"#))
                == .invalidValue(
                    path: "test.json", field: "batch_size", found: "1e30", expected: "a whole number from 1 to 1000000")
        )
        #expect(
            error(variant(#""p": 0.25"#, #""p": 1.5"#))
                == .invalidValue(
                    path: "test.json", field: "layers[4].p", found: "1.5", expected: "a probability between 0 and 1"))
        #expect(
            error(variant(#""loss": "CrossEntropyLoss""#, #""loss": "MSE""#))
                == .invalidValue(
                    path: "test.json", field: "loss", found: "\"MSE\"",
                    expected:
                        "one of \"CrossEntropyLoss\", \"NLLLoss\", \"MSELoss\", \"BCEWithLogitsLoss\", \"HingeLoss\""))
        #expect(
            error(variant(#""dataset": "digits""#, #""dataset": "imagenet""#))
                == .invalidValue(
                    path: "test.json", field: "dataset", found: "\"imagenet\"",
                    expected:
                        "one of mnist, fashion-mnist, cifar10, digits, circles, gaussians (a toy set may carry parameters: gaussians:n=40,seed=3)"
                ))
        #expect(
            error(variant(#""type": "step", "step_size": 1, "gamma": 0.5"#, #""type": "linear""#))
                == .invalidValue(
                    path: "test.json", field: "schedule.type", found: "\"linear\"",
                    expected: "\"constant\", \"step\", \"cosine\" or \"onecycle\""))
    }

    @Test func anAugmentationSpecIsCheckedByTheAugmentationParser() throws {
        let found = error(variant(#""augmentation": "shift:1""#, #""augmentation": "shift:1,blur:2""#))
        guard case .badAugmentation(let path, let field, let message)? = found else {
            Issue.record("expected a bad augmentation error, got \(String(describing: found))")
            return
        }
        #expect(path == "test.json")
        #expect(field == "augmentation")
        #expect(message.hasPrefix("Unknown augmentation 'blur' in 'blur:2'."))
        let perDataset = error(variant(#""augmentation": "shift:1""#, #""augmentation": {"cifar10": "hflip,crop:x"}"#))
        guard case .badAugmentation(_, let field2, _)? = perDataset else {
            Issue.record("expected a bad augmentation error, got \(String(describing: perDataset))")
            return
        }
        #expect(field2 == "augmentation.cifar10")
        #expect(
            error(variant(#""augmentation": "shift:1""#, #""augmentation": {"svhn": "hflip"}"#))
                == .unknownField(
                    path: "test.json", field: "augmentation.svhn",
                    valid: ["mnist", "fashion-mnist", "cifar10", "digits", "circles", "gaussians", "default"]))
    }

    @Test func invalidJSONSaysSo() {
        guard case .invalidJSON(let path, _)? = error("{\"name\": ") else {
            Issue.record("expected invalid JSON")
            return
        }
        #expect(path == "test.json")
    }

    @Test func recipesAreFoundByNameOrPathAndAMissingOneListsTheZoo() throws {
        let (recipe, path) = try RecipeCatalog.find("digits-mlp", folders: [TestPaths.zoo])
        #expect(recipe.name == "digits-mlp")
        #expect(path == TestPaths.zoo + "/digits-mlp.json")
        #expect(try RecipeCatalog.find(TestPaths.zoo + "/sigmoid-mlp.json").recipe.name == "sigmoid-mlp")
        #expect(
            throws: RecipeError.notFound(
                name: "resnet", lookedIn: [TestPaths.zoo],
                known: [
                    "circles-hinge", "convnet-dropout", "convnet-dropout-augmented", "d2l-mlp", "digits-hinge",
                    "digits-mlp", "gaussians-perceptron", "lab-convnet", "mlp-784-100-10", "sigmoid-mlp",
                    "sigmoid-mlp-mse", "vgg-bn",
                ])
        ) {
            try RecipeCatalog.find("resnet", folders: [TestPaths.zoo])
        }
        #expect(throws: RecipeError.unreadable(path: "/nonexistent/x.json", reason: "there is no such file")) {
            try RecipeCatalog.find("/nonexistent/x.json")
        }
    }

    @Test func theZooFolderIsFoundFromTheSourceCheckout() {
        #expect(RecipeCatalog.zooFolders(currentDirectory: "/").contains(TestPaths.zoo))
    }
}
