import ArgumentParser
import Foundation
import NNCore
import NNData
import NNZooKit

/// `nnzoo import WEIGHTS.safetensors --recipe R --dataset D --out RUN`: weights trained in PyTorch,
/// as a run folder that `eval`, `export` and `train --resume` take.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Bring in weights trained in PyTorch (a safetensors state dict) as a run folder.",
        discussion: """
            Reads a state dict saved by PyTorch (safetensors.torch.save_file(model.state_dict(), path)) of the \
            torch.nn.Sequential a recipe describes, with or without a prefix (model.0.weight), in float32, \
            float64, float16 or bfloat16 (converted to float32, and said so), and writes a run folder with a \
            resumable checkpoint-last.safetensors and run.json. Names that do not fit the network are listed \
            as load_state_dict(strict=True) lists them: missing, unexpected, wrong shape.

            The inputs are normalised as the recipe says, computed from the dataset as nnzoo train computes \
            them, unless --mean and --std give the constants PyTorch used (on the [0, 1] scale, one per \
            channel, as torchvision's Normalize takes them).

            The run folder is a fine-tuning start: nnzoo train --resume <folder> trains the imported weights \
            from epoch 1 with a fresh optimizer and the recipe's settings, or the training options given here \
            (--epochs, --lr, ...); the validation split and normalisation are this import's.

            Examples:
              nnzoo import weights.safetensors --recipe mlp-784-100-10 --dataset fashion-mnist --out runs/from-torch
              nnzoo import w.safetensors --recipe digits-mlp --mean 0.3046 --std 0.3760 --out runs/digits-torch
              nnzoo import w.safetensors --recipe convnet-dropout --lr 0.002 --epochs 5   (then train --resume)
            """)

    @Argument(help: ArgumentHelp("A safetensors file of a PyTorch state dict.", valueName: "weights"))
    var weights: String

    @Option(
        help: ArgumentHelp("The recipe the weights were trained for (a zoo name or a .json file).", valueName: "recipe")
    )
    var recipe: String

    @Option(help: ArgumentHelp("The dataset they were trained on (default: the recipe's).", valueName: "name"))
    var dataset: String?

    @Option(help: ArgumentHelp("The run folder to write (default: runs/<recipe>-<time>).", valueName: "dir"))
    var out: String?

    // Values parse `.unconditional`: `--std -1` is a value to refuse with a reason, not a missing value.
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "The normalisation means PyTorch used, on the [0, 1] scale, one per channel (e.g. 0.2860 or 0.49,0.48,0.45).",
            valueName: "m[,m...]"))
    var mean: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("The standard deviations, with --mean.", valueName: "s[,s...]"))
    var std: String?

    @Option(
        help: ArgumentHelp(
            "The prefix to remove from the file's names (default: found from the names; \"\" for none).",
            valueName: "text"))
    var prefix: String?

    @OptionGroup(title: "Settings for fine-tuning with nnzoo train --resume")
    var training: TrainingOptions

    @OptionGroup var threads: ThreadOptions
    @OptionGroup var data: DataOptions

    func validate() throws {
        try EmptyNames.refuse([
            ("The weights", weights, "a safetensors file of a PyTorch state dict"),
            ("--recipe", recipe, "a recipe's name or the path of a recipe .json file"),
            ("--dataset", dataset, "a dataset's name"), ("--out", out, "the run folder to write"),
        ])
        guard (mean == nil) == (std == nil) else {
            throw ValidationError("Give --mean and --std together (or neither, for the recipe's own normalisation).")
        }
        _ = try constants()
    }

    /// The `--mean` and `--std` values, checked.
    private func constants() throws -> (mean: [Double], std: [Double])? {
        guard let mean, let std else { return nil }
        // The checkpoint reader checks the same Limits entries: what import writes, eval reads back.
        func parse(_ text: String, _ option: String, _ limit: Limit<Double>, example: String) throws -> [Double] {
            let values = text.split(separator: ",", omittingEmptySubsequences: false).map {
                Double($0.trimmingCharacters(in: .whitespaces))
            }
            guard !values.isEmpty, values.count <= 1024,
                let numbers = values as? [Double], numbers.allSatisfy(limit.allows)
            else {
                throw ValidationError(
                    "\(option) takes numbers separated by commas, one per channel, each \(limit.expected) "
                        + "(e.g. \(option) \(example)), not '\(text)'.")
            }
            return numbers
        }
        let means = try parse(mean, "--mean", Limits.normalizationMean, example: "0.2860")
        let stds = try parse(std, "--std", Limits.normalizationStd, example: "0.3530")
        guard means.count == stds.count else {
            throw ValidationError(
                "--mean gives \(means.count) values and --std \(stds.count): give one of each per channel.")
        }
        return (means, stds)
    }

    func run() throws {
        let (recipe, recipePath) = try RecipeCatalog.find(self.recipe)
        guard let datasetName = dataset ?? recipe.dataset else {
            throw TrainingError.noDataset(recipe: recipe.name, known: DatasetRegistry.all.map(\.name))
        }
        let spec = try DatasetRegistry.spec(datasetName)
        try RecipeCatalog.check(recipe, fits: spec)
        let architecture = try ModelBuilder.resolve(recipe, for: ModelInput(spec))
        let given = try constants()
        if let given, given.mean.count != spec.channels {
            throw ImportError.normalizationChannels(
                given: given.mean.count, channels: spec.channels, dataset: spec.name)
        }
        // The weights are checked before any data is read.
        let imported = try StateDictImport(
            path: weights, architecture: architecture, recipe: recipe.name, prefix: prefix)
        let sha256 = try ContentVerifier.archiveDigest(of: weights)
        try threads.apply()
        let settings = try training.applied(
            to: TrainingSettings(defaultsOf: recipe, dataset: spec.name, threads: Parallel.threadCount), recipe: recipe)
        // The session holds what training would: refuse what cannot fit in memory before reading data.
        try MemoryEstimate(spec: spec, architecture: architecture, batchSize: settings.batchSize)
            .check(recipe: recipe.name, dataset: spec.name)
        let files = try RunInfo.fingerprint(spec, dataDirectory: data.path)
        let trainingSplit = try DatasetLoader.load(spec.name, split: .train, dataDirectory: data.path)
        let folder = try RunFolder.create(recipe: recipe.name, explicit: out)
        let normalization = given.map {
            InputNormalization(mean: $0.mean, std: $0.std, maxValue: Int(trainingSplit.maxValue))
        }
        let session = try TrainingSession(
            recipe: recipe, settings: settings, trainingSplit: trainingSplit, folder: folder,
            normalization: normalization)
        imported.load(into: session.model)
        let name = URL(fileURLWithPath: weights).lastPathComponent
        session.importedFrom = name
        var info = RunInfo(
            session: session, recipeFile: recipePath, arguments: Array(CommandLine.arguments.dropFirst()),
            datasetFiles: files)
        info.status = "imported"
        info.imported = ImportRecord(
            file: weights, sha256: sha256, prefix: imported.prefix,
            converted: Dictionary(uniqueKeysWithValues: imported.converted.map { ($0.key.rawValue, $0.value) }),
            filledIn: imported.filledIn, normalization: normalization == nil ? "recipe" : "given")
        try folder.materialize { staged in
            try session.checkpoint(kind: "last").write(to: staged.lastCheckpoint)
            try info.write(to: staged.runInfo)
        }
        print(summary(imported, session: session, normalizationGiven: normalization != nil))
    }

    private func summary(_ imported: StateDictImport, session: TrainingSession, normalizationGiven: Bool) -> String {
        let s = session.settings
        let n = session.normalization
        var lines = [
            "Imported \(counted(imported.tensorCount, "tensor")) (\(imported.valueCount) values) from \(weights) into "
                + "\(session.recipe.name) for \(s.dataset) (\(session.input) images, \(session.input.classes) classes).",
            imported.prefix.isEmpty
                ? "Every name matched the network's, as load_state_dict(strict=True) matches them."
                : "Every name matched the network's once the prefix \"\(imported.prefix)\" was removed.",
        ]
        for (dtype, names) in imported.converted.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let how =
                dtype == .f64
                ? "rounded to the nearest float32" : "exactly (every \(dtype.rawValue) value is a float32)"
            let shown =
                names.prefix(6).joined(separator: ", ") + (names.count > 6 ? " and \(names.count - 6) more" : "")
            lines.append(
                "Converted \(counted(names.count, "tensor")) from \(dtype.rawValue) to float32, \(how): \(shown).")
        }
        if !imported.filledIn.isEmpty {
            lines.append(
                "The file has no \(imported.filledIn.joined(separator: ", ")); set to 0, as load_state_dict does.")
        }
        let constants = zip(n.mean, n.std).map { String(format: "mean %.4f std %.4f", $0, $1) }.joined(separator: "; ")
        let origin: String
        switch (normalizationGiven, session.recipe.normalization) {
        case (true, _): origin = "as given"
        case (false, .standardize):
            origin =
                "the recipe's standardize: each channel's mean and std over the \(session.trainingIndices.count) "
                + "training images, as nnzoo train computes them (give --mean and --std if PyTorch used others)"
        case (false, .scale): origin = "the recipe's scale, pixel / max (give --mean and --std if PyTorch used others)"
        case (false, .fixed): origin = "the recipe's fixed constants (give --mean and --std if PyTorch used others)"
        }
        lines.append("Normalisation: \(constants) on the [0, 1] scale, \(origin).")
        let folder = shellQuoted(session.folder.path)
        lines.append("Run folder: \(session.folder.path) (checkpoint-last.safetensors, run.json)")
        lines.append("Evaluate it:  " + Invocation.current.command("eval \(folder)"))
        lines.append("Export it:    " + Invocation.current.command("export \(folder)"))
        lines.append(
            "Fine-tune it: " + Invocation.current.command("train --resume \(folder)")
                + " (\(counted(s.epochs, "epoch")) from these weights, a fresh \(s.optimizer.name) optimizer)")
        return lines.joined(separator: "\n")
    }
}
