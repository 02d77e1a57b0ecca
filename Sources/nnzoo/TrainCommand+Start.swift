import ArgumentParser
import Foundation
import NNCore
import NNData
import NNZooKit

/// Preparing a run: a new one from a recipe, or the continuation of a saved one.
extension TrainCommand {
    struct Prepared {
        var session: TrainingSession
        var info: RunInfo
        var isResume: Bool
        /// The test split, when it was loaded at the start (see `prepareNew`).
        var test: ImageDataset? = nil
    }

    func prepareNew() throws -> Prepared {
        let (recipe, recipePath) = try RecipeCatalog.find(self.recipe ?? "")
        guard let datasetName = dataset ?? recipe.dataset else {
            throw TrainingError.noDataset(recipe: recipe.name, known: DatasetReference.knownNames)
        }
        let reference = try folderOptions.resolve(datasetName)
        // What a registry dataset or toy set is is known before reading it; an image folder's or a table's once loaded.
        let known = try reference.knownFacts()
        if let known { try RecipeCatalog.check(recipe, fits: ModelInput(known), dataset: reference.name) }
        try threads.apply()
        var settings = try training.applied(
            to: TrainingSettings(defaultsOf: recipe, reference: reference, threads: Parallel.threadCount),
            recipe: recipe)
        // Refuse a run that cannot fit in memory before reading any data.
        if let known {
            try MemoryEstimate(
                facts: known, architecture: try ModelBuilder.resolve(recipe, for: ModelInput(known)),
                batchSize: settings.batchSize
            ).check(recipe: recipe.name, dataset: reference.name)
        }
        // A folder in use or holding files is refused before any data is read; the folder is made and
        // locked once the data is there.
        try RunFolder.check(explicit: out)
        // The loader hashes the files it reads in the same pass: run.json's fingerprint reads no file twice.
        // An IDX dataset's test split is loaded now too and kept for the run's end, rather than
        // decompressed once for the fingerprint and once for the test.
        let digests = ContentDigests()
        let (trainingSplit, test) = try loadSplits(reference, digests: digests)
        if known == nil {
            let facts = DatasetFacts(trainingSplit)
            try RecipeCatalog.check(recipe, fits: ModelInput(facts), dataset: reference.name)
            try MemoryEstimate(
                facts: facts, architecture: try ModelBuilder.resolve(recipe, for: ModelInput(facts)),
                batchSize: settings.batchSize
            ).check(recipe: recipe.name, dataset: reference.name)
        }
        if trainingSplit.validationCount > 0, training.valSplit != nil {
            throw ValidationError(
                "--val-split holds out a share of the training images, but \(reference.name) has its own val/ "
                    + "folder (\(trainingSplit.validationCount) images), which is the validation set; leave out --val-split."
            )
        }
        let folder = try RunFolder.create(recipe: recipe.name, explicit: out)
        if reference.isPath {
            // Recorded with the channels it was loaded with and its place relative to the run.
            settings.source = reference.recorded(loaded: trainingSplit, runFolder: absolute(folder.path))
        }
        let files = try RunInfo.fingerprint(settings.datasetReference, dataDirectory: data.path, digests: digests)
        let session = try TrainingSession(
            recipe: recipe, settings: settings, trainingSplit: trainingSplit, folder: folder)
        var info = RunInfo(
            session: session, recipeFile: recipePath, arguments: Array(CommandLine.arguments.dropFirst()),
            datasetFiles: files)
        info.overrides =
            training.given.isEmpty ? nil : Dictionary(uniqueKeysWithValues: training.given.map { ($0.flag, $0.value) })
        return Prepared(session: session, info: info, isResume: false, test: test)
    }

    /// `path` made absolute from the current folder.
    func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return URL(fileURLWithPath: full).standardizedFileURL.path
    }

    func prepareResume(_ path: String) throws -> Prepared {
        let unlocked = RunFolder(path: path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path)
        guard FileManager.default.fileExists(atPath: unlocked.lastCheckpoint) else {
            throw CheckpointError.noCheckpointInFolder(folder: unlocked.path)
        }
        // One process at a time continues a run.
        let folder = try RunFolder.claim(unlocked.path)
        // Temporary files of writes a killed run never finished.
        AtomicFile.removeStaleTemporaries(in: folder.path)
        let checkpoint = try Checkpoint.read(from: folder.lastCheckpoint)
        // Checkpoint.read refuses a resume state without settings.
        guard let state = checkpoint.info.resume, var settings = checkpoint.info.settings else {
            throw CheckpointError.notResumable(path: folder.lastCheckpoint)
        }
        let saved = checkpoint.info
        func conflict(_ option: String, _ savedValue: String, _ given: String?) throws {
            if let given, given != savedValue {
                throw TrainingError.resumeConflict(
                    option: option, saved: savedValue, given: given, folder: folder.path)
            }
        }
        if let recipe, recipe != saved.recipe.name, !recipe.contains("/"), !recipe.hasSuffix(".json") {
            throw TrainingError.resumeConflict(
                option: "the recipe", saved: saved.recipe.name, given: recipe, folder: folder.path)
        }
        try conflict("--dataset", settings.dataset, dataset.map { (try? folderOptions.resolve($0))?.name ?? $0 })
        try conflict("--batch-size", "\(settings.batchSize)", training.batchSize.map { "\($0)" })
        try conflict(
            "--optimizer", settings.optimizer.name.lowercased(),
            training.optimizer.map { OptimizerSpec.defaults($0)?.name.lowercased() ?? $0 })
        try conflict("--lr", "\(settings.optimizer.learningRate)", training.lr.map { "\($0)" })
        if let momentum = settings.optimizer.momentum {
            try conflict("--momentum", "\(momentum)", training.momentum.map { "\($0)" })
        } else if training.momentum != nil {
            throw TrainingError.momentumNotApplicable(optimizer: settings.optimizer.name)
        }
        try conflict("--weight-decay", "\(settings.optimizer.weightDecay)", training.weightDecay.map { "\($0)" })
        try conflict("--seed", "\(settings.seed)", training.seed.map { "\($0)" })
        try conflict("--val-split", "\(settings.validationSplit)", training.valSplit.map { "\($0)" })
        let savedSchedule = settings.schedule ?? saved.recipe.schedule
        if let schedule = training.schedule,
            try TrainingOverrides.parseSchedule(schedule, epochs: settings.epochs) != savedSchedule
        {
            throw TrainingError.resumeConflict(
                option: "--schedule", saved: savedSchedule.summary, given: schedule, folder: folder.path)
        }
        try conflict(
            "--augment", settings.augmentation.isEmpty ? "none" : settings.augmentation,
            try training.augment.map { try TrainingOverrides.parseAugmentation($0) }.map { $0.isEmpty ? "none" : $0 })
        let savedLoss = settings.loss ?? saved.recipe.loss
        if training.labelSmoothing != nil, savedLoss.kind != .crossEntropy {
            throw TrainingError.labelSmoothingNotApplicable(loss: savedLoss.name)
        }
        try conflict("--label-smoothing", "\(savedLoss.labelSmoothing)", training.labelSmoothing.map { "\($0)" })
        // The patience may change: it decides when the run ends, not what it computes.
        if let earlyStopping = training.earlyStopping {
            settings.earlyStopping = earlyStopping > 0 ? earlyStopping : nil
            if earlyStopping > 0, settings.validationSplit == 0 {
                throw TrainingError.earlyStoppingNeedsValidation(patience: earlyStopping, fromRecipe: false)
            }
        }
        let started = state.epoch + (state.batch > 0 ? 1 : 0)
        if let epochs = training.epochs {
            guard epochs >= max(started, 1), epochs > state.epoch || state.batch > 0 else {
                throw TrainingError.resumeEpochsTooFew(given: epochs, done: state.epoch, folder: folder.path)
            }
            settings.epochs = epochs
        }
        // A run killed after its last epoch but before its test results were recorded resumes by
        // recording them; one whose run.json says it finished needs more epochs to continue.
        let finished = (try? RunInfo.read(from: folder.runInfo))?.status == "finished"
        guard state.epoch < settings.epochs || !finished else {
            throw TrainingError.alreadyFinished(folder: folder.path, epochs: settings.epochs)
        }
        if finished,
            case .stoppedEarly(let epoch, let best)? = TrainingSession.earlyStop(
                state: state, settings: settings, hasValidation: settings.validationSplit > 0),
            let patience = settings.earlyStoppingPatience
        {
            throw TrainingError.stoppedEarly(folder: folder.path, epoch: epoch, bestEpoch: best, patience: patience)
        }
        Parallel.setThreadCount(threads.threads ?? settings.threads)
        settings.threads = Parallel.threadCount
        try BLASCheck.verify()
        let reference = try settings.datasetReference.located(
            runFolder: absolute(folder.path), recordedIn: folder.lastCheckpoint)
        if let known = try reference.knownFacts() {
            try MemoryEstimate(facts: known, architecture: checkpoint.info.architecture, batchSize: settings.batchSize)
                .check(recipe: saved.recipe.name, dataset: reference.name)
        }
        let trainingSplit = try loadTrainingSplit(reference)
        if reference.isPath, let recorded = (try? RunInfo.read(from: folder.runInfo))?.datasetFiles.first,
            let now = try RunInfo.fingerprint(reference, dataDirectory: data.path).first, now.sha256 != recorded.sha256
        {
            throw TrainingError.datasetContentChanged(
                dataset: reference.name, recorded: recorded.sha256, recordedFiles: recorded.files ?? 0,
                found: now.sha256, foundFiles: now.files ?? 0)
        }
        let session = try TrainingSession(
            resuming: checkpoint, settings: settings, trainingSplit: trainingSplit, folder: folder)
        var info: RunInfo
        if let existing = try? RunInfo.read(from: folder.runInfo) {
            info = existing
            info.settings = settings
        } else {
            info = RunInfo(
                session: session, recipeFile: nil, arguments: Array(CommandLine.arguments.dropFirst()),
                datasetFiles: try RunInfo.fingerprint(reference, dataDirectory: data.path))
        }
        info.resumed.append(RunInfo.timestamp())
        // One command line per resume; resumes recorded before command lines were leave empty ones.
        var commands = info.resumedArguments ?? []
        commands += [[String]](repeating: [], count: max(0, info.resumed.count - 1 - commands.count))
        info.resumedArguments = commands + [Array(CommandLine.arguments.dropFirst())]
        info.status = "running"
        return Prepared(session: session, info: info, isResume: true)
    }

    /// The training split, and an IDX dataset's test split (nil for other datasets, whose test split
    /// is loaded at the run's end). With two threads or more the test split is read on a second
    /// core while the first decompresses the training images: neither waits for the other.
    func loadSplits(_ reference: DatasetReference, digests: ContentDigests) throws -> (
        train: ImageDataset, test: ImageDataset?
    ) {
        var testSource: (spec: DatasetSpec, location: SplitLocation)?
        if reference.kind == .registry, let spec = try? DatasetRegistry.spec(reference.name) {
            let location = try DatasetLocator.locate(spec, split: .test, dataDirectory: data.path)
            if case .idx = location { testSource = (spec, location) }
        }
        guard let testSource else { return (try loadTrainingSplit(reference, digests: digests), nil) }
        let loadTest = {
            try DatasetLoader.load(
                testSource.spec, from: testSource.location, digests: digests, cache: .fromEnvironment())
        }
        guard Parallel.threadCount >= 2 else {
            let train = try loadTrainingSplit(reference, digests: digests)
            return (train, try loadTest())
        }
        let loaded = Parallel.mapRanges(2) { range in
            Result { try range.lowerBound == 0 ? loadTrainingSplit(reference, digests: digests) : loadTest() }
        }
        // The training split's problem first, as when the splits are read one after the other.
        return (try loaded[0].get(), try loaded[1].get())
    }

    func loadTrainingSplit(_ reference: DatasetReference, digests: ContentDigests? = nil) throws -> ImageDataset {
        let progress = ProgressReporter(
            label: "Loading \(InputText.shown(reference.name))", total: nil, unit: .bytes, plainInterval: .infinity)
        let report = DatasetLoadReport()
        // Gzip-compressed IDX files come decoded from the cache from the second run on (`IDXCache`).
        let split = try DatasetLoader.load(
            reference, split: .train, dataDirectory: data.path, report: report, digests: digests,
            cache: .fromEnvironment()
        ) {
            done, total in
            progress.setTotal(Int64(total))
            progress.update(Int64(done))
        }
        progress.dismiss()
        FolderOptions.printNotes(report, dataset: InputText.shown(reference.name))
        return split
    }

    func printHeader(_ session: TrainingSession, resumed: Bool) {
        let s = session.settings
        let layers = session.architecture.map(\.summary).joined(separator: ", ")
        let optimizer = s.optimizer.summary
        var lines: [String] = []
        // A resumed run's names are its checkpoint's: shown, not obeyed.
        let (recipe, dataset) = (InputText.shown(session.recipe.name), InputText.shown(s.dataset))
        if resumed && session.state.epoch >= s.epochs {
            lines.append(
                "Finishing \(recipe) on \(dataset) in \(session.folder.path): all \(s.epochs) epochs "
                    + "were trained before it stopped; evaluating on the test split.")
        } else if resumed, let source = session.importedFrom, session.state.epoch == 0, session.state.batch == 0 {
            lines.append(
                "Fine-tuning \(recipe) on \(dataset) in \(session.folder.path) from the weights imported "
                    + "from \(InputText.shown(source)), with a fresh optimizer: epoch 1 of \(s.epochs).")
        } else if resumed {
            let state = session.state
            lines.append(
                "Resuming \(recipe) on \(dataset) in \(session.folder.path) at epoch \(state.epoch + 1) "
                    + "of \(s.epochs)"
                    + (state.batch > 0 ? ", batch \(state.batch + 1) of \(session.batchesPerEpoch)." : "."))
        } else {
            let examples = session.input.isFeatureRow ? "examples" : "images"
            lines.append(
                "Training \(recipe) on \(dataset) (\(session.input.examplesPhrase), \(session.input.classes) "
                    + "classes): \(session.trainingIndices.count) training and \(session.validationIndices.count) "
                    + "validation \(examples)"
                    + (session.recipe.trainSubset.map {
                        " (a seeded subset of \($0) of its \(session.dataset.count) training \(examples))"
                    } ?? "")
                    + "; the test split is kept for the end.")
        }
        lines.append("Network: \(layers); \(session.model.parameterCount) parameters.")
        lines.append(
            "\(counted(s.epochs, "epoch")) of \(counted(session.batchesPerEpoch, "batch", plural: "batches")) of \(s.batchSize), \(optimizer), "
                + "\(session.schedule.summary) schedule"
                + ([LossSpec.crossEntropy, .nll].contains(session.loss) ? "" : ", \(session.loss.summary)")
                + (s.earlyStoppingPatience.map { ", early stopping after \(counted($0, "epoch")) without improvement" }
                    ?? "")
                + (s.augmentation.isEmpty ? "" : ", augmentation \(s.augmentation)")
                + ", \(counted(s.threads, "thread")).")
        if session.leavesOutLastExample {
            lines.append(
                "The last batch of each epoch would hold a single example, which BatchNorm cannot normalise: it is "
                    + "left out (a different example each epoch, as the order is shuffled).")
        }
        if !resumed { lines.append("Run folder: \(session.folder.path)") }
        print(lines.joined(separator: "\n"))
        fflush(stdout)
    }
}
