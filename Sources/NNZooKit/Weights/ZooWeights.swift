import Foundation
import NNCore
import NNData

/// The zoo's trained weights: `zoo/weights/<recipe>@<dataset>.safetensors`, each the shareable
/// checkpoint (`Checkpoint.shareable()`) of `checkpoint-best` of a run of the recipe with its
/// defaults, and their table `zoo/weights/index.json`:
///
///     {"weights": [{"recipe": "digits-mlp", "dataset": "digits", "file": "digits-mlp@digits.safetensors",
///       "sha256": "…", "bytes": 32000, "test_accuracy": 97.49, "test_correct": 350, "test_total": 359,
///       "epoch": 50, "epochs": 60, "threads": 1, "command": "nnzoo train … && nnzoo export …",
///       "version": "0.1.0", "commit": "…", "made": "2026-12-05"}]}
///
/// `predict`, `eval` and `export` take `RECIPE@DATASET` wherever they take a run folder; it is looked
/// up in the zoo folders (`RecipeCatalog.zooFolders()`: `./zoo`, an installation's share folder,
/// the source checkout) and the file's SHA-256 is checked against the table before it is used.
public struct ZooWeights: Codable, Equatable, Sendable {
    /// One shipped weights file.
    public struct Entry: Codable, Equatable, Sendable {
        public var recipe: String
        public var dataset: String
        /// The file name inside the weights folder.
        public var file: String
        public var sha256: String
        public var bytes: Int
        /// Test accuracy of these weights, percent (two decimals).
        public var testAccuracy: Double
        public var testCorrect: Int
        public var testTotal: Int
        /// The epoch these weights are from (the best on validation).
        public var epoch: Int?
        /// The epochs the run trained.
        public var epochs: Int
        /// The training thread count; the file is reproducible byte for byte with the same count.
        public var threads: Int
        /// The commands that make the file (`nnzoo train`, then `nnzoo export --format safetensors`).
        public var command: String
        /// The nnzoo version, and the source commit that made it (or at which `Tools/zoo-weights check`
        /// last made it again, byte for byte, from a fresh clone).
        public var version: String
        public var commit: String?
        /// The day it was made, `yyyy-MM-dd`.
        public var made: String

        public init(
            recipe: String, dataset: String, file: String, sha256: String, bytes: Int, testAccuracy: Double,
            testCorrect: Int, testTotal: Int, epoch: Int?, epochs: Int, threads: Int, command: String,
            version: String, commit: String?, made: String
        ) {
            self.recipe = recipe
            self.dataset = dataset
            self.file = file
            self.sha256 = sha256
            self.bytes = bytes
            self.testAccuracy = testAccuracy
            self.testCorrect = testCorrect
            self.testTotal = testTotal
            self.epoch = epoch
            self.epochs = epochs
            self.threads = threads
            self.command = command
            self.version = version
            self.commit = commit
            self.made = made
        }

        enum CodingKeys: String, CodingKey {
            case recipe, dataset, file, sha256, bytes, epoch, epochs, threads, command, version, commit, made
            case testAccuracy = "test_accuracy"
            case testCorrect = "test_correct"
            case testTotal = "test_total"
        }

        /// `recipe@dataset`.
        public var name: String { ZooWeights.name(recipe: recipe, dataset: dataset) }
    }

    public var weights: [Entry]

    public init(weights: [Entry] = []) {
        self.weights = weights
    }

    /// The weights folder inside a zoo folder, and the table's name in it.
    public static let folderName = "weights"
    public static let indexName = "index.json"
    /// The largest table read (a few hundred entries take a few hundred KB).
    static let maxIndexSize = 1 << 22

    /// `recipe@dataset`, the name a weights file is known by (and its file name without `.safetensors`).
    public static func name(recipe: String, dataset: String) -> String { recipe + "@" + dataset }

    /// The file name of the weights of `recipe` trained on `dataset`.
    public static func fileName(recipe: String, dataset: String) -> String {
        name(recipe: recipe, dataset: dataset) + ".safetensors"
    }

    /// Whether `text` has the form `RECIPE@DATASET` (one `@`, a name on each side, no `/`): what
    /// `predict`, `eval` and `export` look up in the zoo when no file or folder has that name.
    public static func isName(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty } && !text.contains("/")
    }

    /// The commands that make the weights of `recipe` on `dataset` with `threads` threads: a run of
    /// the recipe's defaults into `runs/<recipe>@<dataset>`, then its shareable checkpoint-best.
    public static func command(recipe: String, dataset: String, threads: Int, weightsFolder: String = "zoo/weights")
        -> String
    {
        let run = "runs/" + name(recipe: recipe, dataset: dataset)
        return "nnzoo train \(recipe) --dataset \(dataset) --threads \(threads) --out \(run) && "
            + "nnzoo export \(run) --format safetensors --out \(weightsFolder)/\(fileName(recipe: recipe, dataset: dataset))"
    }

    /// The entry for `recipe` on `dataset`, if any.
    public func entry(recipe: String, dataset: String) -> Entry? {
        weights.first { $0.recipe == recipe && $0.dataset == dataset }
    }

    /// Adds `entry`, replacing one for the same recipe and dataset; entries stay sorted by name.
    public mutating func record(_ entry: Entry) {
        weights.removeAll { $0.recipe == entry.recipe && $0.dataset == entry.dataset }
        weights.append(entry)
        weights.sort { ($0.recipe, $0.dataset) < ($1.recipe, $1.dataset) }
    }

    /// The table at `path`.
    public static func read(from path: String) throws -> ZooWeights {
        let bytes: [UInt8]
        do {
            bytes = try ReadableFile.readAll(path, limit: maxIndexSize)
        } catch let error as FileReadError {
            throw ZooWeightsError.unreadableIndex(path: path, reason: error.reason)
        }
        do {
            return try JSONSyntax.decode(ZooWeights.self, from: bytes)
        } catch {
            throw ZooWeightsError.unreadableIndex(path: path, reason: describeDecodingFailure(error))
        }
    }

    /// Writes the table to `path` atomically, pretty-printed with sorted keys (small diffs).
    public func write(to path: String) throws {
        try AtomicFile.write(text: try JSONText.pretty(self) + "\n", to: path)
    }

    /// The weights folders of the zoo folders that have a table, in search order.
    public static func folders(zooFolders: [String] = RecipeCatalog.zooFolders()) -> [String] {
        zooFolders.map { $0 + "/" + folderName }.filter {
            FileManager.default.fileExists(atPath: $0 + "/" + indexName)
        }
    }

    /// The checkpoint file `RECIPE@DATASET` names, its SHA-256 checked against the table: the first
    /// zoo folder whose table lists it. Unknown recipes, recipes without weights for the dataset,
    /// missing or changed files are `ZooWeightsError`s that say what exists and what to do.
    public static func locate(_ text: String, zooFolders: [String] = RecipeCatalog.zooFolders()) throws -> String {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else { throw ZooWeightsError.notAName(text: text) }
        let (recipe, dataset) = (parts[0], parts[1])
        var tables: [(folder: String, table: ZooWeights)] = []
        for folder in folders(zooFolders: zooFolders) {
            tables.append((folder, try read(from: folder + "/" + indexName)))
        }
        for (folder, table) in tables {
            guard let entry = table.entry(recipe: recipe, dataset: dataset) else { continue }
            let path = folder + "/" + entry.file
            try verify(entry, at: path, index: folder + "/" + indexName)
            return path
        }
        let recipes = RecipeCatalog.recipeFiles(in: zooFolders).map(\.name)
        let shipped = tables.flatMap { $0.table.weights }
        let known = recipes + shipped.map(\.recipe)
        guard known.contains(recipe) else {
            throw ZooWeightsError.unknownRecipe(
                recipe: recipe, dataset: dataset,
                suggestion: NameSuggestions.didYouMean(recipe, among: known), recipes: Array(Set(recipes)).sorted(),
                lookedIn: zooFolders)
        }
        let others = Array(Set(shipped.filter { $0.recipe == recipe }.map(\.name))).sorted()
        // A dataset the recipe's network cannot take is said so, rather than offered a training command.
        if let file = RecipeCatalog.recipeFiles(in: zooFolders).first(where: { $0.name == recipe }),
            let definition = try? Recipe.read(from: file.path),
            let reference = try? DatasetReference.named(dataset), let facts = try? reference.knownFacts()
        {
            do {
                _ = try ModelBuilder.resolve(definition, for: ModelInput(facts))
            } catch let problem as ModelIncompatibility {
                throw ZooWeightsError.doesNotFit(
                    recipe: recipe, dataset: reference.name, reason: problem.reason, available: others)
            } catch {}
        }
        throw ZooWeightsError.noWeights(
            recipe: recipe, dataset: dataset, available: others,
            lookedIn: tables.isEmpty ? zooFolders.map { $0 + "/" + folderName } : tables.map(\.folder))
    }

    /// Checks that the file at `path` is the one `entry` records (size and SHA-256).
    public static func verify(_ entry: Entry, at path: String, index: String) throws {
        let bytes: [UInt8]
        do {
            bytes = try ReadableFile.readAll(path, limit: max(entry.bytes, 0) + 1)
        } catch let error as FileReadError {
            if case .tooLarge = error.problem {
                throw ZooWeightsError.changed(
                    path: path, index: index, expected: entry.sha256,
                    found: "a file larger than the \(entry.bytes) bytes it lists",
                    command: entry.command)
            }
            throw ZooWeightsError.missingFile(path: path, index: index, reason: error.reason, command: entry.command)
        }
        let digest = SHA256.hex(bytes)
        guard digest == entry.sha256 else {
            throw ZooWeightsError.changed(
                path: path, index: index, expected: entry.sha256, found: "SHA-256 \(digest) (\(bytes.count) bytes)",
                command: entry.command)
        }
    }
}
