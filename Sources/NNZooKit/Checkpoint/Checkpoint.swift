import Foundation
import NNCore
import NNLayers

/// A trained network in a safetensors file, loadable by PyTorch.
///
/// Tensors: the network's parameters and buffers under PyTorch's names for the same
/// `torch.nn.Sequential` (`1.weight` `[out, in]`, `0.weight` `[out, in, kh, kw]`, `N.bias`,
/// `N.running_mean`, `N.running_var`, `N.num_batches_tracked` as I64), and in resumable
/// checkpoints the optimizer's state as `optimizer.<parameter index>.<slot>` (`momentum_buffer`;
/// `exp_avg`, `exp_avg_sq`), the names of `torch.optim`'s state dict. PyTorch loads the model with
/// `model.load_state_dict({k: v for k, v in tensors.items() if not k.startswith("optimizer.")})`.
///
/// `__metadata__` (strings; JSON where structured): `format` ("pt"), `nnzoo_version`, `kind`,
/// `recipe`, `architecture` (the layers with inferred sizes), `dataset`, `input`, `class_names`,
/// `normalization`, `epoch`, `metrics` (the last epoch's record), `settings`, `imported_from`
/// (weights brought in by `nnzoo import`), and in resumable checkpoints `resume` and `optimizer`
/// (its type and step count).
///
/// What a checkpoint needs (`requiredMetadata`): to be evaluated, exported or used for predictions,
/// only `recipe`, `input`, `dataset`, `class_names` and `normalization` besides the model tensors;
/// `architecture` is derived from the recipe and the input (and checked when present), `kind`
/// defaults to `best` (`last` with `resume`), `epoch`, `metrics` and `settings` are training history.
/// To resume training it also needs `settings`, `epoch`, `resume`, `optimizer` and the optimizer's
/// tensors.
public struct Checkpoint {
    public var info: CheckpointInfo
    /// The network with the checkpoint's weights.
    public var model: Sequential
    /// The optimizer state (resumable checkpoints only).
    public var optimizerState: OptimizerState?

    /// The prefix of optimizer tensors.
    public static let optimizerPrefix = "optimizer."

    /// The metadata entries every checkpoint must have: enough to rebuild, evaluate and export the
    /// network. Training history and the state to resume are optional.
    public static let requiredMetadata = ["recipe", "input", "dataset", "class_names", "normalization"]

    public init(info: CheckpointInfo, model: Sequential, optimizerState: OptimizerState?) {
        self.info = info
        self.model = model
        self.optimizerState = optimizerState
    }

    // MARK: - Saving

    /// Writes the checkpoint atomically to `path`. Its metadata is first read back by the reader
    /// that will read the file (`readInfo`), so nnzoo never writes a checkpoint it would refuse.
    public func write(to path: String) throws {
        let file = try file()
        do {
            _ = try Self.readInfo(SafeTensorsFile(metadata: file.metadata), path: path)
        } catch let problem as CheckpointError {
            throw CheckpointError.wouldNotReadBack(path: path, problem: problem.description)
        }
        try file.write(to: path)
    }

    /// The safetensors file this checkpoint is written as.
    public func file() throws -> SafeTensorsFile {
        var tensors: [(name: String, value: SafeTensorsValue)] = []
        for (name, parameter) in model.namedParameters { tensors.append((name, .float32(parameter.value))) }
        for (name, buffer) in model.namedBuffers {
            switch buffer.kind {
            case .float32: tensors.append((name, .float32(buffer.value)))
            case .int64:
                tensors.append(
                    (name, .int64(shape: Array(buffer.value.shape), values: buffer.value.scalars.map { Int64($0) })))
            }
        }
        var metadata: [String: String] = [
            "format": "pt",
            "nnzoo_version": NNZooVersion.string,
            "kind": info.kind,
            "recipe": info.recipe.jsonString(),
            "architecture": try json(info.architecture),
            "dataset": info.dataset,
            "input": try json(info.input),
            "class_names": try json(info.classNames),
            "normalization": try json(info.normalization),
            "metrics": try json(info.metrics),
        ]
        if let epoch = info.epoch { metadata["epoch"] = String(epoch) }
        if let settings = info.settings { metadata["settings"] = try json(settings) }
        if let source = info.importedFrom { metadata["imported_from"] = source }
        if let resume = info.resume { metadata["resume"] = try json(resume) }
        if let state = optimizerState {
            metadata["optimizer"] = try json(["type": state.kind, "steps": String(state.stepCount)])
            for (name, tensor) in state.namedTensors(prefix: Self.optimizerPrefix) {
                tensors.append((name, .float32(tensor)))
            }
        }
        return SafeTensorsFile(metadata: metadata, tensors: tensors)
    }

    private func json<T: Encodable>(_ value: T) throws -> String {
        try JSONText.compact(value)
    }

    // MARK: - Loading

    /// Reads the checkpoint at `path`: validates the file, rebuilds the network from the recorded
    /// recipe and input, and loads the tensors after checking their names, shapes and dtypes.
    public static func read(from path: String) throws -> Checkpoint {
        try load(SafeTensorsFile.read(from: path), path: path)
    }

    /// `read(from:)` for the bytes of a checkpoint file already in memory (`path` names it in messages).
    public static func decode(_ bytes: [UInt8], path: String) throws -> Checkpoint {
        try load(SafeTensorsFile.decode(bytes, path: path), path: path)
    }

    /// Rebuilds the network of a validated safetensors file and loads its tensors. The file's model
    /// tensors are checked against the recorded architecture (names, dtypes, shapes) before the
    /// network is built, so a few bytes of metadata cannot make it allocate a huge network.
    static func load(_ file: SafeTensorsFile, path: String) throws -> Checkpoint {
        let info = try readInfo(file, path: path)
        try checkTensors(
            file,
            expected: ModelBuilder.tensorLayout(info.architecture).map { ($0.name, $0.shape, $0.int64 ? .i64 : .f32) },
            path: path)
        let model: Sequential
        do {
            model = try ModelBuilder.build(resolved: info.architecture, seed: info.settings?.seed ?? info.recipe.seed)
        } catch {
            throw CheckpointError.modelMismatch(path: path, detail: "\(error)")
        }
        try loadTensors(file, into: model, path: path)
        var optimizerState: OptimizerState?
        if let resume = info.resume {
            for (name, state) in model.namedRandomStates {
                guard let words = resume.randomStates[name], let rng = ResumeState.decodeRNG(words) else {
                    throw CheckpointError.badMetadata(
                        path: path, key: "resume",
                        detail: "the state of random generator \"\(name)\" is missing or invalid")
                }
                state.rng = rng
            }
            optimizerState = try readOptimizerState(
                file, info: info, parameters: model.parameters, path: path)
        }
        return Checkpoint(info: info, model: model, optimizerState: optimizerState)
    }

    /// The metadata of a checkpoint file, decoded and checked for consistency. Every field is
    /// checked before anything uses it (settings against `Limits`, counts against each other), so an
    /// edited checkpoint gets a message naming the field, never a trap on `--resume` or `eval`.
    static func readInfo(_ file: SafeTensorsFile, path: String) throws -> CheckpointInfo {
        func entry(_ key: String) throws -> String {
            guard let value = file.metadata[key] else { throw CheckpointError.missingMetadata(path: path, key: key) }
            return value
        }
        func bad(_ key: String, _ detail: String) -> CheckpointError {
            CheckpointError.badMetadata(path: path, key: key, detail: detail)
        }
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
            let text = try entry(key)
            do {
                return try JSONSyntax.decode(T.self, from: Array(text.utf8))
            } catch {
                throw bad(key, describeDecodingFailure(error))
            }
        }
        /// Entry `key` decoded, or nil when the checkpoint does not have it.
        func optional<T: Decodable>(_ type: T.Type, _ key: String) throws -> T? {
            file.metadata[key] == nil ? nil : try decode(type, key)
        }
        let recipe: Recipe
        do {
            recipe = try Recipe.decode(Data(try entry("recipe").utf8), source: "\(path) (its recipe)")
        } catch let error as RecipeError {
            throw bad("recipe", error.description)
        }
        let input = try decode(ModelInput.self, "input")
        let dimensions = [input.channels, input.height, input.width, input.classes]
        guard dimensions.allSatisfy({ (1...Self.maxDimension).contains($0) }),
            let pixels = checkedProduct([input.channels, input.height, input.width]), pixels <= Self.maxDimension
        else {
            throw bad(
                "input",
                "\(input) images in \(input.classes) classes are impossible (each size must be 1 to "
                    + "\(Self.maxDimension), and an image at most \(Self.maxDimension) values)")
        }
        // The network is what the recipe builds for the input; a recorded architecture must agree.
        let architecture: [LayerSpec]
        do {
            architecture = try ModelBuilder.resolve(recipe, for: input)
        } catch {
            throw CheckpointError.modelMismatch(
                path: path, detail: "its recipe does not fit its input \(input): \(error).")
        }
        if let recorded = try optional([LayerSpec].self, "architecture"), recorded != architecture {
            throw CheckpointError.modelMismatch(
                path: path, detail: "the recorded architecture differs from what its recipe builds for \(input).")
        }
        // Training history and the resume state are optional; resuming needs the settings and epoch.
        let resume = try optional(ResumeState.self, "resume")
        if resume != nil {
            for key in ["settings", "epoch"] where file.metadata[key] == nil {
                throw bad("resume", "training cannot resume without the \"\(key)\" entry, which the checkpoint lacks")
            }
        }
        let kind = file.metadata["kind"] ?? (resume == nil ? "best" : "last")
        guard kind == "last" || kind == "best" else {
            throw bad("kind", "it is \"\(InputText.shown(kind, limit: 100))\", not \"last\" or \"best\"")
        }
        let settings = try optional(TrainingSettings.self, "settings")
        var epoch: Int?
        if let epochText = file.metadata["epoch"] {
            guard let value = Int(epochText), value >= 0, value <= settings?.epochs ?? Int.max else {
                throw bad(
                    "epoch",
                    "it is \(InputText.shown(epochText, limit: 100)), not a whole number of epochs from 0 to "
                        + (settings.map { "the run's \($0.epochs)" } ?? "the largest number"))
            }
            epoch = value
        }
        let classNames = try decode([String].self, "class_names")
        guard classNames.count == input.classes else {
            throw bad("class_names", "it lists \(classNames.count) names for \(input.classes) classes")
        }
        let normalization = try decode(InputNormalization.self, "normalization")
        let means = normalization.expectedCount(channels: input.channels, height: input.height, width: input.width)
        guard normalization.mean.count == means, normalization.std.count == means,
            normalization.mean.allSatisfy(Limits.normalizationMean.allows),
            normalization.std.allSatisfy(Limits.normalizationStd.allows),
            (1...Self.maxDimension).contains(normalization.maxValue)
        else {
            throw bad(
                "normalization",
                "it needs one mean (\(Limits.normalizationMean.expected)) and one std "
                    + "(\(Limits.normalizationStd.expected)) per \(normalization.perFeature ? "feature" : "channel") (\(means)) and a positive max_value"
            )
        }
        let metrics = try optional([EpochRecord].self, "metrics") ?? []
        let epochs = settings?.epochs ?? Int.max
        if let index = metrics.firstIndex(where: { !$0.isPlausible(epochs: epochs) }) {
            throw bad(
                "metrics",
                "record \(index) is impossible (an epoch outside 1...\(settings.map { "\($0.epochs)" } ?? "the run's"), "
                    + "an accuracy outside 0...1, a loss that is not finite, or a learning rate or time that is "
                    + "negative or not finite)")
        }
        if let resume, let settings, let problem = resume.problem(epochs: settings.epochs) {
            throw bad("resume", problem)
        }
        return CheckpointInfo(
            kind: kind, recipe: recipe, architecture: architecture, input: input, dataset: try entry("dataset"),
            classNames: classNames, normalization: normalization, epoch: epoch, metrics: metrics, settings: settings,
            importedFrom: file.metadata["imported_from"], resume: resume)
    }

    /// The largest image size, class count or pixel value a checkpoint may record.
    static let maxDimension = 1 << 24

    /// Checks the file's model tensors against the network (names, dtypes, shapes), then copies them in.
    static func loadTensors(_ file: SafeTensorsFile, into model: Sequential, path: String) throws {
        var expected: [(name: String, shape: [Int], dtype: SafeTensorsDType)] = []
        for (name, parameter) in model.namedParameters { expected.append((name, Array(parameter.value.shape), .f32)) }
        for (name, buffer) in model.namedBuffers {
            expected.append((name, Array(buffer.value.shape), buffer.kind == .int64 ? .i64 : .f32))
        }
        try checkTensors(file, expected: expected, path: path)
        for (name, parameter) in model.namedParameters {
            if case .float32(let tensor)? = file[name] { parameter.value = tensor }
        }
        for (name, buffer) in model.namedBuffers {
            switch file[name] {
            case .float32(let tensor)?: buffer.value = tensor
            case .int64(_, let values)?:
                buffer.value = Tensor(shape: buffer.value.shape, scalars: values.map { Float($0) })
            case nil: break
            }
        }
    }

    /// Checks the file's model tensors (all but the optimizer's) against `expected`: the same names,
    /// then each one's dtype and shape.
    static func checkTensors(
        _ file: SafeTensorsFile, expected: [(name: String, shape: [Int], dtype: SafeTensorsDType)], path: String
    ) throws {
        let stored = file.tensors.filter { !$0.name.hasPrefix(optimizerPrefix) }
        let storedNames = Set(stored.map(\.name))
        let expectedNames = Set(expected.map(\.name))
        let missing = expected.map(\.name).filter { !storedNames.contains($0) }
        let unexpected = stored.map(\.name).filter { !expectedNames.contains($0) }
        guard missing.isEmpty, unexpected.isEmpty else {
            throw CheckpointError.tensorNamesMismatch(path: path, missing: missing, unexpected: unexpected)
        }
        for (name, shape, dtype) in expected {
            guard let value = file[name] else { continue }
            guard value.dtype == dtype else {
                throw CheckpointError.dtypeMismatch(
                    path: path, tensor: name, expected: dtype.rawValue, found: value.dtype.rawValue)
            }
            guard value.shape == shape else {
                throw CheckpointError.shapeMismatch(path: path, tensor: name, expected: shape, found: value.shape)
            }
        }
    }

    private static func readOptimizerState(
        _ file: SafeTensorsFile, info: CheckpointInfo, parameters: [Parameter], path: String
    ) throws -> OptimizerState {
        guard let text = file.metadata["optimizer"] else {
            throw CheckpointError.missingMetadata(path: path, key: "optimizer")
        }
        guard let object = try? JSONSyntax.decode([String: String].self, from: Array(text.utf8)),
            let kind = object["type"], let steps = object["steps"].flatMap({ Int($0) }),
            steps == info.resume?.optimizerSteps
        else {
            throw CheckpointError.badMetadata(
                path: path, key: "optimizer",
                detail: "it needs the optimizer's \"type\" and its \"steps\", the resume state's optimizer_steps")
        }
        var tensors: [String: Tensor] = [:]
        for (name, value) in file.tensors where name.hasPrefix(optimizerPrefix) {
            guard case .float32(let tensor) = value else {
                throw CheckpointError.dtypeMismatch(
                    path: path, tensor: name, expected: "F32", found: value.dtype.rawValue)
            }
            tensors[name] = tensor
        }
        do {
            let state = try OptimizerState(
                kind: kind, stepCount: steps, parameterCount: parameters.count, namedTensors: tensors,
                prefix: optimizerPrefix)
            // Importing into an optimizer of the recorded kind checks every slot's name and shape.
            try TrainingSession.makeOptimizer(info.settings?.optimizer ?? info.recipe.optimizer, parameters)
                .importState(state)
            return state
        } catch {
            throw CheckpointError.optimizerStateMismatch(path: path, detail: "\(error)")
        }
    }
}
