import Foundation
import NNCore
import NNData
import Testing

@testable import NNZooKit

/// A resumable checkpoint whose metadata was edited (each field read from the file, set to a value
/// nnzoo never writes) is refused when it is read, naming the entry and the field, before anything
/// uses the value: these trapped on `--resume` (a batch size of 0, a validation split of 1e300, an
/// epoch or step count near Int.max) or were taken (negative epochs).
@Suite struct EditedCheckpointTests {
    struct Edit: CustomStringConvertible, Sendable {
        /// The metadata entry, and the field inside its JSON object (nil: the entry itself).
        let entry: String
        let field: String?
        /// The new value as JSON text (or the entry's whole text when `field` is nil).
        let value: String
        let detail: String

        var description: String { "\(entry).\(field ?? "") = \(value)" }
    }

    static let edits: [Edit] = [
        Edit(
            entry: "settings", field: "batch_size", value: "0",
            detail: "batch_size is 0, but it must be a whole number from 1 to 1000000"),
        Edit(
            entry: "settings", field: "epochs", value: "-3",
            detail: "epochs is -3, but it must be a whole number from 1 to 1000000"),
        Edit(
            entry: "settings", field: "validation_split", value: "-0.5",
            detail: "validation_split is -0.5, but it must be a fraction from 0 to 0.5"),
        Edit(
            entry: "settings", field: "validation_split", value: "1e300",
            detail: "validation_split is 1e+300, but it must be a fraction from 0 to 0.5"),
        Edit(
            entry: "settings", field: "threads", value: "0",
            detail: "threads is 0, but it must be a whole number from 1 to 1024"),
        Edit(
            entry: "settings", field: "seed", value: "1.5",
            detail: "seed is 1.5, but it must be a whole number from 0 to 18446744073709551615"),
        Edit(
            entry: "settings", field: "optimizer", value: #"{"type": "Adam", "lr": 2e6}"#,
            detail: "optimizer.lr is 2000000, but it must be a number from 1e-10 to 1e6"),
        Edit(
            entry: "settings", field: "augmentation", value: #""rotate:900""#,
            detail:
                "augmentation is not a valid augmentation spec: In the augmentation 'rotate:900', DEG (the largest "
                + "angle in degrees) is '900' but must be a number from 0 to 180; write it as 'rotate:DEG[:FILL]' "
                + "(turn by up to DEG degrees, bilinear, fill FILL)."),
        Edit(
            entry: "resume", field: "epoch", value: "9223372036854775000",
            detail: "epoch 9223372036854775000 is past the run's 60 epochs"),
        Edit(
            entry: "resume", field: "optimizer_steps", value: "9223372036854775000",
            detail: "optimizer_steps 9223372036854775000 is more than 1294, one step per example of each epoch begun"),
        Edit(
            entry: "resume", field: "batch", value: "9223372036854775000",
            detail: "it counts 9223372036854775000 batches, 160 examples seen and 23 right of 1294"),
        Edit(
            entry: "resume", field: "epoch_seconds", value: "1e300",
            detail: "loss_sum or epoch_seconds is not a finite number in range"),
        Edit(
            entry: "resume", field: "training_examples", value: "0",
            detail: "training_examples is 0, not 1 to 1099511627776"),
        Edit(
            entry: "resume", field: "best_epoch", value: "1", detail: "best_epoch 1 is not an epoch already trained"),
        Edit(
            entry: "epoch", field: nil, value: "9223372036854775807",
            detail: "it is 9223372036854775807, not a whole number of epochs from 0 to the run's 60"),
        Edit(
            entry: "kind", field: nil, value: "weird", detail: #"it is "weird", not "last" or "best""#),
        Edit(
            entry: "input", field: "channels", value: "-1",
            detail:
                "-1x8x8 images in 10 classes are impossible (each size must be 1 to 16777216, and an image at most "
                + "16777216 values)"),
        Edit(
            entry: "normalization", field: "mean", value: "[1e999]",
            detail:
                "a number in it does not fit its field (too large for a 64-bit float, or not a whole number where one belongs)"
        ),
        Edit(
            entry: "metrics", field: nil,
            value: #"[{"epoch": 1, "train_loss": 1, "train_accuracy": 5, "lr": 0.1, "seconds": 1}]"#,
            detail:
                "record 0 is impossible (an epoch outside 1...60, an accuracy outside 0...1, a loss that is not "
                + "finite, or a learning rate or time that is negative or not finite)"),
        Edit(
            entry: "optimizer", field: "steps", value: #""4""#,
            detail: #"it needs the optimizer's "type" and its "steps", the resume state's optimizer_steps"#),
    ]

    /// The digits checkpoint with one metadata field replaced, written to a file in `folder`.
    static func edited(_ edit: Edit, in folder: TemporaryFolder) throws -> String {
        var file = try SafeTensorsFile.decode(try CheckpointHardeningTests.digitsCheckpoint, path: "c.safetensors")
        if let field = edit.field {
            let text = try #require(file.metadata[edit.entry])
            // Edited as text, so values JSONSerialization would round (1e300, Int.max - 807) stay as written.
            var object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            object[field] = "@@"
            let skeleton = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
            file.metadata[edit.entry] = skeleton.replacingOccurrences(of: #""@@""#, with: edit.value)
        } else {
            file.metadata[edit.entry] = edit.value
        }
        let path = folder.path + "/edited.safetensors"
        try file.write(to: path)
        return path
    }

    @Test(arguments: edits) func anEditedFieldIsRefusedNamingIt(_ edit: Edit) throws {
        let folder = TemporaryFolder()
        let path = try Self.edited(edit, in: folder)
        #expect(throws: CheckpointError.badMetadata(path: path, key: edit.entry, detail: edit.detail)) {
            try Checkpoint.read(from: path)
        }
    }

    /// The step count follows from the position (one step per batch): an edit that keeps both
    /// entries in agreement but not with the position is refused when the session is made.
    @Test func aStepCountThatDisagreesWithThePositionIsRefused() throws {
        let folder = TemporaryFolder()
        var file = try SafeTensorsFile.decode(try CheckpointHardeningTests.digitsCheckpoint, path: "c.safetensors")
        for entry in ["resume", "optimizer"] {
            let text = try #require(file.metadata[entry])
            file.metadata[entry] = text.replacingOccurrences(of: #""optimizer_steps":5"#, with: #""optimizer_steps":4"#)
                .replacingOccurrences(of: #""steps":"5""#, with: #""steps":"4""#)
        }
        let path = folder.path + "/steps.safetensors"
        try file.write(to: path)
        let checkpoint = try Checkpoint.read(from: path)
        let settings = try #require(checkpoint.info.settings)
        let run = RunFolder(path: folder.path)
        #expect(
            throws: CheckpointError.badMetadata(
                path: run.lastCheckpoint, key: "resume",
                detail: "it records 4 optimizer steps (the optimizer 4), but 0 epochs of 41 batches and 5 batches "
                    + "more take 5")
        ) {
            _ = try TrainingSession(
                resuming: checkpoint, settings: settings, trainingSplit: try Digits.train, folder: run)
        }
    }

    /// The unedited checkpoint reads and resumes (the checks above refuse only what was edited).
    @Test func theUneditedCheckpointResumes() throws {
        let folder = TemporaryFolder()
        let path = folder.write(bytes: try CheckpointHardeningTests.digitsCheckpoint, to: "c.safetensors")
        let checkpoint = try Checkpoint.read(from: path)
        let session = try TrainingSession(
            resuming: checkpoint, settings: try #require(checkpoint.info.settings), trainingSplit: try Digits.train,
            folder: RunFolder(path: folder.path))
        #expect(session.state.batch == 5)
        #expect(session.batchesPerEpoch == 41)
    }
}
