import Foundation
import NNCore
import NNData

/// The recipes of the zoo: `zoo/*.json`, found in the current directory, then in nnzoo's own files
/// (`ToolFiles`: an installation's `<prefix>/share/nnzoo/zoo`, the source checkout holding the
/// binary, the checkout it was built from). A recipe is named by its file name without `.json`, or
/// given as a path.
public enum RecipeCatalog {
    /// The zoo folders that exist, in the order they are searched.
    public static func zooFolders(
        currentDirectory: String = FileManager.default.currentDirectoryPath, roots: [String] = ToolFiles.roots()
    ) -> [String] {
        let candidates = [currentDirectory + "/zoo"] + roots.map { $0 + "/zoo" }
        var seen = Set<String>()
        return candidates.map { URL(fileURLWithPath: $0).standardizedFileURL.path }.filter { path in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue
            else { return false }
            return seen.insert(path).inserted
        }
    }

    /// Every recipe file in the zoo folders, by name (the first folder holding a name wins).
    public static func recipeFiles(in folders: [String] = zooFolders()) -> [(name: String, path: String)] {
        var found: [String: String] = [:]
        for folder in folders {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for file in names where file.hasSuffix(".json") && !file.hasPrefix(".") {
                let name = String(file.dropLast(5))
                if found[name] == nil { found[name] = folder + "/" + file }
            }
        }
        return found.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The recipe `nameOrPath`: a path (contains `/` or ends in `.json`), or a name in the zoo.
    public static func find(_ nameOrPath: String, folders: [String] = zooFolders()) throws -> (
        recipe: Recipe, path: String
    ) {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".json") {
            return (try Recipe.read(from: nameOrPath), nameOrPath)
        }
        let files = recipeFiles(in: folders)
        guard let file = files.first(where: { $0.name == nameOrPath }) else {
            throw RecipeError.notFound(name: nameOrPath, lookedIn: folders, known: files.map(\.name))
        }
        return (try Recipe.read(from: file.path), file.path)
    }

    /// The zoo recipes that can train on `dataset` (unreadable recipe files are skipped).
    public static func recipes(fitting dataset: DatasetSpec, folders: [String] = zooFolders()) -> [String] {
        recipes(fitting: ModelInput(dataset), folders: folders)
    }

    /// The zoo recipes whose network takes `input` (unreadable recipe files are skipped).
    public static func recipes(fitting input: ModelInput, folders: [String] = zooFolders()) -> [String] {
        recipeFiles(in: folders).compactMap { file in
            guard let recipe = try? Recipe.read(from: file.path),
                (try? ModelBuilder.resolve(recipe, for: input)) != nil
            else { return nil }
            return file.name
        }
    }

    /// The recipe's layers resolved for `dataset`, or `RecipeError.incompatible` saying why it does not
    /// fit and which zoo recipes do.
    @discardableResult
    public static func check(_ recipe: Recipe, fits dataset: DatasetSpec, folders: [String] = zooFolders()) throws
        -> [LayerSpec]
    {
        try check(recipe, fits: ModelInput(dataset), dataset: dataset.name, folders: folders)
    }

    /// The recipe's layers resolved for `input` (of the dataset called `dataset`, for the message), or
    /// `RecipeError.incompatible` saying why it does not fit and which zoo recipes do.
    @discardableResult
    public static func check(
        _ recipe: Recipe, fits input: ModelInput, dataset: String, folders: [String] = zooFolders()
    ) throws -> [LayerSpec] {
        do {
            return try ModelBuilder.resolve(recipe, for: input)
        } catch let incompatibility as ModelIncompatibility {
            throw RecipeError.incompatible(
                recipe: recipe.name, dataset: dataset, input: input.examplesPhrase,
                reason: incompatibility.reason, fitting: recipes(fitting: input, folders: folders))
        }
    }
}
