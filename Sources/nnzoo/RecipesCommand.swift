import ArgumentParser
import Foundation
import NNCore
import NNZooKit

/// `nnzoo recipes`: every recipe of the zoo, what it is, what it fits, what it aims at and what the
/// project measured.
struct RecipesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recipes",
        abstract: "List the zoo's recipes: network, datasets and parameters, targets, measured accuracy.",
        discussion: examplesAsInvoked(
            """
            For each recipe: its network in one line (sizes for its own dataset), the datasets it fits with \
            the trainable parameters it has on each (its own dataset first), the test accuracy it states as its \
            target, and, where the project measured it, the test accuracy of checkpoint-best and the time per \
            epoch (zoo/measured/accuracy.json, written by swift run -c release nnbench accuracy --record). \
            Accuracy is the same on any machine for the same thread count; times were taken on the machine \
            named, with nothing else running. "weights" names the trained weights the zoo ships \
            (zoo/weights), which predict, eval and export take as RECIPE@DATASET.

            Examples:
              nnzoo recipes
              nnzoo recipes digits-mlp sigmoid-mlp
              nnzoo recipes --json
            """))

    @Argument(
        help: ArgumentHelp("Recipes to show (default: all of them).", valueName: "recipe"),
        completion: Completions.recipes)
    var names: [String] = []

    @Flag(help: "Print the list as JSON.")
    var json = false

    func validate() throws {
        let known = RecipeCatalog.recipeFiles().map(\.name)
        for name in names where !known.contains(name) {
            throw ValidationError(
                "There is no recipe called '\(name)'.\(NameSuggestions.didYouMean(name, among: known)) Recipes: "
                    + known.joined(separator: ", ") + ".")
        }
    }

    func run() throws {
        let folders = RecipeCatalog.zooFolders()
        var overviews = RecipeOverview.all(folders: folders)
        if !names.isEmpty { overviews = overviews.filter { names.contains($0.name) } }
        if json {
            print(try JSONText.pretty(overviews))
            return
        }
        guard !overviews.isEmpty else {
            let places = folders.isEmpty ? "no zoo folder was found" : "looked in " + folders.joined(separator: ", ")
            print("No recipes (\(places)). Give the path of a recipe .json file to nnzoo train.")
            return
        }
        print(overviews.map(Self.block).joined(separator: "\n\n"))
        print(
            "\nTrain one with \(Invocation.current.command("train <recipe>")); recipes are the .json files in "
                + folders.joined(separator: ", ") + ".")
    }

    /// A recipe as a few lines: name and network, datasets, targets, measurements.
    static func block(_ recipe: RecipeOverview) -> String {
        var lines = ["\(recipe.name)  \(recipe.network)"]
        if !recipe.fits.isEmpty {
            let fits = recipe.fits.map { fit in
                "\(fit.dataset)\(fit.dataset == recipe.dataset ? " (default)" : ""): "
                    + "\(grouped(fit.parameters)) parameters"
            }
            lines.append("  fits      " + fits.joined(separator: ", "))
        }
        if let problem = recipe.problem {
            lines.append("  cannot be used: \(InputText.message(problem))")
        }
        if !recipe.expectedAccuracy.isEmpty {
            lines.append(
                "  target    "
                    + recipe.expectedAccuracy.sorted { $0.key < $1.key }.map { "\($0.key) \(percent($0.value))" }
                    .joined(separator: ", "))
        }
        for (dataset, entry) in recipe.measured.sorted(by: { $0.key < $1.key }) {
            var text = "  measured  \(dataset) \(String(format: "%.2f%%", entry.accuracy)) after \(entry.epochs) epochs"
            if let target = recipe.expectedAccuracy[dataset] {
                text += entry.accuracy >= target ? " (target met)" : " (target missed)"
            }
            if let seconds = entry.secondsPerEpoch {
                text +=
                    String(format: ", %.3f s/epoch", seconds) + " at \(counted(entry.threads, "thread"))"
                    + (entry.machine.map { " on \(InputText.shown($0))" } ?? "")
            }
            if let timed = entry.timed, entry.secondsPerEpoch != nil, timed != entry.measured {
                text += " (accuracy \(InputText.shown(entry.measured)), time \(InputText.shown(timed)))"
            } else {
                text += " (\(InputText.shown(entry.measured)))"
            }
            lines.append(text)
        }
        if !recipe.weights.isEmpty {
            let names = recipe.weights.sorted { $0.key < $1.key }.map {
                "\($0.value.name) (\(String(format: "%.2f%%", $0.value.testAccuracy)))"
            }
            lines.append("  weights   " + names.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    /// 21840 as "21,840".
    static func grouped(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return out
    }

    /// 97 as "97%", 97.5 as "97.5%".
    static func percent(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))%" : "\(value)%"
    }
}
