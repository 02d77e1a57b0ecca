import Foundation
import NNCore
import Testing

@testable import nnzoo

/// `nnzoo train --list`, `nnzoo train` with no recipe, and a misspelt recipe or dataset.
@Suite struct TrainListTests {
    @Test func listNamesEachRecipeWithItsDatasetAndFirstSentence() throws {
        let result = try CLI.run(["train", "--list"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 15 && lines[12].isEmpty && lines[14].isEmpty)
        #expect(
            lines.first?.hasPrefix("circles-hinge              circles        The circles classification task") == true)
        #expect(
            lines[1]
                == "convnet-dropout            fashion-mnist  A small convolutional network with dropout: Conv 10 k5, "
                + "MaxPool 2, ReLU, Conv 20 k5, Dropout2d 0.1, MaxPool 2, ReLU, Flatten (320 on 28x28), Linear 60, "
                + "ReLU, Dropout 0.5, Linear 10, log-softmax with NLL loss.")
        #expect(
            lines.contains(
                "digits-mlp                 digits         A two-layer perceptron (Linear 64-100, ReLU, Linear "
                    + "100-10) for the 8x8 UCI digits that ship with nnzoo: trains offline in a few seconds."))
        #expect(
            lines[13]
                == "Train one with \(CLI.program) train <recipe> (on its dataset, or --dataset NAME); recipes are "
                + "the .json files in \(CLI.packageRoot)/zoo.")
    }

    @Test func listFitsATerminalWidthAndSaysWhenThereAreNoRecipes() throws {
        let folder = TempFolder()
        let recipe = try String(contentsOfFile: CLI.packageRoot + "/zoo/digits-mlp.json", encoding: .utf8)
        folder.write(Array(recipe.utf8), to: "zoo/digits-mlp.json")
        folder.write(Array("{".utf8), to: "zoo/broken.json")
        let files = [
            ("broken", folder.path + "/zoo/broken.json"), ("digits-mlp", folder.path + "/zoo/digits-mlp.json"),
        ]
        let text = TrainCommand.recipeList(files, folders: [folder.path + "/zoo"], width: 60)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("broken      "))
        #expect(lines[0].contains("  unreadable: "))
        #expect(lines[1] == "digits-mlp  digits  A two-layer perceptron (Linear 64-100,…")
        #expect(lines[1].count == 59)
        #expect(
            TrainCommand.recipeList([], folders: [], width: nil)
                == "No recipes (no zoo folder was found). Give the path of a recipe .json file, or run from a folder "
                + "with zoo/.")
    }

    /// A zoo folder may be anyone's (./zoo): what its recipes say is shown, not obeyed.
    @Test func listShowsWhatARecipeFileSays() throws {
        let folder = TempFolder()
        var recipe = try String(contentsOfFile: CLI.packageRoot + "/zoo/digits-mlp.json", encoding: .utf8)
        recipe = recipe.replacingOccurrences(of: #""name": "digits-mlp""#, with: #""name": "evil""#)
            .replacingOccurrences(
                of: #""description": "A two-layer perceptron"#,
                with: #""description": "Clears\u001b[2J the\r screen. A two-layer perceptron"#)
        folder.write(Array(recipe.utf8), to: "zoo/evil.json")
        folder.write(Array(#"{"name": "bad", "\u001b]0;owned\u0007": 1}"#.utf8), to: "zoo/bad\u{202E}.json")
        let zoo = folder.path + "/zoo"
        let text = TrainCommand.recipeList(
            [("bad\u{202E}", zoo + "/bad\u{202E}.json"), ("evil", zoo + "/evil.json")], folders: [zoo], width: nil)
        let unreadable: String =
            #"bad\u{202E}          unreadable: The recipe \#(zoo)/bad\u{202E}.json has a field "#
            + #"\u{1B}]0;owned\u{07} that recipes do not have. Valid fields there: name, description, "#
            + "dataset, normalization, layers, loss, optimizer, schedule, epochs, batch_size, augmentation, "
            + "seed, expected_accuracy, early_stopping, train_subset. Remove or rename it."
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0] == unreadable)
        #expect(lines[1] == #"evil         digits  Clears\u{1B}[2J the\u{0D} screen."#)
        // Through the binary, run in that folder (its ./zoo beside the project's).
        let result = try CLI.run(["train", "--list"], in: folder.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(#"Clears\u{1B}[2J the\u{0D} screen."#))
        #expect(!result.stdout.utf8.contains(0x1B) && !result.stdout.utf8.contains(0x0D))
    }

    @Test func trainWithoutARecipeNamesTheRecipesAndTheListCommand() throws {
        let result = try CLI.run(["train"])
        #expect(result.status == 64)
        #expect(
            result.stderr.hasPrefix(
                "Error: Give a recipe to train (e.g. \(CLI.program) train digits-mlp), or --resume <run folder>. "
                    + "Recipes: circles-hinge, convnet-dropout, convnet-dropout-augmented, d2l-mlp, digits-hinge, "
                    + "digits-mlp, gaussians-perceptron, lab-convnet, mlp-784-100-10, sigmoid-mlp, sigmoid-mlp-mse, "
                    + "vgg-bn; "
                    + "\(CLI.program) train --list says what they are.\n"))
        let both = try CLI.run(["train", "--list", "digits-mlp"])
        #expect(both.status == 64)
        #expect(
            both.stderr.hasPrefix("Error: --list lists the recipes; give it alone, without a recipe or --resume.\n"))
    }

    @Test func aMisspeltRecipeOrDatasetGetsDidYouMean() throws {
        let recipe = try CLI.run(["train", "digits-mpl"])
        #expect(recipe.status == 1)
        #expect(
            recipe.stderr
                == "Error: There is no recipe called 'digits-mpl' (looked in \(CLI.packageRoot)/zoo). Did you mean "
                + "digits-mlp? Recipes available: circles-hinge, convnet-dropout, convnet-dropout-augmented, d2l-mlp, "
                + "digits-hinge, digits-mlp, gaussians-perceptron, lab-convnet, mlp-784-100-10, sigmoid-mlp, "
                + "sigmoid-mlp-mse, vgg-bn. Give a recipe name from the "
                + "zoo or the path of a recipe .json file.\n")
        let dataset = try CLI.run(["train", "digits-mlp", "--dataset", "fasion-mnist"])
        #expect(dataset.status == 1)
        #expect(
            dataset.stderr
                == "Error: There is no dataset called 'fasion-mnist'. Did you mean fashion-mnist? Datasets: "
                + "mnist, fashion-mnist, cifar10, digits; toy sets: circles, gaussians; or give the path of an image "
                + "folder (one folder of images per class) or of a CSV table (one example a row, the label in a column "
                + "called label or last).\n")
        let fetch = try CLI.run(["fetch", "cifar", "--offline"])
        #expect(fetch.status == 64)
        #expect(
            fetch.stderr.hasPrefix(
                "Error: There is no dataset called 'cifar'. Did you mean cifar10? Known datasets: mnist, "
                    + "fashion-mnist, cifar10, digits. `\(CLI.program) fetch --list` shows them with their sizes.\n"))
        let inspect = try CLI.run(["inspect", "mnsit"])
        #expect(inspect.stderr.hasPrefix("Error: There is no dataset called 'mnsit'. Did you mean mnist? "))
    }
}
