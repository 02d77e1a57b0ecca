import Foundation
import NNCore
import NNLayers

/// Weights saved by PyTorch (`safetensors.torch.save_file(model.state_dict(), path)`) for the
/// `torch.nn.Sequential` a recipe describes, matched to nnzoo's network as
/// `load_state_dict(strict=True)` matches them, for `nnzoo import`.
///
/// - Names: `<layer index>.<name>` (`1.weight`, `3.running_mean`), under a prefix or not: the prefix
///   most names share once a network name is removed from their end is found (`model.`, `module.`
///   of DistributedDataParallel, `net.model.`), unless one is given.
/// - Types: F32 as it is; F64 rounded to the nearest float32, F16 and BF16 exactly (listed in
///   `converted`); BatchNorm's `num_batches_tracked` as I64, and set to 0 when the file lacks it (as
///   PyTorch does for a state dict without it).
/// - Every missing, unexpected, wrongly shaped or wrongly typed tensor is reported at once
///   (`ImportError.stateDictMismatch`); NaN and infinite values are refused.
public struct StateDictImport: Sendable {
    /// The prefix removed from the file's names ("" for none).
    public let prefix: String
    /// The network's tensors by name, float32 (int64 for the BatchNorm counters).
    public let tensors: [String: SafeTensorsValue]
    /// The tensors the file stores in another floating-point type, by that type (network names, in
    /// network order).
    public let converted: [SafeTensorsDType: [String]]
    /// BatchNorm counters the file lacks, set to 0.
    public let filledIn: [String]
    /// How many tensors and values the file gave.
    public let tensorCount: Int
    public let valueCount: Int

    /// Reads `path` and matches it to the network of `architecture` (resolved layers of `recipe`).
    public init(path: String, architecture: [LayerSpec], recipe: String, prefix explicit: String? = nil) throws {
        let file: SafeTensorsFile
        do {
            file = try SafeTensorsFile.read(from: path, convertingFloats: true)
        } catch CheckpointError.unsupportedDType(let path, let tensor, let dtype) {
            throw ImportError.unsupportedDType(path: path, tensor: tensor, dtype: dtype)
        }
        let layout = ModelBuilder.tensorLayout(architecture)
        let expected = layout.map(\.name)
        let names = file.tensors.map(\.name)
        let prefix = explicit ?? Self.prefix(of: names, expected: Set(expected))

        var found: [String: (stored: String, value: SafeTensorsValue)] = [:]
        var unexpected: [String] = []
        let known = Set(expected)
        for (name, value) in file.tensors {
            let stripped = name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : nil
            if let stripped, known.contains(stripped) {
                found[stripped] = (name, value)
            } else {
                unexpected.append(name)
            }
        }
        var missing: [String] = []
        var filledIn: [String] = []
        var wrongShapes: [ImportError.WrongShape] = []
        var wrongTypes: [ImportError.WrongType] = []
        var tensors: [String: SafeTensorsValue] = [:]
        var converted: [SafeTensorsDType: [String]] = [:]
        for (name, shape, isCounter) in layout {
            guard let (stored, value) = found[name] else {
                if isCounter {
                    filledIn.append(name)
                    tensors[name] = .int64(shape: shape, values: [0])
                } else {
                    missing.append(name)
                }
                continue
            }
            let storedType = file.convertedFrom[stored] ?? value.dtype
            switch (value, isCounter) {
            case (.float32, true):
                wrongTypes.append(.init(name: stored, found: storedType.rawValue, expected: "I64"))
            case (.int64, false):
                wrongTypes.append(.init(name: stored, found: storedType.rawValue, expected: "a floating-point type"))
            default:
                guard value.shape == shape else {
                    wrongShapes.append(.init(name: stored, found: value.shape, expected: shape))
                    continue
                }
                if case .float32(let tensor) = value {
                    let bad = tensor.scalars.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
                    guard bad == 0 else {
                        throw ImportError.nonFinite(
                            path: path, tensor: stored, count: bad, storedAs: storedType.rawValue)
                    }
                }
                if storedType != value.dtype { converted[storedType, default: []].append(name) }
                tensors[name] = value
            }
        }
        guard missing.isEmpty, unexpected.isEmpty, wrongShapes.isEmpty, wrongTypes.isEmpty else {
            let checkpointOf = file.metadata["recipe"].flatMap {
                try? Recipe.decode(Data($0.utf8), source: path).name
            }
            throw ImportError.stateDictMismatch(
                path: path, recipe: recipe, prefix: prefix, missing: missing, unexpected: unexpected,
                wrongShapes: wrongShapes, wrongTypes: wrongTypes, checkpointOf: checkpointOf)
        }
        self.prefix = prefix
        self.tensors = tensors
        self.converted = converted
        self.filledIn = filledIn
        tensorCount = file.tensors.count
        valueCount = file.tensors.reduce(0) { $0 + $1.value.shape.reduce(1, *) }
    }

    /// The prefix that the most names have once a network name is removed from their end (the
    /// shortest among equals; "" when no name ends with a network name).
    static func prefix(of names: [String], expected: Set<String>) -> String {
        var counts: [String: Int] = [:]
        for name in names {
            var candidates: Set<String> = []
            if expected.contains(name) { candidates.insert("") }
            var index = name.startIndex
            while let dot = name[index...].firstIndex(of: ".") {
                let rest = name[name.index(after: dot)...]
                if expected.contains(String(rest)) { candidates.insert(String(name[...dot])) }
                index = name.index(after: dot)
            }
            for candidate in candidates { counts[candidate, default: 0] += 1 }
        }
        return counts.max { ($0.value, $1.key.count, $1.key) < ($1.value, $0.key.count, $0.key) }?.key ?? ""
    }

    /// Copies the tensors into `model` (built from the same architecture).
    public func load(into model: Sequential) {
        for (name, parameter) in model.namedParameters {
            if case .float32(let tensor)? = tensors[name] { parameter.value = tensor }
        }
        for (name, buffer) in model.namedBuffers {
            switch tensors[name] {
            case .float32(let tensor)?: buffer.value = tensor
            case .int64(_, let values)?:
                buffer.value = Tensor(shape: buffer.value.shape, scalars: values.map { Float($0) })
            case nil: break
            }
        }
    }
}
