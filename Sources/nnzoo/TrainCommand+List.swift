import Foundation
import NNCore
import NNZooKit

/// `nnzoo train --list`: the recipes a name can give, with their dataset and what they are.
extension TrainCommand {
    /// One line per recipe (name, default dataset, the first sentence of its description), fitted to
    /// `width` columns when given (a terminal), whole otherwise; then how to train one.
    static func recipeList(_ files: [(name: String, path: String)], folders: [String], width: Int?) -> String {
        guard !files.isEmpty else {
            let places = folders.isEmpty ? "no zoo folder was found" : "looked in " + folders.joined(separator: ", ")
            return "No recipes (\(places)). Give the path of a recipe .json file, or run from a folder with zoo/."
        }
        let nameWidth = files.map { InputText.shown($0.name).count }.max() ?? 0
        var datasetWidth = 0
        let rows: [(name: String, dataset: String, about: String)] = files.map { file in
            do {
                let recipe = try Recipe.read(from: file.path)
                let dataset = recipe.dataset ?? "-"
                datasetWidth = max(datasetWidth, dataset.count)
                // A zoo folder may be anyone's (./zoo): its text is shown, not obeyed.
                return (InputText.shown(file.name), dataset, InputText.shown(firstSentence(recipe.description)))
            } catch {
                return (InputText.shown(file.name), "", "unreadable: " + InputText.message("\(error)"))
            }
        }
        var lines = rows.map { row in
            var line = pad(row.name, nameWidth) + "  " + pad(row.dataset, datasetWidth) + "  " + row.about
            if let width, line.count > width - 1 { line = String(line.prefix(max(0, width - 2))) + "…" }
            return line
        }
        lines.append("")
        lines.append(
            "Train one with \(Invocation.current.command("train <recipe>")) (on its dataset, or --dataset NAME); "
                + "recipes are the .json files in \(folders.joined(separator: ", ")).")
        return lines.joined(separator: "\n")
    }

    /// Up to the first ". " (or all of it).
    static func firstSentence(_ text: String) -> String {
        guard let end = text.range(of: ". ") else { return text }
        return String(text[..<end.lowerBound]) + "."
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
