import Foundation

/// What a dataset argument names: a registry dataset (`mnist`), a built-in toy set (`circles`,
/// `gaussians:n=40`), or data of one's own on disk (an image folder, a CSV table). Every command that takes a
/// dataset resolves its argument here (`resolve`) and loads it through
/// `DatasetLoader.load(_:split:dataDirectory:)`; training records the reference (run.json and every
/// checkpoint's settings, `dataset_source`), so `nnzoo eval RUN` and `--resume` load the same data
/// again, the same way.
///
/// Names win over paths: `circles` is the toy set even when a folder of that name is in the
/// current directory (`./circles` is the folder). A folder is recorded by its absolute path and by
/// its path relative to the run folder (`located(runFolder:)` tries both, so a project moved
/// together with its runs still evaluates).
public struct DatasetReference: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable {
        /// A dataset of `DatasetRegistry`, read from the data directory.
        case registry
        /// A built-in toy set (`ToyDatasets`).
        case toy
        /// A folder of PNG and JPEG files, one subfolder per class (`ImageFolderLoader`).
        case imageFolder = "image-folder"
        /// A CSV table, gzip or plain (`CSVTable`).
        case table
    }

    public var kind: Kind
    /// The registry name (`fashion-mnist`), the toy set's canonical spelling (`gaussians:n=40`), or
    /// the absolute path of a folder.
    public var name: String
    /// A folder's path relative to the run folder that recorded it.
    public var relativePath: String?
    /// How an image folder is loaded (its channels as resolved by the first load).
    public var imageFolder: ImageFolderOptions?
    /// The seed of the stratified test split made when the data has no test split of its own.
    public var splitSeed: UInt64?

    public init(kind: Kind, name: String) {
        self.kind = kind
        self.name = name
    }

    enum CodingKeys: String, CodingKey {
        case kind, name
        case relativePath = "relative_path"
        case imageFolder = "image_folder"
        case splitSeed = "split_seed"
    }

    /// The registry dataset `spec`.
    public static func registry(_ spec: DatasetSpec) -> DatasetReference {
        DatasetReference(kind: .registry, name: spec.name)
    }

    /// How the dataset is named in messages and titles: the name, or the path.
    public var description: String { name }

    /// True for data on disk of one's own (an image folder, a CSV table), which has a path.
    public var isPath: Bool { kind == .imageFolder || kind == .table }

    /// Resolves a dataset argument: a registry name (case-insensitive, with the registry's aliases),
    /// a toy set's name with optional parameters, or the path of an image folder or of a CSV table
    /// (any file that is not a folder; relative paths from `currentDirectory`; `~` expanded).
    /// `folderOptions` are recorded for an image folder and refused for anything else. Throws `DataError.noSuchDataset` for anything else, listing what is
    /// accepted, and `DataError.badToyParameters` for a toy set's bad parameters.
    public static func resolve(
        _ argument: String, folderOptions: ImageFolderOptions? = nil,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) throws -> DatasetReference {
        if let named = try named(argument) {
            if let options = folderOptions, options != ImageFolderOptions() {
                let option = options.option
                let what = named.kind == .toy ? "is a toy set of points" : "is a registry dataset of fixed images"
                throw DataError.optionNotApplicable(option: option, dataset: named.name, reason: what)
            }
            return named
        }
        guard !argument.isEmpty else { throw DataError.noSuchDataset(argument: argument) }
        let expanded = (argument as NSString).expandingTildeInPath
        let absolute = expanded.hasPrefix("/") ? expanded : currentDirectory + "/" + expanded
        let path = URL(fileURLWithPath: absolute).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError.noSuchDataset(argument: argument)
        }
        guard isDirectory.boolValue else {
            if let options = folderOptions, options != ImageFolderOptions() {
                throw DataError.optionNotApplicable(
                    option: options.option, dataset: path, reason: "is a file, read as a CSV table")
            }
            var reference = DatasetReference(kind: .table, name: path)
            reference.splitSeed = StratifiedSplit.defaultSeed
            return reference
        }
        var reference = DatasetReference(kind: .imageFolder, name: path)
        reference.imageFolder = folderOptions ?? ImageFolderOptions()
        reference.splitSeed = StratifiedSplit.defaultSeed
        return reference
    }

    /// The registry dataset or toy set called `name`, or nil (never a path: recipes name datasets
    /// this way). Throws only for a toy set's bad parameters.
    public static func named(_ name: String) throws -> DatasetReference? {
        if let spec = DatasetRegistry.dataset(named: name) { return .registry(spec) }
        if ToyDatasets.isToyName(name) {
            return DatasetReference(kind: .toy, name: try ToyDatasets.parse(name).description)
        }
        return nil
    }

    /// The names `resolve` accepts without a path: the registry's, then the toy sets'.
    public static var knownNames: [String] { DatasetRegistry.all.map(\.name) + ToyDatasets.names }

    /// What is known about the dataset without reading it: for registry datasets and toy sets; nil
    /// for a folder or a table (known once loaded).
    public func knownFacts() throws -> DatasetFacts? {
        switch kind {
        case .registry:
            return DatasetFacts(try DatasetRegistry.spec(name))
        case .toy:
            let choice = try ToyDatasets.parse(name)
            return DatasetFacts(
                kind: .features, channels: 1, height: 1, width: 2, classNames: ToyDatasets.classNames(of: choice),
                maxValue: 1, trainCount: ToyDatasets.count(of: choice, split: .train),
                testCount: ToyDatasets.count(of: choice, split: .test))
        case .imageFolder, .table:
            return nil
        }
    }

    /// This reference as a run records it: an image folder with the channels its training split was
    /// loaded with (so evaluation decodes the same way) and its path relative to `runFolder`.
    public func recorded(loaded dataset: ImageDataset, runFolder: String) -> DatasetReference {
        guard isPath else { return self }
        var copy = self
        if kind == .imageFolder {
            copy.imageFolder = (imageFolder ?? ImageFolderOptions()).with(channels: dataset.channels)
        }
        copy.relativePath = Self.relativePath(from: runFolder, to: name)
        return copy
    }

    /// This reference with a path that exists: the recorded absolute path, else the recorded path
    /// relative to `runFolder`. Throws `DataError.datasetMoved` when neither exists (`recordedIn`
    /// names the checkpoint or run.json for the message).
    public func located(runFolder: String, recordedIn: String) throws -> DatasetReference {
        guard isPath, !FileManager.default.fileExists(atPath: name) else { return self }
        let candidate = relativePath.map {
            URL(fileURLWithPath: runFolder + "/" + $0).standardizedFileURL.path
        }
        if let candidate, FileManager.default.fileExists(atPath: candidate) {
            var copy = self
            copy.name = candidate
            return copy
        }
        throw DataError.datasetMoved(path: name, relative: candidate, recordedIn: recordedIn)
    }

    /// The path of `target` relative to the folder `base` (both absolute): `../photos`.
    static func relativePath(from base: String, to target: String) -> String {
        let absoluteBase = URL(fileURLWithPath: base).standardizedFileURL.pathComponents
        let absoluteTarget = URL(fileURLWithPath: target).standardizedFileURL.pathComponents
        var common = 0
        while common < min(absoluteBase.count, absoluteTarget.count), absoluteBase[common] == absoluteTarget[common] {
            common += 1
        }
        let up = Array(repeating: "..", count: absoluteBase.count - common)
        let parts = up + absoluteTarget[common...]
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}

extension ImageFolderOptions {
    /// The first option given, as spelt on the command line.
    var option: String { channels != nil ? "--channels" : imageSize != nil ? "--image-size" : "--skip-bad" }

    /// These options with `channels` fixed.
    public func with(channels: Int) -> ImageFolderOptions {
        var copy = self
        copy.channels = channels
        return copy
    }
}

/// A dataset's shape, classes and split sizes.
public struct DatasetFacts: Equatable, Sendable {
    public var kind: ImageDataset.Kind
    public var channels: Int
    public var height: Int
    public var width: Int
    public var classNames: [String]
    public var maxValue: UInt8
    public var trainCount: Int
    public var testCount: Int

    public init(
        kind: ImageDataset.Kind, channels: Int, height: Int, width: Int, classNames: [String], maxValue: UInt8,
        trainCount: Int, testCount: Int
    ) {
        self.kind = kind
        self.channels = channels
        self.height = height
        self.width = width
        self.classNames = classNames
        self.maxValue = maxValue
        self.trainCount = trainCount
        self.testCount = testCount
    }

    /// The facts the registry publishes for `spec`.
    public init(_ spec: DatasetSpec) {
        self.init(
            kind: .pixels, channels: spec.channels, height: spec.height, width: spec.width,
            classNames: spec.classNames, maxValue: spec.maxValue, trainCount: spec.spec(for: .train).count,
            testCount: spec.spec(for: .test).count)
    }

    /// The facts of a split in memory (`trainCount` is its size, `testCount` unknown: 0).
    public init(_ dataset: ImageDataset) {
        self.init(
            kind: dataset.kind, channels: dataset.channels, height: dataset.height, width: dataset.width,
            classNames: dataset.classNames, maxValue: dataset.maxValue, trainCount: dataset.count, testCount: 0)
    }
}
