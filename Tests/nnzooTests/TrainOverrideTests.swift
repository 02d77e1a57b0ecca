import Foundation
import NNZooKit
import Testing

/// `nnzoo train` with a recipe of only layers, and the options that override a recipe's optimizer,
/// weight decay, schedule, augmentation, label smoothing and early stopping: what they change, what
/// run.json records, and the combinations refused.
@Suite(.serialized) struct TrainOverrideTests {
    private var data: String { CLI.packageRoot + "/Data" }

    private func train(_ arguments: [String]) throws -> CLI.Result {
        try CLI.run(["train"] + arguments + ["--data-dir", data, "--threads", "1"])
    }

    @Test func aRecipeOfOnlyLayersTrainsOnTheDatasetGiven() throws {
        let folder = TempFolder()
        let path = folder.path + "/tiny.json"
        try #"{"layers": [{"type": "Flatten"}, {"type": "Linear", "out_features": 10}]}"#.write(
            toFile: path, atomically: true, encoding: .utf8)
        let missing = try train([path, "--out", folder.path + "/none"])
        #expect(missing.status == 1)
        #expect(
            missing.stderr
                == "Error: The recipe tiny names no dataset to train on. Give one with --dataset (mnist, fashion-mnist, "
                + "cifar10, digits, circles, gaussians), or add \"dataset\" to the recipe.\n")
        let out = folder.path + "/run"
        let result = try train([path, "--dataset", "digits", "--epochs", "2", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Training tiny on digits (1x8x8 images, 10 classes)"))
        #expect(result.stdout.contains("2 epochs of 21 batches of 64, Adam lr 0.001, constant schedule, 1 thread."))
        let run = try RunInfo.read(from: out + "/run.json")
        #expect(
            run.recipe
                == Recipe(name: "tiny", layers: [.flatten, .linear(inFeatures: nil, outFeatures: 10, bias: true)]))
        #expect(run.settings.schedule == .constant && run.settings.loss == .crossEntropy)
        #expect(run.overrides == ["--dataset": "digits", "--epochs": "2"] || run.overrides == ["--epochs": "2"])
    }

    @Test func everyOverrideChangesTheRunAndIsRecorded() throws {
        let folder = TempFolder()
        let out = folder.path + "/run"
        let result = try train([
            "digits-mlp", "--epochs", "3", "--optimizer", "AdamW", "--weight-decay", "0.05", "--schedule", "onecycle",
            "--augment", "none", "--label-smoothing", "0.1", "--early-stopping", "5", "--out", out,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.contains(
                "3 epochs of 41 batches of 32, AdamW lr 0.001 weight_decay 0.05, one-cycle (per batch) schedule, "
                    + "CrossEntropyLoss(label_smoothing 0.1), early stopping after 5 epochs without improvement, 1 thread."
            ))
        #expect(
            result.stdout.contains(
                "this run changed --epochs, --optimizer, --schedule, --augment, --label-smoothing, --early-stopping."))
        let run = try RunInfo.read(from: out + "/run.json")
        #expect(run.settings.optimizer == .adamW(lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05))
        #expect(run.settings.schedule == .oneCycle(ScheduleSpec.OneCycle()))
        #expect(run.settings.augmentation == "")
        #expect(run.settings.loss == LossSpec(.crossEntropy, labelSmoothing: 0.1))
        #expect(run.settings.earlyStopping == 5)
        #expect(
            run.overrides == [
                "--epochs": "3", "--optimizer": "AdamW", "--weight-decay": "0.05", "--schedule": "onecycle",
                "--augment": "none", "--label-smoothing": "0.1", "--early-stopping": "5",
            ])
        let best = try Checkpoint.read(from: out + "/checkpoint-best.safetensors")
        #expect(best.info.loss == LossSpec(.crossEntropy, labelSmoothing: 0.1))
        // The settings ride with the run: resuming with others is refused, with the same ones allowed.
        let conflict = try CLI.run(["train", "--resume", out, "--schedule", "cosine", "--data-dir", data])
        #expect(conflict.status == 1)
        #expect(conflict.stderr.contains("was started with --schedule one-cycle (per batch); resuming it with cosine"))
        let optimizer = try CLI.run(["train", "--resume", out, "--optimizer", "sgd", "--data-dir", data])
        #expect(optimizer.stderr.contains("was started with --optimizer adamw; resuming it with sgd"))
    }

    @Test func aStepScheduleTakesItsSizeAndGamma() throws {
        #expect(try TrainingOverrides.parseSchedule("step", epochs: 20) == .step(stepSize: 6, gamma: 0.1))
        #expect(try TrainingOverrides.parseSchedule("step:5:0.5", epochs: 20) == .step(stepSize: 5, gamma: 0.5))
        #expect(try TrainingOverrides.parseSchedule("STEP:2", epochs: 1) == .step(stepSize: 2, gamma: 0.1))
        #expect(try TrainingOverrides.parseSchedule("step", epochs: 2) == .step(stepSize: 1, gamma: 0.1))
    }

    @Test func combinationsThatMakeNoSenseAreRefused() throws {
        let folder = TempFolder()
        let hinge = folder.path + "/hinge.json"
        try
            #"{"dataset": "digits", "loss": "HingeLoss", "layers": [{"type": "Flatten"}, {"type": "Linear", "out_features": 10}]}"#
            .write(toFile: hinge, atomically: true, encoding: .utf8)
        for (arguments, status, message) in [
            (
                [hinge, "--label-smoothing", "0.1"], Int32(1),
                "Error: --label-smoothing applies to CrossEntropyLoss, but this recipe trains with HingeLoss"
            ),
            (
                ["digits-mlp", "--optimizer", "adam", "--momentum", "0.9"], 1,
                "Error: --momentum applies to SGD and RMSprop, but this run trains with Adam"
            ),
            (
                ["digits-mlp", "--early-stopping", "3", "--val-split", "0"], 1,
                "Error: --early-stopping 3 stops after 3 epochs without a better validation accuracy, but --val-split 0"
            ),
            (
                ["digits-mlp", "--optimizer", "adma"], 64,
                "--optimizer must be one of sgd, adam, adamw, rmsprop (got adma). Did you mean"
            ),
            (
                ["digits-mlp", "--schedule", "linear"], 64,
                "--schedule linear cannot be used: it is not a schedule nnzoo knows"
            ),
            (["digits-mlp", "--schedule", "step:0"], 64, "the step size must be a whole number of epochs, 1 or more"),
            (
                ["digits-mlp", "--augment", "blur:2"], 64,
                "--augment blur:2 cannot be used: Unknown augmentation 'blur'"
            ),
            (
                ["digits-mlp", "--label-smoothing", "2"], 64,
                "--label-smoothing must be a number from 0 to 1 (got 2.0)."
            ),
            (["digits-mlp", "--weight-decay", "-1"], 64, "--weight-decay must be 0 or a number up to 1e6 (got -1.0)."),
            (
                ["digits-mlp", "--early-stopping", "-2"], 64,
                "--early-stopping must be 0 (never stop early) or a whole number of epochs from 1 to 1000000 (got -2)."
            ),
        ] {
            let result = try train(arguments + ["--out", folder.path + "/never"])
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: folder.path + "/never"))
        }
    }
}
