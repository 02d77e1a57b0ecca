import Foundation
import NNCore
import NNData
import Testing

@testable import NNZooKit

/// Checkpoints: a round trip gives the same network bit for bit; files that do not fit the network
/// are refused with a sentence naming the file and the tensor.
@Suite struct CheckpointTests {
    /// A checkpoint of a freshly built `recipe` network on digits, with one training step taken so the
    /// optimizer has state.
    private func makeCheckpoint(_ json: String = sampleRecipeJSON) throws -> (Checkpoint, TrainingSession) {
        Parallel.setThreadCount(1)
        let recipe = try Recipe.decode(Data(json.utf8), source: "sample.json")
        let folder = TemporaryFolder()
        let settings = TrainingSettings(
            dataset: "digits", epochs: 1, batchSize: 64, optimizer: recipe.optimizer, seed: recipe.seed,
            validationSplit: 0.1, augmentation: "", threads: 1)
        let session = try TrainingSession(
            recipe: recipe, settings: settings, trainingSplit: Digits.train, folder: RunFolder(path: folder.path))
        var batches = 0
        _ = try session.run {
            batches += 1
            return batches >= 3
        }
        return (session.checkpoint(kind: "last"), session)
    }

    private func write(_ file: SafeTensorsFile) throws -> (TemporaryFolder, String) {
        let folder = TemporaryFolder()
        let path = folder.path + "/c.safetensors"
        try file.write(to: path)
        return (folder, path)
    }

    private func readError(_ file: SafeTensorsFile) throws -> CheckpointError? {
        let (folder, path) = try write(file)
        defer { _ = folder }
        do {
            _ = try Checkpoint.read(from: path)
            return nil
        } catch let error as CheckpointError {
            return error.withPath("c.safetensors")
        }
    }

    @Test func aRoundTripGivesIdenticalTensorsStateAndLogits() throws {
        let (checkpoint, session) = try makeCheckpoint()
        let (folder, path) = try write(try checkpoint.file())
        defer { _ = folder }
        let loaded = try Checkpoint.read(from: path)
        #expect(loaded.info == checkpoint.info)
        #expect(loaded.optimizerState == session.optimizer.exportState())
        #expect(loaded.optimizerState?.stepCount == 3)
        for ((name, a), (otherName, b)) in zip(session.model.namedParameters, loaded.model.namedParameters) {
            #expect(name == otherName)
            #expect(a.value == b.value)
        }
        for ((_, a), (_, b)) in zip(session.model.namedBuffers, loaded.model.namedBuffers) {
            #expect(a.value == b.value)
        }
        #expect(
            loaded.model.namedBuffers.first { $0.name == "2.num_batches_tracked" }?.buffer.value
                == Tensor(shape: [], scalars: [3]))
        #expect(
            loaded.model.namedRandomStates.map { $0.state.rng }
                == session.model.namedRandomStates.map { $0.state.rng })
        let before = try ModelEvaluation.outputs(
            session.model, dataset: Digits.test, normalization: session.normalization)
        let after = try ModelEvaluation.outputs(
            loaded.model, dataset: Digits.test, normalization: loaded.info.normalization)
        #expect(before.shape == [359, 10])
        #expect(before == after)
    }

    @Test func theFileHoldsTorchNamesAndPrefixedOptimizerState() throws {
        let (checkpoint, _) = try makeCheckpoint()
        let file = try checkpoint.file()
        #expect(
            file.tensors.map(\.name) == [
                "1.weight", "1.bias", "2.weight", "2.bias", "5.weight", "5.bias", "2.running_mean", "2.running_var",
                "2.num_batches_tracked", "optimizer.0.momentum_buffer", "optimizer.1.momentum_buffer",
                "optimizer.2.momentum_buffer", "optimizer.3.momentum_buffer", "optimizer.4.momentum_buffer",
                "optimizer.5.momentum_buffer",
            ])
        #expect(file["2.num_batches_tracked"]?.dtype == .i64)
        #expect(
            Set(file.metadata.keys)
                == [
                    "format", "nnzoo_version", "kind", "recipe", "architecture", "dataset", "input", "class_names",
                    "normalization", "epoch", "metrics", "settings", "resume", "optimizer",
                ])
        #expect(file.metadata["format"] == "pt")
        #expect(file.metadata["input"] == #"{"channels":1,"classes":10,"height":8,"width":8}"#)
    }

    @Test func aBestCheckpointHasNoTrainingStateAndCannotResume() throws {
        let (_, session) = try makeCheckpoint()
        let file = try session.checkpoint(kind: "best").file()
        #expect(file.metadata["resume"] == nil)
        #expect(!file.tensors.contains { $0.name.hasPrefix("optimizer.") })
        let (folder, path) = try write(file)
        defer { _ = folder }
        let loaded = try Checkpoint.read(from: path)
        #expect(loaded.info.resume == nil)
        #expect(loaded.optimizerState == nil)
    }

    /// The five entries `Checkpoint.requiredMetadata` names are all a checkpoint needs to be
    /// evaluated: training history, the architecture and the kind are optional.
    @Test func theRequiredMetadataIsEnoughToEvaluate() throws {
        let (_, session) = try makeCheckpoint()
        let full = try session.checkpoint(kind: "best").file()
        var minimal = SafeTensorsFile(
            metadata: full.metadata.filter { Checkpoint.requiredMetadata.contains($0.key) }, tensors: full.tensors)
        #expect(minimal.metadata.keys.sorted() == ["class_names", "dataset", "input", "normalization", "recipe"])
        let loaded = try Checkpoint.load(minimal, path: "c.safetensors")
        #expect(loaded.info.epoch == nil && loaded.info.settings == nil && loaded.info.metrics == [])
        #expect(loaded.info.kind == "best" && loaded.info.architecture == session.architecture)
        #expect(loaded.info.provenance == "trained on digits")
        let test = try Digits.test
        #expect(
            ModelEvaluation.outputs(loaded.model, dataset: test, normalization: loaded.info.normalization)
                == ModelEvaluation.outputs(session.model, dataset: test, normalization: session.normalization))
        // Each of the five is needed.
        for key in Checkpoint.requiredMetadata {
            var without = minimal
            without.metadata[key] = nil
            #expect(try readError(without) == .missingMetadata(path: "c.safetensors", key: key))
        }
        // A resume state without the settings and epoch it needs is refused.
        minimal.metadata["resume"] = try session.checkpoint(kind: "last").file().metadata["resume"]
        #expect(
            try readError(minimal)
                == .badMetadata(
                    path: "c.safetensors", key: "resume",
                    detail: "training cannot resume without the \"settings\" entry, which the checkpoint lacks"))
    }

    @Test func wrongShapesMissingOrExtraTensorsAndWrongDTypesAreRefused() throws {
        let (checkpoint, _) = try makeCheckpoint()
        let good = try checkpoint.file()
        func replacing(_ name: String, with value: SafeTensorsValue?) -> SafeTensorsFile {
            var file = good
            if let value {
                if let index = file.tensors.firstIndex(where: { $0.name == name }) {
                    file.tensors[index].value = value
                } else {
                    file.tensors.append((name, value))
                }
            } else {
                file.tensors.removeAll { $0.name == name }
            }
            return file
        }
        #expect(
            try readError(replacing("1.weight", with: .float32(Tensor(shape: [16, 65]))))
                == .shapeMismatch(path: "c.safetensors", tensor: "1.weight", expected: [16, 64], found: [16, 65]))
        #expect(
            try readError(replacing("5.bias", with: nil))
                == .tensorNamesMismatch(path: "c.safetensors", missing: ["5.bias"], unexpected: []))
        #expect(
            try readError(replacing("6.weight", with: .float32(Tensor([1]))))
                == .tensorNamesMismatch(path: "c.safetensors", missing: [], unexpected: ["6.weight"]))
        #expect(
            try readError(replacing("2.num_batches_tracked", with: .float32(Tensor(shape: [], scalars: [3]))))
                == .dtypeMismatch(path: "c.safetensors", tensor: "2.num_batches_tracked", expected: "I64", found: "F32")
        )
        #expect(
            try readError(replacing("optimizer.1.momentum_buffer", with: .float32(Tensor([1, 2]))))?.description
                == "In the checkpoint c.safetensors, the optimizer state does not fit the network. The saved SGD "
                + "state does not fit this model: 1.momentum_buffer has shape [2], the parameter has [16]. Resume "
                + "from a checkpoint written by the same recipe, or start a fresh run.")
    }

    @Test func missingOrInconsistentMetadataIsRefused() throws {
        let (checkpoint, _) = try makeCheckpoint()
        var noRecipe = try checkpoint.file()
        noRecipe.metadata["recipe"] = nil
        #expect(try readError(noRecipe) == .missingMetadata(path: "c.safetensors", key: "recipe"))
        var plain = SafeTensorsFile(metadata: ["format": "pt"], tensors: [("w", .float32(Tensor([1])))])
        #expect(try readError(plain) == .missingMetadata(path: "c.safetensors", key: "recipe"))
        plain = try checkpoint.file()
        plain.metadata["input"] = #"{"channels":1,"classes":10,"height":28,"width":28}"#
        guard case .modelMismatch? = try readError(plain) else {
            Issue.record("an input that does not match the architecture must be refused")
            return
        }
        var badEpoch = try checkpoint.file()
        badEpoch.metadata["epoch"] = "-1"
        #expect(
            try readError(badEpoch)
                == .badMetadata(
                    path: "c.safetensors", key: "epoch",
                    detail: "it is -1, not a whole number of epochs from 0 to the run's 1"))
        var badNormalization = try checkpoint.file()
        badNormalization.metadata["normalization"] = #"{"max_value":16,"mean":[0.3],"std":[0]}"#
        #expect(
            try readError(badNormalization)
                == .badMetadata(
                    path: "c.safetensors", key: "normalization",
                    detail:
                        "it needs one mean (a number from -1e6 to 1e6) and one std (a number from 1e-12 to 1e6) per channel (1) and a positive max_value"
                ))
        badNormalization.metadata["normalization"] = #"{"max_value":16,"mean":[0.3],"std":[1e-308]}"#
        #expect(try readError(badNormalization)?.description.contains("a number from 1e-12 to 1e6") == true)
    }
}
