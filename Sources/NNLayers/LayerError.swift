import NNCore

/// Errors of the engine: a layer or optimizer built with arguments it cannot work with, an input
/// of the wrong shape, optimizer state that does not fit its parameters.
public enum LayerError: Error, CustomStringConvertible, Equatable {
    /// `layer` was given `argument` = `value`, which it cannot use; `expected` says what it can.
    case invalidArgument(layer: String, argument: String, value: String, expected: String)
    /// `layer` cannot take an input of shape `found`; `expected` describes what it takes.
    case shapeMismatch(layer: String, expected: String, found: Shape)
    /// Saved optimizer state does not fit the parameters it is loaded for.
    case optimizerStateMismatch(optimizer: String, detail: String)

    public var description: String {
        switch self {
        case .invalidArgument(let layer, let argument, let value, let expected):
            return "\(layer) was given \(argument) = \(value), but expected \(expected). "
                + "Change the model definition (recipe) to use a valid value."
        case .shapeMismatch(let layer, let expected, let found):
            return "\(layer) expected an input of shape \(expected), but found \(found). "
                + "Check the sizes of the layers before it in the model definition (recipe)."
        case .optimizerStateMismatch(let optimizer, let detail):
            return "The saved \(optimizer) state does not fit this model: \(detail). "
                + "Resume from a checkpoint written by the same recipe, or start a fresh run."
        }
    }
}
