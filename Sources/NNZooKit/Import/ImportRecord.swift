/// What `nnzoo import` brought into a run folder, recorded in its `run.json` (`imported`).
public struct ImportRecord: Codable, Equatable, Sendable {
    /// The weights file as given, and the SHA-256 of its bytes.
    public var file: String
    public var sha256: String
    /// The prefix removed from the file's tensor names ("" for none).
    public var prefix: String
    /// Tensors stored in another floating-point type and converted to float32, by that type.
    public var converted: [String: [String]]
    /// BatchNorm counters the file lacked, set to 0.
    public var filledIn: [String]
    /// `recipe` (computed from the dataset as training does) or `given` (`--mean`/`--std`).
    public var normalization: String

    public init(
        file: String, sha256: String, prefix: String, converted: [String: [String]], filledIn: [String],
        normalization: String
    ) {
        self.file = file
        self.sha256 = sha256
        self.prefix = prefix
        self.converted = converted
        self.filledIn = filledIn
        self.normalization = normalization
    }

    enum CodingKeys: String, CodingKey {
        case file, sha256, prefix, converted, normalization
        case filledIn = "filled_in"
    }
}
