import NNCore

/// What can stop a training run before it starts (or a resume). Each description is a sentence that
/// names the folder or option, what was expected and found, and what to do. A resumed run's
/// settings and names are its checkpoint's: descriptions show them as `InputText.shown` does.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// The run folder cannot be created.
    case cannotCreateFolder(path: String, reason: String)
    /// `--out` names a folder that already holds a run.
    case folderHoldsRun(path: String)
    /// `--out` names a folder that holds files a new run did not write.
    case folderNotEmpty(path: String, files: [String])
    /// Another process trains in the run folder (holds its lock). `holder`: "pid N: command", or "".
    case folderInUse(path: String, holder: String)
    /// An option given with `--resume` would change a run that must continue as it started.
    case resumeConflict(option: String, saved: String, given: String, folder: String)
    /// `--epochs` with `--resume` is fewer than the epochs already trained.
    case resumeEpochsTooFew(given: Int, done: Int, folder: String)
    /// The run has already trained all its epochs.
    case alreadyFinished(folder: String, epochs: Int)
    /// The training split no longer has the size the run was started with.
    case datasetChanged(dataset: String, expected: Int, found: Int)
    /// The validation split leaves no training examples, or asks for none of too few.
    case validationSplitTooLarge(fraction: Double, examples: Int)
    /// A recipe's `train_subset` asks for more examples than the training split has.
    case trainSubsetTooLarge(subset: Int, examples: Int)
    /// The loss stopped being a finite number (`batch` nil: the validation loss, after the epoch);
    /// `baseLearningRate` is the run's `--lr`.
    case diverged(epoch: Int, batch: Int?, learningRate: Double, baseLearningRate: Double)
    /// The run's settings are outside `Limits` (`detail` names the field).
    case invalidSetting(detail: String)
    /// A layer that normalises over the batch (`layer`: "layer 2 (BatchNorm1d)") would see one value
    /// per channel in every batch of `batchSize`.
    case batchTooSmallForBatchNorm(layer: String, batchSize: Int)
    /// `--momentum` was given for an optimizer without momentum.
    case momentumNotApplicable(optimizer: String)
    /// `--label-smoothing` was given for a loss other than CrossEntropyLoss.
    case labelSmoothingNotApplicable(loss: String)
    /// Early stopping (from the recipe, or `--early-stopping`) with `--val-split 0`.
    case earlyStoppingNeedsValidation(patience: Int, fromRecipe: Bool)
    /// The run stopped early, and would stop again at once if resumed with its patience.
    case stoppedEarly(folder: String, epoch: Int, bestEpoch: Int, patience: Int)
    /// A training option's value cannot be used; `expected` says what it can be.
    case badOption(option: String, value: String, expected: String)
    /// The recipe names no dataset and none was given.
    case noDataset(recipe: String, known: [String])
    /// A network built by hand has a layer a recipe cannot name (`Recipe(describing:name:)`).
    case layerWithoutRecipeForm(index: Int, layer: String)
    /// A network built by hand was given with a recipe whose layers are not its own.
    case modelIsNotTheRecipes(recipe: String)
    /// An image folder's files changed since the run started (`--resume`).
    case datasetContentChanged(dataset: String, recorded: String, recordedFiles: Int, found: String, foundFiles: Int)
    /// The recipe augments images, but the dataset is a table or a set of points.
    case augmentationNeedsImages(dataset: String, augmentation: String, features: Int)
    /// The run's estimated memory (`MemoryEstimate`) exceeds what the machine has.
    case doesNotFitInMemory(recipe: String, dataset: String, estimate: String, limit: String, source: String)

    public var description: String {
        switch self {
        case .cannotCreateFolder(let path, let reason):
            return "Cannot create the run folder \(path): \(reason). Choose another folder with --out."
        case .folderHoldsRun(let path):
            return
                "The folder \(path) already holds a training run (checkpoint-last.safetensors). Continue it with "
                + "\(Invocation.current.command("train --resume \(shellQuoted(path))")), or choose another folder with --out."
        case .folderNotEmpty(let path, let files):
            let shown = files.prefix(8).joined(separator: ", ")
            let more = files.count > 8 ? " and \(files.count - 8) more" : ""
            return
                "The folder \(path) already holds files that are not this run's: \(shown)\(more). A new run starts only "
                + "in a new or empty folder, so that nothing there is overwritten: choose another folder with --out, "
                + "or move those files away."
        case .folderInUse(let path, let holder):
            let who = holder.isEmpty ? "another nnzoo process" : "another nnzoo process (\(holder))"
            return
                "The run folder \(path) is in use by \(who), which holds its lock \(path)/.lock. Wait for that "
                + "process to finish (or stop it), then run this command again."
        case .resumeConflict(let option, let saved, let given, let folder):
            return
                "The run in \(folder) was started with \(option) \(InputText.shown(saved)); resuming it with \(given) would not "
                + "continue the same run. Leave \(option) out when resuming, or start a new run."
        case .resumeEpochsTooFew(let given, let done, let folder):
            return
                "The run in \(folder) has already trained \(done) epochs, so --epochs \(given) cannot continue it. "
                + "Give --epochs \(done + 1) or more, or leave it out."
        case .alreadyFinished(let folder, let epochs):
            return
                "The run in \(folder) has already trained all its \(epochs == 1 ? "1 epoch" : "\(epochs) epochs"). To train further, resume "
                + "with more epochs: \(Invocation.current.command("train --resume \(shellQuoted(folder)) --epochs \(epochs + 5)"))."
        case .datasetChanged(let dataset, let expected, let found):
            return
                "The run was trained on \(expected) examples of \(InputText.shown(dataset)), but its training split now gives "
                + "\(found). Resume with the same dataset files (see run.json for their SHA-256), or start a new run."
        case .validationSplitTooLarge(let fraction, let examples):
            return
                "--val-split \(fraction) of \(examples) training examples leaves nothing to train on. Use a "
                + "fraction from 0 (no validation) to 0.5."
        case .trainSubsetTooLarge(let subset, let examples):
            return
                "The recipe trains on a subset of \(subset) training examples (train_subset), but this dataset's "
                + "training split has \(examples). Use a dataset with more, or a recipe with a smaller train_subset."
        case .diverged(let epoch, let batch, let lr, let base):
            let place = batch.map { "at epoch \(epoch), batch \($0)" } ?? "on the validation split after epoch \(epoch)"
            let smaller = base / 10
            let advice =
                Limits.learningRate.allows(smaller)
                ? "Start again with a smaller learning rate, e.g. --lr \(formatNumber(smaller))."
                : "The learning rate is already the smallest nnzoo accepts (\(formatNumber(base))): check the data "
                    + "and the recipe's network and loss."
            return
                "Training diverged: the loss stopped being a finite number \(place), with learning rate "
                + "\(formatNumber(lr)) (--lr \(formatNumber(base)) on the recipe's schedule). \(advice)"
        case .invalidSetting(let detail):
            return "The run's settings cannot be used: \(detail)."
        case .batchTooSmallForBatchNorm(let layer, let batchSize):
            return
                "\(layer) normalises each channel over the batch, which needs more than one value per channel "
                + "(PyTorch: \"Expected more than 1 value per channel when training\"); batches of \(batchSize) give "
                + "it one. Use --batch-size 2 or more."
        case .datasetContentChanged(let dataset, let recorded, let recordedFiles, let found, let foundFiles):
            return
                "The run was trained on \(InputText.shown(dataset)) when it held \(recordedFiles) files with fingerprint \(recorded) (see "
                + "run.json); it now holds \(foundFiles) with fingerprint \(found): its images changed, so the run "
                + "cannot continue as it started. Restore the folder as it was, or start a new run."
        case .augmentationNeedsImages(let dataset, let augmentation, let features):
            return
                "The recipe augments its training images with \(augmentation), but \(InputText.shown(dataset)) is not a set of images: "
                + "its examples are \(features) numbers each, which image operations cannot shift, flip or crop. "
                + "Train it with a recipe whose augmentation is \"\" (or that has none for this dataset)."
        case .momentumNotApplicable(let optimizer):
            return
                "--momentum applies to SGD and RMSprop, but this run trains with \(optimizer), which has none (its "
                + "beta1 plays that part). Leave --momentum out, or choose --optimizer sgd or rmsprop."
        case .labelSmoothingNotApplicable(let loss):
            return
                "--label-smoothing applies to CrossEntropyLoss, but this recipe trains with \(loss), whose targets "
                + "are not class probabilities to smooth. Leave --label-smoothing out, or use a recipe with "
                + "CrossEntropyLoss."
        case .earlyStoppingNeedsValidation(let patience, let fromRecipe):
            return
                (fromRecipe ? "The recipe stops early" : "--early-stopping \(patience) stops")
                + " after \(patience) epochs without a better validation accuracy, but --val-split 0 holds out no "
                + "validation images to measure it on. Give a --val-split above 0"
                + (fromRecipe
                    ? ", or turn early stopping off with --early-stopping 0." : ", or leave --early-stopping out.")
        case .stoppedEarly(let folder, let epoch, let bestEpoch, let patience):
            return
                "The run in \(folder) stopped early after epoch \(epoch): validation accuracy had not improved since "
                + "epoch \(bestEpoch) for \(patience) epochs. To train it further, resume with a longer patience "
                + "(--early-stopping \(epoch - bestEpoch + 1) or more) or without early stopping (--early-stopping 0)."
        case .badOption(let option, let value, let expected):
            return "\(option) \(value) cannot be used: \(expected)" + (expected.hasSuffix(".") ? "" : ".")
        case .noDataset(let recipe, let known):
            return
                "The recipe \(recipe) names no dataset to train on. Give one with --dataset (\(known.joined(separator: ", "))), "
                + "or add \"dataset\" to the recipe."
        case .layerWithoutRecipeForm(let index, let layer):
            return "Layer \(index + 1) of the network (\(layer)) has no recipe form, and nnzoo's trainer records a "
                + "network as recipe layers so that eval, export and --resume can rebuild it. It trains networks of "
                + "nnzoo's layers (\(LayerSpec.typeNames.joined(separator: ", ")); square kernels); train one with a "
                + "layer of its own in a loop of its own (Examples/CustomLayer does)."
        case .modelIsNotTheRecipes(let recipe):
            return "The network given does not have the layers of the recipe \(recipe) (its tensors differ from the "
                + "ones those layers make). Make the recipe from the network: Recipe(describing: model, name:)."
        case .doesNotFitInMemory(let recipe, let dataset, let estimate, let limit, let source):
            return
                "Training \(InputText.shown(recipe)) on \(InputText.shown(dataset)) would need \(estimate); this machine allows \(limit) (\(source)). "
                + "Nothing was loaded. Use a smaller --batch-size or a smaller network, or a machine with more memory."
        }
    }
}
