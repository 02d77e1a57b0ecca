import NNData

/// One recipe of the zoo as `nnzoo recipes` describes it: its network in one line, the datasets it
/// fits with the parameters it has on each, its targets, and what the project measured.
public struct RecipeOverview: Encodable, Equatable, Sendable {
    /// A dataset the recipe can train on, and the network's trainable parameters there.
    public struct Fit: Encodable, Equatable, Sendable {
        public var dataset: String
        public var parameters: Int
    }

    public var name: String
    public var path: String
    public var description: String
    /// The layers in one line, sizes filled in for the default dataset (else the first that fits).
    public var network: String
    /// The dataset the recipe trains on when none is given.
    public var dataset: String?
    public var fits: [Fit]
    /// Percent, by dataset.
    public var expectedAccuracy: [String: Double]
    public var measured: [String: MeasuredAccuracy.Entry]
    /// The zoo's trained weights of this recipe, by dataset (`RECIPE@DATASET`).
    public var weights: [String: ZooWeights.Entry]
    /// Why the recipe file cannot be used, if it cannot.
    public var problem: String?

    enum CodingKeys: String, CodingKey {
        case name, path, description, network, dataset, fits, measured, weights, problem
        case expectedAccuracy = "expected_accuracy"
    }

    /// The overview of the recipe file at `path` named `name`, with `measured` figures, against the
    /// registered `datasets` and the toy sets.
    public init(
        name: String, path: String, measured: MeasuredAccuracy, weights: ZooWeights = ZooWeights(),
        datasets: [DatasetSpec] = DatasetRegistry.all
    ) {
        self.name = name
        self.path = path
        self.measured = measured.recipes[name] ?? [:]
        var shipped: [String: ZooWeights.Entry] = [:]
        for entry in weights.weights where entry.recipe == name && shipped[entry.dataset] == nil {
            shipped[entry.dataset] = entry
        }
        self.weights = shipped
        let recipe: Recipe
        do {
            recipe = try Recipe.read(from: path)
        } catch {
            description = ""
            network = ""
            dataset = nil
            fits = []
            expectedAccuracy = [:]
            problem = "\(error)"
            return
        }
        description = recipe.description
        dataset = recipe.dataset
        expectedAccuracy = recipe.expectedAccuracy
        var fits: [Fit] = []
        var layersForDefault: [LayerSpec]?
        var layersForFirst: [LayerSpec]?
        // The registered datasets, then the built-in toy sets (with their default parameters).
        let toySets = ToyDatasets.names.compactMap { name -> (String, ModelInput)? in
            guard let reference = try? DatasetReference.named(name), let facts = try? reference.knownFacts() else {
                return nil
            }
            return (name, ModelInput(facts))
        }
        for (name, input) in datasets.map({ ($0.name, ModelInput($0)) }) + toySets {
            guard let resolved = try? ModelBuilder.resolve(recipe, for: input) else { continue }
            fits.append(Fit(dataset: name, parameters: ModelBuilder.parameterCount(resolved) ?? 0))
            if name == recipe.dataset { layersForDefault = resolved }
            if layersForFirst == nil { layersForFirst = resolved }
        }
        // The default dataset first, then the others in the registry's order, then the toy sets.
        self.fits = fits.filter { $0.dataset == recipe.dataset } + fits.filter { $0.dataset != recipe.dataset }
        network = (layersForDefault ?? layersForFirst ?? recipe.layers).map(\.compactSummary).joined(separator: ", ")
        problem = fits.isEmpty ? "it fits none of the datasets nnzoo knows" : nil
    }

    /// Every recipe of the zoo folders.
    public static func all(folders: [String] = RecipeCatalog.zooFolders()) -> [RecipeOverview] {
        let measured = MeasuredAccuracy.read(folders: folders)
        // Every table's weights, the first folder's first (unreadable tables are skipped: a nicety here).
        let weights = ZooWeights(
            weights: ZooWeights.folders(zooFolders: folders).flatMap {
                (try? ZooWeights.read(from: $0 + "/" + ZooWeights.indexName))?.weights ?? []
            })
        return RecipeCatalog.recipeFiles(in: folders).map {
            RecipeOverview(name: $0.name, path: $0.path, measured: measured, weights: weights)
        }
    }
}
