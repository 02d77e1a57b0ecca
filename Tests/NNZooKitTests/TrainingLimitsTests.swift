import Foundation
import NNCore
import NNData
import Testing

@testable import NNZooKit

/// Every recipe that builds either trains or is refused before training starts; the command line,
/// the recipe reader and the checkpoint reader accept the same values (`Limits`), and nnzoo never
/// writes a checkpoint its reader would refuse.
@Suite(.serialized) struct TrainingLimitsTests {
    /// digits-mlp with `layers` instead of its own, and `batchSize`.
    func session(layers: String, batchSize: Int, epochs: Int = 1) throws -> (TrainingSession, TemporaryFolder) {
        Parallel.setThreadCount(1)
        var text = try String(contentsOfFile: TestPaths.zoo + "/digits-mlp.json", encoding: .utf8)
        let start = try #require(text.range(of: "\"layers\": ["))
        let end = try #require(text.range(of: "],", range: start.upperBound..<text.endIndex))
        text.replaceSubrange(start.lowerBound..<end.upperBound, with: "\"layers\": [\(layers)],")
        let recipe = try Recipe.decode(Data(text.utf8), source: "bn.json")
        var settings = TrainingSettings(defaultsOf: recipe, dataset: "digits", threads: 1)
        settings.batchSize = batchSize
        settings.epochs = epochs
        let folder = TemporaryFolder()
        let session = try TrainingSession(
            recipe: recipe, settings: settings, trainingSplit: try Digits.train, folder: RunFolder(path: folder.path))
        return (session, folder)
    }

    static let batchNorm1d =
        #"{"type": "Flatten"}, {"type": "Linear", "out_features": 20}, {"type": "BatchNorm1d"}, "#
        + #"{"type": "ReLU"}, {"type": "Linear", "out_features": 10}"#
    /// A BatchNorm2d on 1x1 planes (an 8x8 kernel over 8x8 digits): one value per channel per example.
    static let batchNorm2dOnePixel =
        #"{"type": "Conv2d", "out_channels": 4, "kernel_size": 8}, "#
        + #"{"type": "BatchNorm2d"}, {"type": "Flatten"}, {"type": "Linear", "out_features": 10}"#
    /// A BatchNorm2d on 4x4 planes: 16 values per channel even in a batch of one (PyTorch trains it).
    static let batchNorm2dPlanes =
        #"{"type": "Conv2d", "out_channels": 4, "kernel_size": 5}, "#
        + #"{"type": "BatchNorm2d"}, {"type": "Flatten"}, {"type": "Linear", "out_features": 10}"#

    @Test func batchesOfOneAreRefusedWhereBatchNormWouldSeeOneValuePerChannel() throws {
        #expect(throws: TrainingError.batchTooSmallForBatchNorm(layer: "Layer 2 (BatchNorm1d(20))", batchSize: 1)) {
            _ = try session(layers: Self.batchNorm1d, batchSize: 1)
        }
        #expect(throws: TrainingError.batchTooSmallForBatchNorm(layer: "Layer 1 (BatchNorm2d(4))", batchSize: 1)) {
            _ = try session(layers: Self.batchNorm2dOnePixel, batchSize: 1)
        }
        #expect(
            TrainingError.batchTooSmallForBatchNorm(layer: "Layer 2 (BatchNorm1d(20))", batchSize: 1).description
                == "Layer 2 (BatchNorm1d(20)) normalises each channel over the batch, which needs more than one value "
                + "per channel (PyTorch: \"Expected more than 1 value per channel when training\"); batches of 1 give "
                + "it one. Use --batch-size 2 or more.")
    }

    @Test func aBatchNorm2dOnPlanesTrainsInBatchesOfOne() throws {
        let (session, folder) = try self.session(layers: Self.batchNorm2dPlanes, batchSize: 1)
        defer { withExtendedLifetime(folder) {} }
        #expect(!session.leavesOutLastExample)
        var batches = 0
        #expect(
            try session.run {
                batches += 1
                return batches >= 3
            } == .interrupted(epoch: 1, batch: 3, batches: 1294))
    }

    /// 1294 training examples in batches of 431 leave a last batch of one: it is left out of each
    /// epoch (a different example every epoch), and the epoch trains.
    @Test func aLastBatchOfOneIsLeftOutAndTheEpochTrains() throws {
        #expect(try Digits.train.count == 1438)
        let (session, folder) = try self.session(layers: Self.batchNorm1d, batchSize: 431)
        #expect(session.trainingIndices.count == 1294)
        #expect(session.leavesOutLastExample)
        #expect(session.batchesPerEpoch == 3)
        #expect(session.examplesPerEpoch == 1293)
        #expect(try session.run() == .finished)
        #expect(session.records.count == 1)
        // It resumes with the same plan.
        let checkpoint = try Checkpoint.read(from: RunFolder(path: folder.path).lastCheckpoint)
        #expect(checkpoint.info.resume?.optimizerSteps == 3)
        // Without BatchNorm the same batches train all 1294 examples.
        let (plain, _) = try self.session(
            layers: #"{"type": "Flatten"}, {"type": "Linear", "out_features": 10}"#, batchSize: 431)
        #expect(!plain.leavesOutLastExample)
        #expect(plain.batchesPerEpoch == 4)
    }

    /// Settings at every edge of `Limits` make checkpoints that read back with the same settings.
    @Test func settingsAtTheEdgesOfTheLimitsWriteReadableCheckpoints() throws {
        let recipe = try Recipe.read(from: TestPaths.zoo + "/digits-mlp.json")
        let folder = TemporaryFolder()
        let edges: [(Int, Int, Double, Double, Double)] = [
            (
                Limits.epochs.range.upperBound, Limits.batchSize.range.upperBound, Limits.learningRate.range.upperBound,
                Limits.momentum.range.upperBound, Limits.validationSplit.range.upperBound
            ),
            (
                Limits.epochs.range.lowerBound, Limits.batchSize.range.lowerBound, Limits.learningRate.range.lowerBound,
                Limits.momentum.range.lowerBound, Limits.validationSplit.range.lowerBound
            ),
        ]
        for (epochs, batchSize, lr, momentum, split) in edges {
            let settings = TrainingSettings(
                dataset: "digits", epochs: epochs, batchSize: batchSize,
                optimizer: .sgd(lr: lr, momentum: momentum, dampening: 0, nesterov: false, weightDecay: 0),
                seed: UInt64.max, validationSplit: split, augmentation: "shift:1",
                threads: Limits.threads.range.upperBound)
            let session = try TrainingSession(
                recipe: recipe, settings: settings, trainingSplit: try Digits.train,
                folder: RunFolder(path: folder.path))
            let path = folder.path + "/edge.safetensors"
            try session.checkpoint(kind: "last").write(to: path)
            #expect(try Checkpoint.read(from: path).info.settings == settings)
        }
    }

    /// A checkpoint whose metadata its reader would refuse is not written (nothing at the path).
    @Test func aCheckpointItsReaderWouldRefuseIsNotWritten() throws {
        let recipe = try Recipe.read(from: TestPaths.zoo + "/digits-mlp.json")
        let folder = TemporaryFolder()
        let session = try TrainingSession(
            recipe: recipe, settings: TrainingSettings(defaultsOf: recipe, dataset: "digits", threads: 1),
            trainingSplit: try Digits.train, folder: RunFolder(path: folder.path))
        var checkpoint = session.checkpoint(kind: "last")
        checkpoint.info.epoch = -1
        let path = folder.path + "/never.safetensors"
        #expect(
            throws: CheckpointError.wouldNotReadBack(
                path: path,
                problem: CheckpointError.badMetadata(
                    path: path, key: "epoch", detail: "it is -1, not a whole number of epochs from 0 to the run's 60"
                ).description)
        ) { try checkpoint.write(to: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// The advice after a divergence names a learning rate the command line accepts, from the
    /// run's --lr (the scheduled rate of the epoch could make it suggest --lr inf).
    @Test func divergenceAdviceSuggestsAValidLearningRate() {
        #expect(
            TrainingError.diverged(epoch: 1, batch: 5, learningRate: 1e6, baseLearningRate: 1e6).description
                == "Training diverged: the loss stopped being a finite number at epoch 1, batch 5, with learning rate "
                + "1000000 (--lr 1000000 on the recipe's schedule). Start again with a smaller learning rate, e.g. "
                + "--lr 100000.")
        #expect(
            TrainingError.diverged(epoch: 3, batch: nil, learningRate: 2.5e-11, baseLearningRate: 1e-10).description
                == "Training diverged: the loss stopped being a finite number on the validation split after epoch 3, "
                + "with learning rate 2.5e-11 (--lr 1e-10 on the recipe's schedule). The learning rate is already the "
                + "smallest nnzoo accepts (1e-10): check the data and the recipe's network and loss.")
    }
}
