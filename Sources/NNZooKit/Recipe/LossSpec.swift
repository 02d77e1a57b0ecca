/// The loss, by its `torch.nn` name, as a string or an object with the class's arguments:
///
///     "CrossEntropyLoss"                                  on scores, one per class
///     {"type": "CrossEntropyLoss", "label_smoothing": 0.1}
///     "NLLLoss"                                           on the log-probabilities of a final LogSoftmax
///     "MSELoss"                                           one output per class against one-hot targets
///                                                         (0 and 1), or one output for two classes
///                                                         against -1 and +1; PyTorch's mean
///     "BCEWithLogitsLoss"                                 one output (a logit) for two classes
///     "HingeLoss"                                         the notebooks' mean(max(0, 1 - y ŷ)): one
///                                                         output for two classes with y = ±1, or one
///                                                         per class, one-vs-rest (+1 for the true
///                                                         class, -1 for the others)
///
/// With one output the second class (index 1) is the positive one, and an output above 0 predicts it
/// (`ClassPrediction`). PyTorch has no `HingeLoss` class: the name is nnzoo's, for
/// `torch.clamp(1 - y * out, min=0).mean()`.
public struct LossSpec: Equatable, Sendable, Codable {
    public enum Kind: String, Equatable, Sendable, CaseIterable {
        case crossEntropy = "CrossEntropyLoss"
        case nll = "NLLLoss"
        case mse = "MSELoss"
        case bceWithLogits = "BCEWithLogitsLoss"
        case hinge = "HingeLoss"
    }

    public var kind: Kind
    /// CrossEntropyLoss's `label_smoothing` (0 for the others).
    public var labelSmoothing: Double

    public init(_ kind: Kind, labelSmoothing: Double = 0) {
        self.kind = kind
        self.labelSmoothing = labelSmoothing
    }

    public static let crossEntropy = LossSpec(.crossEntropy)
    public static let nll = LossSpec(.nll)
    public static let mse = LossSpec(.mse)
    public static let bceWithLogits = LossSpec(.bceWithLogits)
    public static let hinge = LossSpec(.hinge)

    /// The `torch.nn` name.
    public var name: String { kind.rawValue }

    /// The name with its arguments, for messages: `CrossEntropyLoss(label_smoothing 0.1)`.
    public var summary: String {
        labelSmoothing == 0 ? name : "\(name)(label_smoothing \(labelSmoothing))"
    }

    /// Whether the network may end with `outputs` values for `classes` classes: one per class, or
    /// one for two classes where the loss takes a single output (BCEWithLogitsLoss only that).
    public func accepts(outputs: Int, classes: Int) -> Bool {
        switch kind {
        case .crossEntropy, .nll: return outputs == classes
        case .mse, .hinge: return outputs == classes || (outputs == 1 && classes == 2)
        case .bceWithLogits: return outputs == 1 && classes == 2
        }
    }

    /// What the last layer must give for `classes` classes, for messages.
    func expectedOutputs(classes: Int) -> String {
        switch kind {
        case .crossEntropy, .nll: return "out_features \(classes)"
        case .mse, .hinge:
            return classes == 2 ? "out_features 2 or 1 (one output for two classes)" : "out_features \(classes)"
        case .bceWithLogits: return "out_features 1 (BCEWithLogitsLoss takes one logit, for two classes)"
        }
    }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let written = try? single.decode(String.self) {
            self.init(try Self.kind(written, at: decoder.codingPath))
            return
        }
        let c = try decoder.recipeObject("a loss name or an object")
        let written: String = try c.required("type")
        let kind = try Self.kind(written, at: c.codingPath + [RecipeKey("type")])
        try c.allowOnly(kind == .crossEntropy ? ["type", "label_smoothing"] : ["type"])
        self.init(
            kind, labelSmoothing: try c.number("label_smoothing", in: 0...1, default: 0, what: "a number from 0 to 1"))
    }

    private static func kind(_ written: String, at codingPath: [any CodingKey]) throws -> Kind {
        guard let kind = Kind.allCases.first(where: { $0.rawValue.lowercased() == written.lowercased() }) else {
            throw RecipeProblem(
                codingPath: codingPath,
                kind: .invalidValue(
                    found: "\"\(written)\"",
                    expected: "one of " + Kind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")))
        }
        return kind
    }

    /// A plain name when there are no arguments, as recipes usually write it.
    public func encode(to encoder: any Encoder) throws {
        if labelSmoothing == 0 {
            var c = encoder.singleValueContainer()
            try c.encode(name)
        } else {
            var c = encoder.container(keyedBy: RecipeKey.self)
            try c.put(name, "type")
            try c.put(labelSmoothing, "label_smoothing")
        }
    }
}
