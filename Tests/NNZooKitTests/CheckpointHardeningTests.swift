import Foundation
import NNCore
import NNData
import Testing

@testable import NNZooKit

/// Damaged and hostile checkpoint files: every one is refused with a sentence naming the file,
/// before anything is allocated from its numbers.
@Suite struct CheckpointHardeningTests {
    /// A resumable checkpoint of the real digits-mlp recipe after a few training steps, as bytes.
    static var digitsCheckpoint: [UInt8] { get throws { try madeDigitsCheckpoint.get() } }
    private static let madeDigitsCheckpoint = Result<[UInt8], any Error> {
        Parallel.setThreadCount(1)
        let recipe = try Recipe.read(from: TestPaths.zoo + "/digits-mlp.json")
        let folder = TemporaryFolder()
        let settings = TrainingSettings(defaultsOf: recipe, dataset: "digits", threads: 1)
        let session = try TrainingSession(
            recipe: recipe, settings: settings, trainingSplit: Digits.train, folder: RunFolder(path: folder.path))
        var batches = 0
        _ = try session.run {
            batches += 1
            return batches >= 5
        }
        let path = folder.path + "/c.safetensors"
        try session.checkpoint(kind: "last").write(to: path)
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func headerLength(_ bytes: [UInt8]) -> Int {
        bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    }

    /// Writes `bytes` and reads them back as a checkpoint; also decodes them from memory, which must
    /// give the same outcome.
    static func refusal(_ bytes: [UInt8], name: String = "cut.safetensors") throws -> CheckpointError? {
        let folder = TemporaryFolder()
        let path = folder.write(bytes: bytes, to: name)
        var fromFile: CheckpointError?
        var fromMemory: CheckpointError?
        do { _ = try Checkpoint.read(from: path) } catch let error as CheckpointError { fromFile = error }
        do { _ = try Checkpoint.decode(bytes, path: path) } catch let error as CheckpointError { fromMemory = error }
        #expect(fromFile == fromMemory, "reading the file and decoding its bytes disagree")
        return fromFile
    }

    @Test func theUntouchedCheckpointLoadsFromFileAndFromMemory() throws {
        let bytes = try Self.digitsCheckpoint
        #expect(try Self.refusal(bytes) == nil)
        let loaded = try Checkpoint.decode(bytes, path: "c.safetensors")
        #expect(loaded.info.recipe.name == "digits-mlp" && loaded.optimizerState?.stepCount == 5)
    }

    @Test func aCheckpointTruncatedAtEveryKibibyteIsRefused() throws {
        let bytes = try Self.digitsCheckpoint
        let header = Self.headerLength(bytes)
        let cuts = Array(stride(from: 0, to: bytes.count, by: 1024))
        #expect(cuts.count == (bytes.count + 1023) / 1024 && cuts.count > 40)
        for cut in cuts {
            let error = try Self.refusal(Array(bytes[..<cut]))
            let path = error.map(pathOf) ?? ""
            let text = error?.description ?? "accepted"
            #expect(text.contains(path) && path.hasSuffix("/cut.safetensors"), "cut at \(cut): \(text)")
            switch error {
            case .tooShort(_, let size)?:
                #expect(cut < 8 && size == cut)
            case .headerLengthOutOfRange(_, let declared, let fileSize, _)?:
                #expect(cut >= 8 && cut < 8 + header && declared == UInt64(header) && fileSize == cut)
                #expect(text.contains("\(header)") && text.contains("\(cut)"))
            case .offsetsOutOfRange(_, _, _, let end, let dataSize)?:
                #expect(cut >= 8 + header && dataSize == cut - 8 - header && end > dataSize)
                #expect(text.hasSuffix("The file is truncated or corrupt; use another checkpoint or retrain."))
            default:
                Issue.record("cut at \(cut) of \(bytes.count): unexpected outcome: \(text)")
            }
        }
    }

    @Test(arguments: [UInt64.max, 1 << 63, 1 << 40, 100_000_001])
    func aHeaderLengthBeyondTheFileOrTheLimitIsRefusedBeforeAllocating(declared: UInt64) throws {
        var bytes = try Self.digitsCheckpoint
        for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: declared >> (8 * UInt64(i))) }
        let error = try Self.refusal(bytes)
        guard case .headerLengthOutOfRange(_, let found, let fileSize, let limit)? = error else {
            Issue.record("expected a header length out of range, got \(String(describing: error))")
            return
        }
        #expect(found == declared && fileSize == bytes.count && limit == SafeTensorsFile.maxHeaderSize)
    }

    @Test func aHeaderLengthOneBeyondTheFileIsRefused() throws {
        var bytes = try Self.digitsCheckpoint
        let beyond = UInt64(bytes.count - 8 + 1)
        for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: beyond >> (8 * UInt64(i))) }
        #expect(
            try Self.refusal(bytes).map { $0.withPath("c") }
                == .headerLengthOutOfRange(
                    path: "c", declared: beyond, fileSize: bytes.count, limit: SafeTensorsFile.maxHeaderSize))
    }

    /// A checkpoint whose recipe and architecture were edited to a 10^9-unit layer (consistently, so
    /// the metadata checks pass) would make the loader build a 75 * 10^9-parameter network: the
    /// file's tensors are checked against the architecture first, so it is refused before building.
    @Test func anArchitectureLargerThanTheStoredTensorsIsRefusedBeforeBuilding() throws {
        var file = try SafeTensorsFile.decode(Self.digitsCheckpoint, path: "c.safetensors")
        for key in ["recipe", "architecture"] {
            let text = try #require(file.metadata[key])
            #expect(text.contains("\"out_features\":100"))
            file.metadata[key] = text.replacingOccurrences(
                of: "\"out_features\":100", with: "\"out_features\":1000000000"
            ).replacingOccurrences(of: "\"in_features\":100,", with: "\"in_features\":1000000000,")
        }
        let folder = TemporaryFolder()
        let path = folder.path + "/huge.safetensors"
        try file.write(to: path)
        #expect(
            throws: CheckpointError.shapeMismatch(
                path: path, tensor: "1.weight", expected: [1_000_000_000, 64], found: [100, 64])
        ) { try Checkpoint.read(from: path) }
    }

    /// The digits checkpoint with its `resume` metadata changed by `edit`, written to a file.
    static func withResume(_ edit: (inout [String: Any]) -> Void, in folder: TemporaryFolder) throws -> String {
        var file = try SafeTensorsFile.decode(Self.digitsCheckpoint, path: "c.safetensors")
        let text = try #require(file.metadata["resume"])
        var resume = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        edit(&resume)
        file.metadata["resume"] = String(decoding: try JSONSerialization.data(withJSONObject: resume), as: UTF8.self)
        let path = folder.path + "/edited.safetensors"
        try file.write(to: path)
        return path
    }

    /// Impossible counts in the resume state (they index ranges when training resumes) are refused
    /// when the checkpoint is read.
    @Test(arguments: ["epoch", "batch", "seen", "correct", "optimizer_steps"])
    func negativeResumeCountsAreRefused(_ key: String) throws {
        let folder = TemporaryFolder()
        let path = try Self.withResume({ $0[key] = -1 }, in: folder)
        #expect(
            throws: CheckpointError.badMetadata(path: path, key: "resume", detail: "a count is negative")
        ) { try Checkpoint.read(from: path) }
    }

    /// A resume position past the end of the epoch (it trapped in the batch loop's range) is refused
    /// when the session is made, naming the run's real batch count.
    @Test func aResumePositionPastTheEpochIsRefused() throws {
        let folder = TemporaryFolder()
        let path = try Self.withResume({ $0["batch"] = 42 }, in: folder)
        let checkpoint = try Checkpoint.read(from: path)
        let settings = try #require(checkpoint.info.settings)
        let run = TemporaryFolder()
        let runFolder = RunFolder(path: run.path)
        #expect(
            throws: CheckpointError.badMetadata(
                path: runFolder.lastCheckpoint, key: "resume",
                detail: "it stopped after batch 42 and 160 examples of an epoch, but an epoch of this run has 41 "
                    + "batches of 32 and 1294 examples")
        ) {
            _ = try TrainingSession(
                resuming: checkpoint, settings: settings, trainingSplit: Digits.train, folder: runFolder
            )
        }
    }

    /// `--batch-size 9223372036854775807` overflowed `count + size - 1`; a batch larger than the
    /// split makes one batch per epoch, and a batch size past `Limits` is refused by the session too.
    @Test func aBatchSizeLargerThanTheSplitMakesOneBatchPerEpoch() throws {
        let recipe = try Recipe.read(from: TestPaths.zoo + "/digits-mlp.json")
        var settings = TrainingSettings(defaultsOf: recipe, dataset: "digits", threads: 1)
        settings.batchSize = Limits.batchSize.range.upperBound
        let folder = TemporaryFolder()
        let session = try TrainingSession(
            recipe: recipe, settings: settings, trainingSplit: Digits.train, folder: RunFolder(path: folder.path))
        #expect(session.batchesPerEpoch == 1)
        settings.batchSize = Int.max
        #expect(
            throws: TrainingError.invalidSetting(
                detail: "batch_size is 9223372036854775807, but it must be a whole number from 1 to 1000000")
        ) {
            _ = try TrainingSession(
                recipe: recipe, settings: settings, trainingSplit: Digits.train, folder: RunFolder(path: folder.path))
        }
    }

    private func pathOf(_ error: CheckpointError) -> String {
        switch error {
        case .tooShort(let path, _), .headerLengthOutOfRange(let path, _, _, _),
            .offsetsOutOfRange(let path, _, _, _, _), .dataNotCovered(let path, _, _), .badHeader(let path, _):
            return path
        default:
            return ""
        }
    }
}

/// The sizes the memory check and the checkpoint loader compute without building a network agree
/// with the network built.
@Suite struct ModelSizeTests {
    @Test func countsAgreeWithTheBuiltNetwork() throws {
        for name in ["digits-mlp", "convnet-dropout", "mlp-784-100-10", "sigmoid-mlp"] {
            let recipe = try Recipe.read(from: TestPaths.zoo + "/\(name).json")
            for dataset in [DatasetRegistry.digits, DatasetRegistry.fashionMNIST, DatasetRegistry.cifar10] {
                let input = ModelInput(dataset)
                guard let layers = try? ModelBuilder.resolve(recipe, for: input) else { continue }
                let model = try ModelBuilder.build(resolved: layers, seed: 1)
                let stored =
                    model.namedParameters.map { $0.1.value.count } + model.namedBuffers.map { $0.1.value.count }
                #expect(ModelBuilder.valueCount(layers) == stored.reduce(0, +), "\(name) on \(dataset.name)")
                #expect(ModelBuilder.parameterCount(layers) == model.parameterCount, "\(name) on \(dataset.name)")
                let built =
                    model.namedParameters.map { ($0.0, Array($0.1.value.shape), false) }
                    + model.namedBuffers.map { ($0.0, Array($0.1.value.shape), $0.1.kind == .int64) }
                let layout = ModelBuilder.tensorLayout(layers)
                #expect(layout.map(\.name) == built.map(\.0) && layout.map(\.shape) == built.map(\.1))
                #expect(layout.map(\.int64) == built.map(\.2))
            }
        }
        let sample = try Recipe.decode(Data(sampleRecipeJSON.utf8), source: "sample.json")
        let layers = try ModelBuilder.resolve(sample, for: ModelInput(DatasetRegistry.digits))
        // Linear 64->16 (1040), BatchNorm1d(16): weight, bias, running mean and var (64) and the counter, Linear 16->10 (170).
        #expect(ModelBuilder.valueCount(layers) == 1040 + 65 + 170)
        #expect(ModelBuilder.parameterCount(layers) == 1040 + 32 + 170)
        let model = try ModelBuilder.build(resolved: layers, seed: 1)
        let built = model.namedParameters.map(\.0) + model.namedBuffers.map(\.0)
        #expect(ModelBuilder.tensorLayout(layers).map(\.name) == built)
        #expect(built.contains("2.num_batches_tracked"))
    }

    @Test func absurdSizesGiveNilOrHugeEstimatesNeverATrap() throws {
        let layers: [LayerSpec] = [
            .flatten, .linear(inFeatures: 64, outFeatures: Int.max / 2, bias: true),
            .linear(inFeatures: Int.max / 2, outFeatures: 10, bias: true),
        ]
        #expect(ModelBuilder.valueCount(layers) == nil)
        let estimate = MemoryEstimate(spec: DatasetRegistry.digits, architecture: layers, batchSize: 32)
        #expect(estimate.totalBytes == .infinity)
        #expect(throws: TrainingError.self) { try estimate.check(recipe: "huge", dataset: "digits") }
    }

    @Test func theEstimateForDigitsMLPIsSmallAndItsPartsAreExact() throws {
        let recipe = try Recipe.read(from: TestPaths.zoo + "/digits-mlp.json")
        let layers = try ModelBuilder.resolve(recipe, for: ModelInput(DatasetRegistry.digits))
        let estimate = MemoryEstimate(spec: DatasetRegistry.digits, architecture: layers, batchSize: 32)
        // 65 bytes per example (64 pixels and a label), the training split twice and the test split once.
        #expect(estimate.datasetBytes == 65 * (2 * 1438 + 359))
        // 7510 parameters with gradient and two optimizer slots, and twice the stored values.
        #expect(estimate.networkBytes == 4 * (4 * 7510 + 2 * 7510))
        // Per example: 3 input copies of 64, outputs 64 + 100 + 100 + 10 three times; no convolution.
        #expect(estimate.batchBytes == 4 * 32 * (3 * 64 + 3 * 274))
        #expect(throws: Never.self) { try estimate.check(recipe: "digits-mlp", dataset: "digits") }
        #expect(
            throws: TrainingError.doesNotFitInMemory(
                recipe: "digits-mlp", dataset: "digits", estimate: estimate.summary, limit: "100.0 kB",
                source: "NNZOO_MEMORY_LIMIT")
        ) { try estimate.check(recipe: "digits-mlp", dataset: "digits", limit: (100_000, "NNZOO_MEMORY_LIMIT")) }
    }
}
