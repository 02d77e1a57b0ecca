/// What can go wrong when reading an augmentation spec or rendering a preview. Each description is
/// a sentence that says what was expected, what was found and what to do.
public enum AugmentError: Error, Equatable, CustomStringConvertible {
    /// `spec` has nothing between two commas (or before the first, or after the last) at `position`
    /// (1-based).
    case emptyOperation(spec: String, position: Int)
    /// The operation name of `token` is not one we know.
    case unknownOperation(token: String)
    /// `token` lacks its required `argument`.
    case missingArgument(token: String, argument: String)
    /// `token` has more arguments than its operation takes.
    case tooManyArguments(token: String)
    /// `token`'s `argument` is `value`, which is not `expected`.
    case invalidArgument(token: String, argument: String, value: String, expected: String)
    /// The spec names `count` operations, more than the `limit` a spec may have.
    case tooManyOperations(count: Int, limit: Int)
    /// A preview draws images as gray or RGB; `channels` is neither.
    case unsupportedChannels(channels: Int)
    /// A preview asked for `requested` samples from a split of `available` images.
    case notEnoughImages(requested: Int, available: Int)
    /// A preview count (samples, variants or scale) is below 1.
    case invalidCount(name: String, value: Int)
    /// The preview would be `width` x `height` pixels, more than the `limit` a preview may have.
    case previewTooLarge(width: Int, height: Int, limit: Int)

    public var description: String {
        switch self {
        case .emptyOperation(let spec, let position):
            return
                "The augmentation spec '\(spec)' has an empty operation at position \(position); separate "
                + "operations with single commas, e.g. 'hflip,crop:4'. \(AugmentationSpec.validOperationsSentence)"
        case .unknownOperation(let token):
            let name = token.split(separator: ":", omittingEmptySubsequences: false).first.map(String.init) ?? token
            return
                "Unknown augmentation '\(name)' in '\(token)'. \(AugmentationSpec.validOperationsSentence)"
        case .missingArgument(let token, let argument):
            return "The augmentation '\(token)' needs \(argument); write it as \(usage(of: token))."
        case .tooManyArguments(let token):
            return "The augmentation '\(token)' has too many arguments; write it as \(usage(of: token))."
        case .invalidArgument(let token, let argument, let value, let expected):
            return
                "In the augmentation '\(token)', \(argument) is '\(value)' but must be \(expected); "
                + "write it as \(usage(of: token))."
        case .tooManyOperations(let count, let limit):
            return
                "The augmentation spec names \(count) operations, more than the \(limit) a spec may have; "
                + "name each operation once, with the arguments it needs (e.g. 'shift:3' rather than three 'shift:1')."
        case .unsupportedChannels(let channels):
            return
                "A preview shows gray (1-channel) or RGB (3-channel) images, but this dataset has \(channels) "
                + "channels; preview a gray or RGB dataset instead (mnist, fashion-mnist, digits or cifar10)."
        case .notEnoughImages(let requested, let available):
            return
                "The preview asks for \(requested) samples but the split has only \(available) images; "
                + "ask for at most \(available) with --samples."
        case .invalidCount(let name, let value):
            return "The preview's \(name) must be at least 1, not \(value)."
        case .previewTooLarge(let width, let height, let limit):
            return
                "The preview would be \(width)x\(height) pixels, more than the \(limit) "
                + "pixels a preview may have; ask for fewer samples or variants, or a smaller scale."
        }
    }

    /// The usage line of the operation `token` names (it is known when these errors are raised).
    private func usage(of token: String) -> String {
        let name = token.split(separator: ":", omittingEmptySubsequences: false).first.map(String.init) ?? token
        return AugmentationSpec.operation(named: name).map { "'\($0.usage)' (\($0.summary))" } ?? "'\(token)'"
    }
}
