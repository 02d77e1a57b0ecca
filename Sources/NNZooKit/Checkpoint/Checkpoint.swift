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
/// `normalization`, `epoch`, `metrics`, `settings`, and in resumable checkpoints `resume` and
/// `optimizer` (its type and step count).
public struct Checkpoint {
    public var info: CheckpointInfo
    /// The network with the checkpoint's weights.
    public var model: Sequential
    /// The optimizer state (resumable checkpoints only).
    public var optimizerState: OptimizerState?

    /// The prefix of optimizer tensors.
    public static let optimizerPrefix = "optimizer."

    public init(info: CheckpointInfo, model: Sequential, optimizerState: OptimizerState?) {
        self.info = info
        self.model = model
        self.optimizerState = optimizerState
    }

    // MARK: - Saving

    /// Writes the checkpoint atomically to `path`.
    public func write(to path: String) throws {
        try file().write(to: path)
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
            "epoch": String(info.epoch),
            "metrics": try json(info.metrics),
            "settings": try json(info.settings),
        ]
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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
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
            model = try ModelBuilder.build(resolved: info.architecture, seed: info.settings.seed)
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

    /// The metadata of a checkpoint file, decoded and checked for consistency.
    static func readInfo(_ file: SafeTensorsFile, path: String) throws -> CheckpointInfo {
        func entry(_ key: String) throws -> String {
            guard let value = file.metadata[key] else { throw CheckpointError.missingMetadata(path: path, key: key) }
            return value
        }
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
            do {
                return try JSONDecoder().decode(T.self, from: Data(try entry(key).utf8))
            } catch let error as CheckpointError {
                throw error
            } catch let error as DecodingError {
                throw CheckpointError.badMetadata(path: path, key: key, detail: describe(error))
            } catch {
                throw CheckpointError.badMetadata(path: path, key: key, detail: "\(error)")
            }
        }
        let recipe: Recipe
        do {
            recipe = try Recipe.decode(Data(try entry("recipe").utf8), source: "\(path) (its recipe)")
        } catch let error as RecipeError {
            throw CheckpointError.badMetadata(path: path, key: "recipe", detail: error.description)
        }
        let input = try decode(ModelInput.self, "input")
        let architecture = try decode([LayerSpec].self, "architecture")
        let expected: [LayerSpec]
        do {
            expected = try ModelBuilder.resolve(recipe, for: input)
        } catch {
            throw CheckpointError.modelMismatch(
                path: path, detail: "its recipe does not fit its input \(input): \(error).")
        }
        guard expected == architecture else {
            throw CheckpointError.modelMismatch(
                path: path, detail: "the recorded architecture differs from what its recipe builds for \(input).")
        }
        guard let epoch = Int(try entry("epoch")), epoch >= 0 else {
            throw CheckpointError.badMetadata(path: path, key: "epoch", detail: "it is not a whole number of 0 or more")
        }
        let classNames = try decode([String].self, "class_names")
        guard classNames.count == input.classes else {
            throw CheckpointError.badMetadata(
                path: path, key: "class_names",
                detail: "it lists \(classNames.count) names for \(input.classes) classes")
        }
        let normalization = try decode(InputNormalization.self, "normalization")
        guard normalization.mean.count == input.channels, normalization.std.count == input.channels,
            normalization.std.allSatisfy({ $0 > 0 && $0.isFinite }), normalization.maxValue > 0
        else {
            throw CheckpointError.badMetadata(
                path: path, key: "normalization",
                detail:
                    "it needs one mean and one positive std per channel (\(input.channels)) and a positive max_value")
        }
        let kind = try entry("kind")
        let resume = file.metadata["resume"] == nil ? nil : try decode(ResumeState.self, "resume")
        if let resume {
            // Positions and counts index arrays and ranges when training resumes.
            let counts = [resume.epoch, resume.batch, resume.seen, resume.correct, resume.optimizerSteps]
            guard counts.allSatisfy({ $0 >= 0 }), resume.correct <= resume.seen, resume.trainingExamples >= 1,
                resume.lossSum.isFinite, resume.epochSeconds.isFinite, resume.epochSeconds >= 0,
                resume.bestEpoch.map({ $0 >= 1 && $0 <= resume.epoch }) ?? true
            else {
                throw CheckpointError.badMetadata(
                    path: path, key: "resume",
                    detail:
                        "its counts are impossible (negative, more correct than seen, or a best epoch not yet trained)")
            }
        }
        return CheckpointInfo(
            kind: kind, recipe: recipe, architecture: architecture, input: input, dataset: try entry("dataset"),
            classNames: classNames, normalization: normalization, epoch: epoch,
            metrics: try decode([EpochRecord].self, "metrics"), settings: try decode(TrainingSettings.self, "settings"),
            resume: resume)
    }

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
        guard let text = file.metadata["optimizer"],
            let object = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)),
            let kind = object["type"], let steps = object["steps"].flatMap({ Int($0) }), steps >= 0
        else {
            throw CheckpointError.missingMetadata(path: path, key: "optimizer")
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
            try TrainingSession.makeOptimizer(info.settings.optimizer, parameters).importState(state)
            return state
        } catch {
            throw CheckpointError.optimizerStateMismatch(path: path, detail: "\(error)")
        }
    }
}
