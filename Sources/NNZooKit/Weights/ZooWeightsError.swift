import NNCore

/// What can go wrong finding the zoo's weights for `RECIPE@DATASET`. Each description says what was
/// looked for, what was found and what to do.
public enum ZooWeightsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Not of the form `RECIPE@DATASET`.
    case notAName(text: String)
    /// No recipe of that name (in the zoo folders or the weights tables).
    case unknownRecipe(recipe: String, dataset: String, suggestion: String, recipes: [String], lookedIn: [String])
    /// The recipe exists, but no table lists weights for it on that dataset.
    case noWeights(recipe: String, dataset: String, available: [String], lookedIn: [String])
    /// The recipe's network cannot take the dataset's examples (`reason` says why).
    case doesNotFit(recipe: String, dataset: String, reason: String, available: [String])
    /// The table `index.json` cannot be read or decoded.
    case unreadableIndex(path: String, reason: String)
    /// The table lists the file, but it is not there (or cannot be read).
    case missingFile(path: String, index: String, reason: String, command: String)
    /// The file is not the one the table lists.
    case changed(path: String, index: String, expected: String, found: String, command: String)

    public var description: String {
        switch self {
        case .notAName(let text):
            return "'\(text)' is not of the form RECIPE@DATASET (e.g. digits-mlp@digits)."
        case .unknownRecipe(let recipe, let dataset, let suggestion, let recipes, let lookedIn):
            let list = recipes.isEmpty ? "no recipes were found" : "recipes: " + recipes.joined(separator: ", ")
            let places = lookedIn.isEmpty ? "no zoo folder was found" : "looked in " + lookedIn.joined(separator: ", ")
            return "There is no recipe called '\(recipe)' (in '\(recipe)@\(dataset)').\(suggestion) The zoo's \(list) "
                + "(\(places)); \(Invocation.current.command("recipes")) lists them."
        case .noWeights(let recipe, let dataset, let available, let lookedIn):
            let have =
                available.isEmpty
                ? "The zoo ships no weights for \(recipe)"
                : "The zoo ships weights for \(recipe) as " + available.joined(separator: ", ")
            return "There are no weights for \(recipe)@\(dataset) (looked in \(lookedIn.joined(separator: ", "))). "
                + "\(have). Train them with: "
                + Invocation.current.command("train \(recipe) --dataset \(dataset) --out runs/\(recipe)@\(dataset)")
                + ", then give the run folder runs/\(recipe)@\(dataset) in place of \(recipe)@\(dataset)."
        case .doesNotFit(let recipe, let dataset, let reason, let available):
            let have =
                available.isEmpty
                ? "" : " The zoo ships weights for \(recipe) as " + available.joined(separator: ", ") + "."
            return "There are no weights for \(recipe)@\(dataset): \(recipe) cannot be trained on \(dataset) "
                + "(\(reason)).\(have) \(Invocation.current.command("recipes")) lists the datasets each recipe fits."
        case .unreadableIndex(let path, let reason):
            return "The zoo's weights table \(path) cannot be read: \(reason). Restore it from the nnzoo sources "
                + "(git checkout -- zoo/weights/index.json, or install nnzoo again)."
        case .missingFile(let path, let index, let reason, let command):
            return "\(index) lists \(path), but it cannot be read: \(reason). Restore it from the nnzoo sources "
                + "(a git clone has it; install nnzoo again for an installed one), or make it again with: \(command)"
        case .changed(let path, let index, let expected, let found, let command):
            return "\(path) is not the file \(index) lists: expected SHA-256 \(expected), found \(found). It was "
                + "changed or damaged; nothing was read from it. Restore it from the nnzoo sources (git checkout -- "
                + "the file, or install nnzoo again), or make it again with: \(command)"
        }
    }
}
