/// Why weights saved by PyTorch cannot be imported for a recipe. Each description is a sentence
/// naming the file, what was expected, what was found and what to do.
public enum ImportError: Error, Equatable, CustomStringConvertible {
    /// A tensor whose stored type does not fit where it goes, found in the file with its type and the one needed.
    public struct WrongType: Equatable, Sendable {
        public let name: String
        public let found: String
        public let expected: String
    }

    /// A tensor whose shape differs from the network's.
    public struct WrongShape: Equatable, Sendable {
        public let name: String
        public let found: [Int]
        public let expected: [Int]
    }

    /// The names, shapes or types in the file do not match the network, as `load_state_dict(strict=True)`
    /// would report: every problem at once. `prefix` is the prefix removed before comparing names;
    /// `checkpointOf` names the recipe when the file is itself an nnzoo checkpoint.
    case stateDictMismatch(
        path: String, recipe: String, prefix: String, missing: [String], unexpected: [String],
        wrongShapes: [WrongShape], wrongTypes: [WrongType], checkpointOf: String?)
    /// A tensor has an element type nnzoo cannot import (integers other than the BatchNorm counter, 8-bit floats, ...).
    case unsupportedDType(path: String, tensor: String, dtype: String)
    /// A tensor holds NaN or infinite values (after conversion to float32).
    case nonFinite(path: String, tensor: String, count: Int, storedAs: String)
    /// `--mean`/`--std` give a number of values that is not the images' channel count.
    case normalizationChannels(given: Int, channels: Int, dataset: String)

    public var description: String {
        switch self {
        case .stateDictMismatch(
            let path, let recipe, let prefix, let missing, let unexpected, let wrongShapes, let wrongTypes,
            let checkpointOf):
            var lines = [
                "The weights in \(path) do not fit the network of recipe \(recipe)"
                    + (prefix.isEmpty ? "" : " (names compared after removing the prefix \"\(prefix)\")")
                    + ", as load_state_dict(strict=True) would say:"
            ]
            if !missing.isEmpty {
                lines.append("  missing (the network has them, the file does not): " + Self.list(missing))
            }
            if !unexpected.isEmpty {
                lines.append("  unexpected (the file has them, the network does not): " + Self.list(unexpected))
            }
            for shape in wrongShapes.prefix(Self.shown) {
                lines.append(
                    "  wrong shape: \"\(shape.name)\" is \(shape.found) in the file, \(shape.expected) in the network")
            }
            if wrongShapes.count > Self.shown {
                lines.append("  and \(wrongShapes.count - Self.shown) more of the wrong shape")
            }
            for type in wrongTypes.prefix(Self.shown) {
                lines.append(
                    "  wrong type: \"\(type.name)\" is \(type.found) in the file; the network needs \(type.expected)")
            }
            if wrongTypes.count > Self.shown {
                lines.append("  and \(wrongTypes.count - Self.shown) more of the wrong type")
            }
            if let checkpointOf {
                lines.append(
                    "The file is an nnzoo checkpoint of recipe \(checkpointOf)"
                        + (checkpointOf == recipe
                            ? "." : "; import it with --recipe \(checkpointOf), or use it as it is."))
            }
            lines.append(
                "Import the state dict of the torch.nn.Sequential that recipe \(recipe) describes (its layers map one "
                    + "to one onto torch.nn, so the names are <layer index>.weight, ...), or name the recipe these "
                    + "weights were trained for with --recipe.")
            return lines.joined(separator: "\n")
        case .unsupportedDType(let path, let tensor, let dtype):
            return
                "In \(path), tensor \"\(tensor)\" has element type \(dtype); nnzoo imports weights stored as F32, F64, "
                + "F16 or BF16 (and BatchNorm's num_batches_tracked as I64). Save the state dict in one of those "
                + "(with torch: model.float())."
        case .nonFinite(let path, let tensor, let count, let storedAs):
            return
                "In \(path), tensor \"\(tensor)\" holds \(count) value\(count == 1 ? "" : "s") that "
                + (storedAs == "F32" ? "are" : "become")
                + " NaN or infinite\(storedAs == "F32" ? "" : " in float32 (stored as \(storedAs))"). A network with "
                + "them cannot classify anything; import weights from before the training diverged."
        case .normalizationChannels(let given, let channels, let dataset):
            return
                "--mean and --std give \(given) value\(given == 1 ? "" : "s"), but \(dataset) images have \(channels) "
                + "channel\(channels == 1 ? "" : "s"): give one mean and one standard deviation per channel, on the "
                + "[0, 1] scale (as torchvision's Normalize takes them)."
        }
    }

    static let shown = 12

    private static func list(_ names: [String]) -> String {
        let quoted = names.prefix(shown).map { "\"\($0)\"" }.joined(separator: ", ")
        return names.count > shown ? quoted + " and \(names.count - shown) more" : quoted
    }
}
