import Foundation
import NNAugment
import NNCore
import NNData
import NNLayers

/// One dataset file a run read, identified by the SHA-256 of its decompressed content; or a whole
/// image folder, identified by its fingerprint (`files` set: see `FolderFingerprint`).
public struct DatasetFileRecord: Codable, Equatable, Sendable {
    public var path: String
    public var bytes: Int
    public var sha256: String
    /// `matches`, `differs` (from the registry's published content hash), `archive matches`,
    /// `not published`, `generated` (a toy set's points), `folder` (an image folder) or `table` (a
    /// CSV table: its decompressed text).
    public var registry: String
    /// The number of files, for a folder.
    public var files: Int?

    public init(path: String, bytes: Int, sha256: String, registry: String, files: Int? = nil) {
        self.path = path
        self.bytes = bytes
        self.sha256 = sha256
        self.registry = registry
        self.files = files
    }
}

/// The test-split figures of one checkpoint.
public struct TestResult: Codable, Equatable, Sendable {
    public var epoch: Int
    public var loss: Double
    public var accuracy: Double
    public var correct: Int
    public var examples: Int

    /// Evaluates `model` (with the normalization and loss of `info`) on every example of `test`.
    public init(evaluating model: Sequential, info: CheckpointInfo, on test: ImageDataset) {
        let assembler = BatchAssembler(
            dataset: test, normalization: info.normalization, augmentation: AugmentationPipeline([]), seed: 0)
        let result = ModelEvaluation.evaluate(
            model, loss: ClassificationLoss(info.loss), prediction: info.prediction, assembler: assembler,
            indices: Array(0..<test.count))
        self.init(
            epoch: info.epoch ?? 0, loss: result.loss, accuracy: result.accuracy, correct: result.correct,
            examples: result.count)
    }

    public init(epoch: Int, loss: Double, accuracy: Double, correct: Int, examples: Int) {
        self.epoch = epoch
        self.loss = loss
        self.accuracy = accuracy
        self.correct = correct
        self.examples = examples
    }
}

/// `run.json`: what a run was, so it can be understood and repeated: the recipe, the command line,
/// the settings and seed, the dataset files' content hashes, the tool version, and when it ran and
/// how it ended.
public struct RunInfo: Codable, Equatable, Sendable {
    public var tool = "nnzoo"
    public var version = NNZooVersion.string
    public var recipeFile: String?
    public var recipe: Recipe
    public var arguments: [String]
    public var settings: TrainingSettings
    public var dataset: String
    public var datasetFiles: [DatasetFileRecord]
    public var trainingExamples: Int
    public var validationExamples: Int
    public var normalization: InputNormalization
    public var parameters: Int
    public var architecture: [LayerSpec]
    public var started: String
    public var resumed: [String] = []
    /// The command line of each resume (`resumed` holds their times), without the program name;
    /// nil in run.json files written before it was recorded.
    public var resumedArguments: [[String]]?
    public var finished: String?
    /// `running`, `interrupted`, `finished`, or `imported` (weights brought in, not trained here yet).
    public var status: String
    public var bestEpoch: Int?
    /// Test-split figures of `checkpoint-best` and `checkpoint-last` after the run finished (reported,
    /// never used to choose anything).
    public var testBest: TestResult?
    public var testLast: TestResult?
    /// What `nnzoo import` brought in, for a run folder it made (status `imported` until trained).
    public var imported: ImportRecord?
    /// The training options the command line gave (`--optimizer` to its value), nil when none; the
    /// settings they led to are in `settings`.
    public var overrides: [String: String]?
    /// When early stopping ended the run: the last epoch trained, the best one, and the patience.
    public var stoppedEarly: EarlyStopRecord?

    /// Where early stopping ended a run.
    public struct EarlyStopRecord: Codable, Equatable, Sendable {
        public var epoch: Int
        public var bestEpoch: Int
        public var patience: Int

        public init(epoch: Int, bestEpoch: Int, patience: Int) {
            self.epoch = epoch
            self.bestEpoch = bestEpoch
            self.patience = patience
        }

        enum CodingKeys: String, CodingKey {
            case epoch, patience
            case bestEpoch = "best_epoch"
        }
    }

    enum CodingKeys: String, CodingKey {
        case tool, version, recipe, arguments, settings, dataset, normalization, parameters, architecture, started
        case resumed, finished, status, imported
        case resumedArguments = "resumed_arguments"
        case recipeFile = "recipe_file"
        case datasetFiles = "dataset_files"
        case trainingExamples = "training_examples"
        case validationExamples = "validation_examples"
        case bestEpoch = "best_epoch"
        case testBest = "test_best"
        case testLast = "test_last"
        case overrides
        case stoppedEarly = "stopped_early"
    }

    public init(session: TrainingSession, recipeFile: String?, arguments: [String], datasetFiles: [DatasetFileRecord]) {
        recipe = session.recipe
        self.recipeFile = recipeFile
        self.arguments = arguments
        settings = session.settings
        dataset = session.settings.dataset
        self.datasetFiles = datasetFiles
        trainingExamples = session.trainingIndices.count
        validationExamples = session.validationIndices.count
        normalization = session.normalization
        parameters = session.model.parameterCount
        architecture = session.architecture
        started = Self.timestamp()
        status = "running"
    }

    /// The current time, ISO 8601 in UTC.
    public static func timestamp(_ date: Date = Date()) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    public func write(to path: String) throws {
        try AtomicFile.write(text: try JSONText.pretty(self) + "\n", to: path)
    }

    public static func read(from path: String) throws -> RunInfo {
        try JSONSyntax.decode(RunInfo.self, from: try ReadableFile.readAll(path, limit: maxFileSize))
    }

    /// The largest run.json read (a finished run's is a few kB).
    public static let maxFileSize = 16 << 20

    /// What identifies the data `reference` names: for a registry dataset the content hashes of its
    /// files (`fingerprint(_:dataDirectory:)` with its spec); for a toy set one record of the points
    /// it generates (both splits, Float32 little-endian, x then y), so a run shows if the generator
    /// ever changes; for an image folder its fingerprint (read from the cache after a load); for a CSV
    /// table the SHA-256 of its decompressed text. A registry file whose digest `digests` holds (the
    /// loader hashed it as it read it) is not read again.
    public static func fingerprint(
        _ reference: DatasetReference, dataDirectory: String, digests: ContentDigests? = nil
    ) throws -> [DatasetFileRecord] {
        switch reference.kind {
        case .registry:
            return try fingerprint(
                try DatasetRegistry.spec(reference.name), dataDirectory: dataDirectory, digests: digests)
        case .toy:
            let all = try DatasetLoader.loadAll(reference, dataDirectory: dataDirectory)
            var bytes = [UInt8]()
            bytes.reserveCapacity(all.features.count * 4)
            for value in all.features { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
            return [
                DatasetFileRecord(
                    path: "\(reference.name) (generated)", bytes: bytes.count, sha256: SHA256.hex(bytes),
                    registry: "generated")
            ]
        case .imageFolder:
            let print = try ImageFolderLoader.fingerprint(reference.name)
            return [
                DatasetFileRecord(
                    path: reference.name, bytes: print.bytes, sha256: print.sha256, registry: "folder",
                    files: print.files)
            ]
        case .table:
            let (size, sha256) = try ContentVerifier.digest(of: reference.name, limit: CSVTable.maxFileSize)
            return [DatasetFileRecord(path: reference.name, bytes: size, sha256: sha256, registry: "table")]
        }
    }

    /// The content hashes of the files `dataset` is read from (both splits), compared with the registry;
    /// those `digests` holds are taken from it rather than read again.
    public static func fingerprint(
        _ spec: DatasetSpec, dataDirectory: String, digests: ContentDigests? = nil
    ) throws -> [DatasetFileRecord] {
        var records: [DatasetFileRecord] = []
        var seen = Set<String>()
        for split in DatasetSplit.allCases {
            let location = try DatasetLocator.locate(spec, split: split, dataDirectory: dataDirectory)
            var files: [(path: String, file: DatasetFile?)] = []
            switch location {
            case .cifarFolder(let folder, let batches):
                files = batches.map { (folder + "/" + $0, nil) }
            default:
                files = location.paths.map { path in
                    (path, spec.file(named: URL(fileURLWithPath: path).lastPathComponent))
                }
            }
            for (path, file) in files where seen.insert(path).inserted {
                let known = digests?.digest(of: path)
                if let file {
                    let check =
                        try known.map {
                            try ContentVerifier.check(path, against: file, decodedSize: $0.size, sha256: $0.sha256)
                        } ?? ContentVerifier.check(path, against: file)
                    let status: String
                    switch check.status {
                    case .contentMatches: status = "matches"
                    case .contentMismatch: status = "differs"
                    case .archiveMatches: status = "archive matches"
                    case .unverifiable: status = "not published"
                    }
                    records.append(
                        DatasetFileRecord(path: path, bytes: check.decodedSize, sha256: check.sha256, registry: status))
                } else {
                    let (size, sha256) = try known ?? ContentVerifier.digest(of: path)
                    records.append(
                        DatasetFileRecord(path: path, bytes: size, sha256: sha256, registry: "not published"))
                }
            }
        }
        return records
    }
}
