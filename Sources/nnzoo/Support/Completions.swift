import ArgumentParser
import NNData
import NNZooKit

/// Shell completion of names only the tool knows, asked of the tool when Tab is pressed (so a
/// recipe added to zoo/ completes at once): see `nnzoo --generate-completion-script`.
enum Completions {
    /// The recipes of the zoo folders the tool searches from the current folder.
    static let recipes = CompletionKind.custom { _, _, prefix in
        RecipeCatalog.recipeFiles().map(\.name).filter { $0.hasPrefix(prefix) }
    }

    /// The datasets of the registry.
    static let datasets = CompletionKind.custom { _, _, prefix in
        DatasetRegistry.all.map(\.name).filter { $0.hasPrefix(prefix) }
    }
}
