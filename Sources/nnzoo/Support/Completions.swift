import ArgumentParser
import Foundation
import NNData
import NNZooKit

/// Shell completion of names only the tool knows, asked of the tool when Tab is pressed (so a
/// recipe added to zoo/ completes at once): see `nnzoo install` and `--generate-completion-script`.
enum Completions {
    /// The recipes of the zoo folders the tool searches from the current folder; a word with a `/`
    /// completes as a path to a recipe file (folders and `.json` files).
    static let recipes = CompletionKind.custom { _, _, prefix in
        if prefix.contains("/") { return paths(prefix, extension: "json") }
        return RecipeCatalog.recipeFiles().map(\.name).filter { $0.hasPrefix(prefix) }
    }

    /// The datasets of the registry (what `fetch` downloads).
    static let registryDatasets = CompletionKind.custom { _, _, prefix in
        DatasetRegistry.all.map(\.name).filter { $0.hasPrefix(prefix) }
    }

    /// The datasets of the registry and the toy sets.
    static let datasets = CompletionKind.custom { _, _, prefix in
        DatasetReference.knownNames.filter { $0.hasPrefix(prefix) }
    }

    /// The folders (with a trailing `/`) and the files ending in `.extension` that complete `prefix`,
    /// a path relative to the current folder or absolute (`~/` expanded for the search, kept in the
    /// answer).
    static func paths(_ prefix: String, extension ext: String, in currentDirectory: String? = nil) -> [String] {
        let slash = prefix.lastIndex(of: "/")
        let typedFolder = slash.map { String(prefix[...$0]) } ?? ""
        let start = slash.map { String(prefix[prefix.index(after: $0)...]) } ?? prefix
        var folder = (typedFolder as NSString).expandingTildeInPath
        if typedFolder.hasSuffix("/") && !folder.hasSuffix("/") { folder += "/" }
        if !folder.hasPrefix("/") {
            folder = (currentDirectory ?? FileManager.default.currentDirectoryPath) + "/" + folder
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasPrefix(start) && (start.hasPrefix(".") || !$0.hasPrefix(".")) }.sorted()
            .compactMap { name in
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: folder + name, isDirectory: &isDirectory) else {
                    return nil
                }
                if isDirectory.boolValue { return typedFolder + name + "/" }
                return name.hasSuffix("." + ext) ? typedFolder + name : nil
            }
    }
}
