import NNCore

/// What can go wrong finding, reading or using a recipe. Each description is a sentence naming the
/// recipe file and the field (as a path such as `layers[3].type`), what was expected and what was
/// found, and what to do. What the file holds (field names, values, datasets) is shown as
/// `InputText.shown` shows it: a recipe may come inside a checkpoint from elsewhere.
public enum RecipeError: Error, Equatable, CustomStringConvertible {
    /// No recipe file called `name` in the zoo folders, and `name` is not a file.
    case notFound(name: String, lookedIn: [String], known: [String])
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// A FIFO, folder, device or socket where a recipe file was expected (`kind` names it).
    case notRegularFile(path: String, kind: String)
    /// The file is larger than any recipe (`Recipe.maxFileSize`); nothing of it was read.
    case tooLarge(path: String, size: Int, limit: Int)
    /// The file is not valid JSON.
    case invalidJSON(path: String, detail: String)
    /// A field (or any key) appears twice in one object.
    case duplicateField(path: String, field: String)
    /// A required field is missing.
    case missingField(path: String, field: String)
    /// A field the recipe format does not have (often a typo).
    case unknownField(path: String, field: String, valid: [String])
    /// A field holds the wrong kind of value (a string where a number belongs, ...).
    case wrongType(path: String, field: String, expected: String)
    /// A field holds a value outside what it allows.
    case invalidValue(path: String, field: String, found: String, expected: String)
    /// A layer's `type` is not a layer nnzoo knows.
    case unknownLayerType(path: String, field: String, found: String, valid: [String])
    /// An augmentation spec does not parse; `message` is the parser's sentence.
    case badAugmentation(path: String, field: String, message: String)
    /// A value the JSON reader could not turn into what the field holds.
    case unreadableValue(path: String, field: String, detail: String)
    /// The recipe cannot train on the dataset: `reason` says why, `fitting` lists the recipes that can.
    /// `input` says what one example is (`1x28x28 images`, `rows of 2 features`).
    case incompatible(recipe: String, dataset: String, input: String, reason: String, fitting: [String])

    public var description: String {
        switch self {
        case .notFound(let name, let lookedIn, let known):
            let places = lookedIn.isEmpty ? "no zoo folder was found" : "looked in " + lookedIn.joined(separator: ", ")
            let choices = known.isEmpty ? "" : " Recipes available: \(known.joined(separator: ", "))."
            return
                "There is no recipe called '\(name)' (\(places)).\(NameSuggestions.didYouMean(name, among: known))"
                + "\(choices) Give a recipe name from the zoo "
                + "or the path of a recipe .json file."
        case .unreadable(let path, let reason):
            return "Cannot read the recipe \(path): \(reason). Check the path and its permissions."
        case .tooLarge(let path, let size, let limit):
            return
                "The recipe \(path) holds \(size) bytes, more than the \(limit) a recipe may have (the zoo's are about "
                + "1 kB), so nnzoo did not read it. Give the path of a recipe .json file."
        case .notRegularFile(let path, let kind):
            return
                "The recipe \(path) is \(kind), not a regular file. Give a recipe name from the zoo or the path "
                + "of a recipe .json file."
        case .invalidJSON(let path, let detail):
            return "The recipe \(path) is not valid JSON: \(detail). Fix the file (compare with the recipes in zoo/)."
        case .duplicateField(let path, let field):
            return
                "The recipe \(path) gives \(field) twice; JSON readers disagree on which one counts, so nnzoo "
                + "reads neither. Keep one of them."
        case .missingField(let path, let field):
            return
                "The recipe \(path) has no \(field), which every recipe needs. Add it (see the recipes in zoo/ "
                + "and the README's recipe format)."
        case .unknownField(let path, let field, let valid):
            return
                "The recipe \(path) has a field \(field) that recipes do not have. Valid fields there: "
                + "\(valid.joined(separator: ", ")). Remove or rename it."
        case .wrongType(let path, let field, let expected):
            return "In the recipe \(path), \(field) must be \(expected). Fix that value."
        case .invalidValue(let path, let field, let found, let expected):
            return
                "In the recipe \(path), \(field) is \(InputText.shown(found, limit: 200)), but it must be \(expected). "
                + "Fix that value."
        case .unknownLayerType(let path, let field, let found, let valid):
            return
                "In the recipe \(path), \(field) is \"\(InputText.shown(found, limit: 100))\", which is not a layer type "
                + "nnzoo knows. Use one "
                + "of: \(valid.joined(separator: ", ")) (the torch.nn class names)."
        case .badAugmentation(let path, let field, let message):
            return "In the recipe \(path), \(field) is not a valid augmentation spec. \(InputText.shown(message))"
        case .unreadableValue(let path, let field, let detail):
            return "In the recipe \(path), \(field) cannot be read: \(detail). Fix that value."
        case .incompatible(let recipe, let dataset, let input, let reason, let fitting):
            let (recipe, dataset) = (InputText.shown(recipe), InputText.shown(dataset))
            let advice =
                fitting.isEmpty
                ? "No recipe in the zoo fits \(dataset)."
                : "Recipes that fit \(dataset): \(fitting.joined(separator: ", "))."
            return "The recipe \(recipe) cannot train on \(dataset) (\(input)): \(reason). \(advice)"
        }
    }
}

extension RecipeError {
    /// A recipe file that could not be opened or read.
    init(_ error: FileReadError) {
        switch error.problem {
        case .notRegular(let kind): self = .notRegularFile(path: error.path, kind: kind)
        case .tooLarge(let size, let limit): self = .tooLarge(path: error.path, size: size, limit: limit)
        default: self = .unreadable(path: error.path, reason: error.reason)
        }
    }
}
