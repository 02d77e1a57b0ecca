/// The loss, by its `torch.nn` name: `CrossEntropyLoss` on logits, or `NLLLoss` on the
/// log-probabilities of a final `LogSoftmax`.
public enum LossSpec: String, Equatable, Sendable, Codable, CaseIterable {
    case crossEntropy = "CrossEntropyLoss"
    case nll = "NLLLoss"

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let written = try container.decode(String.self)
        guard let loss = Self.allCases.first(where: { $0.rawValue.lowercased() == written.lowercased() }) else {
            throw RecipeProblem(
                codingPath: decoder.codingPath,
                kind: .invalidValue(found: "\"\(written)\"", expected: "\"CrossEntropyLoss\" or \"NLLLoss\""))
        }
        self = loss
    }
}
